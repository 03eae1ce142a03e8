"""The figures part of a dashboard page is rendered once per data version, scope and
audience (dashboards.page_cache); the user's own parts stay theirs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from akto_portal.models import User
from akto_portal.services import saved_view_save
from contracts.models import ContractCount
from tests.conftest import _user

pytestmark = pytest.mark.django_db
NORMANDIE_COM = "Convention d&#x27;objectifs et de moyens AKTO – Région Normandie"


@pytest.fixture
def other_director(db):
    return _user("second-director-normandie", User.Role.DIRECTOR, "28")


def _get(client, user, params):
    client.force_login(user)
    return client.get("/", params)


def _text(response):
    """The page's HTML, thousands separators (no-break spaces) as plain spaces."""
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def test_a_cached_page_computes_no_figure_and_keeps_the_personal_parts(
    client, director, other_director, documents
):
    saved_view_save(user=director, name="Ma vue Normandie", query="region=28")
    params = {"region": "28", "year": 2021}
    first = _text(_get(client, director, params))
    assert "Ma vue Normandie" in first and "3 071" in first

    with CaptureQueriesContext(connection) as queries:
        second = _text(_get(client, other_director, params))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "contracts_contractcount" not in sql  # the figures came from the cache
    assert "3 071" in second  # the same figures
    assert "second-director-normandie" in second  # their own name
    assert "Ma vue Normandie" not in second  # not the other director's saved views
    assert "Aucune vue enregistrée." in second


def test_a_write_shows_on_a_cached_page(client, director, documents, normandie):
    params = {"region": "28", "year": 2021}
    assert "3 071" in _text(_get(client, director, params))
    ContractCount.objects.filter(region=normandie, year=2021, month=None, branch=None).update(
        count=3072
    )
    html = _text(_get(client, director, params))
    assert "3 072" in html


def test_regional_staff_never_get_a_page_rendered_for_a_director(
    client, director, outsider, documents
):
    """The conventions listed depend on who looks: the audience is in the key."""
    params = {"region": "28", "year": 2021}
    assert NORMANDIE_COM in _text(_get(client, director, params))
    assert NORMANDIE_COM not in _text(_get(client, outsider, params))


def test_messages_show_on_a_cached_page(client, director, documents):
    assert _get(client, director, {"region": "28", "year": 2021}).status_code == 200
    response = client.post(
        "/vues/", {"name": "Normandie 2021", "query": "region=28&year=2021"}, follow=True
    )
    assert "Vue « Normandie 2021 » enregistrée." in response.content.decode()


def test_a_cached_page_costs_four_queries_and_keeps_each_users_default_scope(
    client, director, admin_user, documents
):
    """A hit reads the session, the user with their region (one query), the data
    version and the saved views; the scope comes from the cache with the page, yet a
    URL without a region still shows each user their own region."""
    breton = _user("staff-bretagne", User.Role.STAFF, "53")
    assert "<h1>Normandie" in _text(_get(client, director, {"year": 2021}))
    assert "<h1>France entière" in _text(_get(client, admin_user, {"year": 2021}))
    assert "<h1>Bretagne" in _text(_get(client, breton, {"year": 2021}))

    client.force_login(director)
    with CaptureQueriesContext(connection) as queries:
        html = _text(client.get("/", {"year": 2021}))
    tables = [re.search(r'FROM "(\w+)"', q["sql"])[1] for q in queries.captured_queries]
    assert tables == [
        "django_session",
        "akto_portal_user",  # joined with its region
        "akto_portal_dataversion",
        "akto_portal_savedview",
    ]
    assert "<h1>Normandie" in html and "3 071" in html
    assert "<h1>France entière" in _text(_get(client, admin_user, {"year": 2021}))
    assert "<h1>Bretagne" in _text(_get(client, breton, {"year": 2021}))
