"""The "Mes abonnements" form."""

from typing import Any, cast

from django import forms

from akto_portal.models import Region, User
from akto_portal.permissions import can_view_convention
from conventions.models import Convention, Indicator
from notifications.models import Subscription


def visible_indicators(user: User) -> list[int]:
    """Indicators of the running top-level conventions the user may read."""
    indicators = (
        Indicator.objects.filter(convention__parent=None)
        .exclude(convention__status=Convention.Status.ENDED)
        .select_related("convention")
    )
    return [i.pk for i in indicators if can_view_convention(user, i.convention)]


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.name} — {obj.convention.title}"


class SubscriptionForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Récapitulatif par mail",
        choices=Subscription.Frequency.choices,
        widget=forms.RadioSelect,
    )
    france = forms.BooleanField(label="France entière", required=False)
    regions = forms.ModelMultipleChoiceField(
        label="Régions",
        queryset=Region.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = IndicatorChoiceField(
        label="Indicateurs de conventions",
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["indicators"]).queryset = (
            Indicator.objects.filter(pk__in=visible_indicators(user))
            .select_related("convention")
            .order_by("convention__title", "name")
        )
