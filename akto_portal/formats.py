"""Figures written the French way: the one place that turns a number, a percentage, a
gap, a date or a month into text. Templates (the `portal` filter library), exports'
headers, Plotly charts, the server-side charts (PDF, mail, first paint), the PDF and the
mails all call these functions; none formats a figure by itself.

- Thousands are separated by a no-break space, U+00A0 (`THOUSANDS`): what Django's
  French locale gives the admin and the forms, and a character every font of a mail
  client or a PDF viewer carries (U+202F, the typographic thin space, is missing from
  several). One separator everywhere: "3 071".
- The decimal mark is a comma: "41,3".
- A negative number or gap takes the minus sign U+2212, a positive gap a "+":
  "−1 250", "+134 (+1,3 %)".
- Unknown is "—" (never 0).
- Dates: "9 mai 2022" in sentences, "09/05/2022" in tables and files.
- Months: "janv." … "déc." (`MONTHS`), and one label for yearly totals reported without
  a month (`REPORTED_MONTH`).
"""

import datetime
from decimal import Decimal

THOUSANDS = "\xa0"  # no-break space
PERCENT = f"{THOUSANDS}%"  # "41 %": the sign is kept on the number's line
MINUS = "\u2212"
UNKNOWN = "—"

MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
MONTH_NAMES = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
REPORTED_MONTH = "Total déclaré (sans détail mensuel)"

Number = int | float | Decimal


def _rounded(value: Number, decimals: int) -> Number:
    """`value` rounded half to even to `decimals` places (an int for 0)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-decimals))
    return round(value, decimals) if decimals else round(value)


def number(value: Number | None, decimals: int | None = None) -> str:
    """3071 -> "3 071"; 41.3 -> "41,3"; -1250 -> "−1 250"; None -> "—".

    `decimals`: the places shown (rounded half to even); by default as many as the
    value has (an integral float or Decimal is shown as an integer). No Django: the
    import child processes format their messages with it too."""
    if value is None or value == "":
        return UNKNOWN
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if decimals is None:
        text = f"{exact:,f}" if exact != exact.to_integral_value() else f"{int(exact):,d}"
    else:
        shown = _rounded(exact, decimals)
        text = f"{shown if shown else abs(shown):,.{decimals}f}"  # −0,4 shows as "0", not "−0"
    return text.replace(",", "\0").replace(".", ",").replace("\0", THOUSANDS).replace("-", MINUS)


def integer(value: Number | None) -> str:
    """3071.4 -> "3 071"."""
    return number(value, 0)


def percent(value: Number | None, decimals: int = 0) -> str:
    """41.3 -> "41 %" (decimals=1: "41,3 %"); None -> "—"."""
    if value is None or value == "":  # "": a template's missing value
        return UNKNOWN
    return f"{number(value, decimals)}{PERCENT}"


def signed(value: Number | None, decimals: int = 0) -> str:
    """134 -> "+134"; -1250 -> "−1 250"; 0 -> "0"; None -> "—"."""
    if value is None or value == "":  # "": a template's missing value
        return UNKNOWN
    text = number(value, decimals)
    return f"+{text}" if _rounded(value, decimals) > 0 else text


def signed_percent(value: Number | None, decimals: int = 0) -> str:
    """41.3 -> "+41 %"; -4.9 (decimals=1) -> "−4,9 %"; None -> "—"."""
    if value is None or value == "":  # "": a template's missing value
        return UNKNOWN
    return f"{signed(value, decimals)}{PERCENT}"


def gap(diff: int | None, ratio_pct: float | None) -> str:
    """A gap to a reference: "+134 (105,1 %)", "−12 (95,1 %)"; "—" when unknown."""
    if diff is None:
        return UNKNOWN
    if ratio_pct is None:
        return signed(diff)
    return f"{signed(diff)} ({percent(ratio_pct, 1)})"


def long_date(value: datetime.date | None) -> str:
    """9 May 2022 -> "9 mai 2022" (in sentences: "arrêté au 9 mai 2022")."""
    if value is None or value == "":  # "": a template's missing value
        return UNKNOWN
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def short_date(value: datetime.date | None) -> str:
    """9 May 2022 -> "09/05/2022" (tables, files)."""
    if value is None or value == "":  # "": a template's missing value
        return UNKNOWN
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def month_label(month: int) -> str:
    """1 -> "janv."; 13 (a yearly total reported without a month) -> REPORTED_MONTH."""
    return MONTHS[month - 1] if 1 <= month <= 12 else REPORTED_MONTH
