"""Run as a child process by `reading._xlsx_to_csv`: the first sheet of an XLSX -> CSV.

    python -m contracts.imports.xlsx_child IN.xlsx OUT.csv MAX_COLUMNS MAX_LINE MAX_MEMORY

OUT "-": the standard output, read by the worker while it is written (`reading`).

The sheet is read as a stream (`xlsx_sheet`); the shared strings table is held whole.
The reading runs here, with its address space capped (RLIMIT_AS) and its CPU time too:
past the cap the allocation fails and this process dies, not the worker. Imports no
Django.

Exit 0: OUT written (UTF-8, `,`), one line per sheet row from row 1 (a row without
cells is an empty line), cells as `cell_text` gives them; progress lines
"progress done total" (characters of the sheet's XML) on stderr.
Exit 2: refused, the reason (in French) on the last line of stderr.
"""

import csv
import resource
import sys
import zipfile

from contracts.imports.xlsx_sheet import SheetError, open_sheet, read_rows

CPU_SECONDS = 900


def refuse(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(2)


def convert(source: str, target: str, max_columns: int, max_line: int, max_memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))

    def progress(done: int, total: int) -> None:
        print("progress", done, total, file=sys.stderr, flush=True)

    try:
        with (
            zipfile.ZipFile(source) as archive,
            open(
                sys.stdout.fileno() if target == "-" else target,
                "w",
                encoding="utf-8",
                newline="",
                buffering=1 << 16,
            ) as out,
        ):
            sheet = open_sheet(archive)
            write, blank = csv.writer(out).writerow, out.write
            written = 0  # rows written so far: row n is line n
            for number, values in read_rows(
                archive, sheet, max_columns=max_columns, max_line=max_line, progress=progress
            ):
                if number > written + 1:
                    blank("\r\n" * (number - written - 1))  # rows without cells
                write(values)
                written = number
    except SheetError as exc:
        refuse(str(exc))
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, SyntaxError) as exc:
        refuse(f"Classeur XLSX illisible : {exc}")


if __name__ == "__main__":
    source, target, columns, line, memory = sys.argv[1:6]
    convert(source, target, int(columns), int(line), int(memory))
