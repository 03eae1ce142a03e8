"""Lists of attendees pasted or uploaded as CSV: decode, split, check every line.

Accepts what people actually have: a registration form's export or a typed-up sign-in
sheet, with `;` (French Excel), `,` or tab separators, UTF-8 with or without BOM or
Windows-1252, with or without a header line. Columns: the identifier (SIRET or UAI)
first and the name second, or any order when a header names them.
"""

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from events.identifiers import parse_identifier

MAX_LINES = 2000
ID_HEADERS = ("siret", "uai", "identifiant", "numéro", "numero", "n°")
NAME_HEADERS = ("nom", "raison", "organisme", "entreprise", "établissement", "etablissement")


@dataclass
class AttendeeRow:
    line: int
    raw_identifier: str
    name: str = ""
    kind: str = ""
    identifier: str = ""
    error: str = ""
    already_recorded: bool = False


@dataclass
class AttendeeList:
    rows: list[AttendeeRow] = field(default_factory=list)
    error: str = ""

    @property
    def bad_rows(self) -> list[AttendeeRow]:
        return [r for r in self.rows if r.error]

    @property
    def is_valid(self) -> bool:
        return not self.error and not self.bad_rows

    @property
    def new_rows(self) -> list[AttendeeRow]:
        return [r for r in self.rows if not r.error and not r.already_recorded]

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind and not r.error)


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 — what French Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _header_columns(cells: list[str]) -> tuple[int, int | None] | None:
    """(identifier column, name column) when the line is a header, else None."""
    lowered = [c.strip().lower() for c in cells]
    id_col = next((i for i, c in enumerate(lowered) if c.startswith(ID_HEADERS)), None)
    name_col = next(
        (i for i, c in enumerate(lowered) if i != id_col and c.startswith(NAME_HEADERS)), None
    )
    if id_col is None and name_col is None:
        return None
    return (id_col if id_col is not None else 0), name_col


def parse_attendee_list(
    text: str, *, known_identifiers: Collection[str] = frozenset()
) -> AttendeeList:
    """Every line of the list with its problem, if any, by line number (1 = first line)."""
    result = AttendeeList()
    text = text.lstrip("\ufeff")
    if not text.strip():
        return result
    reader = csv.reader(io.StringIO(text), delimiter=_separator(text))
    id_col: int = 0
    name_col: int | None = 1
    seen: dict[str, int] = {}
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if first:
                first = False
                header = _header_columns(cells)
                if header is not None:
                    id_col, name_col = header
                    continue
            if len(result.rows) >= MAX_LINES:
                result.error = f"Liste trop longue : {MAX_LINES} lignes au plus par envoi."
                break
            raw = cells[id_col].strip() if id_col < len(cells) else ""
            name = cells[name_col].strip() if name_col is not None and name_col < len(cells) else ""
            row = AttendeeRow(line=line, raw_identifier=raw, name=name[:250])
            try:
                row.kind, row.identifier = parse_identifier(raw)
            except ValidationError as error:
                row.error = error.messages[0]
            else:
                if row.identifier in seen:
                    row.error = f"{row.identifier} déjà présent ligne {seen[row.identifier]}"
                else:
                    seen[row.identifier] = line
                    row.already_recorded = row.identifier in known_identifiers
            result.rows.append(row)
    except csv.Error as error:
        result.error = f"Ligne {reader.line_num} illisible : {error}"
    return result
