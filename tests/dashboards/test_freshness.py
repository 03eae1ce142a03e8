"""Cached figures are never stale: for every table a figure is read from, a write through
its usual path (a service, an import, the admin, the ORM for reference data) shows at once
on the page model, in the API and on the page, with the figure cache (and the cached
page) warm before the write.

The tables come from the models of the apps whose data the figures are made of, not
from the list that installs the data-version triggers: a new model is a new case here,
or an entry of NOT_FIGURES saying why no figure reads it. Each case writes only its own
table where it can (`isolated`); `test_an_isolated_case_needs_its_own_trigger` shows
that such a case fails without that table's trigger, so no other table's trigger (say,
a Source row created on the way) can make it pass by luck.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import RequestFactory

from akto_portal import triggers
from akto_portal.cache import data_version
from akto_portal.models import Branch, Region, Source
from contracts.models import (
    ContractCount,
    ContractRollup,
    ContractTarget,
    ImportBatch,
    MarketStat,
)
from contracts.services import contract_import, import_batch_undo, market_import
from conventions.models import (
    ActionPlanAxis,
    Convention,
    Indicator,
    IndicatorValue,
)
from dashboards.page import page_for_request
from events.models import (
    ActivityTotal,
    Attendance,
    Attendee,
    Event,
    EventKind,
    EventRollup,
    Organisation,
)
from events.services import attendance_save, event_create, event_delete
from tests.factories import ContractCountFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 24)
HEADER = "region;branche;annee;mois;type_contrat;public;nombre\n"
API = [
    "contracts/summary",
    "contracts/by-year",
    "contracts/by-month",
    "contracts/by-region",
    "contracts/by-branch",
    "events/summary",
    "conventions/indicators",
    "market/summary",
]
# Apps whose data figures are made of, and the shared tables of the ground floor they read.
FIGURE_APPS = ("contracts", "conventions", "events")
SHARED = (Region, Branch, Source)
NOT_FIGURES = {
    "akto_portal_department": "reference data (codes, names, region) read live, not cached",
    "contracts_importjob": "the queue of uploaded files; what an import writes is its batch",
    "conventions_actionplan": "its axes are what events and figures refer to",
    "conventions_conventionaxis": "shown on the convention's own page, not a figure",
    "conventions_convention_partners": "shown on the convention's own page, not a figure",
    "conventions_partner": "shown on the convention's own page, not a figure",
    "conventions_partner_regions": "which regions a partner works in: the partners' list",
    "conventions_signatory": "shown on the convention's own page, not a figure",
}


def figure_tables() -> list[str]:
    """Every table of the figure apps and the shared tables (many-to-many tables
    included), but the change histories and NOT_FIGURES."""
    models = list(SHARED)
    for app in FIGURE_APPS:
        models += apps.get_app_config(app).get_models(include_auto_created=True)
    tables = {m._meta.db_table for m in models if not m.__name__.startswith("Historical")}
    return sorted(tables - set(NOT_FIGURES))


# --- what a user sees ---------------------------------------------------------------------


def model_figures(user, params) -> str:
    """Every part of the page model of a scope, as a text (fresh objects each call)."""
    request = RequestFactory().get("/", params)
    request.user = user
    _filterset, page = page_for_request(request)
    parts = (page.contracts, page.events, page.activity, page.progress, page.market)
    indicators = [
        [(s.indicator.name, s.value, s.target, s.target_pct, s.synthetic) for s in p["statuses"]]
        for p in page.progress
    ]
    return repr((parts, indicators, page.market_stats, page.rows, page.totals))


def api_figures(client, params) -> list[Any]:
    return [client.get(f"/api/v1/{path}", params).json() for path in API]


def page_html(client, params) -> str:
    html = client.get("/", params).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def outputs(client, user, params) -> dict[str, Any]:
    return {
        "model": model_figures(user, params),
        "api": api_figures(client, params),
        "page": page_html(client, params),
    }


# --- the cases ----------------------------------------------------------------------------


@dataclass
class Case:
    write: Callable[[dict], None]
    params: dict
    shows_in: tuple[str, ...] = ("model", "api", "page")
    isolated: bool = True  # the write touches only this table
    setup: Callable[[dict], None] | None = None


NORMANDIE_2021 = {"region": "28", "year": 2021}
NORMANDIE_2026 = {"region": "28", "year": 2026}
IDF_2022 = {"region": "11", "year": 2022}
FRANCE_2021 = {"region": "FR", "year": 2021}
FRANCE_2026 = {"region": "FR", "year": 2026}
BRETAGNE_2024 = {"region": "53", "year": 2024}


def _import(ctx, text):
    path = ctx["tmp_path"] / "figures.csv"
    path.write_text(text)
    report = contract_import(path=path, file_name=path.name, today=TODAY)
    assert report.ok, report
    return report


def _market(ctx):
    path = ctx["tmp_path"] / "barometre.csv"
    path.write_text(
        "mesure,indicateur,id_indicateur,code_region,libelle_region,date,valeur,unite\n"
        "Favoriser l'apprentissage,Nombre de nouveaux contrats d'apprentissage,"
        "nombre-contrats-apprentissage,28,Normandie,2021-12-31,20000,contrats\n"
    )
    report = market_import(path=path, file_name=path.name, today=TODAY)
    assert report.ok, report
    return report


def _event(ctx, **fields):
    return event_create(
        user=ctx["staff"],
        region=ctx["normandie"],
        **{
            "title": "Réunion d'information",
            "kind": EventKind.INFO_MEETING,
            "date": datetime.date(2026, 3, 12),
            **fields,
        },
    )


def _staff_source(ctx):
    """A first event, so that the staff's manual-entry Source exists before the case."""
    ctx["event"] = _event(ctx, axis=ActionPlanAxis.objects.order_by("number").first())


