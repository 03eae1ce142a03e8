"""CSV and XLSX downloads of the dashboards' tables: every filtered row (not just the
page shown), then the total row the table's footer shows.

CSV streams row by row (StreamingHttpResponse); XLSX is written by openpyxl in write-only
mode (rows go straight to a temporary file, never a whole workbook in memory) and the
file is streamed back.
"""

import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    """French spreadsheet conventions for CSV: decimal comma."""
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    if value is None:
        return ""
    return value


def table_rows(table):
    """Header, every row, then the total row (as the table footer shows it)."""
    yield from table.as_values()
    yield table.total_row()


def csv_response(table, filename):
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff"  # so that Excel reads UTF-8
        for row in table_rows(table):
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(sheets, filename):
    """sheets: [(title, table)] — one worksheet per table."""
    workbook = Workbook(write_only=True)
    for title, table in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in table_rows(table):
            sheet.append(["" if v is None else v for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)
