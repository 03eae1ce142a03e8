"""One department's dashboard (`?region=28&department=14`): its headline, branches and months
from the counts known department by department, its pace against a departmental target
when there is one (none otherwise), unknown (never 0) when its region is known only as a
total; the department kept in every link; a department outside the region refused."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from akto_portal.models import Branch, Department, Region
from contracts.models import ContractTarget, MarketStat
from tests.factories import ContractCountFactory, SourceFactory

pytestmark = pytest.mark.django_db

CALVADOS_2025 = {"region": "28", "department": "14", "date": "2025-06-30"}


@pytest.fixture
def by_department(db):
    """Normandie known department by department only: Calvados 50 contracts a month in
    2022-2024 (an even seasonality), 60 a month from January to June 2025, of which 20 a
    month in HCR; Seine-Maritime 40 a month from January to June 2025. Targets 2025:
    Normandie 5 000, Calvados 700."""
    normandie = Region.objects.get(code="28")
    calvados, seine_maritime = (Department.objects.get(code=c) for c in ("14", "76"))
    hcr = Branch.objects.get(idcc="1979")
    source = SourceFactory()
    for year in (2022, 2023, 2024):
        for month in range(1, 13):
            ContractCountFactory(
                department=calvados, year=year, month=month, count=50, source=source
            )
    for month in range(1, 7):
        ContractCountFactory(department=calvados, year=2025, month=month, count=60, source=source)
        ContractCountFactory(
            department=calvados, branch=hcr, year=2025, month=month, count=20, source=source
        )
        ContractCountFactory(
            department=seine_maritime, year=2025, month=month, count=40, source=source
        )
    for department, value in ((None, 5000), (calvados, 700)):
        ContractTarget.objects.create(
            year=2025, region=normandie, department=department, value=value, source=source
        )


def test_a_department_with_its_target_shows_pace_as_a_region_does(
    client_for, director, by_department
):
    client = client_for(director)
    page = client.get(reverse("overview"), CALVADOS_2025)
    pace = page.context["pace"]()
    # Jan-Jun 2025: 360 against 300 (+20 %); expected 700 × 6/12 = 350, so 102.9 %:
    # "dans les temps"; projected 360 / 0.5 = 720.
    assert (pace.contracts, pace.previous_value, pace.growth) == (360, 300, 20.0)
    assert (pace.target_value, pace.expected, pace.projected) == (700, 350, 720)
    assert pace.status_label == "dans les temps"
    html = unescape(page.content.decode())
    assert "<h1>Calvados" in html
    assert "Dans les temps : +10 contrats (102,9\xa0% de l'attendu)" in html
    assert "360 contrats (janv.–juin 2025) pour 350 attendus à cette date" in html
    assert "360 contrats sur 700" in html and "il en reste 340 à financer" in html
    assert "pas d'objectif départemental" not in html

    api = client.get(reverse("api-contracts-summary"), CALVADOS_2025).json()
    assert (api["department"], api["contracts"], api["target"], api["expected"]) == (
        "14",
        360,
        700,
        350,
    )
    assert api["status"] == "on_track"
    years = client.get(reverse("api-contracts-by-year"), CALVADOS_2025).json()["rows"]
    assert {r["year"]: r["target"] for r in years}[2025] == 700

    # The region keeps its own target; its headline is Calvados + Seine-Maritime.
    region = client.get(reverse("api-contracts-summary"), {"region": "28", "date": "2025-06-30"})
    assert (region.json()["contracts"], region.json()["target"]) == (600, 5000)


def test_a_department_without_a_target_has_no_pace(client_for, director, by_department):
    params = {**CALVADOS_2025, "department": "76"}
    client = client_for(director)
    page = client.get(reverse("overview"), params)
    pace = page.context["pace"]()
    assert (pace.contracts, pace.target_value, pace.expected, pace.status) == (
        240,
        None,
        None,
        None,
    )
    html = unescape(page.content.decode())
    assert "pas d'objectif départemental" in html
    assert "Pas d'objectif départemental pour Seine-Maritime en 2025" in html
    api = client.get(reverse("api-contracts-summary"), params).json()
    assert (api["contracts"], api["target"], api["expected"], api["status"]) == (
        240,
        None,
        None,
        None,
    )


def test_a_department_page_gives_its_branches_and_months(client_for, director, by_department):
    client = client_for(director)
    page = client.get(reverse("overview"), CALVADOS_2025)
    branches = page.context["dashboard"]().branch_rows
    assert [(r["name"], r["contracts"]) for r in branches] == [
        (str(Branch.objects.get(idcc="1979")), 120)
    ]
    assert page.context["dashboard"]().unbranched["contracts"] == 240  # 360 - 120
    months = client.get(reverse("api-contracts-by-month"), CALVADOS_2025).json()["rows"]
    assert [r["contracts"] for r in months] == [60] * 6 + [None] * 6
    assert [r["expected_cumulative"] for r in months][:3] == [58, 117, 175]  # 700 / 12 each
    # Compared with the other departments of its region, not with the regions.
    html = unescape(page.content.decode())
    assert 'id="departements"' in html and 'id="table-regions"' not in html
    assert "Calvados parmi les départements de Normandie" in html
    rows = {r["code"]: r for r in page.context["department_table"]().data}
    assert rows["14"]["current"] and not rows["76"]["current"]
    assert (rows["14"]["contracts"], rows["76"]["contracts"]) == (360, 240)
    assert rows["27"]["contracts"] is None  # Eure: not known, never 0
    assert "Les événements dont le lieu est en Calvados." in html


def test_a_department_of_a_region_known_only_as_a_total_is_unknown_not_zero(client_for, director):
    ContractCountFactory(year=2020, month=None, count=2173)
    client = client_for(director)
    params = {"region": "28", "department": "14", "year": 2020}
    page = client.get(reverse("overview"), params)
    assert page.context["pace"]().contracts is None
    html = unescape(page.content.decode())
    assert "2020 : Normandie n'est connue que dans son ensemble" in html
    assert re.search(r'id="kpi-contracts">.*?<strong>—</strong>', html, re.S)
    assert client.get(reverse("api-contracts-summary"), params).json()["contracts"] is None
    months = client.get(reverse("api-contracts-by-month"), params).json()
    assert months["total"]["contracts"] is None
    assert (
        client.get(reverse("api-contracts-summary"), {"region": "28", "year": 2020}).json()[
            "contracts"
        ]
        == 2173
    )


def test_a_department_outside_the_region_is_refused(client_for, admin_user, by_department):
    client = client_for(admin_user)
    api = client.get(reverse("api-contracts-summary"), {"region": "53", "department": "14"})
    assert api.status_code == 400
    assert api.json()["errors"] == {
        "department": [
            "Le département « 14 » (Calvados) n'est pas dans la région « 53 » : il est dans la "
            "région « 28 » (Normandie)."
        ]
    }
    assert (
        client.get(
            reverse("api-contracts-by-department"), {"region": "FR", "department": "14"}
        ).status_code
        == 400
    )
    # A page shows the region named, and says why.
    page = client.get(reverse("overview"), {"region": "53", "department": "14"}, follow=True)
    assert (page.context["scope"].region.code, page.context["scope"].department) == ("53", None)
    assert "n'est pas dans la région « 53 »" in unescape(page.content.decode())
    page = client.get(reverse("region-detail", args=["53"]), {"department": "14"})
    assert page.context["scope"].department is None
    # Without a region, the department names it.
    page = client.get(reverse("overview"), {"department": "14", "year": 2025})
    assert (page.context["scope"].region.code, page.context["scope"].department.code) == (
        "28",
        "14",
    )


def test_every_link_of_a_department_page_keeps_the_department(client_for, director, by_department):
    client = client_for(director)
    page = client.get(reverse("overview"), CALVADOS_2025)
    html = unescape(page.content.decode())
    links = [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]
    scoped = [
        h for h in links if "?" in h and urlsplit(h).path.startswith(("/export/", "/rapport"))
    ]
    assert len(scoped) >= 8
    for href in scoped:
        query = parse_qs(urlsplit(href).query)
        assert (query["region"], query["department"]) == (["28"], ["14"]), href
    # The other departments are linked in the region, with the same filters.
    seine = next(h for h in links if "department=76" in h)
    assert parse_qs(urlsplit(seine).query)["date"] == ["2025-06-30"]
    assert client.get(seine).context["pace"]().contracts == 240
    # The region's departments page highlights the department and links back.
    departments = client.get(reverse("region-departments", args=["28"]), CALVADOS_2025)
    assert departments.context["pace"].contracts == 600  # the region's headline
    assert 'aria-current="page">Calvados' in unescape(departments.content.decode())
    # A saved view is the department.
    query = re.search(r'name="query" value="([^"]*)"', html).group(1)
    client.post(reverse("saved-view-create"), {"name": "Calvados", "query": unescape(query)})
    saved = director.saved_views.get(name="Calvados")
    assert "department=14" in saved.query
    assert client.get(saved.get_absolute_url()).context["scope"].department.code == "14"


def test_departmental_targets_are_validated(admin_user, client_for, by_department):
    normandie, bretagne = Region.objects.get(code="28"), Region.objects.get(code="53")
    calvados = Department.objects.get(code="14")
    source = SourceFactory()
    wrong = ContractTarget(year=2026, region=bretagne, department=calvados, value=1, source=source)
    with pytest.raises(ValidationError, match="n'est pas dans la région"):
        wrong.full_clean()
    implied = ContractTarget(year=2026, department=calvados, value=800, source=source)
    implied.full_clean()
    assert implied.region == normandie
    twice = ContractTarget(year=2025, region=normandie, department=calvados, value=1, source=source)
    with pytest.raises(ValidationError):
        twice.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        twice.save()
    # In the admin: a department of another region is refused with its reason.
    response = client_for(admin_user).post(
        reverse("admin:contracts_contracttarget_add"),
        {
            "year": 2026,
            "region": bretagne.pk,
            "department": calvados.pk,
            "contract_type": "",
            "public": "all",
            "value": 100,
            "source": source.pk,
        },
    )
    assert response.status_code == 200
    assert "n&#x27;est pas dans la région Bretagne" in response.content.decode()
    assert not ContractTarget.objects.filter(year=2026).exists()


def test_the_report_of_a_department_reads_its_page_model(client_for, director, by_department):
    response = client_for(director).get(reverse("dashboard-report"), CALVADOS_2025)
    assert response.status_code == 200
    assert 'filename="rapport-28-14-2025-20250630.pdf"' in response["Content-Disposition"]
    pages = [
        re.sub(r"[\xa0\u202f\u2009]", " ", page.extract_text())
        for page in PdfReader(io.BytesIO(response.content)).pages
    ]
    for text in pages:
        assert "Calvados (Normandie)" in text
    assert "360" in pages[0] and "+20 %" in pages[0] and "350" in pages[0]
    assert "Branches en Calvados" in " ".join(pages)


def test_a_department_page_gives_the_departments_market_share(client_for, director, by_department):
    MarketStat.objects.create(
        region=Region.objects.get(code="28"),
        department=Department.objects.get(code="14"),
        year=2025,
        measure=MarketStat.Measure.NEW_CONTRACTS,
        value=3600,
        source=SourceFactory(),
    )
    page = client_for(director).get(reverse("overview"), CALVADOS_2025)
    [summary] = page.context["market"]()
    assert (summary.zone, summary.opco.value, summary.share_pct) == ("Calvados", 360, 10.0)
    html = unescape(page.content.decode())
    assert re.search(r'<th scope="row">Calvados</th>\s*<td class="num">360', html)


def test_a_departments_events_are_those_placed_there_as_in_its_regions_table(
    client_for, director, by_department
):
    """Calvados' page counts the events placed in Calvados: 2 meetings (27 companies),
    the same as Calvados' line in Normandie's department table; a job fair in Rouen and
    the 5 fairs Normandie reported for the whole region are not Calvados'."""
    from events.models import ActivityTotal, EventKind
    from tests.factories import AttendanceFactory, EventFactory

    calvados, seine_maritime = (Department.objects.get(code=c) for c in ("14", "76"))
    for day, companies in ((3, 12), (20, 15)):
        event = EventFactory(date=f"2025-03-{day:02d}", department=calvados, place="Caen")
        AttendanceFactory(event=event, actual=companies)
    EventFactory(kind=EventKind.INFO_MEETING, date="2025-04-02", department=seine_maritime)
    ActivityTotal.objects.create(
        year=2025,
        region=Region.objects.get(code="28"),
        event_kind=EventKind.JOB_FAIR,
        measure=ActivityTotal.Measure.EVENTS,
        value=5,
        source=SourceFactory(),
    )
    client = client_for(director)
    page = client.get(reverse("overview"), CALVADOS_2025)
    totals = page.context["event_totals"]()
    assert (totals["events"], totals["companies"]) == (2, 27)
    # Its page's table of Normandie's departments still adds up to Normandie's events.
    assert page.context["page"].department_totals["events"] == 2 + 1 + 5
    html = unescape(page.content.decode())
    assert "Les événements dont le lieu est en Calvados." in html
    assert "(5 événements (salon)) : ils ne se répartissent pas par département" in html
    table = client.get(reverse("region-departments", args=["28"]), CALVADOS_2025)
    calvados_row = next(
        r for r in table.context["department_table"].rows if r.record["code"] == "14"
    )
    assert (calvados_row.record["events"], calvados_row.record["companies"]) == (2, 27)
    region = client.get(reverse("overview"), {"region": "28", "date": "2025-06-30"})
    assert region.context["event_totals"]()["events"] == 2 + 1 + 5
