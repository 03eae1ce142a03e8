"""CSV and XLSX downloads that stand alone: the shared writer of the dashboards' and the
events list's exports, and the formula guard of every spreadsheet the portal writes
(admin exports of django-import-export included).

A download says what it holds: its title, scope, filters, date, sources and what
"synthétique" means — as `# ` comment lines before the CSV's header, and as a first
sheet "À propos" of the workbook. Then the table: its header, every row, and the total
row last. Unknown figures are empty cells (never "—"). A text cell starting with `=`, `+`,
`-`, `@` (or a tab / carriage return) is written with a leading `'`, so that a
spreadsheet never runs it as a formula; real numbers stay numbers.

CSV streams row by row; XLSX is written by openpyxl in write-only mode to a temporary
file, then streamed back.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from akto_portal.formulas import neutralise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SYNTHETIC_LEGEND = (
    "Chiffres synthétiques : données de démonstration fictives (colonne « synthetic » "
    "à vrai, ou hachures et badge « synthétique » sur le portail). Les autres chiffres "
    "citent leur source."
)
About = Sequence[tuple[str, str]]  # (label, value) lines: "Périmètre", "Normandie"


def _csv_cell(value: Any) -> Any:
    """French spreadsheet conventions for CSV: decimal comma."""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    value = neutralise(value)
    if isinstance(value, float | Decimal):
        return f"{value}".replace(".", ",")
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    rows: Iterable[Sequence[Any]], filename: str, *, about: About = ()
) -> StreamingHttpResponse:
    """rows: the header first, then each row (the total last)."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that Excel reads UTF-8
        for label, value in about:
            yield f"# {label} : {value}".replace("\n", " ") + "\r\n"
        for row in rows:
            yield writer.writerow([_csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _number_format(values: list[Any]) -> str | None:
    numbers = [v for v in values if isinstance(v, int | float | Decimal)]
    if not numbers:
        return None
    if all(isinstance(v, int) or float(v).is_integer() for v in numbers):
        return "#,##0"
    return "#,##0.0"


def _write_sheet(workbook: Workbook, title: str, rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    columns = list(zip(*body, strict=False)) if body else [() for _ in header]
    formats = [_number_format(list(c)) for c in columns]
    for index, name in enumerate(header, start=1):
        longest = max([len(str(name))] + [len(str(v)) for v in columns[index - 1]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, longest + 2))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=neutralise(name))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for number, row in enumerate(body, start=1):
        last = number == len(body)
        cells = []
        for index, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if formats[index] and isinstance(cell.value, int | float | Decimal):
                cell.number_format = formats[index]
            if last and total_row(body):
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)


def total_row(body: list[list[Any]]) -> bool:
    """Is the last row a total ("Total", "Total France entière")?"""
    return bool(body) and str(body[-1][0] or "").startswith("Total")


def _write_about(workbook: Workbook, about: About) -> None:
    sheet = workbook.create_sheet(title="À propos")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100
    bold = Font(bold=True)
    for label, value in about:
        cell = WriteOnlyCell(sheet, value=neutralise(label))
        cell.font = bold
        sheet.append([cell, neutralise(value)])


def xlsx_response(
    sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]], filename: str, *, about: About = ()
) -> FileResponse:
    """sheets: [(title, rows)], rows the header first; "À propos" first when `about`."""
    workbook = Workbook(write_only=True)
    if about:
        _write_about(workbook, about)
    for title, rows in sheets:
        _write_sheet(workbook, title, [list(r) for r in rows])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)
