"""One scope parser (contracts.scope) for pages, every API and digests: a date that does
not exist or is not in the year named is refused with a French message — 400
`{"errors": {field: [messages]}}` in the API, in the filter form on a page — never
silently replaced by another date or year."""

import re
from html import unescape

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

API_NAMES = [
    "api-contracts-summary",
    "api-contracts-by-year",
    "api-contracts-by-month",
    "api-contracts-by-region",
    "api-contracts-by-branch",
    "api-contracts-by-department",
    "api-events-summary",
    "api-conventions-indicators",
    "api-market-summary",
]
IMPOSSIBLE = "Date impossible : attendu un jour existant, jj/mm/aaaa (ex. 31/03/2024)."
OUTSIDE = (
    "L'arrêté au 31/03/2025 n'est pas en 2024 : choisissez un jour de 2024, "
    "ou retirez l'année pour voir 2025."
)


@pytest.mark.parametrize("name", API_NAMES)
@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"region": "28", "year": "2024", "date": "2024-13-31"}, {"date": [IMPOSSIBLE]}),
        ({"region": "28", "year": "2024", "date": "2025-03-31"}, {"date": [OUTSIDE]}),
        ({"region": "99", "year": "2024"}, {"region": ["Région inconnue : « 99 »."]}),
    ],
)
def test_every_api_refuses_a_scope_in_error_in_one_shape(
    client_for, director, documents, name, params, errors
):
    response = client_for(director).get(reverse(name), params)

    assert response.wsgi_request.user == director
    assert response.resolver_match.url_name == name
    assert response.status_code == 400
    assert response.json() == {"errors": errors}


@pytest.mark.parametrize("name", API_NAMES)
def test_every_api_is_read_only_in_the_same_shape(client_for, director, name):
    response = client_for(director).post(reverse(name), {"region": "28"})

    assert response.wsgi_request.user == director
    assert response.resolver_match.url_name == name
    assert response.status_code == 405
    assert response.json() == {"errors": {"__all__": ["Seule la lecture (GET) est permise."]}}


def test_the_api_reads_a_date_of_the_year_named(client_for, director, documents):
    data = (
        client_for(director)
        .get(reverse("api-contracts-summary"), {"region": "28", "year": 2021, "date": "2021-12-31"})
        .json()
    )
    assert (data["year"], data["contracts"]) == (2021, 3071)


def _page(client, params):
    response = client.get(reverse("overview"), params)
    assert response.status_code == 200
    return response, unescape(response.content.decode())


def test_a_page_shows_a_date_outside_its_year_refused_in_the_filter_form(
    client_for, director, documents
):
    response, html = _page(
        client_for(director), {"region": "28", "year": "2024", "date": "2025-03-31"}
    )

    assert response.wsgi_request.user == director
    form = re.search(r'<form[^>]*id="filters".*?</form>', html, re.S).group(0)
    assert f'<p class="field-error" id="error-date" role="alert">{OUTSIDE}</p>' in form
    assert 'value="2025-03-31"' in form  # what was typed, beside its error
    assert '<details class="fold-wide filters-fold" id="filters-fold" open>' in html
    assert "Normandie · 2024" in re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"Arrêté au : {OUTSIDE} La date n'est pas appliquée : 2024 est affiché en entier."
    ]


def test_a_page_shows_an_impossible_date_refused_in_the_filter_form(
    client_for, director, documents
):
    response, html = _page(
        client_for(director), {"region": "28", "year": "2021", "date": "2021-13-31"}
    )

    form = re.search(r'<form[^>]*id="filters".*?</form>', html, re.S).group(0)
    assert f'id="error-date" role="alert">{IMPOSSIBLE}</p>' in form
    assert 'value="2021-13-31"' in form
    assert [str(m) for m in response.context["messages"]] == [
        f"Arrêté au : {IMPOSSIBLE} La date n'est pas appliquée : 2021 est affiché en entier."
    ]


def test_a_valid_date_shows_no_error(client_for, director, documents):
    response, html = _page(
        client_for(director), {"region": "28", "year": "2021", "date": "2021-06-30"}
    )

    assert "field-error" not in html
    assert not list(response.context["messages"])
