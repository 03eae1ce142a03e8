from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalChanges, ModelChange, ModelChangeValue
from simple_history.template_utils import HistoricalRecordContextHelper

from akto_portal.history_admin import HistoryAdmin
from akto_portal.http import signed_in_user
from akto_portal.inline_formsets import ConstraintMessageInlineFormSet
from akto_portal.locking import LockedModelForm
from akto_portal.models import Department, Region, User
from akto_portal.permissions import can_view_convention, convention_visibility
from conventions.models import Convention
from events.models import ActivityTotal, Attendance, Event, Organisation
from events.selectors import event_last_author
from events.services import manual_entry_source


class EventAdminForm(LockedModelForm):
    """The admin's event form, with the optimistic lock of the staff pages: it carries the
    version of the event current when it was displayed, and is refused if anyone saved
    the event, its attendance or its attendees since (see `akto_portal.locking` and
    `events.services`)."""

    class Meta:
        model = Event
        fields = ["title", "kind", "date", "date_precision", "region", "place", "department"]
        fields += ["online"]
        fields += ["axis", "convention", "is_cancelled", "notes", "source"]

    def stale_message(self, current: Model) -> str:
        last_author = event_last_author(self.instance.pk)
        author = f" par {last_author}" if last_author else ""
        return (
            f"Cet événement a été modifié entre-temps{author} : rien n'a été enregistré. "
            "Rechargez la page pour voir les valeurs actuelles, puis refaites vos "
            "changements."
        )


class AttendanceInline(admin.TabularInline):
    formset = ConstraintMessageInlineFormSet
    model = Attendance
    extra = 0

    def _may_edit(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None or request.user.has_perm("events.change_event", obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


class EventHistoryHelper(HistoricalRecordContextHelper):
    """The changes listed on an event's history page, without the title of a convention
    the reader may not read (another region's, for regional staff)."""

    def __init__(
        self, model: type[Model], historical_record: HistoricalChanges, *, user: User
    ) -> None:
        super().__init__(model, historical_record)
        self.user = user

    def prepare_delta_change_value(self, change: ModelChange, value: ModelChangeValue) -> Any:
        if isinstance(value, Convention) and not can_view_convention(self.user, value):
            return "Convention d'une autre région"
        return super().prepare_delta_change_value(change, value)


@admin.register(Event)
class EventAdmin(HistoryAdmin):
    form = EventAdminForm
    list_display = ["date", "title", "kind", "region", "department", "axis", "is_cancelled"]
    list_filter = [
        "kind",
        ("region", admin.RelatedOnlyFieldListFilter),
        ("department", admin.RelatedOnlyFieldListFilter),
        "axis",
        "is_cancelled",
        ("date", admin.DateFieldListFilter),
        "source__kind",
    ]
    search_fields = ["title", "place"]
    date_hierarchy = "date"
    autocomplete_fields = ["region", "convention", "axis", "source"]
    list_select_related = ["region", "department", "axis"]
    inlines = [AttendanceInline]
    exclude = ["version", "created_by"]

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return request.user.has_perm("events.change_event", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return request.user.has_perm("events.delete_event", obj)

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str] | tuple[str, ...]:
        # Autocomplete needs read access to the related admin, which staff do not have.
        return self.autocomplete_fields if request.user.is_superuser else []

    def get_exclude(self, request: HttpRequest, obj: Event | None = None) -> list[str]:
        exclude = list(self.exclude)
        if not request.user.is_superuser:
            exclude.append("source")
        if obj and obj.convention and not can_view_convention(request.user, obj.convention):
            exclude.append("convention")  # another region's convention
        if obj is not None and not self.has_change_permission(request, obj):
            exclude.append("expected_version")  # read-only: nothing to check
        return exclude

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: HistoricalChanges
    ) -> EventHistoryHelper:
        return EventHistoryHelper(self.model, historical_record, user=signed_in_user(request))

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        # Regional staff record events for their own region only, and choose among the
        # conventions they may read (`Event.clean` checks it covers the event's region).
        user = signed_in_user(request)
        if db_field.name == "region" and not user.is_superuser:
            kwargs["queryset"] = (
                Region.objects.filter(pk=user.region_id)
                if user.region_id
                else Region.objects.none()
            )
            kwargs["required"] = True
        if db_field.name == "department" and not user.is_superuser:
            kwargs["queryset"] = (
                Department.objects.filter(region_id=user.region_id)
                if user.region_id
                else Department.objects.none()
            )
        if db_field.name == "convention" and not user.is_superuser:
            kwargs["queryset"] = Convention.objects.filter(convention_visibility(user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_model(self, request: HttpRequest, obj: Event) -> None:
        # Soft delete, as on the portal: restorable whole from the events list.
        user = signed_in_user(request)
        obj.deleted_at, obj.deleted_by = timezone.now(), user
        # simple_history's documented per-instance attribute, which it does not declare.
        obj._history_user = user  # type: ignore[attr-defined]
        obj.version += 1
        obj.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Event, form: ModelForm[Any], change: bool
    ) -> None:
        if not request.user.has_perm("events.change_event", obj):
            # Defence in depth: the form already restricts the region.
            raise PermissionDenied("Événement hors de votre région.")
        if not change:
            obj.created_by = signed_in_user(request)
            if obj.source_id is None:
                obj.source = manual_entry_source()
        else:
            # The form checked (and locked) this version: the save makes the next one.
            expected = form.cleaned_data.get("expected_version")
            obj.version = (obj.version if expected is None else expected) + 1
        super().save_model(request, obj, form, change)


@admin.register(ActivityTotal)
class ActivityTotalAdmin(admin.ModelAdmin):
    list_display = ["year", "region", "event_kind", "measure", "qualifier", "value", "source"]
    list_filter = ["year", "event_kind", "measure", ("region", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["region", "source"]
    list_select_related = ["region", "source"]


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["identifier", "name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["identifier", "name"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser
