"""A synthetic, clearly flagged data set that gives the charts their shape.

Everything here points to one source of kind SYNTHETIC, which the pages show as
"données synthétiques". It is generated from a fixed seed, so two runs give the same
figures, and it never contradicts a document: where a document gives a yearly total
(Normandie 2021: 3 071), the synthetic monthly breakdown of that year adds up to it
exactly; where a document gives only a total (Normandie 2020), no months are invented.
Normandie's synthetic months are given department by department (Calvados, Eure, Manche,
Orne, Seine-Maritime): each month's figure is split among them so that the departments
add up exactly to the region's figures; a document's total is never split.
"""

import datetime
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.db.models import Model
from simple_history.utils import bulk_create_with_history
from stdnum import luhn

from akto_portal.models import Branch, Department, Region, Source
from contracts.models import (
    ContractCount,
    ContractTarget,
    ContractType,
    MarketStat,
    Public,
)
from contracts.selectors import yearly_totals
from conventions.models import ActionPlanAxis, Convention, Indicator, IndicatorValue
from events.identifiers import uai_key
from events.models import (
    Attendance,
    Attendee,
    Event,
    EventKind,
    Organisation,
    OrganisationKind,
    ParticipantCategory,
)
from events.rollup import key_of, rollup_deferred, rollup_refresh

_M = TypeVar("_M", bound=Model)
# (region, branch, year, month, contract type, public, count), then its department's id
ContractRow = tuple[Region, Branch | None, int, int, str, str, int]
DepartmentRow = tuple[Region, Branch | None, int, int, str, str, int, int | None]

SYNTHETIC_SOURCE = {
    "kind": Source.Kind.SYNTHETIC,
    "title": "Jeu de démonstration synthétique (chiffres fictifs)",
    "reference": "python manage.py seed_demo",
}

