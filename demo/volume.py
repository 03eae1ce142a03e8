"""Synthetic volume: years of contract lines, events and attendance at a national OPCO's
scale, to measure the portal against (`python manage.py generate_synthetic`).

Contract lines are drawn one by one from a fixed seed (region, branch, month with the
apprenticeship seasonality, contract type, RQTH flag) and aggregated exactly as the
contract-lines import aggregates a file (`contracts.imports.contracts`): one count per
(region, branch, year, month, contract type, public), RQTH lines counted in `all` and in
`rqth`. `contract_lines()` yields the same lines as rows of an import file, so a test
can check that importing them gives the same figures.

Nothing is ever written beside a figure that exists: a (region, year) that already has
counts from any other source is skipped (a year's total adds up every contract type and
public, so even another type would change it), and so is a (region,
year) that already has events or reported activity totals. Document figures (Normandie
2020: 2 173, 2021: 3 071) and the demo data set therefore stay as they are. Every row
points to one Source of kind SYNTHETIC; running again replaces that source's rows.
"""

import datetime
import random
from bisect import bisect
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate

from django.db import connection, transaction

from akto_portal.models import Branch, Department, Region, Source
from contracts.models import ContractCount, ContractType, Public
from conventions.models import ActionPlanAxis
from demo.synthetic import (
    BRANCH_WEIGHTS,
    EVENT_PLAN,
    REGION_WEIGHTS,
    SEASONALITY,
)
from events.models import ActivityTotal, Attendance, Event, EventKind

SOURCE_TITLE = "Volume synthétique (generate_synthetic)"
PROFESSIONNALISATION_SHARE = 0.08
RQTH_SHARE = 0.03
CONTRACTS_PER_EVENT = 230  # the demo data set: about 430 events for 100 000 contracts
BULK_SIZE = 5000


# A line's cell: (region_id, branch_id, month, contract_type, rqth).
Cell = tuple[int, int, int, str, bool]
# An import file's row: (numero_contrat, date_debut, region, idcc or branch name, type, rqth).
ContractLine = tuple[str, str, str, str, str, str]
# (region_id, branch_id, year, month, contract_type, public, department_id): ContractCount.FACT_KEY
FactKey = tuple[int, int | None, int, int | None, str, str, None]


def _cells(regions: Iterable[Region], branches: Sequence[Branch]) -> tuple[list[Cell], list[float]]:
    """Every (region_id, branch_id, month, contract_type, rqth) a line can fall in, with
    its weight: region share x branch share x seasonality x type share x RQTH share."""
    cells: list[Cell] = []
    weights: list[float] = []
    types = [
        (ContractType.APPRENTISSAGE.value, 1 - PROFESSIONNALISATION_SHARE),
        (ContractType.PROFESSIONNALISATION.value, PROFESSIONNALISATION_SHARE),
    ]
    for region in regions:
        for branch in branches:
            for month in range(1, 13):
                for contract_type, type_share in types:
                    for rqth, rqth_share in ((False, 1 - RQTH_SHARE), (True, RQTH_SHARE)):
                        cells.append((region.pk, branch.pk, month, contract_type, rqth))
                        weights.append(
                            REGION_WEIGHTS.get(region.code, 1)
                            * BRANCH_WEIGHTS.get(branch.idcc, 1)
                            * SEASONALITY[month - 1]
                            * type_share
                            * rqth_share
                        )
    return cells, list(accumulate(weights))


def _year_lines(
    rng: random.Random, cells: Sequence[Cell], cumulative: Sequence[float], lines: int
) -> list[int]:
    """The cells of `lines` contract lines of one year (a list of indexes into cells)."""
    total = cumulative[-1]
    last = len(cumulative) - 1
    return [min(bisect(cumulative, rng.random() * total), last) for _ in range(lines)]


def contract_facts(
    *,
    years: Iterable[int],
    lines_per_year: int,
    seed: int,
    regions: Iterable[Region],
    branches: Sequence[Branch],
) -> dict[FactKey, int]:
    """{(region_id, branch_id, year, month, contract_type, public, None): count} of the
    lines (which give the region, not the department), aggregated as the contract-lines
    import does."""
    cells, cumulative = _cells(regions, branches)
    facts: Counter[FactKey] = Counter()
    for year in years:
        rng = random.Random(f"{seed}-{year}")
        for index, n in Counter(_year_lines(rng, cells, cumulative, lines_per_year)).items():
            region_id, branch_id, month, contract_type, rqth = cells[index]
            key = (region_id, branch_id, year, month, contract_type)
            facts[(*key, Public.ALL.value, None)] += n
            if rqth:
                facts[(*key, Public.RQTH.value, None)] += n
    return dict(facts)