def _attendance(ctx, companies=(30, 29)):
    event = Event.objects.get(pk=ctx["event"].pk)
    attendance_save(
        user=ctx["staff"],
        event=event,
        expected_version=event.version,
        counts={"companies": companies},
    )


def _attendee_setup(ctx):
    """An event of Normandie's Agefiph declination, counted by a national indicator of
    the companies reached."""
    declination = Convention.objects.get(parent=_agefiph(), region__code="28")
    ctx["event"] = _event(ctx, convention=declination)
    Indicator.objects.create(
        convention=_agefiph(),
        name="Entreprises présentes (calculé)",
        unit=Indicator.Unit.COMPANIES,
        computation=Indicator.Computation.COMPANIES_REACHED,
        target=Decimal(100),
        target_source=_agefiph().source,
    )
    ctx["organisation"] = Organisation.objects.create(
        kind="company", identifier="12345678900011", name="Hôtel du Port"
    )


def _undo_setup(ctx):
    ctx["report"] = _import(ctx, HEADER + "53;;2024;;apprentissage;all;812\n")


def _agefiph():
    """The national Agefiph 2025-2027 convention, with targets: on France's page."""
    return Convention.objects.get(region=None, title__contains="Agefiph 2025")


def _indicator():
    return Indicator.objects.filter(
        convention=_agefiph(), computation=Indicator.Computation.REPORTED
    ).first()


