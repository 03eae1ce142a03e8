"""Signed figures of the PDF report: "+134", "−735", "+4,9 %" (akto_portal.formats)."""

from django import template

from akto_portal import formats

register = template.Library()


@register.filter
def signed_pct1(value: float | None) -> str:
    """4.93 -> "+4,9 %"; -0.7 -> "−0,7 %"; None -> "—"."""
    return formats.signed_percent(value, 1)
