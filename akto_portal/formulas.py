"""The formula guard of every spreadsheet the portal writes: a text cell starting with
`=`, `+`, `-`, `@` (or a tab / carriage return) gets a leading `'`, so that a spreadsheet
shows it instead of running it (CSV/formula injection); real numbers stay numbers.
Unknown figures ("—" on a page) are empty cells. No Django import: settings use it."""

import datetime
import re
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNKNOWN = ("—", "–")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value as a cell: None or "—" -> "", "=1+1" -> "'=1+1", "-12,5" and numbers as
    they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    text = str(value)
    if text.strip() in UNKNOWN:
        return ""
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text
