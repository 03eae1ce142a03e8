import datetime
from typing import Any

from django import forms

from akto_portal.date_inputs import FrenchDateField
from conventions.models import Convention
from conventions.services import renewed_title


class ConventionRenewForm(forms.Form):
    title = forms.CharField(label="Intitulé de la nouvelle convention", max_length=250)
    start_on = FrenchDateField(label="Début")
    end_on = FrenchDateField(label="Fin")
    status = forms.ChoiceField(
        label="Statut", choices=Convention.Status.choices, initial=Convention.Status.NEGOTIATION
    )
    signed_on = FrenchDateField(label="Date de signature", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_on") and data.get("end_on") and data["end_on"] <= data["start_on"]:
            self.add_error("end_on", "La fin doit suivre le début.")
        return data

    @staticmethod
    def initial_for(convention: Convention) -> dict[str, Any]:
        """Next period of the same length (for a declination, the period of its national
        convention's renewal when there is one), title with its years moved on."""
        national_renewal = (
            Convention.objects.filter(renews_id=convention.parent_id).first()
            if convention.parent_id
            else None
        )
        if national_renewal and national_renewal.start_on and national_renewal.end_on:
            start, end = national_renewal.start_on, national_renewal.end_on
        elif convention.start_on and convention.end_on:
            start = convention.end_on + datetime.timedelta(days=1)
            years = convention.end_on.year - convention.start_on.year + 1
            end = datetime.date(
                start.year + years - 1, convention.end_on.month, convention.end_on.day
            )
        else:
            return {"title": f"{convention.title} (renouvellement)"}
        return {"title": renewed_title(convention, start, end), "start_on": start, "end_on": end}