CASES: dict[str, list[Case]] = {
    "akto_portal_region": [
        Case(
            lambda ctx: Region.objects.filter(code="28").update(name="Normandie (test)"),
            FRANCE_2021,
        )
    ],
    "akto_portal_branch": [
        Case(lambda ctx: Branch.objects.filter(idcc="1979").update(name="HCR (test)"), IDF_2022)
    ],
    "akto_portal_source": [
        Case(
            lambda ctx: Source.objects.filter(title="Saisie de test").update(
                kind=Source.Kind.SYNTHETIC
            ),
            IDF_2022,
            isolated=False,  # the contract rollup's "synthetic" flags are refreshed too
        )
    ],
    "contracts_contractcount": [
        Case(
            lambda ctx: _import(ctx, HEADER + "53;;2024;;apprentissage;all;812\n"),
            BRETAGNE_2024,
            isolated=False,  # an import writes its batch and source too
        ),
        # Every write of counts refreshes the rollup in the same transaction.
        Case(
            lambda ctx: ContractCountFactory(
                region=ctx["normandie"], year=2019, source=Source.objects.first()
            ),
            NORMANDIE_2021,
            isolated=False,
        ),
        Case(
            lambda ctx: ContractCount.objects.filter(region__code="28", year=2021).update(count=7),
            NORMANDIE_2021,
            isolated=False,
        ),
    ],
    "contracts_contractrollup": [
        # The pre-aggregated figures are what the pages read: a write to them alone
        # (as `rollup_refresh` makes) shows at once.
        Case(
            lambda ctx: ContractRollup.objects.filter(region__code="28", year=2021).update(total=7),
            NORMANDIE_2021,
        ),
        Case(
            lambda ctx: ContractRollup.objects.filter(region__code="28", year=2021).delete(),
            FRANCE_2021,
        ),
    ],
    "contracts_contracttarget": [
        Case(
            lambda ctx: ContractTarget.objects.filter(region=None, year=2022).update(value=9999),
            {"region": "FR", "year": 2022},
        )
    ],
    "contracts_marketstat": [
        Case(_market, NORMANDIE_2021, isolated=False),  # its Source too
        Case(
            lambda ctx: MarketStat.objects.filter(region__code="28").update(value=1),
            NORMANDIE_2021,
            setup=_market,
        ),
    ],
    "contracts_importbatch": [
        Case(
            lambda ctx: import_batch_undo(batch=ctx["report"].batch, user=ctx["admin"]),
            BRETAGNE_2024,
            isolated=False,  # the undoing deletes the batch's figures too
            setup=_undo_setup,
        ),
        Case(
            lambda ctx: ImportBatch.objects.update(layout="ind313"),
            NORMANDIE_2021,
            shows_in=("model", "api"),
            isolated=False,  # the dataset of market statistics is read at every request
            setup=_market,
        ),
    ],
    "conventions_actionplanaxis": [
        Case(
            lambda ctx: ActionPlanAxis.objects.filter(pk=ctx["event"].axis_id).update(number=9),
            NORMANDIE_2026,
            setup=_staff_source,
        )
    ],
    "conventions_convention": [
        Case(
            lambda ctx: Convention.objects.filter(pk=_agefiph().pk).update(title="Agefiph (test)"),
            FRANCE_2026,
        )
    ],
    "conventions_indicator": [
        Case(
            lambda ctx: Indicator.objects.filter(pk=_indicator().pk).update(target=Decimal(1)),
            FRANCE_2026,
        )
    ],
    "conventions_indicatorvalue": [
        Case(
            lambda ctx: IndicatorValue.objects.create(
                indicator=_indicator(),
                value=Decimal(777),
                as_of=datetime.date(2026, 6, 30),
                source=Source.objects.first(),
            ),
            FRANCE_2026,
        )
    ],
    "events_activitytotal": [
        Case(
            lambda ctx: ActivityTotal.objects.filter(region__code="28").update(value=1),
            NORMANDIE_2021,
        )
    ],
    "events_attendance": [
        # The service bumps the event's version too.
        Case(_attendance, NORMANDIE_2026, isolated=False, setup=_staff_source),
        # Every write of attendance refreshes the events rollup in the same transaction.
        Case(
            lambda ctx: Attendance.objects.update(actual=3),
            NORMANDIE_2026,
            isolated=False,
            setup=lambda ctx: (_staff_source(ctx), _attendance(ctx)),
        ),
        Case(
            lambda ctx: Attendance.objects.update(planned=3),  # in no figure: the rollup stays
            NORMANDIE_2026,
            shows_in=(),
            isolated=False,
            setup=lambda ctx: (_staff_source(ctx), _attendance(ctx)),
        ),
    ],
    "events_attendee": [
        Case(
            lambda ctx: Attendee.objects.create(
                event=ctx["event"], organisation=ctx["organisation"]
            ),
            FRANCE_2026,
            setup=_attendee_setup,
        )
    ],
    "events_event": [
        # Every write of events refreshes the events rollup in the same transaction.
        Case(_event, NORMANDIE_2026, isolated=False, setup=_staff_source),
        Case(
            lambda ctx: event_delete(
                user=ctx["staff"], event=ctx["event"], expected_version=ctx["event"].version
            ),
            NORMANDIE_2026,
            isolated=False,
            setup=_staff_source,
        ),
        # A field no figure of the rollup holds, read from the events live: the title of
        # the upcoming events' list.
        Case(
            lambda ctx: Event.objects.update(title="Réunion (test)"),
            NORMANDIE_2026,
            shows_in=("page",),
            setup=lambda ctx: (_staff_source(ctx), _event(ctx, date=datetime.date(2026, 12, 12))),
        ),
    ],
    "events_eventrollup": [
        # The pre-aggregated figures are what the pages read: a write to them alone (as
        # `rollup_refresh` makes) shows at once.
        Case(
            lambda ctx: EventRollup.objects.filter(region__code="28", year=2026).update(n=7),
            NORMANDIE_2026,
            setup=_staff_source,
        ),
        Case(
            lambda ctx: EventRollup.objects.filter(region__code="28", year=2026).delete(),
            FRANCE_2026,
            setup=_staff_source,
        ),
    ],
    "events_organisation": [
        Case(
            lambda ctx: Organisation.objects.update(kind="training_body", identifier="1234567A"),
            FRANCE_2026,
            setup=lambda ctx: (
                _attendee_setup(ctx),
                Attendee.objects.create(event=ctx["event"], organisation=ctx["organisation"]),
            ),
        )
    ],
}
CASE_IDS = [(table, n) for table in sorted(CASES) for n in range(len(CASES[table]))]


