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
    # The `# ` lines before the header say what the file holds (scope, date, sources).
    table = [line for line in text.splitlines() if not line.startswith("# ")]
    return list(csv.reader(table, delimiter=";"))


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
    page_total = client.get(reverse("overview"), params).context["pace"]().contracts
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
        "À propos",
        "Régions",
        "Départements",
        "Mois",
        "Branches",
        "Événements",
        "Événements par mois",
    ]
    regions = list(workbook["Régions"].values)
    normandie = next(r for r in regions if r[0] == "Normandie")
    assert normandie[1:4] == (3071, 2173, 41.3)
    assert regions[-1][:2] == ("Total France entière", 3071)
    # A region's workbook has its departments: 2021 known only as a total, so unknown.
    departments = list(workbook["Départements"].values)
    assert [r[2] for r in departments[1:6]] == [None] * 5
    assert departments[-1][:3] == ("Total Normandie", None, 3071)


def test_unknown_export_is_404(client_for, director, documents):
    client = client_for(director)
    assert client.get(reverse("dashboard-export", args=["users", "csv"])).status_code == 404
    assert client.get(reverse("dashboard-export", args=["regions", "pdf"])).status_code == 404


def _about(text):
    return dict(line[2:].split(" : ", 1) for line in text.splitlines() if line.startswith("# "))


def test_a_csv_says_its_scope_date_filters_sources_and_the_synthetic_legend(
    client_for, director, documents
):
    response = client_for(director).get(
        reverse("dashboard-export", args=["regions", "csv"]),
        {"region": "28", "year": 2021, "contract_type": "apprentissage"},
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    about = _about(text)
    assert about["Périmètre"] == "Normandie"
    assert about["Année"] == "2021 (année 2021)"
    assert about["Arrêté au"] == "31/12/2021"
    assert about["Filtres"] == (
        "toutes les branches, type de contrat : Apprentissage, tous publics"
    )
    assert "données de démonstration fictives" in about["Synthétique"]
    assert about["Adresse"].startswith("http://testserver/?region=28&year=2021")
    # The table after the comment lines: its header first, its total last.
    rows = csv_rows(
        client_for(director).get(
            reverse("dashboard-export", args=["regions", "csv"]), {"region": "28", "year": 2021}
        )
    )
    assert rows[0][0] == "Région" and rows[-1][0] == "Total France entière"


def test_xlsx_has_an_about_sheet_number_formats_widths_and_a_bold_frozen_header(
    client_for, director, documents
):
    response = client_for(director).get(
        reverse("dashboard-export", args=["regions", "xlsx"]), {"region": "28", "year": 2021}
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    response.close()
    assert workbook.sheetnames == ["À propos", "Régions"]
    about = {row[0]: row[1] for row in workbook["À propos"].values}
    assert about["Périmètre"] == "Normandie" and about["Arrêté au"] == "31/12/2021"
    sheet = workbook["Régions"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["B1"].value == "Contrats à date"
    normandie = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Normandie")
    assert normandie[1].value == 3071 and normandie[1].number_format == "#,##0"
    assert normandie[3].value == 41.3 and normandie[3].number_format == "#,##0.0"
    assert sheet.column_dimensions["A"].width >= len("Provence-Alpes-Côte d'Azur")
    # Unknown figures are empty cells, never "—".
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "—" not in values
    assert sheet.cell(sheet.max_row, 1).font.b  # the total row
