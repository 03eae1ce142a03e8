"""The streaming XLSX reader (`contracts.imports.xlsx_sheet`): each kind of cell a
spreadsheet program writes, read as `reading.cell_text` writes it, the row numbers of
the sheet kept — on workbooks saved by openpyxl and on sheet XML written by hand."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from contracts.imports.xlsx_sheet import SheetError, open_sheet, read_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1">'
    '<numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/>'
    '<numFmt numFmtId="165" formatCode="&quot;n° &quot;0"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    '<xf numFmtId="165"/></cellXfs></styleSheet>'
)


def rows_of(data: bytes, **limits) -> list[tuple[int, list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    limits = {"max_columns": 100, "max_line": 65536, **limits}
    return list(read_rows(archive, open_sheet(archive), **limits))


def workbook(sheet_data: str, *, shared: str = "", date1904=False, prefix="") -> bytes:
    """An XLSX whose first sheet ("Contrats") holds `sheet_data` (the inside of
    <sheetData>), with the shared strings `shared` (<si> items) and STYLES."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<workbookPr date1904="{int(date1904)}"/><sheets>'
            '<sheet name="Contrats" sheetId="1" r:id="rId7"/>'
            '<sheet name="Autre" sheetId="2" r:id="rId8"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId8" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId7" Type="{REL}/worksheet" Target="/xl/worksheets/s2.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="9">{shared}</sst>')
        archive.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"/>')
        archive.writestr(
            "xl/worksheets/s2.xml",
            f'<{p}worksheet {xmlns}><{p}dimension ref="A1:D9"/><{p}cols><{p}col min="1" '
            f'max="2" width="12"/></{p}cols><{p}sheetData>{sheet_data}</{p}sheetData>'
            f'<{p}mergeCells count="0"/></{p}worksheet>',
        )
    return out.getvalue()


def test_a_workbook_saved_by_openpyxl():
    book = Workbook()
    sheet = book.active
    sheet.append(["numero_contrat", "date_debut", "departement", "idcc", "nombre"])
    sheet.append(["  A-1 ", datetime.date(2024, 3, 15), "01", 1979, 12.0])
    sheet.append(["A-2", datetime.datetime(2024, 3, 16, 14, 30), "2A", "1979", 12.5])
    sheet.append([])
    sheet.append(["A-3", None, 974, None, True])
    sheet.cell(row=7, column=2, value="tout seul")
    out = io.BytesIO()
    book.save(out)

    assert rows_of(out.getvalue()) == [
        (1, ["numero_contrat", "date_debut", "departement", "idcc", "nombre"]),
        (2, ["A-1", "2024-03-15", "01", "1979", "12"]),
        (3, ["A-2", "2024-03-16", "2A", "1979", "12.5"]),
        (5, ["A-3", "", "974", "", "True"]),
        (7, ["", "tout seul", "", "", ""]),
    ]


def test_the_same_rows_as_calamine_read():
    """What the reader it replaces (python-calamine) gave, through `cell_text`."""
    calamine = pytest.importorskip("python_calamine")
    from contracts.imports.reading import cell_text

    book = Workbook()
    for row in (
        ["n", "début", "dép", "idcc", "x"],
        ["C-1", datetime.date(2025, 12, 31), "09", 3043, -4.25],
        ["C-2", datetime.date(2000, 1, 1), "  14", 0, 1e20],
        ["C&3 <b>", None, None, 1501.0, False],
    ):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    sheet = calamine.CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    expected = [
        (number, [cell_text(v) for v in row])
        for number, row in enumerate(sheet.get_sheet_by_index(0).to_python(), start=1)
    ]

    assert rows_of(out.getvalue()) == expected


