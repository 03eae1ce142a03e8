"""The first sheet of an XLSX workbook, read as a stream: its rows as lists of strings.

A sheet is XML inside a zip archive. Its rows are read block by block (a megabyte of
XML at a time) and cut into cells by one regular expression, so memory holds the shared
strings table and one block, never the sheet: however far its last cell is, a sheet is
read in time and memory proportional to the cells it holds. Imports no Django.

A cell is written as `reading.cell_text` writes what an XLSX reader gives for it:
text stripped ("0123" stays "0123"), a number as "12" or "12.5", a date-formatted
number as its day "2024-03-15", a boolean as "True"/"False", an empty cell as "".
Text comes from the shared strings table, from an inline string or from a formula's
cached result.
"""

import codecs
import datetime
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from akto_portal.formats import number as _n

BLOCK = 1 << 20  # characters of XML decompressed and cut at a time
MAX_ROW = 1_048_576  # Excel's last row
MAX_COLUMN = 16_384  # and column (XFD)
# Built-in number formats that show a date (ECMA-376 18.8.30), Western and East Asian.
DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
EPOCHS = {False: datetime.date(1899, 12, 30), True: datetime.date(1904, 1, 1)}

Progress = Callable[[int, int], None]  # (characters read, characters in the sheet)


class SheetError(Exception):
    """The sheet cannot be read, or is over a limit; the message is French."""


@dataclass
class Sheet:
    """The first sheet of a workbook: its name and, once `rows()` ran, its width."""

    name: str
    path: str  # of the sheet's XML inside the archive
    shared_strings: list[str] = field(default_factory=list)
    date_styles: frozenset[str] = frozenset()
    date1904: bool = False


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{relation id: (type, target path in the archive)} of a part ("xl/workbook.xml")."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.namelist():
        return {}
    found = {}
    for element in ElementTree.fromstring(archive.read(rels)):
        target = element.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[element.get("Id", "")] = (element.get("Type", ""), posixpath.normpath(path))
    return found


