"""The dashboard filter and scope: read by `contracts.scope` (the one scope parser, a floor
below so that the market API shares it); names kept here for the dashboards' modules."""

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
    "DashboardFilter",
    "Scope",
    "bind_filter",
    "parse_scope",
    "scope_data",
    "scope_from",
]
