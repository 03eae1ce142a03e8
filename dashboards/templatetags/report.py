"""Signed figures of the PDF report: "+134", "−735", "+4,9 %"."""

from django import template

from akto_portal.templatetags.portal import NBSP, number

register = template.Library()
MINUS = "−"


@register.filter
def signed_number(value: int | None) -> str:
    """134 -> "+134"; -735 -> "−735"; None -> "—"."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else (MINUS if value < 0 else "")
    return f"{sign}{number(abs(value))}"


@register.filter
def signed_pct1(value: float | None) -> str:
    """4.93 -> "+4,9 %"; -0.7 -> "−0,7 %"; None -> "—"."""
    if value is None:
        return "—"
    rounded = round(value, 1)
    sign = "+" if rounded > 0 else (MINUS if rounded < 0 else "")
    return f"{sign}{number(abs(rounded))}{NBSP}%"
