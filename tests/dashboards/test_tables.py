"""The dashboard tables' plain template (templates/dashboards/_table.html, cells by
direct calls) renders exactly what django-tables2's own template renders, cell for cell,
for every table of pages with links, synthetic badges, unknown figures and a selected
department."""

import re

import pytest
from django.urls import reverse

from dashboards.page import TABLES

pytestmark = pytest.mark.django_db

SCOPES = [
    {"region": "FR", "year": 2022},
    {"region": "28", "year": 2021},
    {"region": "28", "year": 2026, "b-sort": "-contracts", "r-sort": "name"},
]


def _html(table, request) -> str:
    return re.sub(r"\s+", " ", table.as_html(request))


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>.*?</td>", html)


@pytest.mark.parametrize("params", SCOPES)
def test_every_table_reads_the_same_as_django_tables2_renders_it(
    client_for, director, demo, params
):
    response = client_for(director).get(reverse("overview"), params)
    page, request = response.context["page"], response.wsgi_request
    assert request.user == director
    tables = {name: page.table(name) for name in TABLES}
    if page.scope.region is not None:
        tables["departments"] = page.department_table()
    compared = 0
    for name, table in tables.items():
        plain = _html(table, request)
        table.template_name = "django_tables2/table.html"
        library = _html(table, request)
        assert plain == library, name
        compared += len(_cells(plain))
    assert compared > 100  # cells were compared, not two empty tables
