"""Computed indicators: a registry the data-owning apps fill.

A convention indicator may be computed from the portal's own data (contracts, events,
attendance). Conventions do not know how: the app that owns the data registers, for
each computation it serves, a function giving the achieved value and one giving the
rows behind it (for the indicator's drill-down page). `contracts.indicators` and
`events.indicators` register theirs when their app is ready, so `conventions` imports
neither app.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from conventions.models import Convention, Indicator


@dataclass(frozen=True)
class Computed:
    """An indicator's achieved value and whether synthetic data went into it. `value` is
    None when it is not known (no period to count over, nothing entered yet): the pages
    show "—", never 0."""

    value: int | None
    synthetic: bool = False


class Inputs(TypedDict):
    """What the drill-down page lists for an indicator: `kind` names the template block
    ("reported", "contracts" or "events"). Each app extends it with its rows
    (`contracts.indicators.ContractInputs`, `events.indicators.EventInputs`)."""

    kind: str


Compute = Callable[[Indicator, Convention, datetime.date], Computed]
Explain = Callable[[Indicator, Convention, datetime.date], Inputs]

_registry: dict[str, tuple[Compute, Explain]] = {}


def register(*computations: str, compute: Compute, explain: Explain) -> None:
    for computation in computations:
        _registry[computation] = (compute, explain)


def computed_value(indicator: Indicator, *, today: datetime.date) -> Computed:
    compute, _explain = _registry[indicator.computation]
    return compute(indicator, indicator.convention, today)


def computed_inputs(indicator: Indicator, *, today: datetime.date) -> Inputs:
    _compute, explain = _registry[indicator.computation]
    return explain(indicator, indicator.convention, today)


def convention_years(convention: Convention, today: datetime.date) -> range:
    """The calendar years of a convention's period elapsed at `today` (empty without a
    period)."""
    if not convention.start_on:
        return range(0)
    last = min(convention.end_on or today, today).year
    return range(convention.start_on.year, last + 1)
