"""Cached figures are never stale: every write to the facts, whatever its path, bumps
the data version, and the next request computes the figures again."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from akto_portal import triggers
from akto_portal.cache import data_version, memoize
from akto_portal.models import DataVersion, Region, Source
from contracts.models import ContractCount
from contracts.services import contract_import, import_batch_undo
from events.models import Attendance, EventKind
from events.services import event_create
from tests.factories import ContractCountFactory

pytestmark = pytest.mark.django_db
SUMMARY = "/api/v1/contracts/summary"
HEADER = "region;branche;annee;mois;type_contrat;public;nombre\n"


def contracts(client, **params):
    return client.get(SUMMARY, params).json()["contracts"]


@pytest.fixture
def director_client(client_for, director, documents):
    return client_for(director)


def test_an_import_and_its_undoing_show_at_once(director_client, tmp_path, admin_user):
    assert contracts(director_client, region="53", year=2024) is None
    assert contracts(director_client, region="53", year=2024) is None  # now cached
    path = tmp_path / "bretagne.csv"
    path.write_text(HEADER + "53;;2024;;apprentissage;all;812\n")
    report = contract_import(path=path, file_name=path.name, today=datetime.date(2026, 11, 24))
    assert report.ok

    assert contracts(director_client, region="53", year=2024) == 812
    page = director_client.get("/", {"region": "53", "year": 2024}).content.decode()
    assert "812" in page

    import_batch_undo(batch=report.batch, user=admin_user)
    assert contracts(director_client, region="53", year=2024) is None
    assert "812" not in director_client.get("/", {"region": "53", "year": 2024}).content.decode()


def test_a_document_figure_edited_in_the_admin_shows_at_once(director_client, admin_user, client):
    assert contracts(director_client, region="28", year=2021) == 3071
    figure = ContractCount.objects.get(region__code="28", year=2021, month=None, branch=None)
    admin = client.__class__()
    admin.force_login(admin_user)
    response = admin.post(
        f"/admin/contracts/contractcount/{figure.pk}/change/",
        {
            "region": figure.region_id,
            "branch": "",
            "year": 2021,
            "month": "",
            "contract_type": figure.contract_type,
            "public": figure.public,
            "count": 3072,
            "source": figure.source_id,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert contracts(director_client, region="28", year=2021) == 3072


def test_bulk_writes_without_signals_invalidate_too(director_client, normandie):
    assert contracts(director_client, region="28", year=2021) == 3071
    ContractCount.objects.filter(region__code="28", year=2021).update(count=3000)
    assert contracts(director_client, region="28", year=2021) == 3000
    ContractCount.objects.filter(region__code="28", year=2021).delete()
    assert contracts(director_client, region="28", year=2021) is None
    ContractCountFactory(region=normandie, year=2021, count=7)
    assert contracts(director_client, region="28", year=2021) == 7


def _kpi_figure(client, name, **params):
    """The number a KPI of the dashboard shows (its <strong>), as an int."""
    html = client.get("/", params).content.decode()
    start = html.index(f'id="kpi-{name}"')
    strong = re.search(r"<strong>([^<]*)</strong>", html[start:])[1]
    return int(re.sub(r"\D", "", strong) or 0)


def _info_meeting(staff, region):
    """An information meeting recorded by `staff` through the service."""
    return event_create(
        user=staff,
        region=region,
        title="Réunion d'information",
        kind=EventKind.INFO_MEETING,
        date=datetime.date(2026, 3, 12),
    )


def test_an_event_recorded_by_staff_shows_on_the_dashboard_at_once(
    director_client, staff, normandie
):
    def held():
        data = director_client.get("/api/v1/events/summary", {"region": "28", "year": 2026})
        return sum(row["events"] for row in data.json()["events"])

    def create():
        return _info_meeting(staff, normandie)

    create()  # the staff's first event creates their manual-entry Source: not this test's
    before = held()
    page_before = _kpi_figure(director_client, "events-held", region="28", year=2026)
    assert held() == before  # cached
    assert _kpi_figure(director_client, "events-held", region="28", year=2026) == page_before
    event = create()
    assert held() == before + 1
    assert _kpi_figure(director_client, "events-held", region="28", year=2026) == page_before + 1
    companies = _kpi_figure(director_client, "events-companies", region="28", year=2026)
    Attendance.objects.create(event=event, category="companies", planned=30, actual=29)
    assert (
        _kpi_figure(director_client, "events-companies", region="28", year=2026) == companies + 29
    )


def test_every_write_bumps_the_version_and_a_request_reads_it_once(director_client):
    version = data_version()
    ContractCountFactory(year=2019, count=1)
    assert data_version() != version
    director_client.get(SUMMARY, {"region": "28", "year": 2021})
    with CaptureQueriesContext(connection) as queries:
        director_client.get("/", {"region": "28", "year": 2021})
    reads = [q for q in queries.captured_queries if "akto_portal_dataversion" in q["sql"]]
    assert len(reads) == 1


def test_a_lost_trigger_comes_back_with_install():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER contracts_contractcount_data_version ON contracts_contractcount"
            )
        else:
            for event in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER contracts_contractcount_data_version_{event}")
    assert "contracts_contractcount" not in triggers.installed(connection)
    triggers.install(connection)
    version = data_version()
    ContractCountFactory(year=2019, count=1)
    assert data_version() != version


def test_without_a_version_row_nothing_is_cached():
    DataVersion.objects.all().delete()
    calls = []
    assert memoize("t", "k", lambda: calls.append(1) or 1) == 1
    assert memoize("t", "k", lambda: calls.append(1) or 1) == 1
    assert calls == [1, 1]


def test_memoize_caches_under_the_version(db):
    calls = []
    assert memoize("t", "k", lambda: calls.append(1) or len(calls)) == 1
    assert memoize("t", "k", lambda: calls.append(1) or len(calls)) == 1
    DataVersion.objects.filter(pk=1).update(version=0)  # not a fact table: no bump
    assert memoize("t", "k", lambda: calls.append(1) or len(calls)) == 2


# --- one version per family -----------------------------------------------------------------


def test_an_attendance_entry_leaves_the_contract_figures_cached(director_client, staff, normandie):
    """The next page after a staff member's attendance entry computes the events again, and
    reads the contract figures from the cache: no contract table in its queries."""

    def create():
        return _info_meeting(staff, normandie)

    create()  # the staff's first event creates their manual-entry Source (reference data)
    params = {"region": "28", "year": 2026}
    director_client.get("/", params)  # every figure cached
    held = _kpi_figure(director_client, "events-held", region="28", year=2026)
    contracts_before = data_version("contracts")
    event = create()
    Attendance.objects.create(event=event, category="companies", planned=10, actual=8)
    assert data_version("contracts") == contracts_before

    with CaptureQueriesContext(connection) as queries:
        director_client.get("/", params)
    tables = set(re.findall(r'FROM "(\w+)"', " ".join(q["sql"] for q in queries.captured_queries)))
    assert not {t for t in tables if t.startswith("contracts_")}, tables
    assert {"events_event", "events_attendance"} <= tables  # the events, computed again
    assert _kpi_figure(director_client, "events-held", region="28", year=2026) == held + 1


def test_a_contract_write_leaves_the_events_cached(director_client):
    params = {"region": "28", "year": 2026}
    figure = ContractCountFactory(year=2026, count=5)  # its Source too (reference data)
    director_client.get("/", params)
    events_before = data_version("events")
    ContractCount.objects.filter(pk=figure.pk).update(count=6)
    assert data_version("events") == events_before

    with CaptureQueriesContext(connection) as queries:
        director_client.get("/", params)
    tables = set(re.findall(r'FROM "(\w+)"', " ".join(q["sql"] for q in queries.captured_queries)))
    # The events' figures come from the cache (the latest events' list is read live).
    assert not {"events_attendance", "events_activitytotal"} & tables, tables
    assert {t for t in tables if t.startswith("contracts_")}  # the contracts, computed again


def test_a_reference_write_bumps_every_family(db):
    before = {family: data_version(family) for family in triggers.FAMILIES}
    region = Region.objects.get(code="28")
    region.name = "Normandie"
    region.save()
    assert all(data_version(f) != v for f, v in before.items())


def test_each_fact_table_bumps_its_own_family_only():
    """The family each trigger bumps: the table's app, or every family for the shared
    reference tables. (PostgreSQL: SQLite's row-level triggers need a row to fire; the
    freshness test writes rows through the app on both databases.)"""
    if connection.vendor != "postgresql":
        pytest.skip("statement-level triggers are PostgreSQL's")
    for table in triggers.FACT_TABLES:
        if table == triggers.SOURCES:  # a row trigger: test_a_source_write_…
            continue
        family = table.split("_", 1)[0]
        before = {f: data_version(f) for f in triggers.FAMILIES}
        with connection.cursor() as cursor:  # a statement-level trigger fires on no row too
            cursor.execute(f"UPDATE {table} SET id = id WHERE id = -1")
        changed = {f for f in triggers.FAMILIES if data_version(f) != before[f]}
        expected = {family} if family in triggers.FAMILIES else set(triggers.FAMILIES)
        assert changed == expected, table


def _changed(write) -> set[str]:
    before = {family: data_version(family) for family in triggers.FAMILIES}
    write()
    return {f for f in triggers.FAMILIES if data_version(f) != before[f]}


def test_a_source_write_bumps_the_families_that_point_to_it(staff, normandie):
    """A source is read through the figures pointing to it: a new one bumps no family, a
    change bumps the families of the rows pointing to it, one that nothing points to
    none. (A deletion goes through Django's collector, whose cascading DELETE statements
    fire the statement triggers of the tables they name, even on no row.)"""
    source = Source(kind=Source.Kind.IMPORT, title="Import d'essai")
    assert _changed(source.save) == set()
    figure = ContractCountFactory(year=2026, count=5, source=source)
    assert _changed(lambda: Source.objects.filter(pk=source.pk).update(title="Renommé")) == {
        "contracts"
    }
    event = _info_meeting(staff, normandie)  # points to the staff's manual-entry source
    assert _changed(lambda: Source.objects.filter(pk=event.source_id).update(title="x")) == {
        "events"
    }
    figure.delete()
    assert _changed(lambda: Source.objects.filter(pk=source.pk).update(title="Vide")) == set()


def test_a_contract_import_leaves_the_events_and_conventions_cached(tmp_path):
    """An import writes its figures, its batch and a new source: only the contract
    figures are computed again."""
    path = tmp_path / "figures.csv"
    path.write_text(
        "region;branche;annee;mois;type_contrat;public;nombre\n28;;2026;;apprentissage;all;812\n"
    )

    def run():
        report = contract_import(path=path, file_name=path.name, today=datetime.date(2026, 11, 24))
        assert report.ok, report
        assert report.batch is not None

    assert _changed(run) == {"contracts"}


def test_a_queryset_that_cannot_match_has_a_key_and_reads_empty():
    """A convention whose period has no year yet asks `year__in=[]`: Django writes no SQL
    for it; the figure is empty, not a 500 (a national convention on a region's digest)."""
    from akto_portal.cache import query_key
    from contracts.figures import contract_facts
    from contracts.models import ContractCount

    empty = ContractCount.objects.filter(year__in=[])
    assert query_key(empty) == "empty:contracts.ContractCount"
    assert contract_facts(empty, synthetic=[]) == {}


def test_an_attendance_entry_redraws_only_the_page_fragments_that_show_events(
    director_client, staff, normandie
):
    """The page's HTML is cached fragment by fragment under the families it shows: after
    an attendance entry the contract parts come from the cache as they were, the events
    part is drawn again with the new figure."""
    _info_meeting(staff, normandie)  # the staff's manual-entry Source (reference data)
    figure = ContractCountFactory(year=2026, count=5)  # and its Source
    params = {"region": "28", "year": 2026}
    first = director_client.get("/", params)
    assert first.context["fragments"].found == {}  # drawn, and stored
    event = _info_meeting(staff, normandie)
    Attendance.objects.create(event=event, category="companies", planned=10, actual=8)

    again = director_client.get("/", params)

    assert again.wsgi_request.user.username == first.wsgi_request.user.username
    found = set(again.context["fragments"].found)
    assert {"dashboard_head", "dashboard_pace", "dashboard_branches", "scope"} <= found
    assert not {"dashboard_events", "dashboard_places", "dashboard_conventions"} & found
    html = again.content.decode()
    assert html.count('id="kpi-events-held"') == 1 and html.count('id="pace"') == 1
    cache.clear()  # the same page drawn whole, from nothing, reads the same
    assert _without_tokens(director_client.get("/", params)) == _without_tokens(again)

    ContractCount.objects.filter(pk=figure.pk).update(count=6)  # only the events stay
    found = set(director_client.get("/", params).context["fragments"].found)
    assert found == {"dashboard_events"}


def _without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
