"""Contracts against target, at a date: pure functions, no query.

Inputs are `YearData` (what is known of one year of one scope: its yearly total, its
months, and the part known only as a yearly total). The rules:

- A partial year is compared with the *same months* of the year before, never with a
  whole year. Months are whole months: at 24/11/2026 the year-to-date stops at the end
  of October (the last complete month, and the last month the data covers).
- Where part of a year is known only as a yearly total, no month is invented: the
  year-to-date is unknown (and said so) unless the whole year is asked for.
- The target is spread over the year with the seasonality of past years' months
  (apprenticeship contracts cluster from July to October), never as a straight line.
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contracts.figures import Figure, YearData, growth_pct
from contracts.models import MONTHS_FR, ContractTarget

# Actual / expected: at least AHEAD is "en avance", at least ON_TRACK "dans les temps".
AHEAD, ON_TRACK = 1.03, 0.97
STATUS_LABELS = {"ahead": "en avance", "on_track": "dans les temps", "behind": "en retard"}
SEASONALITY_YEARS = 3


def period_label(year: int, through: int) -> str:
    """ "année 2021", "janv.–oct. 2026", "janv. 2026", "début 2026"."""
    if through >= 12:
        return f"année {year}"
    if through <= 0:
        return f"début {year}"
    if through == 1:
        return f"janv. {year}"
    return f"janv.–{MONTHS_FR[through - 1]} {year}"


def month_end(year: int, month: int) -> datetime.date:
    if month <= 0:
        return datetime.date(year, 1, 1)
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def months_elapsed(as_of: datetime.date, year: int) -> int:
    """Whole months of `year` elapsed at `as_of` (a month counts once its last day is)."""
    if as_of.year > year:
        return 12
    if as_of.year < year:
        return 0
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last_day else as_of.month - 1


def cumulative(yd: YearData | None, through: int) -> Figure | None:
    """Contracts of months 1..through, or None when that cannot be told without
    inventing months (part of the year is known only as a yearly total)."""
    if yd is None or not yd.total.known:
        return None
    if through >= 12:
        return yd.total
    if yd.unbroken.known:
        return None
    figure = Figure(known=True)
    for m in range(1, through + 1):
        if yd.months[m].known:
            figure.add(yd.months[m].value, yd.months[m].synthetic)
    return figure


def seasonality(past: Iterable[YearData | None]) -> list[float] | None:
    """Share of each month in the complete past years that are known by month, or None."""
    sums = [0] * 12
    for yd in past:
        if yd is not None and yd.last_month == 12:
            for m in range(1, 13):
                sums[m - 1] += yd.months[m].value
    total = sum(sums)
    return [s / total for s in sums] if total else None


def cumulative_share(shares: list[float] | None, through: int) -> float | None:
    if through >= 12:
        return 1.0
    if through <= 0:
        return 0.0
    return sum(shares[:through]) if shares else None


@dataclass
class Pace:
    year: int
    through: int  # months counted (1..12)
    actual: Figure | None
    previous: Figure | None
    target: ContractTarget | None = None
    shares: list[float] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> datetime.date:
        return month_end(self.year, self.through)

    @property
    def whole_year(self) -> bool:
        return self.through >= 12

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.through)

    @property
    def contracts(self) -> int | None:
        return self.actual.value if self.actual else None

    @property
    def previous_value(self) -> int | None:
        return self.previous.value if self.previous else None

    @property
    def growth(self) -> float | None:
        if not (self.actual and self.previous):
            return None
        return growth_pct(self.actual.value, self.previous.value)

    @property
    def target_value(self) -> int | None:
        return self.target.value if self.target else None

    @property
    def share(self) -> float | None:
        return cumulative_share(self.shares, self.through)

    @property
    def expected(self) -> int | None:
        share = self.share
        if self.target is None or share is None:
            return None
        return round(self.target.value * share)

    @property
    def projected(self) -> int | None:
        if not self.actual:
            return None
        share = self.share
        if self.whole_year:
            return self.actual.value
        if not share:
            return None
        return round(self.actual.value / share)

    @property
    def target_pct(self) -> float | None:
        if not (self.actual and self.target and self.target.value):
            return None
        return round(self.actual.value * 100 / self.target.value, 1)

    @property
    def status(self) -> str | None:
        expected = self.expected
        if not (self.actual and expected):
            return None
        ratio = self.actual.value / expected
        if ratio >= AHEAD:
            return "ahead"
        return "on_track" if ratio >= ON_TRACK else "behind"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or "", "")

    @property
    def synthetic(self) -> bool:
        return bool(self.actual and self.actual.synthetic)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "months": self.through,
            "contracts": self.contracts,
            "previous_year": self.previous_value,
            "growth_pct": self.growth,
            "target": self.target_value,
            "expected": self.expected,
            "projected": self.projected,
            "target_pct": self.target_pct,
            "status": self.status,
            "synthetic": self.synthetic,
            "notes": self.notes,
        }


def pace(
    *,
    year: int,
    through: int,
    current: YearData | None,
    previous: YearData | None,
    past: list[YearData | None],
    target: ContractTarget | None = None,
    targets_apply: bool = True,
) -> Pace:
    """Where `current` (YearData of `year`) stands after `through` months."""
    notes: list[str] = []
    actual = cumulative(current, through)
    before = cumulative(previous, through)
    if current is not None and current.total.known and actual is None:
        notes.append(
            f"{year} : {current.unbroken.value:,} contrats ne sont connus que comme total annuel ; "
            "pas de cumul à date sans inventer de mois.".replace(",", "\u00a0")
        )
    if previous is not None and previous.total.known and before is None:
        notes.append(
            f"{year - 1} n'est connu que comme total annuel : "
            f"pas de comparaison sur la même période ({period_label(year - 1, through)})."
        )
    shares = seasonality(past)
    if target is not None and 0 < through < 12 and shares is None:
        notes.append(
            "Pas d'historique mensuel pour répartir l'objectif sur l'année : "
            "niveau attendu non calculé."
        )
    if not targets_apply:
        notes.append(
            "Les objectifs sont fixés tous types de contrats et toutes branches confondus : "
            "pas d'objectif pour ce filtre."
        )
    return Pace(year, through, actual, before, target, shares, notes)


def previous_year_complete(previous: YearData | None) -> bool:
    """Whether the year before is drawn and tabled month by month: known for all twelve
    months, none of it only as a yearly total. The one rule of every output (page
    chart and table, PDF, mail image); otherwise its months are not shown."""
    return previous is not None and not previous.unbroken.known and previous.last_month == 12


def _running(values: Iterable[int]) -> list[int]:
    total, out = 0, []
    for value in values:
        total += value
        out.append(total)
    return out


@dataclass(frozen=True)
class CumulativeSeries:
    """The month-by-month series of a year against its target and the year before: what
    the cumulative chart (page, PDF, mail) and the months table draw, built once.

    `months`/`cumulative`: the year's months 1..through (empty when the year is not
    known by month); `previous_months`/`previous_cumulative`: the twelve months of the
    year before when it is complete (`previous_year_complete`), else None;
    `expected_cumulative`: the target spread with past years' seasonality, twelve
    months, or None without a target or a seasonality."""

    year: int
    through: int
    months: list[Figure]
    previous_months: list[Figure] | None
    expected_cumulative: list[int] | None
    target_value: int | None

    @property
    def cumulative(self) -> list[int]:
        return _running(f.value for f in self.months)

    @property
    def previous_cumulative(self) -> list[int] | None:
        if self.previous_months is None:
            return None
        return _running(f.value for f in self.previous_months)

    @property
    def empty(self) -> bool:
        return not self.months and self.previous_months is None and not self.expected_cumulative


def cumulative_series(
    pace: Pace, current: YearData | None, previous: YearData | None
) -> CumulativeSeries:
    """The series of `pace`'s year (see CumulativeSeries)."""
    through = pace.through
    months: list[Figure] = []
    if current is not None and not current.unbroken.known and through > 0:
        months = [current.months[m] for m in range(1, through + 1)]
    previous_months = None
    if previous_year_complete(previous):
        assert previous is not None
        previous_months = [previous.months[m] for m in range(1, 13)]
    expected = None
    if pace.target is not None and pace.shares:
        running, expected = 0.0, []
        for share in pace.shares:
            running += share
            expected.append(round(pace.target.value * running))
    return CumulativeSeries(
        pace.year,
        through,
        months,
        previous_months,
        expected,
        pace.target.value if pace.target is not None else None,
    )
