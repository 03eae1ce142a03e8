"""How an indicator's figures read: "plus de 1 780", "41 %", "—" when unknown."""

from decimal import Decimal

from django import template

from akto_portal import formats
from akto_portal.templatetags.portal import figure
from conventions.models import Indicator

register = template.Library()


@register.simple_tag
def indicator_figure(value: Decimal | int | None, unit: str, qualifier: str = "") -> str:
    """A value, target or starting value of an indicator in its unit: percentages carry
    their sign ("41 %"); other units are in the indicator's name."""
    text: str = figure(value, qualifier)
    if value is not None and unit == Indicator.Unit.PERCENT:
        return f"{text}{formats.PERCENT}"
    return text