def open_sheet(archive: zipfile.ZipFile) -> Sheet:
    """The first sheet of the workbook, with what reading its cells needs: the shared
    strings, which cell styles show dates, the date system."""
    package = _relations(archive, "")
    book = next(
        (path for kind, path in package.values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    workbook = ElementTree.fromstring(archive.read(book))
    first = next((e for e in workbook.iter() if _local(e.tag) == "sheet"), None)
    if first is None:
        raise SheetError("Le classeur ne contient aucune feuille.")
    relations = _relations(archive, book)
    sheet_path = relations.get(_attribute(first, "id") or "", ("", ""))[1]
    if sheet_path not in archive.namelist():
        raise SheetError("Classeur XLSX illisible : la première feuille est introuvable.")
    sheet = Sheet(name=first.get("name", ""), path=sheet_path)
    for element in workbook.iter():
        if _local(element.tag) == "workbookPr":
            sheet.date1904 = element.get("date1904", "0").lower() in ("1", "true")
    for kind, path in relations.values():
        if kind.endswith("/sharedStrings") and path in archive.namelist():
            sheet.shared_strings = _shared_strings(archive, path)
        elif kind.endswith("/styles") and path in archive.namelist():
            sheet.date_styles = _date_styles(archive.read(path))
    return sheet


def _is_date_code(code: str) -> bool:
    """Whether a number format code shows a date: d, m or y outside quoted text,
    escapes and [brackets]."""
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return bool(re.search(r"[dmy]", plain, re.IGNORECASE))


def _date_styles(xml: bytes) -> frozenset[str]:
    """The indexes (as written in a cell's `s`) of the cell styles that show a date."""
    root = ElementTree.fromstring(xml)
    custom = {}
    cell_formats: list[ElementTree.Element] = []
    for element in root:
        if _local(element.tag) == "numFmts":
            for fmt in element:
                custom[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
        elif _local(element.tag) == "cellXfs":
            cell_formats = list(element)
    dates = set()
    for index, xf in enumerate(cell_formats):
        number_format = int(xf.get("numFmtId", "0"))
        code = custom.get(number_format)
        if (code is None and number_format in DATE_FORMATS) or (code and _is_date_code(code)):
            dates.add(str(index))
    return frozenset(dates)


_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # OOXML's escape of a control character


def _entity(match: re.Match[str]) -> str:
    name = match[1]
    if name[0] == "#":
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    return _NAMED[name]


def _unescape(text: str) -> str:
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)
    return text


_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)


def _raw_text(xml: str) -> str:
    """The text of a string item (`<t>`, or rich text runs `<r><t>`), without its
    phonetic reading (`<rPh>`), still escaped."""
    if xml.startswith("<t>") and xml.endswith("</t>") and "<" not in xml[3:-4]:
        return xml[3:-4]
    xml = _CDATA.sub(lambda m: _escape(m[1]), xml)
    return "".join(_TEXT.findall(_PHONETIC.sub("", xml)))


def _rich_text(xml: str) -> str:
    return _unescape(_raw_text(xml)).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_AFTER_TAG = (" ", ">", "/", "\n", "\t", "\r")


def _blocks(archive: zipfile.ZipFile, path: str, start: str) -> Iterator[str]:
    """The member's XML, decoded, in blocks each ending just before a `<start` tag
    (with the namespace prefix the member uses, if any): a block holds whole elements;
    the last block the rest."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = ""
    opening = re.compile(rf"<(?:\w+:)?{start}[\s>/]")
    tag = ""  # "<row", "<x:row"...: learnt from the first one
    try:
        with archive.open(path) as member:
            while chunk := member.read(BLOCK):
                pending += decoder.decode(chunk)
                if not tag and (first := opening.search(pending)) is not None:
                    tag = first[0][:-1]
                cut = len(pending) if tag else 0
                while (cut := pending.rfind(tag, 0, cut)) > 0:
                    if pending[cut + len(tag) : cut + len(tag) + 1] in _AFTER_TAG:
                        break
                if cut <= 0:
                    if len(pending) > 64 * BLOCK:
                        raise SheetError(
                            "Classeur XLSX illisible : un élément de plus de 64 millions de "
                            "caractères."
                        )
                    continue
                yield pending[:cut]
                pending = pending[cut:]
            pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise SheetError("Classeur XLSX illisible : caractères invalides.") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        # zipfile reads a member up to its declared size, then checks its CRC: a
        # member larger than it declares ends here.
        raise SheetError(
            f"Classeur XLSX illisible (archive abîmée) : « {path} » ne correspond pas "
            "à la taille ou à la somme de contrôle qu'elle déclare."
        ) from exc
    yield pending


_STRING_ITEM = re.compile(r"<(?:\w+:)?si(?:\s*/>|>(.*?)</(?:\w+:)?si>)", re.S)


_PLAIN_ITEM = re.compile(r"<si><t(?: xml:space=\"preserve\")?>([^<&]*)</t></si>")


def _shared_strings(archive: zipfile.ZipFile, path: str) -> list[str]:
    strings: list[str] = []
    for block in _blocks(archive, path, "si"):
        plain = _PLAIN_ITEM.findall(block)  # most items: one run of text, no escape
        if len(plain) == block.count("<si") and "_x" not in block:
            strings.extend(map(str.strip, plain))
        else:
            strings.extend(_rich_text(item) for item in _STRING_ITEM.findall(block))
    return strings


# One token: a row's start tag, or a cell with its value. `_FAST` reads cells as
# spreadsheet programs write them (`<c r="B2" s="1" t="s"><v>0</v></c>`, or an inline
# string `<is><t>…</t></is>`), without namespace prefix; a block holding anything else
# (a formula, rich text, a prefix) is read by `_GENERAL`, whose tokens are put in the
# same shape: (row, row attributes, column letters, other attributes, value, text).
_FAST = re.compile(
    r'<(?:(row)\b(?: r="(\d+)")?[^>]*|c\b(?: r="([A-Z]+)\d+")?(?: s="(\d+)")?(?: t="(\w+)")?'
    r"([^>]*))>(?:<v>([^<]*)</v>|<is><t(?:\s[^>]*)?>([^<]*)</t></is>)?"
)
_GENERAL = re.compile(
    r"<(?:\w+:)?(?:(row)\b([^>]*)>"
    r'|c\b(?: r="([A-Z]+)\d+")?([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>))',
    re.S,
)
_PREFIXED = re.compile(r"<\w+:sheetData\b")
_PREFIXED_END = re.compile(r"</\w+:sheetData>")
_ATTRIBUTE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_VALUE = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


# (row, its number, column letters, style, type, other attributes, value, inline text)
Token = tuple[str, str, str, str, str, str, str, str]


def _general_tokens(block: str) -> list[Token]:
    """The tokens of a block `_FAST` does not read, in its shape."""
    tokens: list[Token] = []
    for row, row_attributes, letters, attributes, inner in _GENERAL.findall(block):
        found = dict(_ATTRIBUTE.findall(row_attributes or attributes))
        if row:
            tokens.append((row, found.get("r", ""), "", "", "", "", "", ""))
            continue
        if not letters:
            reference = re.match(r"[A-Z]+", found.get("r", ""))
            letters = reference[0] if reference else ""
        value = _VALUE.search(inner)
        text = _raw_text(inner) if "is>" in inner else ""
        style, kind = found.get("s", ""), found.get("t", "")
        tokens.append(("", "", letters, style, kind, "", value[1] if value else "", text))
    return tokens


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _number_text(value: str) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def read_rows(
    archive: zipfile.ZipFile,
    sheet: Sheet,
    *,
    max_columns: int,
    max_line: int,
    progress: Progress | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) of each row of the sheet that holds a cell, in order; the
    values padded to the widest row so far. Raises SheetError past a limit."""
    shared = sheet.shared_strings
    date_styles = sheet.date_styles
    epoch = EPOCHS[sheet.date1904]
    columns: dict[str, int] = {}
    dates: dict[str, str] = {}
    total = archive.getinfo(sheet.path).file_size
    done = 0
    width = 0
    number = 0  # the current row's number
    values: list[str] = []
    started = False
    prefixed = False
    following = 0  # the column of a cell without reference

    def finish(row: int, cells: list[str]) -> tuple[int, list[str]] | None:
        """The row, its trailing empty cells cut to the widest row so far; None when
        empty. Raises SheetError past a limit."""
        nonlocal width
        if not cells or not cells[-1]:
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                return None
        if len(cells) > width:
            if len(cells) > max_columns:
                raise SheetError(
                    f"{_n(len(cells))} colonnes dans la feuille « {sheet.name} » : "
                    f"{_n(max_columns)} au plus."
                )
            width = len(cells)
        elif len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        if len("".join(cells)) > max_line:
            raise SheetError(
                f"ligne {_n(row)} : plus de {_n(max_line)} caractères (une cellule trop longue)"
            )
        return row, cells

    def date_text(value: str) -> str:
        try:
            return (epoch + datetime.timedelta(days=int(float(value)))).isoformat()
        except (ValueError, OverflowError):
            return _number_text(value)

    for block in _blocks(archive, sheet.path, "row"):
        if not done:  # the first block: its elements have a prefix (<x:row>) or none
            prefixed = _PREFIXED.search(block) is not None
        done += len(block)
        end = block.find("</sheetData>")  # the rows end there
        if end == -1 and ":sheetData>" in block:
            found = _PREFIXED_END.search(block)
            end = found.start() if found else -1
        if end != -1:
            block = block[:end]
        fast = not prefixed and not (
            "<f" in block or "<r>" in block or "<r " in block or "<rPh" in block or "<!" in block
        )
        tokens = _FAST.findall(block) if fast else _general_tokens(block)
        for row, row_number, letters, style, kind, extra, v, inline in tokens:
            if row:
                if started and (complete := finish(number, values)) is not None:
                    yield complete
                started, values, following = True, [""] * width, 0
                number = int(row_number) if row_number else number + 1
                if number > MAX_ROW:
                    raise SheetError(
                        f"Ligne {_n(number)} : une feuille a {_n(MAX_ROW)} lignes au plus."
                    )
                continue
            if extra and extra != "/":  # attributes in another order, or others
                named = dict(_ATTRIBUTE.findall(extra))
                style, kind = style or named.get("s", ""), kind or named.get("t", "")
            if kind == "s":
                text = shared[int(v)] if v else ""
            elif kind == "inlineStr":
                text = _unescape(inline).strip()
            elif not kind or kind == "n":
                if not v:
                    text = ""
                elif style in date_styles:
                    text = dates.get(v) or dates.setdefault(v, date_text(v))
                elif v.isdigit() and (v[0] != "0" or v == "0"):
                    text = v
                else:
                    text = _number_text(v)
            elif kind == "b":
                text = "True" if v.strip() in ("1", "true") else "False"
            elif kind == "d":
                text = v[:10]
            else:  # "str" (a formula's text), "e" (an error: #N/A)
                text = _unescape(v).strip()
            try:
                index = columns[letters]
            except KeyError:  # a column not met yet, or no reference (the next one)
                index = _column_index(letters) if letters else following
                if letters:
                    columns[letters] = index
            following = index + 1
            if not text:
                continue
            if index >= len(values):  # wider than the rows before
                if index >= MAX_COLUMN:
                    raise SheetError(f"Classeur XLSX illisible : colonne « {letters} » invalide.")
                values.extend([""] * (index - len(values) + 1))
            values[index] = text
        if progress is not None:
            progress(done, total)
        if end != -1:
            break
    if started and (complete := finish(number, values)) is not None:
        yield complete
