"""`{% chart_svg figure label static chart_id as svg %}`: the figure drawn on the
server (dashboards.svg.fluid) when `static` is true, else ""."""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from dashboards.svg.fluid import chart_svg as draw

register = template.Library()


@register.simple_tag
def chart_svg(
    figure: dict[str, Any] | None, label: str = "", static: bool = False, chart_id: str = "chart"
) -> SafeString:
    return draw(figure, label, name=chart_id) if static else mark_safe("")
