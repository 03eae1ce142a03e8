"""Benchmark: import N contract lines (default 1 000 000) and report time and peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akto5dev \
        .venv/bin/python bench/import_contracts.py --lines 1000000

Generates a contract-lines CSV (`;`, French dates, departments, IDCCs, one contract per
line, unique numbers) in a temporary folder, migrates the database, then imports the
file in a child process (so its peak RSS is the import's alone) and prints one line
per size, with the throughput. Run with several sizes (--lines 100000 --lines 1000000)
to see that memory does not grow with the file. `--xlsx`: the same lines as an XLSX
workbook, as a spreadsheet program saves it (read as a stream by a child process,
`contracts.imports.xlsx_sheet`). `--check-only`: the file is read and checked (what the
preview does before the figures are planned) and nothing is written: rows per second of
reading and checking, end to end.
"""

import argparse
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "974"]
IDCCS = ["1979", "1501", "1266", "2060", "3043", "1351", "2378", "3127", "1631", "2257"]


def generate(path, lines, seed=5, run=""):
    """Contract numbers carry `run` so that each benchmark run is a new file."""
    rng = random.Random(seed)
    start = datetime.date(2024, 1, 1).toordinal()
    span = datetime.date(2025, 12, 31).toordinal() - start
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "numero_contrat;date_debut;departement;idcc;type_contrat;rqth;uai_cfa;"
            "niveau_diplome;date_rupture\n"
        )
        for i in range(lines):
            day = datetime.date.fromordinal(start + rng.randrange(span))
            kind = "apprentissage" if rng.random() < 0.85 else "professionnalisation"
            rqth = "oui" if rng.random() < 0.03 else "non"
            out.write(
                f"C{run}{seed:02d}-{i:09d};{day:%d/%m/%Y};{rng.choice(DEPARTMENTS)};"
                f"{rng.choice(IDCCS)};{kind};{rqth};0{rng.randrange(100000, 999999)}A;"
                f"{rng.randrange(3, 8)};\n"
            )


SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
XLSX_PARTS = {
    "[Content_Types].xml": (
        f'{XML}<Types xmlns="{PKG}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{SML}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'{XML}<Relationships xmlns="{PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        '<sheets><sheet name="contrats" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'{XML}<Relationships xmlns="{PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'{XML}<styleSheet xmlns="{MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        "</cellXfs></styleSheet>"
    ),
}


def generate_xlsx(path, lines, seed=5, run=""):
    """The same lines as `generate`, as an XLSX workbook laid out as a spreadsheet
    program saves one: text in the shared strings table, dates as date-formatted serial
    numbers, IDCCs and diploma levels as numbers, cell references on every cell."""
    import zipfile
    from xml.sax.saxutils import escape

    csv_path = path.with_suffix(".csv")
    generate(csv_path, lines, seed=seed, run=run)
    strings: dict[str, int] = {}
    epoch = datetime.date(1899, 12, 30).toordinal()
    columns = "ABCDEFGHI"

    def text(ref, value):
        index = strings.setdefault(value, len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        csv_path.open(encoding="utf-8") as rows,
    ):
        for name, xml in XLSX_PARTS.items():
            archive.writestr(name, xml)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{XML}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            header = next(rows).rstrip("\n").split(";")
            cells = "".join(text(f"{columns[i]}1", h) for i, h in enumerate(header))
            sheet.write(f'<row r="1">{cells}</row>'.encode())
            for r, row in enumerate(rows, start=2):
                number, start, department, idcc, kind, rqth, uai, level, _break = row.split(";")
                day, month, year = start.split("/")
                serial = datetime.date(int(year), int(month), int(day)).toordinal() - epoch
                sheet.write(
                    (
                        f'<row r="{r}">{text(f"A{r}", number)}'
                        f'<c r="B{r}" s="1"><v>{serial}</v></c>{text(f"C{r}", department)}'
                        f'<c r="D{r}"><v>{idcc}</v></c>{text(f"E{r}", kind)}'
                        f"{text(f'F{r}', rqth)}{text(f'G{r}', uai)}"
                        f'<c r="H{r}"><v>{level}</v></c></row>'
                    ).encode()
                )
            sheet.write(b"</sheetData></worksheet>")
        shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'{XML}<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            f"{shared}</sst>",
        )
    csv_path.unlink()


def check_only(path):
    """Read and check `path` as an import does, write nothing; print rows per second."""
    from contracts.imports import contracts as contract_files
    from contracts.imports.layouts import CONTRACT_LAYOUTS, detect
    from contracts.imports.reading import open_table
    from contracts.imports.report import ImportReport

    began = time.perf_counter()
    table = open_table(path)
    report = ImportReport()
    try:
        facts = contract_files.parse(
            table,
            detect(table.normalized, CONTRACT_LAYOUTS),
            report=report,
            lookups=contract_files.Lookups(),
            today=datetime.date.today(),
            reopen=table.reopen,
        )
    finally:
        table.close()
    elapsed = time.perf_counter() - began
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if report.error_count:
        print("FAILED", report.errors[:5], file=sys.stderr)
        sys.exit(1)
    print(
        f"{report.rows_read:>10,} lines  {elapsed:6.1f} s  peak RSS {peak_mib:6.0f} MiB "
        f"(reader process {child_mib:.0f} MiB)  {len(facts):,} figures  read and checked, "
        f"{table.describe()}: {report.rows_read / elapsed:,.0f} rows/s (load average "
        f"{os.getloadavg()[0]:.1f})"
    )


def child(path, checking_only=False):
    """Import `path` in this process and print seconds, peak RSS and the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akto_portal.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    if checking_only:
        check_only(path)
        return
    from contracts.services import contract_import

    began = time.perf_counter()
    report = contract_import(path=Path(path), file_name=Path(path).name)
    elapsed = time.perf_counter() - began
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not report.ok:
        reason = "already imported" if report.already_imported else report.errors[:5]
        print("FAILED", reason, file=sys.stderr)
        sys.exit(1)
    print(
        f"{report.rows_read:>10,} lines  {elapsed:6.1f} s  peak RSS {peak_mib:6.0f} MiB  "
        f"{len(report.facts):,} figures written, {report.rows_to_replace:,} replaced  "
        f"{report.file_format}: {report.rows_read / elapsed:,.0f} lines/s (load average "
        f"{os.getloadavg()[0]:.1f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, action="append", help="repeatable")
    parser.add_argument("--xlsx", action="store_true", help="an XLSX file instead of a CSV")
    parser.add_argument(
        "--check-only", action="store_true", help="read and check the file, write nothing"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.check_only)
        return
    env = {**os.environ, "DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite (db.sqlite3)')}")
    with tempfile.TemporaryDirectory() as folder:
        for seed, lines in enumerate(args.lines or [1_000_000], start=1):
            path = Path(folder) / f"contrats-{lines}.{'xlsx' if args.xlsx else 'csv'}"
            began = time.perf_counter()
            (generate_xlsx if args.xlsx else generate)(
                path, lines, seed=seed, run=f"{int(time.time())}-"
            )
            size_mib = path.stat().st_size / 2**20
            seconds = time.perf_counter() - began
            print(f"generated {lines:,} lines, {size_mib:.0f} MiB in {seconds:.1f} s")
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(path),
                    *(["--check-only"] if args.check_only else []),
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )


if __name__ == "__main__":
    main()
