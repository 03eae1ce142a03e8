"""Run as a child process by `reading._xlsx_to_csv`: the first sheet of an XLSX -> CSV.

    python -m contracts.imports.xlsx_child IN.xlsx OUT.csv MAX_COLUMNS MAX_LINE MAX_MEMORY

calamine (Rust) reads a sheet whole, into a grid as wide and high as its farthest cell:
a tiny file naming cell XFD1048576 asks for hundreds of gigabytes. So the reading runs
here, with its address space capped (RLIMIT_AS) and its CPU time too; past the cap the
allocation fails and this process dies, not the worker. Imports no Django.

Exit 0: OUT written (UTF-8, `,`), one line per sheet row from row 1, cells as
`cell_text` gives them; progress "done total" lines on stdout.
Exit 2: refused, the reason (in French) on the last line of stderr.
"""

import csv
import datetime
import resource
import sys

from akto_portal import formats
from contracts.imports.reading import cell_text

CPU_SECONDS = 900


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


# What `cell_text` gives for the types calamine returns most (the others go through it).
TEXT = {
    float: _number_text,
    int: str,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: lambda value: value.date().isoformat(),
    type(None): lambda value: "",
}


def refuse(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def convert(source, target, max_columns, max_line, max_memory):
    resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(source)
        if not workbook.sheet_names:
            refuse("Le classeur ne contient aucune feuille.")
        sheet = workbook.get_sheet_by_index(0)
    except CalamineError as exc:
        refuse(f"Classeur XLSX illisible : {exc}")
    if sheet.width > max_columns:
        refuse(
            f"{formats.number(sheet.width)} colonnes dans la feuille « {sheet.name} » : "
            f"{formats.number(max_columns)} au plus."
        )
    start_row = sheet.start[0] if sheet.start else 0
    total = start_row + sheet.height
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for _ in range(start_row):
            writer.writerow([])  # keep the spreadsheet's row numbers
        text, write = TEXT.get, writer.writerow
        for line, row in enumerate(sheet.iter_rows(), start=start_row + 1):
            # cell_text, with the commonest types looked up rather than tested in turn
            values = [v.strip() if type(v) is str else text(type(v), cell_text)(v) for v in row]
            if len("".join(values)) > max_line:
                refuse(
                    f"ligne {formats.number(line)} : plus de {formats.number(max_line)} caractères "
                    "(une cellule trop longue)"
                )
            write(values)
            if not line % 50000:
                print(line, total, flush=True)
    print(total, total, flush=True)


if __name__ == "__main__":
    source, target, columns, line, memory = sys.argv[1:6]
    convert(source, target, int(columns), int(line), int(memory))
