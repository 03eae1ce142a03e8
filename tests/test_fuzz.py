"""No server error on hostile input, and proof that the input reached its view.

Every URL pattern of the URLconf (the admin's included) is requested with hostile path
values, query strings (`per_page`/`page` extremes included) and form bodies, as an
administrator (who reaches every page) and as regional staff. For every form a page
shows (portal forms, admin add and change forms with their inlines), the fields it
really has are posted back, each replaced by hostile values in turn; admin changelist
actions are posted with hostile selections. Bad input must be answered 4xx (or the page
with its defaults, or a form error), never 5xx.

The control: logout URLs are never requested, and before and after each request the
client must still be the intended logged-in user (the request's user, the session's
user id, no login redirect). A route reached only anonymously fails the test. The
counts per role are printed (`-s` to see them).

Hostile values: a NUL byte (PostgreSQL refuses it in text), a number too large for any
column, non-numbers where numbers are expected, impossible dates, very long strings.
"""

import random
import re

import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse

from tests.admin_forms import form_data, formset_data
from tests.doors import reached_logged_in, url_patterns
from tests.factories import AttendanceFactory, EventFactory
from tests.sign_on.provider import OIDC_SETTINGS

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
HUGE = "9" * 30
HOSTILE = [NUL, HUGE, "abc", "-1", "2021-02-30", "a" * 3000, "%00", ""]
FIELD_VALUES = [HUGE, "abc", "2021-02-30", "a" * 3000, NUL]
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Never requested: they end the session the test must keep. The login pages are fuzzed
# anonymously elsewhere (tests/akto_portal/test_login_throttling.py).
SKIPPED = {"logout", "admin:logout", "login", "admin:login"}
# Query parameters the portal reads somewhere, pagination of every table included.
PARAMS = [
    "code",  # the single sign-on's callback
    "state",
    "region",
    "department",
    "year",
    "date",
    "branch",
    "contract_type",
    "public",
    "sort",
    "r-sort",
    "m-sort",
    "kind",
    "axis",
    "after",
    "before",
    "missing",
    "q",
    "o",
    "p",
    "e",
]
PAGING = ["page", "per_page", "r-page", "r-per_page", "b-page", "b-per_page", "m-page"]
PAGING_VALUES = ["0", "-1", "501", HUGE, "abc"]
# A sample of each form's fields is posted one at a time (the rest is all at once), to
# keep the run within a few minutes on two cores.
FIELDS_PER_FORM = 4
RNG_SEED = 18


def _paths(route, values, known_id):
    """The route with each converter replaced by hostile values (an int converter gets a
    number too large for any column, one no row has, and a real object's id)."""
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
            elif kind == "path" and value == NUL:
                replacement = str(known_id) + "/" + value  # an admin object id with a NUL
            else:
                replacement = value.replace("/", "") or "x"
            path = CONVERTER.sub(lambda _m, r=replacement: r, path, count=1)
        yield "/" + path


def _page_forms(response):
    """The data each form of a page would post back, as the page shows it."""
    if response.status_code != 200 or response.context is None:
        return []
    found, seen = [], set()
    contexts = response.context if isinstance(response.context, list) else [response.context]
    values = [v for context in contexts for d in context.dicts for v in d.values()]
    for value in values:
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, forms.BaseForm):
            found.append(form_data(value))
        elif isinstance(value, forms.BaseFormSet):
            found.append(formset_data(value))
    admin_form = response.context.get("adminform")
    if admin_form is not None:
        data = form_data(admin_form.form)
        for inline in response.context.get("inline_admin_formsets") or []:
            data.update(formset_data(inline.formset))
        found.append(data)
    return [d for d in found if d]


def _mutations(data, rng):
    """The form's data with every field hostile at once, then a sample of its fields one
    at a time."""
    names = [n for n in data if not n.endswith(("TOTAL_FORMS", "INITIAL_FORMS"))]
    for value in FIELD_VALUES:
        yield {**data, **dict.fromkeys(names, value)}
    for name in rng.sample(names, min(FIELDS_PER_FORM, len(names))):
        for value in ("abc", HUGE, ""):
            yield {**data, name: value}


