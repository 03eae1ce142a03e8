"""Reading tabular files as a stream of rows: CSV (UTF-8 with or without BOM, or
Windows-1252; `,` or `;`) and XLSX (openpyxl in read-only mode).

Nothing is loaded whole: a first pass over the bytes computes the checksum and tells
UTF-8 from Windows-1252; the second pass yields one row at a time.
"""

import codecs
import csv
import datetime
import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"

Progress = Callable[[int, int], None]  # (done, total), in bytes or rows


class FileFormatError(Exception):
    """The file cannot be read at all (not a CSV/XLSX, empty, no header)."""


def normalize_header(name) -> str:
    """'Numéro de contrat ' -> 'numero_de_contrat'."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    out = []
    for char in text.strip().lower():
        out.append(char if char.isalnum() else "_")
    return "_".join(part for part in "".join(out).split("_") if part)


@dataclass
class Table:
    """A file opened for reading: its header and a one-pass iterator over its rows.

    Rows are (line_number, values); line 1 is the header, so the first data row is 2,
    as a spreadsheet shows it. Values are strings for CSV; XLSX cells keep their type
    (int, float, datetime) and None for empty cells.
    """

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list]]
    checksum: str
    size: int
    encoding: str = ""
    delimiter: str = ""
    normalized: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None

    def describe(self):
        if self.format == "xlsx":
            return "XLSX"
        encoding = {"utf-8-sig": "UTF-8 avec BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
        return f"CSV {encoding.get(self.encoding, self.encoding)}, séparateur « {self.delimiter} »"


def _scan(path: Path):
    """Checksum, size, whether the bytes are valid UTF-8, whether they start with a BOM."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return digest.hexdigest(), size, utf8, head


def open_table(path, *, progress: Progress | None = None) -> Table:
    path = Path(path)
    checksum, size, utf8, head = _scan(path)
    if size == 0:
        raise FileFormatError("Le fichier est vide.")
    if head.startswith(XLSX_MAGIC):
        return _open_xlsx(path, checksum, size, progress)
    encoding = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8") if utf8 else "cp1252"
    return _open_csv(path, checksum, size, encoding, progress)


def _open_csv(path, checksum, size, encoding, progress):
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    first = text.readline()
    if not first.strip():
        raw.close()
        raise FileFormatError("La première ligne (les en-têtes de colonnes) est vide.")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter))

    def rows():
        try:
            reader = csv.reader(text, delimiter=delimiter)
            line = 1
            for line, values in enumerate(reader, start=2):  # noqa: B007
                if progress is not None and not line % 20000:
                    progress(raw.tell(), size)
                if values and any(v.strip() for v in values):
                    yield line, values
            if progress is not None:
                progress(size, size)
        finally:
            raw.close()

    return Table(
        format="csv",
        header=header,
        rows=rows(),
        checksum=checksum,
        size=size,
        encoding=encoding,
        delimiter=delimiter,
        normalized=[normalize_header(h) for h in header],
        close=raw.close,
    )


def _open_xlsx(path, checksum, size, progress):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken archive
        raise FileFormatError(f"Classeur XLSX illisible : {exc}") from exc
    sheet = workbook.worksheets[0]
    total = sheet.max_row or 0
    iterator = sheet.iter_rows(values_only=True)
    header_row = next(iterator, None)
    if not header_row or not any(header_row):
        workbook.close()
        raise FileFormatError("La première ligne (les en-têtes de colonnes) est vide.")
    # Trailing empty header cells are formatting, not columns.
    header = [("" if h is None else str(h)) for h in header_row]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)

    def rows():
        try:
            line = 1
            for line, values in enumerate(iterator, start=2):  # noqa: B007
                if progress is not None and not line % 20000:
                    progress(line, max(total, line))
                values = list(values)
                extra = values[width:]
                values = values[:width] + [None] * (width - len(values))
                if any(v not in (None, "") for v in extra):
                    values.append(next(v for v in extra if v not in (None, "")))
                if any(v not in (None, "") for v in values):
                    yield line, values
            if progress is not None:
                progress(max(total, line), max(total, line))
        finally:
            workbook.close()

    return Table(
        format="xlsx",
        header=header,
        rows=rows(),
        checksum=checksum,
        size=size,
        normalized=[normalize_header(h) for h in header],
        close=workbook.close,
    )


def cell_text(value) -> str:
    """A cell as text: '' for empty, '2024-03-15' for dates, '12' for 12.0."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value) -> datetime.date:
    """ISO (2024-03-15), French (15/03/2024) or an XLSX date; raises ValueError."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if len(text) >= 10 and text[4] == "-":
        return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
    raise ValueError(text)


def parse_int(value) -> int:
    """'3 071', '3071', 3071.0 -> 3071; raises ValueError for '12,5' or 'abc'."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = cell_text(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if text.endswith((".0", ",0")):
        text = text[:-2]
    return int(text)