def test_hand_written_sheet_xml():
    """Shared and inline strings (rich text, escapes, phonetic reading), numbers stored
    as text, date styles (built-in and custom), a number format that is not a date,
    formulas with their cached value, booleans, errors, styled empty cells, attributes
    in an unusual order or missing, and the first sheet found by its relation."""
    shared = (
        '<si><t>numero</t></si><si><t>date</t></si><si><t xml:space="preserve"> 0123 </t></si>'
        '<si><r><rPr><b/></rPr><t>Hôtels</t></r><r><t xml:space="preserve"> &amp; cafés</t>'
        '</r><rPh sb="0" eb="1"><t>ホ</t></rPh></si><si/><si><t>a_x000D_b</t></si>'
    )
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="inlineStr"><is><t>branche</t></is></c><c r="D1" t="s"><v>4</v></c></row>'
        '<row r="3" spans="1:4"><c r="A3" t="s"><v>2</v></c><c r="B3" s="1"><v>45366</v></c>'
        '<c r="C3" t="s"><v>3</v></c><c r="D3" s="3"><v>7</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><r><t>R&amp;</t></r><r><t>D</t></r></is></c>'
        '<c r="B4" s="2"><f>DATE(2024,3,16)</f><v>45367.75</v></c>'
        '<c r="C4" t="str"><f>A4&amp;"x"</f><v>R&amp;Dx</v></c><c r="D4" t="b"><v>1</v></c></row>'
        '<row r="5"><c r="A5" t="e"><v>#N/A</v></c><c r="B5" s="1"/><c r="C5" t="s"><v>5</v>'
        '</c><c t="inlineStr" r="D5"><is><t><![CDATA[x<y]]></t></is></c></row>'
        '<row r="6"><c t="s"><v>2</v></c><c s="1"/><c><v>0012</v></c>'
        '<c s="0" r="D6"><v>1E3</v></c></row>'
        '<row r="7"><c r="B7" s="1"/></row>'
    )

    assert rows_of(workbook(sheet, shared=shared)) == [
        (1, ["numero", "date", "branche"]),
        (3, ["0123", "2024-03-15", "Hôtels & cafés", "7"]),
        (4, ["R&D", "2024-03-16", "R&Dx", "True"]),
        (5, ["#N/A", "", "a\rb", "x<y"]),
        (6, ["0123", "", "12", "1000"]),
    ]


def test_a_prefixed_sheet_and_the_1904_date_system():
    sheet = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>jour</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" s="1"><x:v>0</x:v></x:c><x:c r="B2"><x:v>5</x:v></x:c></x:row>'
    )

    assert rows_of(workbook(sheet, date1904=True, prefix="x")) == [
        (1, ["jour"]),
        (2, ["1904-01-01", "5"]),
    ]


def test_rows_over_a_limit_are_refused_naming_them():
    wide = '<row r="1"><c r="A1"><v>1</v></c><c r="DA1"><v>2</v></c></row>'
    with pytest.raises(SheetError) as caught:
        rows_of(workbook(wide))
    assert str(caught.value) == "105 colonnes dans la feuille « Contrats » : 100 au plus."

    long = '<row r="1"><c r="A1"><v>1</v></c></row><row r="9"><c r="B9"><v>123456</v></c></row>'
    with pytest.raises(SheetError) as caught:
        rows_of(workbook(long), max_line=5)
    assert str(caught.value) == "ligne 9 : plus de 5 caractères (une cellule trop longue)"

    far = '<row r="2000000"><c r="A2000000"><v>1</v></c></row>'
    with pytest.raises(SheetError, match="une feuille a 1\xa0048\xa0576 lignes au plus"):
        rows_of(workbook(far))


def test_rows_are_read_across_blocks(monkeypatch):
    """Blocks cut the XML between rows, whatever their size."""
    monkeypatch.setattr("contracts.imports.xlsx_sheet.BLOCK", 64)
    sheet = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>ligne {n}</t></is></c>'
        f'<c r="B{n}"><v>{n * 1000}</v></c></row>'
        for n in range(1, 201)
    )
    shared = "".join(f"<si><t>{n}</t></si>" for n in range(50))

    rows = rows_of(workbook(sheet, shared=shared))

    assert rows == [(n, [f"ligne {n}", str(n * 1000)]) for n in range(1, 201)]