FIRST_YEAR, LAST_YEAR = 2020, 2026
LAST_MONTH = {2026: 10}  # the current year is known up to October
# Share of each region in the national volume (Normandie is pinned by the documents).
REGION_WEIGHTS = {
    "11": 19,
    "84": 12,
    "75": 9,
    "76": 9,
    "32": 9,
    "93": 8,
    "44": 8,
    "52": 6,
    "53": 5,
    "28": 3.2,
    "27": 4,
    "24": 4,
    "94": 0.5,
    "04": 1.5,
    "01": 0.7,
    "02": 0.6,
    "03": 0.4,
    "06": 0.3,
}
NATIONAL_APPRENTICESHIP = {
    2020: 72_000,
    2021: 96_000,
    2022: 104_000,
    2023: 107_000,
    2024: 105_000,
    2025: 101_000,
    2026: 99_000,
}
PROFESSIONNALISATION_SHARE = 0.06
RQTH_SHARE = 0.028
# Apprenticeship contracts cluster from July to October.
SEASONALITY = [4, 4, 4, 4, 4, 5, 9, 12, 22, 16, 8, 8]
BRANCH_WEIGHTS = {
    "1979": 30,
    "1501": 15,
    "3043": 10,
    "3127": 8,
    "1266": 6,
    "1351": 5,
    "2378": 5,
    "2060": 3,
    "1631": 2,
    "1909": 2,
    "2149": 3,
    "2257": 1,
    "2104": 1,
    "2021": 1,
    "3219": 1,
    "0538": 1,
    "2397": 0.5,
    "": 5,
}
NATIONAL_TARGETS = {2023: 112_000, 2024: 110_000, 2025: 105_000, 2026: 102_000}
# Document totals the synthetic months of a region must add up to: (code, year) -> total.
PINNED_TOTALS = {("28", 2021): 3071}
# Years a document gives only as a total for a region: no synthetic months there.
TOTAL_ONLY = {("28", 2020)}
# Regions whose synthetic figures are given department by department, with each
# department's weight (roughly its population, in thousands).
DEPARTMENT_WEIGHTS = {"28": {"14": 700, "27": 600, "50": 495, "61": 280, "76": 1250}}


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split an integer total in proportion to weights; the parts add up to it exactly."""
    weight_sum = sum(weights)
    raw = [total * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _noisy(rng: random.Random, weights: Iterable[float], spread: float = 0.25) -> list[float]:
    return [w * rng.uniform(1 - spread, 1 + spread) for w in weights]


def _months(year: int) -> range:
    return range(1, LAST_MONTH.get(year, 12) + 1)


def contract_rows(regions: Iterable[Region], branches: Iterable[Branch]) -> Iterator[ContractRow]:
    """Yield (region, branch, year, month, contract_type, public, count)."""
    rng = random.Random(2022)
    branch_list = sorted(branches, key=lambda b: b.idcc)
    branch_weights = [BRANCH_WEIGHTS.get(b.idcc, 1) for b in branch_list]
    weight_sum = sum(REGION_WEIGHTS.values())
    for region in regions:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if (region.code, year) in TOTAL_ONLY:
                continue
            months = list(_months(year))
            total = PINNED_TOTALS.get((region.code, year)) or round(
                NATIONAL_APPRENTICESHIP[year]
                * REGION_WEIGHTS[region.code]
                / weight_sum
                * rng.uniform(0.93, 1.07)
                * len(months)
                / 12
            )
            month_parts = apportion(total, _noisy(rng, [SEASONALITY[m - 1] for m in months]))
            for month, month_total in zip(months, month_parts, strict=True):
                for branch, count in zip(
                    branch_list, apportion(month_total, _noisy(rng, branch_weights)), strict=True
                ):
                    if count:
                        yield (
                            region,
                            branch,
                            year,
                            month,
                            ContractType.APPRENTISSAGE,
                            Public.ALL,
                            count,
                        )
                rqth = round(month_total * RQTH_SHARE * rng.uniform(0.7, 1.3))
                yield region, None, year, month, ContractType.APPRENTISSAGE, Public.RQTH, rqth
            if year >= 2022:
                pro_total = round(total * PROFESSIONNALISATION_SHARE)
                parts = apportion(pro_total, _noisy(rng, [SEASONALITY[m - 1] for m in months]))
                for month, count in zip(months, parts, strict=True):
                    yield (
                        region,
                        None,
                        year,
                        month,
                        ContractType.PROFESSIONNALISATION,
                        Public.ALL,
                        count,
                    )


def _sync(
    model: type[_M],
    key_fields: Sequence[str],
    rows: Mapping[tuple[Any, ...], dict[str, Any]],
    source: Source,
) -> None:
    """Make the synthetic rows of `model` exactly `rows` ({key: values}); keep ids stable."""
    existing = {
        tuple(getattr(obj, f) for f in key_fields): obj
        for obj in model._default_manager.filter(source=source)
    }
    to_create, to_update = [], []
    for key, values in rows.items():
        obj = existing.pop(key, None)
        if obj is None:
            to_create.append(
                model(**dict(zip(key_fields, key, strict=True)), **values, source=source)
            )
        elif any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            to_update.append(obj)
    model._default_manager.filter(pk__in=[o.pk for o in existing.values()]).delete()
    model._default_manager.bulk_create(to_create, batch_size=2000)
    if to_update:
        model._default_manager.bulk_update(
            to_update, list(next(iter(rows.values()))), batch_size=2000
        )


def by_department(
    rows: Iterable[ContractRow], departments: Mapping[str, Mapping[str, int]]
) -> Iterator[DepartmentRow]:
    """The rows of the regions in DEPARTMENT_WEIGHTS split among their departments (the
    parts of a row add up to it exactly); other rows as they are, department None.
    `departments` is {region code: {department code: Department id}}. A separate random
    generator: the other regions' figures stay those of the fixed seed."""
    rng = random.Random(2814)
    for region, branch, year, month, ctype, public, count in rows:
        weights = DEPARTMENT_WEIGHTS.get(region.code)
        if not weights or region.code not in departments:
            yield region, branch, year, month, ctype, public, count, None
            continue
        codes = sorted(weights)
        parts = apportion(count, _noisy(rng, [weights[c] for c in codes], spread=0.15))
        for code, part in zip(codes, parts, strict=True):
            if part:
                department = departments[region.code][code]
                yield region, branch, year, month, ctype, public, part, department