def contract_lines(
    *,
    years: Iterable[int],
    lines_per_year: int,
    seed: int,
    regions: Sequence[Region],
    branches: Sequence[Branch],
) -> Iterator[ContractLine]:
    """The same lines as `contract_facts`, as rows of a contract-lines import file:
    (numero_contrat, date_debut, region, idcc or branch name, type_contrat, rqth)."""
    cells, cumulative = _cells(regions, branches)
    codes = {r.pk: r.code for r in regions}
    names = {b.pk: b.idcc or b.name for b in branches}
    for year in years:
        rng = random.Random(f"{seed}-{year}")
        days = random.Random(f"{seed}-{year}-days")
        for i, index in enumerate(_year_lines(rng, cells, cumulative, lines_per_year)):
            region_id, branch_id, month, contract_type, rqth = cells[index]
            day = datetime.date(year, month, days.randint(1, 28))
            yield (
                f"S{seed}-{year}-{i:07d}",
                f"{day:%d/%m/%Y}",
                codes[region_id],
                names[branch_id],
                contract_type,
                "oui" if rqth else "non",
            )


def _events(
    rng: random.Random,
    *,
    years: Iterable[int],
    contracts_per_year: int,
    regions: Sequence[Region],
    skip: Collection[tuple[int, int]],
    axes: Mapping[int, ActionPlanAxis],
    source: Source,
    departments: Mapping[int, Sequence[Department]],
    place_rng: random.Random,
) -> tuple[list[Event], list[tuple[Event, str, int, int]]]:
    """Events in proportion to the contracts (one per CONTRACTS_PER_EVENT), spread over
    regions by their weight and over the working days of the year, with attendance; an
    event not online is held in one of its region's departments (`departments`: {region
    id: [Department]}), drawn by `place_rng`, a generator of its own so that the rest of
    the volume does not change."""
    per_year = max(1, contracts_per_year // CONTRACTS_PER_EVENT)
    weights = list(accumulate(REGION_WEIGHTS.get(r.code, 1) for r in regions))
    events: list[Event] = []
    attendances: list[tuple[Event, str, int, int]] = []
    for year in years:
        for i in range(per_year):
            region = regions[bisect(weights, rng.random() * weights[-1])]
            if (region.pk, year) in skip:
                continue
            kind, axis, label, attendance = EVENT_PLAN[rng.randrange(len(EVENT_PLAN))]
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            online = kind == EventKind.WEBINAR
            department = None
            if not online and departments.get(region.pk):
                department = place_rng.choice(departments[region.pk])
            event = Event(
                title=f"{label} — {region.name} {day:%d/%m/%Y} (volume {i})",
                kind=kind,
                date=day,
                region=region,
                online=online,
                place=department.name if department else "",
                department=department,
                axis=axes.get(axis),
                source=source,
            )
            events.append(event)
            for category, typical in attendance.items():
                planned = max(1, round(typical * rng.uniform(0.8, 1.2)))
                actual = round(planned * rng.uniform(0.6, 1.05))
                attendances.append((event, category, planned, actual))
    return events, attendances


def _departments_by_region() -> dict[int, list[Department]]:
    by_region: dict[int, list[Department]] = {}
    for department in Department.objects.order_by("code"):
        by_region.setdefault(department.region_id, []).append(department)
    return by_region


@transaction.atomic
def generate(*, years: Iterable[int], lines_per_year: int, seed: int = 6) -> tuple[int, int, int]:
    """Write the synthetic volume for `years`; returns (counts written, events, skipped
    series). Replaces what an earlier run wrote."""
    source, _ = Source.objects.get_or_create(
        kind=Source.Kind.SYNTHETIC,
        title=SOURCE_TITLE,
        defaults={"reference": "python manage.py generate_synthetic"},
    )
    ContractCount.objects.filter(source=source).delete()
    Event.objects.filter(source=source).delete()

    regions = list(Region.objects.order_by("code"))
    branches = list(Branch.objects.order_by("name"))
    years = list(years)
    taken = set(
        ContractCount.objects.filter(year__in=years).values_list("region_id", "year").distinct()
    )
    facts = contract_facts(
        years=years, lines_per_year=lines_per_year, seed=seed, regions=regions, branches=branches
    )
    rows = (
        ContractCount.from_fact(key, count, source)
        for key, count in facts.items()
        if (key[0], key[2]) not in taken  # (region_id, year)
    )
    written = len(ContractCount.objects.bulk_create(rows, batch_size=BULK_SIZE))

    skip = set(
        Event.objects.filter(date__year__in=years).values_list("region_id", "date__year")
    ) | set(
        ActivityTotal.objects.filter(year__in=years, region__isnull=False).values_list(
            "region_id", "year"
        )
    )
    axes = {a.number: a for a in ActionPlanAxis.objects.filter(plan__year=2022)}
    events, attendances = _events(
        random.Random(f"{seed}-events"),
        years=years,
        contracts_per_year=lines_per_year,
        regions=regions,
        skip=skip,
        axes=axes,
        source=source,
        departments=_departments_by_region(),
        place_rng=random.Random(f"{seed}-places"),
    )
    Event.objects.bulk_create(events, batch_size=BULK_SIZE)
    Attendance.objects.bulk_create(
        (
            Attendance(event=event, category=category, planned=planned, actual=actual)
            for event, category, planned, actual in attendances
        ),
        batch_size=BULK_SIZE,
    )
    return written, len(events), len(taken)


def analyze() -> None:
    """Refresh the planner's statistics of the tables just filled (what autovacuum would
    do a minute later): on fresh statistics PostgreSQL groups the counts in half the time."""
    tables = [ContractCount._meta.db_table, Event._meta.db_table, Attendance._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
