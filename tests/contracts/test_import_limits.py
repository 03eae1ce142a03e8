"""Bounded reading of imported files: zip bombs, sheets wider or larger than they look,
binary and undecodable files, too many columns, too long lines — each refused with a
French message, never an exception, and in bounded time and memory."""

import io
import struct
import time
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from contracts.imports.reading import FileFormatError, Limits, open_table
from contracts.models import ContractCount

pytestmark = pytest.mark.django_db

ROW = (
    b'<row><c t="inlineStr"><is><t>28</t></is></c><c><v>2024</v></c>'
    b'<c t="inlineStr"><is><t>apprentissage</t></is></c><c><v>1</v></c></row>'
)


def workbook_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_sheet(template: bytes, path, sheet_rows: int):
    """`template` whose first sheet is replaced by a header and `sheet_rows` identical
    rows, deflated: a few MB that expand a hundredfold and more."""
    source = zipfile.ZipFile(io.BytesIO(template))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, source.read(info.filename))
                continue
            member = zipfile.ZipInfo(info.filename)
            member.compress_type = zipfile.ZIP_DEFLATED
            with out.open(member, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row><c t="inlineStr"><is><t>region</t></is></c><c t="inlineStr"><is>'
                    b'<t>annee</t></is></c><c t="inlineStr"><is><t>type_contrat</t></is></c>'
                    b'<c t="inlineStr"><is><t>nombre</t></is></c></row>'
                )
                block = ROW * 10_000
                for _ in range(sheet_rows // 10_000):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return path


def lie_about_size(path, member_name, declared):
    """Rewrite the sizes the archive declares for one (non-zip64) member."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(member_name)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == member_name.encode():
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def refusal(path, **limits):
    with pytest.raises(FileFormatError) as caught:
        table = open_table(path, limits=Limits(**limits))
        for _row in table.rows:
            pass
    return str(caught.value)


HEADER = [["region", "annee", "type_contrat", "nombre"]]


def test_a_zip_bomb_is_refused_in_seconds_before_it_is_inflated(tmp_path, import_contracts):
    """A 4 MB XLSX whose sheet expands to 1.1 GB grew without bound in import_contracts."""
    path = with_sheet(workbook_bytes(HEADER), tmp_path / "bombe.xlsx", 9_000_000)
    assert path.stat().st_size < 8 * 2**20
    declared = sum(m.file_size for m in zipfile.ZipFile(path).infolist())
    assert declared > 1_100_000_000

    began = time.perf_counter()
    report = import_contracts(path)

    assert time.perf_counter() - began < 2
    assert [e.message for e in report.errors] == [
        "Classeur trop volumineux une fois décompressé : 1\xa0141 Mo pour 600 Mo au plus. "
        "Enregistrez-le en CSV, ou découpez-le."
    ]
    assert not ContractCount.objects.exists()


def test_a_member_larger_than_it_declares_is_refused_while_read(tmp_path):
    path = with_sheet(workbook_bytes(HEADER), tmp_path / "menteur.xlsx", 200_000)
    lie_about_size(path, "xl/worksheets/sheet1.xml", 5_000)

    assert refusal(path) == (
        "Classeur XLSX illisible (archive abîmée) : « xl/worksheets/sheet1.xml » ne "
        "correspond pas à la taille ou à la somme de contrôle qu'elle déclare."
    )


def test_a_sheet_reaching_its_last_cell_is_refused_in_bounded_time_and_memory(tmp_path):
    """A 5 KB file naming cell XFD1048576 made calamine ask for 512 GB: the sheet is
    read as a stream, and that one cell is a row of 16 384 columns."""
    workbook = Workbook()
    workbook.active.append(HEADER[0])
    workbook.active.cell(row=1_048_576, column=16_384, value=1)
    workbook.save(tmp_path / "creux.xlsx")

    began = time.perf_counter()
    message = refusal(tmp_path / "creux.xlsx")

    assert time.perf_counter() - began < 10
    assert message == "16\xa0384 colonnes dans la feuille « Sheet » : 100 au plus."


def test_a_sheet_with_too_many_columns(tmp_path):
    workbook = Workbook()
    workbook.active.append([f"c{i}" for i in range(150)])
    workbook.save(tmp_path / "large.xlsx")

    assert refusal(tmp_path / "large.xlsx") == (
        "150 colonnes dans la feuille « Sheet » : 100 au plus."
    )


def test_an_xlsx_cell_over_the_line_limit(tmp_path):
    (tmp_path / "long.xlsx").write_bytes(
        workbook_bytes([*HEADER, ["28", 2024, "apprentissage", "9" * 30_000]])
    )

    assert refusal(tmp_path / "long.xlsx", line_chars=20_000) == (
        "ligne 2 : plus de 20\xa0000 caractères (une cellule trop longue)"
    )


def test_an_xlsx_row_keeps_its_spreadsheet_line_number(tmp_path, import_contracts):
    (tmp_path / "faux.xlsx").write_bytes(
        workbook_bytes([*HEADER, ["28", 2024, "apprentissage", 4], [], ["42", 2024, "A", 1]])
    )

    report = import_contracts(tmp_path / "faux.xlsx")

    assert [(e.line, e.message) for e in report.errors] == [(4, "code région inconnu « 42 »")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "Ce fichier n'est ni un CSV ni un XLSX (contenu binaire)"),
        ("region;annee\n28;2024\n".encode("utf-16"), "Fichier en UTF-16"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Classeur Excel ancien (.xls)"),
        (b"region;annee\n28;\x81\x8d2024\n", "Encodage des caractères non reconnu"),
        (b"PK\x03\x04 not really a zip", "Classeur XLSX illisible (archive abîmée)"),
    ],
)
def test_files_that_are_not_csv_or_xlsx(write_file, import_contracts, content, message):
    report = import_contracts(write_file("fichier.csv", content))

    assert report.error_count == 1 and report.errors[0].message.startswith(message)


def test_a_long_line_of_a_csv_is_named(write_file, import_contracts):
    path = write_file(
        "long.csv", "region;annee;type_contrat;nombre\n28;2024;A;1\n28;2023;A;" + "1" * 70_000
    )

    report = import_contracts(path)

    assert [(e.line, e.message) for e in report.errors] == [
        (
            None,
            "ligne 3 : plus de 65\xa0536 caractères (une cellule trop longue, ou un fichier "
            "sans retours à la ligne)",
        )
    ]


def test_the_command_still_imports_an_xlsx_synchronously(tmp_path):
    path = tmp_path / "modele.xlsx"
    path.write_bytes(workbook_bytes([*HEADER, ["28", 2024, "apprentissage", 42]]))
    out = io.StringIO()

    call_command("import_contracts", str(path), "--no-progress", stdout=out)

    assert "Format : Contrats : nombres agrégés — XLSX" in out.getvalue()
    assert list(ContractCount.objects.values_list("count", flat=True)) == [42]


def test_the_command_reports_a_zip_bomb(tmp_path, settings):
    settings.IMPORT_MAX_XLSX_EXPANDED_MB = 10
    path = with_sheet(workbook_bytes(HEADER), tmp_path / "bombe.xlsx", 200_000)

    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_contracts", str(path), "--no-progress", stdout=io.StringIO())


@pytest.mark.parametrize("delimiter", [";", ","])
def test_a_csv_header_with_too_many_columns_is_refused_however_short(
    write_file, import_contracts, delimiter
):
    """150 columns in a header of a few hundred characters (far below the 65 536 of a
    line): refused by the column cap (100), not only when the line is too long."""
    header = delimiter.join(f"c{i}" for i in range(150))
    assert len(header) < 1000
    path = write_file("large.csv", header + "\n" + delimiter.join(["1"] * 150) + "\n")

    assert refusal(path) == (
        "150 colonnes : 100 au plus (la première ligne doit porter les en-têtes des colonnes)."
    )
    report = import_contracts(path)
    assert [(e.line, e.message) for e in report.errors] == [
        (
            None,
            "150 colonnes : 100 au plus (la première ligne doit porter les en-têtes des colonnes).",
        )
    ]
    assert ContractCount.objects.count() == 0


def test_a_csv_header_at_the_column_cap_is_read(write_file):
    path = write_file("wide.csv", ";".join(f"c{i}" for i in range(100)) + "\n1" + ";1" * 99 + "\n")
    table = open_table(path, limits=Limits())
    assert len(table.header) == 100
    assert [values for _line, values in table.rows] == [["1"] * 100]
