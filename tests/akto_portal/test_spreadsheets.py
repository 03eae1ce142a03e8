"""Spreadsheets the portal writes never run a formula (CSV/formula injection), keep
numbers as numbers and write unknown figures as empty cells."""

import io

import pytest
import tablib
from openpyxl import load_workbook

from akto_portal.admin_formats import SafeCSV, SafeXLSX
from akto_portal.formulas import neutralise
from akto_portal.spreadsheets import csv_response, xlsx_response


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-12,5", "-12,5"),  # a real number written as text stays as it is
        ("Réunion = succès", "Réunion = succès"),
        (-3, -3),
        (41.3, 41.3),
        (None, ""),
        ("—", ""),
    ],
)
def test_formula_like_text_is_prefixed_numbers_and_unknowns_are_not(value, cell):
    assert neutralise(value) == cell


@pytest.mark.django_db  # closing a response signals the end of a request
def test_csv_and_xlsx_cells_are_neutralised():
    rows = [["Intitulé", "Présents"], ["=1+1", 12], ["@cmd", None]]
    response = csv_response(rows, "t", about=[("Filtres", "=evil()")])
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == [
        "# Filtres : =evil()",  # a line starting with "#": never a formula
        "Intitulé;Présents",
        "'=1+1;12",
        "'@cmd;",
    ]
    response = xlsx_response([("Feuille", rows)], "t")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Feuille"]
    response.close()
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Intitulé", "Présents"],
        ["'=1+1", 12],
        ["'@cmd", None],
    ]


def test_admin_exports_neutralise_formulas_and_keep_numbers():
    dataset = tablib.Dataset(["=cmd|' /C calc'!A0", 3071], headers=["title", "count"])
    assert SafeCSV().export_data(dataset).splitlines()[1] == "'=cmd|' /C calc'!A0,3071"
    dataset = tablib.Dataset(["+1+1", 3071], headers=["title", "count"])
    workbook = load_workbook(io.BytesIO(SafeXLSX().export_data(dataset)))
    assert [c.value for c in workbook.active[2]] == ["'+1+1", 3071]
