"""A region department by department: contract lines keep their department, the region
is the exact sum of its departments, IND-313 DEPT rows give each department's market and
share, and a region known only as a total shows its departments as unknown."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from akto_portal.models import Department, Region
from contracts import selectors
from contracts.models import ContractCount
from contracts.services import contract_import, market_import
from events import services as event_services
from events.models import ActivityTotal, Attendance, Event, EventKind
from tests.factories import ContractCountFactory, EventFactory, SourceFactory
from tests.responses import drain

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 12, 31)
LINES = (
    "numero_contrat;date_debut;departement;idcc;type_contrat\n"
    "A-1;04/03/2024;14;1979;apprentissage\n"
    "A-2;05/03/2024;14;1979;apprentissage\n"
    "A-3;06/03/2024;14;1501;apprentissage\n"
    "A-4;07/04/2024;76;1979;apprentissage\n"
    "A-5;08/04/2024;76;1979;apprentissage\n"
)


def _import(tmp_path, name, text, *, market=False):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    service = market_import if market else contract_import
    report = service(path=path, file_name=name, today=TODAY)
    assert report.ok, report.errors
    return report


def test_contract_lines_of_two_departments_add_up_exactly_at_the_region(
    tmp_path, client_for, director
):
    _import(tmp_path, "lines.csv", LINES)
    calvados, seine_maritime = (Department.objects.get(code=c) for c in ("14", "76"))
    assert ContractCount.objects.filter(department=calvados).count() == 2  # HCR, Rest. rapide
    normandie = Region.objects.get(code="28")
    assert selectors.yearly_totals(years=[2024], region=normandie)[(normandie.pk, 2024)].value == 5

    api = client_for(director).get(
        reverse("api-contracts-by-department"), {"region": "28", "year": 2024}
    )
    rows = {r["code"]: r["contracts"] for r in api.json()["rows"]}
    assert rows["14"] == 3 and rows["76"] == 2
    assert rows["27"] is None and rows["50"] is None and rows["61"] is None  # unknown, not 0
    assert api.json()["total"]["contracts"] == 5 == rows["14"] + rows["76"]
    assert "Non ventilé par département" not in [r["name"] for r in api.json()["rows"]]
    assert (
        seine_maritime.name
        in client_for(director)
        .get(reverse("region-departments", args=["28"]), {"year": 2024})
        .content.decode()
    )


def test_lines_without_a_department_keep_their_series_whole(tmp_path):
    """One line of Normandie given by region only: the series is kept for the region as a
    whole, so its total counts every line."""
    _import(
        tmp_path,
        "mixed.csv",
        "numero_contrat;date_debut;region;departement;idcc;type_contrat\n"
        "A-1;04/03/2024;;14;1979;apprentissage\n"
        "A-2;05/03/2024;28;;1979;apprentissage\n",
    )
    normandie = Region.objects.get(code="28")
    assert not ContractCount.objects.filter(department__isnull=False).exists()
    assert selectors.yearly_totals(years=[2024], region=normandie)[(normandie.pk, 2024)].value == 2


def test_a_department_outside_the_given_region_is_a_bad_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "numero_contrat;date_debut;region;departement;idcc;type_contrat\n"
        "A-1;04/03/2024;53;14;1979;apprentissage\n",
        encoding="utf-8",
    )
    report = contract_import(path=path, file_name="bad.csv", today=TODAY)
    assert [str(e) for e in report.errors] == [
        "ligne 2 : le département « 14 » n'est pas dans la région « 53 »"
    ]


def test_a_counts_file_with_departments_is_a_breakdown_of_the_region_total(tmp_path):
    """Normandie 2023 known as a whole (1 000) and by department (600 + 300): counted once,
    the 100 not known by department shown as such."""
    _import(
        tmp_path,
        "counts.csv",
        "region;departement;annee;type_contrat;nombre\n"
        "28;;2023;apprentissage;1000\n"
        "28;14;2023;apprentissage;600\n"
        "28;76;2023;apprentissage;300\n",
    )
    normandie = Region.objects.get(code="28")
    total = selectors.yearly_totals(years=[2023], region=normandie)[(normandie.pk, 2023)]
    assert total.value == 1000


def test_ind313_dept_rows_give_each_departments_market_and_share(tmp_path, client_for, director):
    _import(tmp_path, "lines.csv", LINES)
    _import(
        tmp_path,
        "ind313.csv",
        "indic_id,enforce_zone_id,metric_enforce_date,maille,indic_vi,indic_va,indic_vc,indic_ta\n"
        "IND-313,D14,2024-12-01,DEPT,0,30,,\n"
        "IND-313,D76,2024-12-01,DEPT,0,40,,\n"
        "IND-313,R28,2024-12-01,REG,0,200,,\n",
        market=True,
    )
    normandie = Region.objects.get(code="28")
    by_department = selectors.department_market_summaries(region=normandie, year=2024)
    calvados, seine_maritime = (Department.objects.get(code=c) for c in ("14", "76"))
    assert by_department[calvados.pk].market.value == 30
    assert by_department[calvados.pk].share_pct == 10.0  # 3 of 30
    assert by_department[seine_maritime.pk].share_pct == 5.0  # 2 of 40
    # The department rows are a breakdown: the region's market stays 200, not 270.
    assert selectors.market_summary(region=normandie, year=2024).market.value == 200
    rows = (
        client_for(director)
        .get(reverse("api-contracts-by-department"), {"region": "28", "year": 2024})
        .json()["rows"]
    )
    assert {r["code"]: r["market_share"] for r in rows if r["code"] in ("14", "76")} == {
        "14": 10.0,
        "76": 5.0,
    }


def test_a_region_known_only_as_a_total_shows_its_departments_as_unknown(client_for, director):
    ContractCountFactory(region=Region.objects.get(code="28"), year=2020, month=None, count=2173)

    client = client_for(director)
    data = client.get(reverse("api-contracts-by-department"), {"region": "28", "year": 2020}).json()
    assert data["total"]["contracts"] == 2173
    assert [r["contracts"] for r in data["rows"]] == [None] * 5
    page = client.get(reverse("region-departments", args=["28"]), {"year": 2020})
    html = page.content.decode()
    assert "Calvados" in html and "2\xa0173" in html
    assert page.context["department_table"].rows[0].get_cell("contracts") == "—"


def test_the_api_needs_a_region(client_for, director):
    response = client_for(director).get(reverse("api-contracts-by-department"), {"region": "FR"})
    assert response.status_code == 400


EVENT_COLUMNS = [
    "Événements tenus",
    "Entreprises présentes",
    "CFA / OF présents",
    "Jeunes présents",
]


def test_an_event_recorded_by_staff_counts_in_its_departments_line_everywhere(
    client_for, staff, director
):
    """An event recorded by staff in Calvados is Calvados' line in the table, its CSV and
    XLSX, and the API; the events without a department and the total a source reported
    for the whole region are the "Non ventilé" line, so that the footer is the region's
    events headline."""
    normandie = Region.objects.get(code="28")
    calvados = Department.objects.get(code="14")
    response = client_for(staff).post(
        reverse("event-create"),
        {
            "title": "Petit-déjeuner alternance de Caen",
            "kind": EventKind.INFO_MEETING,
            "date": "12/03/2025",
            "place": "Caen",
            "department": calvados.pk,
            "notes": "",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Petit-déjeuner alternance de Caen")
    event_services.attendance_save(
        user=staff,
        event=event,
        expected_version=event.version,
        counts={"companies": (20, 12), "youth": (None, 3)},
    )
    webinar = EventFactory(region=normandie, kind=EventKind.WEBINAR, place="", online=True)
    Attendance.objects.create(event=webinar, category="companies", actual=30)
    ActivityTotal.objects.create(
        year=2025,
        region=normandie,
        event_kind=EventKind.JOB_FAIR,
        measure=ActivityTotal.Measure.EVENTS,
        value=5,
        source=SourceFactory(),
    )

    client = client_for(director)
    params = {"region": "28", "year": 2025}
    headline = client.get(reverse("api-events-summary"), params).json()["total"]
    assert (headline["events"], headline["companies"], headline["youth"]) == (7, 42, 3)
    api = client.get(reverse("api-contracts-by-department"), params).json()
    rows = {r["code"]: r for r in api["rows"]}
    figures = ("events", "companies", "training_bodies", "youth")
    assert [rows["14"][k] for k in figures] == [1, 12, None, 3]  # no CFA counted anywhere
    # Seine-Maritime: no event recorded; its share of the 5 fairs the region reported as a
    # whole is not known (—), while no company was counted there (0).
    assert [rows["76"][k] for k in figures] == [None, 0, None, 0]
    assert rows[""]["name"] == "Non ventilé par département"
    assert [rows[""][k] for k in figures] == [6, 30, None, 0]  # the webinar, the 5 fairs
    assert [api["total"][k] for k in figures] == [7, 42, None, 3]
    assert api["total"]["events"] == headline["events"]

    text = drain(client.get(reverse("region-departments-export", args=["28", "csv"]), params))
    lines = [line for line in text.decode("utf-8-sig").splitlines() if not line.startswith("# ")]
    table = list(csv.reader(lines, delimiter=";"))
    columns = [table[0].index(c) for c in EVENT_COLUMNS]
    by_code = {row[0]: [row[i] for i in columns] for row in table[1:]}
    assert by_code["14"] == ["1", "12", "", "3"]
    assert table[-1][0].startswith("Total") and [table[-1][i] for i in columns] == [
        "7",
        "42",
        "",
        "3",
    ]

    content = drain(client.get(reverse("region-departments-export", args=["28", "xlsx"]), params))
    sheet = list(load_workbook(io.BytesIO(content), read_only=True)["Départements"].values)
    header = next(r for r in sheet if r and r[0] == "Code")
    columns = [header.index(c) for c in EVENT_COLUMNS]
    calvados_row = next(r for r in sheet if r and r[0] == "14")
    assert [calvados_row[i] for i in columns] == [1, 12, None, 3]
    assert [sheet[-1][i] for i in columns] == [7, 42, None, 3]

    page = client.get(reverse("region-departments", args=["28"]), params)
    table = page.context["department_table"]
    assert table.rows[0].get_cell("events") == "1" and table.rows[0].record["name"] == "Calvados"
    assert table.totals()["events"] == page.context["page"].totals["events"]["events"] == 7


def test_a_department_is_unknown_where_a_reported_total_replaces_its_events(client_for, director):
    """Normandie reported 26 info meetings for 2025: that total replaces the meetings
    recorded one by one, Calvados' included, and is not known by department — Calvados
    shows "—" (not 1, not 0) for events, while its recorded companies still count."""
    normandie = Region.objects.get(code="28")
    meeting = EventFactory(region=normandie, department=Department.objects.get(code="14"))
    Attendance.objects.create(event=meeting, category="companies", actual=12)
    ActivityTotal.objects.create(
        year=2025,
        region=normandie,
        event_kind=EventKind.INFO_MEETING,
        measure=ActivityTotal.Measure.EVENTS,
        value=26,
        source=SourceFactory(),
    )
    client = client_for(director)
    api = client.get(reverse("api-contracts-by-department"), {"region": "28", "year": 2025})
    rows = {r["code"]: r for r in api.json()["rows"]}
    assert rows["14"]["events"] is None and rows["76"]["events"] is None
    assert rows["14"]["companies"] == 12
    assert rows[""]["events"] == 26 == api.json()["total"]["events"]
    page = client.get(reverse("region-departments", args=["28"]), {"region": "28", "year": 2025})
    assert page.context["department_table"].rows[0].get_cell("events") == "—"
