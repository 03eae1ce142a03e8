"""CSV and XLSX exports: every filtered row, the same totals as the page."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_regions_csv_has_normandie_2021_and_the_page_total(client_for, director, documents):
    client = client_for(director)
    params = {"region": "28", "year": 2021}
    response = client.get(reverse("dashboard-export", args=["regions", "csv"]), params)
    assert response["Content-Disposition"] == 'attachment; filename="regions-28-2021.csv"'
    rows = csv_rows(response)
    assert rows[0][:4] == ["Région", "Contrats à date", "Même période N-1", "Évolution (%)"]
    assert len(rows) == 1 + 18 + 1  # header, every region (not one page), total
    normandie = next(r for r in rows if r[0] == "Normandie")
    assert normandie[1:4] == ["3071", "2173", "41,3"]
    assert rows[-1][:3] == ["Total France entière", "3071", "2173"]


def test_branch_csv_total_equals_the_dashboard_total(client_for, director, monthly):
    params = {"region": "11", "year": 2022, "date": "2022-06-30"}
    client = client_for(director)
    page_total = client.get(reverse("overview"), params).context["pace"].contracts
    rows = csv_rows(client.get(reverse("dashboard-export", args=["branches", "csv"]), params))
    assert [r[:2] for r in rows[1:]] == [
        ["Hôtels, cafés, restaurants (IDCC 1979)", "60"],
        ["Restauration rapide (IDCC 1501)", "30"],
        ["Total", "90"],
    ]
    assert page_total == 90


def test_branch_filter_restricts_exported_rows(client_for, director, monthly):
    params = {"region": "11", "year": 2022, "branch": monthly["fast_food"].pk}
    rows = csv_rows(
        client_for(director).get(reverse("dashboard-export", args=["months", "csv"]), params)
    )
    assert [r[1] for r in rows[1:4]] == ["5", "5", "5"]
    assert rows[-1][:2] == ["Total janv.–oct. 2022", "50"]


def test_dashboard_xlsx_has_one_sheet_per_table_with_totals(client_for, director, documents):
    response = client_for(director).get(
        reverse("dashboard-export", args=["tableau", "xlsx"]), {"region": "28", "year": 2021}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == [
        "Régions",
        "Mois",
        "Branches",
        "Événements",
        "Événements par mois",
    ]
    regions = list(workbook["Régions"].values)
    normandie = next(r for r in regions if r[0] == "Normandie")
    assert normandie[1:4] == (3071, 2173, 41.3)
    assert regions[-1][:2] == ("Total France entière", 3071)


def test_unknown_export_is_404(client_for, director, documents):
    client = client_for(director)
    assert client.get(reverse("dashboard-export", args=["users", "csv"])).status_code == 404
    assert client.get(reverse("dashboard-export", args=["regions", "pdf"])).status_code == 404
