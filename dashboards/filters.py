"""The dashboard filter and scope: read by `contracts.scope` (the one scope parser, a floor
below so that the market API shares it); names kept here for the dashboards' modules,
with the filter form a page shows."""

from collections.abc import Mapping
from typing import Any

from django import forms

from akto_portal.models import Department
from contracts.scope import (
    FRANCE,
    DashboardFilter,
    Scope,
    bind_filter,
    parse_scope,
    scope_data,
    scope_from,
)

__all__ = [
    "FRANCE",
    "filter_form",
    "DashboardFilter",
    "Scope",
    "bind_filter",
    "parse_scope",
    "scope_data",
    "scope_from",
]


def filter_form(
    scope: Scope,
    data: Mapping[str, Any] | None = None,
    dropped: Mapping[str, list[str]] | None = None,
    *,
    place_fields: bool = True,
) -> forms.Form:
    """The filter form as the page applies it; the department list is the region's. A
    value the page refused (`dropped`) is shown as typed, with its error. Without
    `place_fields` (a page whose URL names the region), no region nor department."""
    values = scope_data(scope)
    for name in dropped or {}:
        if data is not None and name in data and name != "department":
            values[name] = data[name]
    form = DashboardFilter(values).form
    if not place_fields:
        form.is_valid()  # errors computed with every field, then the place ones dropped
        for name in ("region", "department"):
            del form.fields[name]
        return form
    field = form.fields["department"]
    if scope.region is None:
        field.choices = [("", "Toute la région")]
        field.disabled = True
    else:
        field.choices = [("", "Toute la région")] + [
            (d.code, f"{d.code} {d.name}")
            for d in Department.objects.filter(region=scope.region).order_by("code")
        ]
    return form