def _admin_actions(world_pk):
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for _func, name, _description in model_admin._get_base_actions():
            for selected in (["abc"], [HUGE], [str(world_pk), "abc"], [NUL]):
                yield url, {"action": name, "_selected_action": selected, "index": "0"}


class Control:
    """Counts the requests of one role and checks each was made logged in."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        self.requests = self.reached = 0
        self.routes: dict[str, bool] = {}
        self.errors: list = []

    def send(self, route, method, path, data):
        assert str(self.client.session.get("_auth_user_id")) == str(self.user.pk), (
            f"logged out before {method} {path!r}"
        )
        response = getattr(self.client, method)(path, data)
        self.requests += 1
        logged_in = reached_logged_in(self.client, self.user, response)
        self.reached += logged_in
        self.routes[route] = self.routes.get(route, False) or logged_in
        assert str(self.client.session.get("_auth_user_id")) == str(self.user.pk), (
            f"logged out by {method} {path!r}"
        )
        if response.status_code >= 500:
            shown = {k: str(v)[:20] for k, v in list(data.items())[:4]}
            self.errors.append((method.upper(), path[:80], shown, response.status_code))
        return response


@pytest.fixture
def world(documents, normandie, staff, settings):
    # The single sign-on on (its pages answer a 404 without it), the provider never
    # called: no request carries a code and a state the session knows.
    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    event = EventFactory(region=normandie, title="Réunion de Caen")
    AttendanceFactory(event=event, planned=10, actual=8)
    return event


@pytest.mark.parametrize("role", ["admin_user", "staff"])
def test_no_hostile_input_gives_a_server_error(request, client, world, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    client.raise_request_exception = False
    control = Control(client, user)
    rng = random.Random(RNG_SEED)
    routes = [(r, n) for r, n in url_patterns() if n not in SKIPPED]
    assert len(routes) > 100
    for route, _name in routes:
        admin_page = route.startswith("admin/")
        values = [NUL, HUGE] if admin_page else HOSTILE
        known = list(_paths(route, ["x"], world.pk))
        for path in [*known, *_paths(route, values, world.pk)]:
            queries = [{}] if admin_page else [dict.fromkeys(PARAMS, v) for v in values]
            if path in known:
                queries += [dict.fromkeys(PARAMS, NUL)]
                queries += [dict.fromkeys(PAGING, v) for v in PAGING_VALUES]
                queries += [
                    {"region": "abc"},
                    {"region": NUL},
                    {"q": "x", "region__id__exact": NUL},
                ]
            for query in queries:
                control.send(route, "get", path, query)
            for value in values[:2] if admin_page else values:
                control.send(route, "post", path, dict.fromkeys(PARAMS, value))
        # The forms the page really has, posted back with hostile values.
        for path in known:
            page = control.send(route, "get", path, {})
            for data in _page_forms(page):
                for mutated in _mutations(data, rng):
                    control.send(route, "post", path, mutated)
    for url, data in _admin_actions(world.pk):
        control.send("admin actions", "post", url, data)
    anonymous = sorted(route for route, reached in control.routes.items() if not reached)
    print(
        f"\n{role}: {control.requests} requests, {control.reached} reached their view "
        f"logged in; {len(control.routes)} routes, {len(anonymous)} never reached logged in"
    )
    failing = sorted({(method, path) for method, path, _data, _status in control.errors})
    assert control.errors == [], failing
    assert anonymous == [], anonymous


def test_the_control_fails_when_a_request_ends_the_session(client, staff):
    """The loop above would go on anonymously after a logout: the control stops it."""
    client.force_login(staff)
    control = Control(client, staff)
    control.send("event-list", "get", reverse("event-list"), {})
    assert (control.requests, control.reached) == (1, 1)
    with pytest.raises(AssertionError, match="logged out by post '/deconnexion/'"):
        control.send("logout", "post", reverse("logout"), {})
    with pytest.raises(AssertionError, match="logged out before get"):
        control.send("event-list", "get", reverse("event-list"), {})