def load_contracts(source: Source) -> None:
    regions = list(Region.objects.all())
    branches = list(Branch.objects.all())
    departments: dict[str, dict[str, int]] = {}
    for pk, code, region_code in Department.objects.filter(
        region__code__in=DEPARTMENT_WEIGHTS
    ).values_list("pk", "code", "region__code"):
        departments.setdefault(region_code, {})[code] = pk
    key_fields = ContractCount.FACT_KEY
    rows = {
        (region.id, branch.id if branch else None, year, month, ctype, public, department): {
            "count": count
        }
        for region, branch, year, month, ctype, public, count, department in by_department(
            contract_rows(regions, branches), departments
        )
    }
    _sync(ContractCount, key_fields, rows, source)

    weight_sum = sum(REGION_WEIGHTS.values())
    targets: dict[tuple[int | None, int, str, str], dict[str, int]] = {
        (None, year, "", Public.ALL): {"value": v} for year, v in NATIONAL_TARGETS.items()
    }
    for year, national in {2022: 110_000, **NATIONAL_TARGETS}.items():
        for region in regions:
            value = round(national * REGION_WEIGHTS[region.code] / weight_sum / 10) * 10
            targets[(region.id, year, "", Public.ALL)] = {"value": value}
    _sync(ContractTarget, ("region_id", "year", "contract_type", "public"), targets, source)


EVENT_PLAN = [
    # kind, action-plan axis, title, typical attendance by category
    (
        EventKind.INFO_MEETING,
        1,
        "Réunion d'information alternance pour les entreprises",
        {ParticipantCategory.COMPANIES: 20},
    ),
    (
        EventKind.CFA_MEETING,
        2,
        "Rencontre des CFA de la région",
        {ParticipantCategory.TRAINING_BODIES: 12, ParticipantCategory.PARTNERS: 3},
    ),
    (
        EventKind.JOB_FAIR,
        4,
        "Salon de l'orientation et de l'alternance",
        {
            ParticipantCategory.YOUTH: 150,
            ParticipantCategory.FAMILIES: 60,
            ParticipantCategory.COMPANIES: 8,
        },
    ),
    (
        EventKind.AKTIV_ALTERNANCE,
        1,
        "Atelier Aktiv'alternance handicap",
        {
            ParticipantCategory.TRAINING_BODIES: 9,
            ParticipantCategory.COMPANIES: 6,
            ParticipantCategory.PARTNERS: 4,
        },
    ),
    (
        EventKind.WEBINAR,
        1,
        "Webinaire : recruter en alternance",
        {ParticipantCategory.COMPANIES: 35},
    ),
]
CITIES = {
    "28": ["Caen", "Rouen", "Le Havre", "Cherbourg-en-Cotentin", "Évreux", "Alençon"],
}
# The department of each city above: a demo event held there is placed in it.
CITY_DEPARTMENTS = {
    "Caen": "14",
    "Rouen": "76",
    "Le Havre": "76",
    "Cherbourg-en-Cotentin": "50",
    "Évreux": "27",
    "Alençon": "61",
}


def load_events(source: Source, *, today: datetime.date) -> None:
    """Two events a month per region since January 2025, a few planned ahead; the
    attendance of some past events is left to enter, as in real life."""
    rng = random.Random(2025)
    plan_axes = {a.number: a for a in ActionPlanAxis.objects.filter(plan__year=2022)}
    agefiph = Convention.objects.filter(title__endswith="2025-2027", parent=None).first()
    existing = {e.title: e for e in Event.objects.filter(source=source)}
    departments = dict(
        Department.objects.filter(code__in=CITY_DEPARTMENTS.values()).values_list("code", "pk")
    )
    keep = set()
    new: list[tuple[Event, list[Attendance]]] = []
    for region in Region.objects.all():
        cities = CITIES.get(region.code, [region.name])
        day = datetime.date(2025, 1, 6)
        while day < today + datetime.timedelta(days=60):
            kind, axis, label, attendance = EVENT_PLAN[rng.randrange(len(EVENT_PLAN))]
            online = kind == EventKind.WEBINAR
            title = f"{label} — {region.name} {day:%d/%m/%Y}"
            keep.add(title)
            event = existing.get(title) or Event(title=title, source=source)
            event.kind, event.date, event.region, event.online = kind, day, region, online
            event.place = "" if online else rng.choice(cities)
            # Where the place is a city, its department; online or region-wide: none.
            event.department_id = departments.get(CITY_DEPARTMENTS.get(event.place, ""))
            event.axis = plan_axes.get(axis)
            event.convention = agefiph if kind == EventKind.AKTIV_ALTERNANCE else None
            past = day <= today
            entered = past and rng.random() > 0.08
            counts = []
            for category, typical in attendance.items():
                planned = max(1, round(typical * rng.uniform(0.8, 1.2)))
                actual = round(planned * rng.uniform(0.6, 1.05)) if entered else None
                counts.append(Attendance(category=category, planned=planned, actual=actual))
            if event.pk is None:
                new.append((event, counts))
            else:
                event.save()
                for count in counts:
                    Attendance.objects.update_or_create(
                        event=event,
                        category=count.category,
                        defaults={"planned": count.planned, "actual": count.actual},
                    )
            day += datetime.timedelta(days=rng.randint(10, 20))
    _create_events(new)
    Event.objects.filter(source=source).exclude(title__in=keep).delete()
    load_attendees(source)


