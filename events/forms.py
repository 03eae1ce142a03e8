"""Forms of the staff event pages. They validate input; services do the writes."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms import BoundField

from akto_portal.date_inputs import FrenchDateField
from akto_portal.models import Department, Region, User
from akto_portal.permissions import convention_visibility
from conventions.models import ActionPlanAxis, Convention
from events.imports import MAX_LINES, decode_upload
from events.models import Attendance, Event, ParticipantCategory

MAX_UPLOAD_BYTES = 1_000_000


class EventForm(forms.ModelForm):
    """Create or change an event; `version` is the one the form was displayed with."""

    date = FrenchDateField(label="Date")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = ["title", "kind", "date", "region", "place", "department", "online", "axis"]
        fields += ["convention"]
        fields += ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        department = self.fields["department"]
        axis = self.fields["axis"]
        convention = self.fields["convention"]
        assert isinstance(region, forms.ModelChoiceField)
        assert isinstance(department, forms.ModelChoiceField)
        assert isinstance(axis, forms.ModelChoiceField)
        assert isinstance(convention, forms.ModelChoiceField)
        department.queryset = Department.objects.select_related("region")
        department.empty_label = "Non renseigné"
        if user.is_superuser:
            region.queryset = Region.objects.all()
        else:
            # Staff record events of their own region only.
            region.queryset = (
                Region.objects.filter(pk=user.region_id)
                if user.region_id
                else Region.objects.none()
            )
            region.required = True
            region.empty_label = None
            region.initial = user.region_id
            region.disabled = True  # whatever is posted, the user's region is used
            region.help_text = ""
            # Only their region's departments; `Event.clean` checks it whatever is posted.
            department.queryset = (
                department.queryset.filter(region_id=user.region_id)
                if user.region_id
                else department.queryset.none()
            )
        axis.queryset = ActionPlanAxis.objects.order_by("plan__year", "number")
        # The conventions the user may read; `Event.clean` checks the one chosen covers
        # the event's region (for staff, these are exactly the ones covering theirs).
        convention.queryset = Convention.objects.filter(convention_visibility(user)).order_by(
            "title"
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100_000,
        required=False,
        widget=forms.NumberInput(attrs={"class": "count", "inputmode": "numeric"}),
    )


class AttendanceForm(forms.Form):
    """Planned and actual counts by category, plus a pasted or uploaded attendee list."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    attendees = forms.CharField(
        label="Organisations présentes (une par ligne : SIRET ou UAI ; nom)",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "siret;nom\n73282932000074;Entreprise exemple"}
        ),
    )
    upload = forms.FileField(
        label="ou fichier CSV (séparateur ; ou ,)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in ParticipantCategory:
            self.fields[f"{category}_planned"] = _count_field(f"{category.label} — prévus")
            self.fields[f"{category}_actual"] = _count_field(f"{category.label} — présents")

    @classmethod
    def initial_for(cls, event: Event, attendances: Iterable[Attendance]) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": event.version}
        for a in attendances:
            initial[f"{a.category}_planned"] = a.planned
            initial[f"{a.category}_actual"] = a.actual
        return initial

    def clean_upload(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Fichier trop volumineux (1 Mo au plus).")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload:
            # The file's content takes the place of the pasted text, so that what is
            # previewed is what gets saved.
            data["attendees"] = decode_upload(upload.read())
        if len(data.get("attendees", "").splitlines()) > MAX_LINES + 1:
            raise forms.ValidationError(f"Liste trop longue : {MAX_LINES} lignes au plus.")
        return data

    def counts(self) -> dict[str, tuple[int | None, int | None]]:
        return {
            category.value: (
                self.cleaned_data.get(f"{category}_planned"),
                self.cleaned_data.get(f"{category}_actual"),
            )
            for category in ParticipantCategory
        }

    def rows(self) -> list[tuple[str, BoundField, BoundField]]:
        """[(category label, planned field, actual field)] for the template."""
        return [
            (category.label, self[f"{category}_planned"], self[f"{category}_actual"])
            for category in ParticipantCategory
        ]


class GridRowForm(forms.Form):
    """One past event's actual attendance in the grid of several events."""

    event = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in ParticipantCategory:
            self.fields[category.value] = _count_field(category.label)

    def actual(self) -> dict[str, int | None]:
        return {c.value: self.cleaned_data.get(c.value) for c in ParticipantCategory}

    def has_values(self) -> bool:
        return any(v is not None for v in self.actual().values())


GridFormSet = forms.formset_factory(GridRowForm, extra=0, max_num=100, absolute_max=100)
