from typing import TYPE_CHECKING, Any, TypedDict

import django_filters
from django import forms
from django.db.models import QuerySet

from akto_portal.date_inputs import date_widget
from akto_portal.models import Department, Region
from conventions.models import ActionPlanAxis
from events.models import Event, EventKind

if TYPE_CHECKING:  # not subscriptable at run time with two arguments
    from django_stubs_ext import WithAnnotations


class Listed(TypedDict):
    """What events.selectors.events_for_list annotates an event with (in part)."""

    missing: bool


class EventFilter(django_filters.FilterSet):
    """The events list's filters; their state is in the URL so a view can be shared."""

    region = django_filters.ModelChoiceFilter(
        label="Région", queryset=Region.objects.all(), empty_label="Toutes les régions"
    )
    department = django_filters.ModelChoiceFilter(
        label="Département",
        queryset=Department.objects.all(),
        empty_label="Tous les départements",
    )
    date_from = django_filters.DateFilter(
        label="Du",
        field_name="date",
        lookup_expr="gte",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=date_widget(),
    )
    date_to = django_filters.DateFilter(
        label="Au",
        field_name="date",
        lookup_expr="lte",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=date_widget(),
    )
    kind = django_filters.ChoiceFilter(label="Type", choices=EventKind.choices, empty_label="Tous")
    axis = django_filters.ModelChoiceFilter(
        label="Axe",
        queryset=ActionPlanAxis.objects.order_by("plan__year", "number"),
        empty_label="Tous",
    )
    missing = django_filters.BooleanFilter(
        label="Participation non saisie",
        method="filter_missing",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Event
        fields = ["region", "department", "date_from", "date_to", "kind", "axis", "missing"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # With a region chosen (a regional user's own by default), only its departments.
        region = self.data.get("region") if self.data is not None else None
        if region and str(region).isdigit():
            department = self.filters["department"]
            department.queryset = Department.objects.filter(region_id=int(region))
            department.extra["queryset"] = department.queryset

    def filter_missing(
        self, queryset: "QuerySet[WithAnnotations[Event, Listed]]", name: str, value: bool | None
    ) -> "QuerySet[WithAnnotations[Event, Listed]]":
        # `missing` is annotated by selectors.events_for_list.
        return queryset.filter(missing=True) if value else queryset