def _create_events(new: list[tuple[Event, list[Attendance]]]) -> None:
    """The events not there yet and their attendance, in a few statements (a first seed
    writes 930 events and 1 863 attendance rows), with their history; their rollup
    cells computed once."""
    events = bulk_create_with_history([event for event, _counts in new], Event)
    counts = []
    for event, (_unsaved, event_counts) in zip(events, new, strict=True):
        for count in event_counts:
            count.event = event
            counts.append(count)
    bulk_create_with_history(counts, Attendance)
    rollup_refresh(keys={key_of(event) for event in events})


def fake_siret(rng: random.Random) -> str:
    """A SIRET with valid keys (SIREN and SIRET Luhn), never La Poste's SIREN."""
    siren = str(rng.randint(10_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randint(1, 9999):04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def fake_uai(rng: random.Random, region_code: str) -> str:
    digits = f"0{int(region_code) % 100:02d}{rng.randint(0, 9999):04d}"
    return digits + uai_key(digits)


def _organisation_pools(
    rng: random.Random, regions: Iterable[Region]
) -> tuple[dict[int, tuple[list[str], list[str]]], dict[str, Organisation]]:
    """Fictitious companies and training bodies of each region (fixed seed)."""
    wanted = {}
    pools = {}
    for region in regions:
        companies = [fake_siret(rng) for _ in range(40)]
        bodies = [fake_uai(rng, region.code) for _ in range(15)]
        for i, siret in enumerate(companies, 1):
            wanted[siret] = (OrganisationKind.COMPANY, f"Entreprise fictive {region.code}-{i}")
        for i, uai in enumerate(bodies, 1):
            wanted[uai] = (OrganisationKind.TRAINING_BODY, f"CFA fictif {region.code}-{i}")
        pools[region.pk] = (companies, bodies)
    Organisation.objects.bulk_create(
        [Organisation(kind=k, identifier=i, name=n) for i, (k, n) in wanted.items()],
        ignore_conflicts=True,
    )
    return pools, Organisation.objects.in_bulk(list(wanted), field_name="identifier")


def load_attendees(source: Source) -> None:
    """Name some of the companies and CFA counted at synthetic events (fewer than
    were counted), drawn from a small pool per region so that many attend several
    events: distinct organisations reached are then fewer than attendances."""
    rng = random.Random(2026)
    regions = list(Region.objects.all())
    pools, organisations = _organisation_pools(rng, regions)
    Attendee.objects.filter(event__source=source).delete()
    rows = []
    attendances = Attendance.objects.filter(
        event__source=source,
        actual__gt=0,
        category__in=[ParticipantCategory.COMPANIES, ParticipantCategory.TRAINING_BODIES],
    ).select_related("event")
    for attendance in attendances.order_by("event__date", "event__title", "category"):
        if attendance.event.region_id not in pools or rng.random() < 0.5:
            continue
        companies, bodies = pools[attendance.event.region_id]
        pool = companies if attendance.category == ParticipantCategory.COMPANIES else bodies
        named = rng.sample(pool, min(len(pool), (attendance.actual or 0) // 2))
        rows += [Attendee(event=attendance.event, organisation=organisations[i]) for i in named]
    Attendee.objects.bulk_create(rows)


AGEFIPH_2025_TARGETS = {
    "Personnes en situation de handicap en parcours de formation en alternance": 9500,
    "Entreprises sensibilisées (dont organismes de formation et CFA)": 12000,
    "Actions menées sur l'ensemble des territoires, DROM compris": 650,
    "Événements Aktiv'alternance dédiés à l'alternance des personnes handicapées": 60,
    "CFA mobilisés aux événements Aktiv'alternance": 500,
    "Entreprises engagées dans le Parcours Travailleurs Handicapés": 1500,
}


def load_indicator_targets(source: Source) -> None:
    """The 2025-27 Agefiph targets are not in the press release: synthetic, and flagged."""
    renewal = Convention.objects.filter(title__endswith="2025-2027", parent=None).first()
    if renewal is None:
        return
    for name, target in AGEFIPH_2025_TARGETS.items():
        renewal.indicators.filter(name=name).update(target=target, target_source=source)
    Indicator.objects.update_or_create(
        convention=renewal,
        name="Contrats d'apprentissage de personnes en situation de handicap (calculé)",
        defaults={
            "unit": Indicator.Unit.CONTRACTS,
            "computation": Indicator.Computation.CONTRACTS_RQTH,
            "axis": renewal.axes.filter(number=1).first(),
            "target": 9000,
            "target_source": source,
            "position": 50,
        },
    )
    Indicator.objects.update_or_create(
        convention=renewal,
        name="Ateliers Aktiv'alternance tenus (calculé)",
        defaults={
            "unit": Indicator.Unit.EVENTS,
            "computation": Indicator.Computation.EVENTS_HELD,
            "axis": renewal.axes.filter(number=1).first(),
            "target": 150,
            "target_source": source,
            "position": 51,
        },
    )


# The Normandie declination of the 2025-27 Agefiph convention: its own targets and a
# value at the date (synthetic), so that the region's dashboard, report, digest and
# alerts show a declination's indicators beside the national ones (44 % and 30 % of
# target at 64 % of the period at 1 November 2026).
DECLINATION_INDICATORS = {
    "28": [
        ("Personnes en situation de handicap en parcours de formation en alternance", 400, 176),
        ("Entreprises sensibilisées (dont organismes de formation et CFA)", 500, 150),
    ]
}


def load_declination_indicators(source: Source, *, today: datetime.date) -> None:
    for code, indicators in DECLINATION_INDICATORS.items():
        declination = Convention.objects.filter(
            parent__title__endswith="2025-2027", parent__region=None, region__code=code
        ).first()
        if declination is None:
            continue
        for position, (name, target, value) in enumerate(indicators, start=1):
            unit = Indicator.Unit.COMPANIES if "Entreprises" in name else Indicator.Unit.PEOPLE
            indicator, _ = Indicator.objects.update_or_create(
                convention=declination,
                name=name,
                defaults={
                    "unit": unit,
                    "target": target,
                    "target_source": source,
                    "position": position,
                },
            )
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                source=source,
                defaults={"value": value, "as_of": min(today, declination.end_on or today)},
            )


def load_market(source: Source) -> None:
    """Whole-market apprenticeship contracts (all OPCOs): the OPCO's apprenticeship
    contracts of each region divided by a plausible share (10-16 %); France is the sum.
    The current year is given year-to-date, like the public monthly series."""
    rng = random.Random(2027)
    totals = yearly_totals(contract_type=ContractType.APPRENTISSAGE)
    rows: dict[tuple[int | None, int, int | None, str], dict[str, int]] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        month = LAST_MONTH.get(year)
        national = 0
        for region in Region.objects.order_by("code"):
            figure = totals.get((region.id, year))
            if figure is None or not figure.known:
                continue
            value = round(figure.value / rng.uniform(0.10, 0.16))
            national += value
            rows[(region.id, year, month, MarketStat.Measure.NEW_CONTRACTS)] = {"value": value}
        rows[(None, year, month, MarketStat.Measure.NEW_CONTRACTS)] = {"value": national}
    _sync(MarketStat, ("region_id", "year", "month", "measure"), rows, source)


def load_all(*, today: datetime.date) -> Source:
    source, _ = Source.objects.update_or_create(
        kind=SYNTHETIC_SOURCE["kind"],
        title=SYNTHETIC_SOURCE["title"],
        defaults={"reference": SYNTHETIC_SOURCE["reference"]},
    )
    load_contracts(source)
    load_market(source)
    with rollup_deferred():  # the events' rollup computed once, not at each event
        load_events(source, today=today)
    load_indicator_targets(source)
    load_declination_indicators(source, today=today)
    return source
