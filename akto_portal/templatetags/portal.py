"""Template filters that show figures the French way: "3 071", "+41 %", "plus de 1 780"."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.dateformat import format as date_format

from akto_portal.models import DatePrecision, Qualifier

register = template.Library()
NBSP = "\xa0"


@register.filter
def number(value):
    """3071 -> "3 071"; 41.3 -> "41,3"; None -> "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal | float) and value == int(value):
        value = int(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def figure(value, qualifier=""):
    """A reported figure with how exact the source says it is: "plus de 1 780"."""
    text = number(value)
    label = Qualifier(qualifier).label if qualifier else ""
    return f"{label} {text}" if label and value is not None else text


@register.filter
def pct(value):
    """41.3 -> "41 %" (rounded, as the sources quote growth)."""
    if value is None:
        return "—"
    return f"{round(value):d}{NBSP}%"


@register.filter
def signed_pct(value):
    """41.3 -> "+41 %"; -2.4 -> "−2 %"."""
    if value is None:
        return "—"
    rounded = round(value)
    sign = "+" if rounded > 0 else ("−" if rounded < 0 else "")
    return f"{sign}{abs(rounded):d}{NBSP}%"


@register.filter
def signed_number(value):
    """134 -> "+134"; -1250 -> "−1 250"; 0 -> "0"; None -> "—"."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{number(abs(value))}"


@register.filter
def fuzzy_date(value, precision=DatePrecision.DAY):
    """A date to the precision the source gives: "9 mai 2022", "mai 2022" or "2021"."""
    if value is None:
        return "—"
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return date_format(value, "F Y")
    return date_format(value, "j F Y")
