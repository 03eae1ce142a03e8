"""Reading tabular files as a stream of rows: CSV (UTF-8 with or without BOM, or
Windows-1252; `,` or `;`) and XLSX (`xlsx_sheet`, in a child process).

Nothing is loaded whole in this process: a first pass over the bytes computes the
checksum and tells UTF-8 from Windows-1252; the second pass yields one row at a time.

Every file is bounded before and while it is read (`Limits`, from the IMPORT_*
settings): binary or undecodable content, too many columns and too long lines are
refused with a French message (`FileFormatError`), never an exception the caller did
not expect. An XLSX is a zip: the declared sizes of its members are checked first
(a "zip bomb" is refused in milliseconds), then the sheet is read as a stream by a
child process whose address space is capped, which writes it out as CSV: this process
reads and checks that CSV while the child writes it (two processors at work), keeping a
copy for a second pass; a member larger than its declared size is refused.
"""

import codecs
import contextlib
import csv
import datetime
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from akto_portal import formats

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls and other legacy Office files
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
MB = 1 << 20

Progress = Callable[[int, int], None]  # (done, total), in bytes or rows


class FileFormatError(Exception):
    """The file cannot be read (not a CSV/XLSX, empty, no header, over a limit)."""


@dataclass(frozen=True)
class Limits:
    columns: int = 100
    line_chars: int = 65536
    xlsx_expanded_bytes: int = 600 * MB
    xlsx_memory_bytes: int = 3072 * MB

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        return cls(
            columns=settings.IMPORT_MAX_COLUMNS,
            line_chars=settings.IMPORT_MAX_LINE_CHARS,
            xlsx_expanded_bytes=settings.IMPORT_MAX_XLSX_EXPANDED_MB * MB,
            xlsx_memory_bytes=settings.IMPORT_XLSX_MEMORY_MB * MB,
        )


def normalize_header(name: object) -> str:
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
    as a spreadsheet shows it. Values are strings (an XLSX cell is written out as
    `cell_text` gives it: '2024-03-15' for a date, '12' for 12.0).
    `reopen()` gives the rows again from the start (a second pass); `reopen().column(i)`
    only the values of column i, without checking the lines again (faster).
    """

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    checksum: str
    size: int
    encoding: str = ""
    delimiter: str = ""
    normalized: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None
    reopen: Callable[[], "Table"] | None = None
    column: Callable[[int], Iterator[tuple[int, str]]] | None = None

    def describe(self) -> str:
        if self.format == "xlsx":
            return "XLSX"
        encoding = {"utf-8-sig": "UTF-8 avec BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
        return f"CSV {encoding.get(self.encoding, self.encoding)}, séparateur « {self.delimiter} »"


@dataclass
class _Scan:
    checksum: str
    size: int
    utf8: bool
    cp1252: bool
    nul: bool
    head: bytes


def _scan(path: Path) -> _Scan:
    """Checksum, size, whether the bytes are valid UTF-8 or Windows-1252, any NUL byte."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = cp1252 = True
    nul = False
    size = 0
    with path.open("rb") as handle:
        head = handle.read(8)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            nul = nul or b"\x00" in chunk
            if cp1252 and any(byte in chunk for byte in CP1252_UNDEFINED):
                cp1252 = False
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
    return _Scan(digest.hexdigest(), size, utf8, cp1252, nul, head)