@pytest.fixture
def ctx(monthly, agefiph_targets, director, staff, admin_user, normandie, tmp_path, client_for):
    return {
        "director": director,
        "staff": staff,
        "admin": admin_user,
        "normandie": normandie,
        "tmp_path": tmp_path,
        "client": client_for(director),
    }


def _run(ctx, case):
    if case.setup:
        case.setup(ctx)
    client, director = ctx["client"], ctx["director"]
    before = outputs(client, director, case.params)
    assert outputs(client, director, case.params) == before  # served from the caches
    case.write(ctx)
    return before, outputs(client, director, case.params)


def test_every_figure_table_has_its_cases():
    assert set(CASES) == set(figure_tables())
    empty = [t for t, cases in CASES.items() if not cases]
    assert empty == [], f"no write shows a figure change for {empty}: a figure table?"


@pytest.mark.parametrize(("table", "number"), CASE_IDS)
def test_a_write_shows_at_once(ctx, table, number):
    case = CASES[table][number]
    before, after = _run(ctx, case)
    changed = tuple(name for name in ("model", "api", "page") if before[name] != after[name])
    assert changed == case.shows_in


@pytest.mark.parametrize(("table", "number"), [(t, n) for t, n in CASE_IDS if CASES[t][n].isolated])
def test_an_isolated_case_needs_its_own_trigger(ctx, table, number):
    case = CASES[table][number]
    if case.setup:
        case.setup(ctx)
        case = Case(case.write, case.params, case.shows_in)
    _drop_trigger(table)
    before, after = _run(ctx, case)
    changed = tuple(name for name in ("model", "api", "page") if before[name] != after[name])
    assert changed != case.shows_in  # something stays stale: the case needs that trigger


def _versions() -> dict[str, str | None]:
    return {family: data_version(family) for family in triggers.FAMILIES}


@pytest.mark.parametrize(("table", "number"), CASE_IDS)
def test_a_write_cools_only_its_family(ctx, table, number):
    """A write to a family's tables bumps that family's data version only: an attendance
    entry or an event (and the events rollup it refreshes) leaves the contract figures
    cached, an import of counts (and the contract rollup, its batch and its new source)
    leaves the events' cached."""
    case = CASES[table][number]
    if case.setup:
        case.setup(ctx)
    before = _versions()
    case.write(ctx)
    changed = {family for family, version in _versions().items() if version != before[family]}
    family = table.split("_", 1)[0]
    expected = {family} if family in triggers.FAMILIES else set(triggers.FAMILIES)
    assert changed <= expected, changed
    assert changed or not case.shows_in


def _drop_trigger(table):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_data_version ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER {table}_data_version_{event}")


def test_every_figure_table_has_its_trigger_after_migrate():
    """From the models, not from the list that installs the triggers."""
    assert set(figure_tables()) <= triggers.installed(connection)
