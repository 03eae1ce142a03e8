"""Table pagination from the URL, with `per_page` kept within bounds.

django-tables2 hands `?per_page=` to Django's Paginator as it comes: 0 or a negative
number is a 500, a huge one renders every row. Every paginated table of the portal goes
through `RequestConfig` below, which clamps it to 1…MAX_PER_PAGE (a non-number is ignored).
"""

import copy

from django.http import HttpRequest
from django_tables2 import RequestConfig as Tables2RequestConfig
from django_tables2 import Table

MAX_PER_PAGE = 500


def clamped_per_page(raw: str) -> int | None:
    try:
        value = int(raw)
    except ValueError:
        return None
    return min(max(value, 1), MAX_PER_PAGE)


class RequestConfig(Tables2RequestConfig):
    def configure(self, table: Table) -> Table:
        request: HttpRequest = self.request  # type: ignore[has-type]
        name = table.prefixed_per_page_field
        if name in request.GET:
            query = request.GET.copy()
            per_page = clamped_per_page(request.GET[name])
            if per_page is None:
                del query[name]
            else:
                query[name] = str(per_page)
            bounded = copy.copy(request)
            bounded.GET = query  # type: ignore[assignment]
            self.request = bounded
            try:
                super().configure(table)
            finally:
                self.request = request
            table.request = request
            return table
        return super().configure(table)
