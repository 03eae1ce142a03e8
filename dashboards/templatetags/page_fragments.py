"""`{% page_fragment "name" %}…{% endpage_fragment %}`: a part of the dashboard page
served from the cache when the view found it there (dashboards.page_cache), else
rendered and stored for the next request."""

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class PageFragmentNode(template.Node):
    def __init__(self, name: str, nodelist: NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        fragments = context.get("fragments")
        if fragments is not None and self.name in fragments.found:
            return mark_safe(fragments.found[self.name])
        html = self.nodelist.render(context)
        if fragments is not None:
            fragments.store(self.name, str(html))
        return html


@register.tag
def page_fragment(parser: Parser, token: Token) -> PageFragmentNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "'\"":
        raise template.TemplateSyntaxError('Usage: {% page_fragment "name" %}')
    nodelist = parser.parse(("endpage_fragment",))
    parser.delete_first_token()
    return PageFragmentNode(bits[1][1:-1], nodelist)
