"""Read figures off a rendered page the way a user does: by row and column heading."""

import re
from html.parser import HTMLParser


class _Reader(HTMLParser):
    """Collects each table as rows of cell texts, and each <dl> as (term, definition)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.facts: list[tuple[str, str]] = []
        self._cell: list[str] | None = None
        self._term: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th", "dt", "dd"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag not in ("td", "th", "dt", "dd") or self._cell is None:
            return
        text = re.sub(r"[ \t\n\r]+", " ", "".join(self._cell)).strip()
        self._cell = None
        if tag in ("td", "th"):
            self.tables[-1][-1].append(text)
        elif tag == "dt":
            self._term = text
        else:
            self.facts.append((self._term or "", text))

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def indicator_rows(html: str) -> dict[str, dict[str, str]]:
    """{indicator name: {column heading: cell text}} of every table of indicators on the
    page (those with a "Réalisé" column). Headings lose the period they name
    ("Objectif 2025-27" reads "Objectif")."""
    reader = _Reader()
    reader.feed(html)
    rows = {}
    for table in reader.tables:
        if not table or "Réalisé" not in table[0]:
            continue
        headings = [re.sub(r" \d{4}-\d{2}$", "", h) for h in table[0]]
        for cells in table[1:]:
            if len(cells) == len(headings):
                rows[cells[0]] = dict(zip(headings, cells, strict=True))
    return rows


def table_rows(html: str, first_heading: str) -> list[list[str]]:
    """The body rows of the first table whose first column is headed `first_heading`."""
    reader = _Reader()
    reader.feed(html)
    for table in reader.tables:
        if table and table[0] and table[0][0] == first_heading:
            return table[1:]
    raise AssertionError(f"No table headed {first_heading!r}")


def facts(html: str) -> dict[str, str]:
    """{term: definition} of the page's definition lists."""
    reader = _Reader()
    reader.feed(html)
    return dict(reader.facts)
