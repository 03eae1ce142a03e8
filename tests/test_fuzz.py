"""No server error on hostile input: every URL pattern of the URLconf (the admin's
included) is requested with hostile path values, query strings and form values, as an
administrator (who reaches every page) and as regional staff. Bad input must be answered
4xx (or the page with its defaults, or a form error), never 5xx.

Hostile values: a NUL byte (PostgreSQL refuses it in text), a number too large for any
column, non-numbers where numbers are expected, impossible dates, very long strings.
"""

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.factories import AttendanceFactory, EventFactory

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
HUGE = "9" * 30
HOSTILE = [NUL, HUGE, "abc", "-1", "2021-02-30", "a" * 3000, "%00", ""]
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Query parameters and form fields the portal reads somewhere.
PARAMS = [
    "region",
    "year",
    "date",
    "branch",
    "contract_type",
    "public",
    "page",
    "sort",
    "r-page",
    "r-sort",
    "m-sort",
    "kind",
    "axis",
    "after",
    "before",
    "missing",
    "q",
]
FIELDS = [
    "version",
    "expected_version",
    "name",
    "query",
    "title",
    "date",
    "kind",
    "region",
    "convention",
    "axis",
    "place",
    "online",
    "attendees",
    "companies_planned",
    "companies_actual",
    "form-TOTAL_FORMS",
    "form-INITIAL_FORMS",
    "form-0-event",
    "form-0-version",
    "form-0-companies_actual",
    "layout",
    "apply",
    "action",
    "_selected_action",
    "frequency",
    "regions",
    "indicators",
]


def _patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, route)
        elif not route.startswith("^") and "(?P" not in route:
            yield route


def _paths(route, values, known_id):
    """The route with each converter replaced by hostile values (an int converter gets a
    number too large for any column, one no row has, and a real object's id, so that the
    form values reach the view)."""
    converters = CONVERTER.findall(route)
    if not converters:
        yield "/" + route
        return
    ids = {NUL: HUGE, HUGE: "987654321"}
    for value in values:
        path = route
        for kind, _name in converters:
            if kind == "int":
                replacement = ids.get(value, str(known_id))
            elif kind == "uuid":
                replacement = "00000000-0000-0000-0000-000000000000"
            else:
                replacement = value.replace("/", "") or "x"
            path = CONVERTER.sub(lambda _m, r=replacement: r, path, count=1)
        yield "/" + path


@pytest.fixture
def world(documents, normandie, staff):
    event = EventFactory(region=normandie, title="Réunion de Caen")
    AttendanceFactory(event=event, planned=10, actual=8)
    return event


@pytest.mark.parametrize("role", ["admin_user", "staff"])
def test_no_hostile_input_gives_a_server_error(request, client, world, role):
    client.force_login(request.getfixturevalue(role))
    client.raise_request_exception = False
    errors = []
    routes = list(_patterns())
    assert len(routes) > 100
    for route in routes:
        admin = route.startswith("admin/")
        values = [NUL, HUGE] if admin else HOSTILE
        for path in _paths(route, values, world.pk):
            queries = [{}] if admin else [dict.fromkeys(PARAMS, v) for v in values]
            for query in queries:
                response = client.get(path, query)
                if response.status_code >= 500:
                    errors.append(("GET", path, query.get("region"), response.status_code))
            for value in values[:2] if admin else values:
                response = client.post(path, dict.fromkeys(FIELDS, value))
                if response.status_code >= 500:
                    errors.append(("POST", path, value[:20], response.status_code))
    assert errors == []