def open_table(
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    limits: Limits | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> Table:
    """Open a CSV or XLSX file; raises FileFormatError with a French message.

    `workdir`: where an XLSX is written out as CSV while it is read (default: a private
    temporary folder); the copy is deleted by `close()`."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    scan = _scan(path)
    if scan.size == 0:
        raise FileFormatError("Le fichier est vide.")
    if scan.head.startswith(XLSX_MAGIC):
        return _open_xlsx(path, scan, limits, progress, workdir)
    if scan.head.startswith(OLE_MAGIC):
        raise FileFormatError(
            "Classeur Excel ancien (.xls) : enregistrez-le au format .xlsx ou .csv."
        )
    if scan.head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileFormatError("Fichier en UTF-16 : enregistrez-le en CSV UTF-8.")
    if scan.nul:
        raise FileFormatError(
            "Ce fichier n'est ni un CSV ni un XLSX (contenu binaire) : "
            "envoyez un fichier .csv ou .xlsx."
        )
    if scan.utf8:
        encoding = "utf-8-sig" if scan.head.startswith(codecs.BOM_UTF8) else "utf-8"
    elif scan.cp1252:
        encoding = "cp1252"
    else:
        raise FileFormatError(
            "Encodage des caractères non reconnu (ni UTF-8 ni Windows-1252) : "
            "enregistrez le fichier en CSV UTF-8."
        )
    return _open_csv(
        path,
        checksum=scan.checksum,
        size=scan.size,
        encoding=encoding,
        progress=progress,
        limits=limits,
    )


def _lines(text: io.TextIOWrapper, limit: int, first_line: int) -> Iterator[str]:
    """The text's lines, refusing one longer than `limit` characters (a huge cell, or
    a file with no line breaks) before it is held whole in memory."""
    number = first_line
    while line := text.readline(limit + 1):
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise FileFormatError(
                f"ligne {formats.number(number)} : plus de {formats.number(limit)} caractères "
                "(une cellule trop longue, ou un fichier sans retours à la ligne)"
            )
        number += 1
        yield line


def _open_csv(
    path: Path,
    *,
    checksum: str,
    size: int,
    encoding: str,
    progress: Progress | None,
    limits: Limits,
    fmt: str = "csv",
    delimiter: str | None = None,
    cleanup: Callable[[], None] | None = None,
    stream: BinaryIO | None = None,
    position: Callable[[], tuple[int, int]] | None = None,
) -> Table:
    """`stream`: the CSV to read this first time instead of `path` (an XLSX's sheet as
    its child process writes it; `path`, its copy, is read by `reopen`), and
    `position`: how far its reading is (done, total)."""
    raw = stream if stream is not None else path.open("rb")
    if position is None:

        def position() -> tuple[int, int]:
            return raw.tell(), size

    def close() -> None:
        raw.close()
        if cleanup is not None:
            cleanup()

    try:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        first = text.readline(limits.line_chars + 1)
        if len(first) > limits.line_chars and not first.endswith(("\n", "\r")):
            if max(first.count(";"), first.count(",")) >= limits.columns:
                raise FileFormatError(
                    f"Plus de {formats.number(limits.columns)} colonnes : "
                    f"{formats.number(limits.columns)} au plus "
                    "(la première ligne doit porter les en-têtes des colonnes)."
                )
            raise FileFormatError(
                f"ligne 1 : plus de {formats.number(limits.line_chars)} caractères "
                "(la première ligne doit porter les en-têtes des colonnes)"
            )
        if not first.strip():
            raise FileFormatError("La première ligne (les en-têtes de colonnes) est vide.")
        if delimiter is None:
            delimiter = ";" if first.count(";") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        while header and not header[-1].strip():
            header.pop()  # trailing empty header cells are formatting, not columns
        if len(header) > limits.columns:
            raise FileFormatError(
                f"{formats.number(len(header))} colonnes : "
                f"{formats.number(limits.columns)} au plus "
                "(la première ligne doit porter les en-têtes des colonnes)."
            )
    except (FileFormatError, csv.Error, UnicodeDecodeError) as exc:
        close()
        if isinstance(exc, FileFormatError):
            raise
        raise FileFormatError(f"Première ligne illisible : {exc}") from exc
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = 1
        try:
            reader = csv.reader(_lines(text, limits.line_chars, 2), delimiter=delimiter)
            for line, values in enumerate(reader, start=2):  # noqa: B007
                if progress is not None and not line % 20000:
                    progress(*position())
                if len(values) > width and not "".join(values[width:]).strip():
                    values = values[:width]  # empty trailing cells, as in the header
                if "".join(values).strip():  # not a blank line
                    yield line, values
            if progress is not None:
                _done, total = position()
                progress(total, total)
        except csv.Error as exc:
            raise FileFormatError(f"ligne {formats.number(line + 1)} illisible : {exc}") from exc
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"ligne {formats.number(line + 1)} : caractères illisibles"
            ) from exc
        finally:
            close()

    def column(index: int) -> Iterator[tuple[int, str]]:
        """A second, lean pass over one column: (line, value) of every row that has it.
        The first pass has checked the lines (lengths, encoding): no check here."""
        try:
            reader = csv.reader(text, delimiter=delimiter)  # after the header line
            for line, values in enumerate(reader, start=2):
                if len(values) > index:
                    yield line, values[index]
        finally:
            close()

    def reopen() -> Table:
        return _open_csv(
            path,
            checksum=checksum,
            size=size,
            encoding=encoding,
            progress=None,
            limits=limits,
            fmt=fmt,
            delimiter=delimiter,
        )

    return Table(
        format=fmt,
        header=header,
        rows=rows(),
        checksum=checksum,
        size=size,
        encoding=encoding,
        delimiter=delimiter,
        normalized=[normalize_header(h) for h in header],
        close=close,
        reopen=reopen,
        column=column,
    )


def check_xlsx_archive(path: Path, limits: Limits) -> None:
    """Refuse an XLSX whose members, as the archive declares them, expand past the
    limit — before a byte is inflated. (A member larger than it declares is refused
    while it is read, by `xlsx_sheet`.)"""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileFormatError(f"Classeur XLSX illisible (archive abîmée) : {exc}") from exc
    expanded = sum(member.file_size for member in members)
    if len(members) > 10_000 or expanded > limits.xlsx_expanded_bytes:
        raise FileFormatError(
            f"Classeur trop volumineux une fois décompressé : {formats.number(expanded // MB)} Mo "
            f"pour {formats.number(limits.xlsx_expanded_bytes // MB)} Mo au plus. "
            "Enregistrez-le en CSV, ou découpez-le."
        )


def _open_xlsx(
    path: Path,
    scan: _Scan,
    limits: Limits,
    progress: Progress | None,
    workdir: str | os.PathLike[str] | None,
) -> Table:
    """The first sheet, read while the child process writes it out as CSV (both run at
    once); the CSV is copied into a private temporary folder for the second pass."""
    check_xlsx_archive(path, limits)
    folder = Path(tempfile.mkdtemp(prefix="xlsx-", dir=workdir))  # mode 0700
    target = folder / "sheet.csv"
    child = None

    def cleanup() -> None:
        if child is not None:
            child.close()
        target.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()

    try:
        child = _SheetChild(path, target, limits)
        table = _open_csv(
            target,
            checksum=scan.checksum,
            size=scan.size,
            encoding="utf-8",
            progress=progress,
            limits=limits,
            fmt="xlsx",
            delimiter=",",
            stream=io.BufferedReader(child, CHUNK),
            position=child.position,
        )
    except BaseException:
        cleanup()
        raise
    parent_close = table.close

    def close() -> None:
        parent_close()
        cleanup()

    table.close = close
    return table


class _SheetChild(io.RawIOBase):
    """contracts/imports/xlsx_child.py reading the first sheet of `path`: the CSV it
    writes on its standard output, read as it comes and copied into `target`; at its
    end, its verdict (FileFormatError when it refused the sheet or failed)."""

    def __init__(self, path: Path, target: Path, limits: Limits) -> None:
        super().__init__()
        root = Path(__file__).resolve().parents[2]
        self.copy = target.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "contracts.imports.xlsx_child",
                str(path),
                "-",
                str(limits.columns),
                str(limits.line_chars),
                str(limits.xlsx_memory_bytes),
            ],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        self.done, self.total = 0, 1
        self.messages: list[str] = []
        self.verdict: FileFormatError | None = None
        self.ended = False
        # Progress and messages come on the child's standard error, read meanwhile.
        self.listener = threading.Thread(target=self._listen, daemon=True)
        self.listener.start()

    def _listen(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            done, _, total = line.removeprefix("progress ").partition(" ")
            if line.startswith("progress ") and done.isdigit() and total.isdigit():
                self.done, self.total = int(done), max(int(total), 1)
            else:
                self.messages = [*self.messages[-20:], line]

    def position(self) -> tuple[int, int]:
        return min(self.done, self.total), self.total

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        stdout = self.process.stdout
        assert isinstance(stdout, io.BufferedReader)
        count = stdout.readinto(buffer)
        if count:
            self.copy.write(memoryview(buffer)[:count])
            return count
        self._end()
        return 0

    def _end(self) -> None:
        """The child has written all it will: raise its verdict if it failed."""
        if not self.ended:
            self.ended = True
            status = self.process.wait()
            self.listener.join()
            self.copy.close()
            self.done = self.total
            if status != 0:
                self.verdict = _child_error(status, "\n".join(self.messages))
        if self.verdict is not None:
            raise self.verdict

    def close(self) -> None:
        if self.process.poll() is None:  # stopped before its end: an error upstream
            self.process.kill()
        self.process.wait()
        self.listener.join()
        for handle in (self.process.stdout, self.process.stderr, self.copy):
            if handle is not None:
                handle.close()
        super().close()


def _child_error(status: int, errors: str) -> FileFormatError:
    if status == 2:  # a refusal, already phrased for the user
        return FileFormatError(errors.strip().splitlines()[-1])
    if "memory allocation" in errors or "MemoryError" in errors or status < 0:
        return FileFormatError(
            "Classeur trop volumineux pour être lu (mémoire insuffisante) : "
            "enregistrez-le en CSV, ou découpez-le."
        )
    last = errors.strip().splitlines()[-1] if errors.strip() else f"code {status}"
    return FileFormatError(f"Classeur XLSX illisible : {last}")


def cell_text(value: object) -> str:
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


def parse_date(value: object) -> datetime.date:
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


def parse_int(value: object) -> int:
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
