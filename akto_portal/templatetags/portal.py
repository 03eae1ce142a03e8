"""Template filters that show figures the French way: "3 071", "+41 %", "plus de 1 780"."""

import datetime
from typing import Any

from django import template

from akto_portal import formats
from akto_portal.models import DatePrecision, Qualifier

register = template.Library()


@register.filter
def number(value: formats.Number | None) -> str:
    """3071 -> "3 071"; 41.3 -> "41,3"; None -> "—" (akto_portal.formats)."""
    return formats.number(value)


@register.filter
def figure(value: formats.Number | None, qualifier: str = "") -> str:
    """A reported figure with how exact the source says it is: "plus de 1 780"."""
    text = formats.number(value)
    label = Qualifier(qualifier).label if qualifier else ""
    return f"{label} {text}" if label and value is not None else text


@register.filter
def pct(value: formats.Number | None, decimals: int | str = 0) -> str:
    """41.3 -> "41 %" (rounded, as the sources quote growth); `|pct:1` -> "41,3 %"."""
    return formats.percent(value, int(decimals))


@register.filter
def signed_pct(value: formats.Number | None, decimals: int | str = 0) -> str:
    """41.3 -> "+41 %"; -2.4 -> "−2 %"."""
    return formats.signed_percent(value, int(decimals))


@register.filter
def signed_number(value: formats.Number | None) -> str:
    """134 -> "+134"; -1250 -> "−1 250"; 0 -> "0"; None -> "—"."""
    return formats.signed(value)


@register.filter
def gap(value: Any) -> str:
    """A gap (dashboards.page.Gap): "+134 (105,1 %)"; None -> "—"."""
    if value is None:
        return formats.UNKNOWN
    return formats.gap(value.diff, value.pct)


@register.filter
def long_date(value: datetime.date | None) -> str:
    """9 May 2022 -> "9 mai 2022"."""
    return formats.long_date(value)


@register.filter
def short_date(value: datetime.date | None) -> str:
    """9 May 2022 -> "09/05/2022"."""
    return formats.short_date(value)


@register.filter
def month_label(value: int | str) -> str:
    """1 -> "janv."; 13 -> "Total déclaré (sans détail mensuel)"."""
    return formats.month_label(int(value))


@register.filter
def fuzzy_date(value: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """A date to the precision the source gives: "9 mai 2022", "mai 2022" or "2021"."""
    if value is None:
        return formats.UNKNOWN
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return f"{formats.MONTH_NAMES[value.month - 1]} {value.year}"
    return formats.long_date(value)
