"""GET /api/v1/market/summary: the OPCO beside the whole market, as JSON."""

import pytest

from tests.contracts.conftest import DATA

pytestmark = pytest.mark.django_db

URL = "/api/v1/market/summary"


def test_summary_of_a_region_and_year(client_for, outsider, import_market, documents):
    import_market(DATA / "barometre.csv")

    response = client_for(outsider).get(URL, {"region": "28", "year": "2021"})

    assert response.status_code == 200
    data = response.json()
    assert data["region"] == "28"
    assert (data["opco_contracts"], data["market_contracts"], data["share_pct"]) == (
        3071,
        20000,
        15.4,
    )
    assert data["period"] == "year"
    assert data["market_dataset"] == "barometre"
    assert data["opco_synthetic"] is False


def test_france_from_the_national_ind313_series(client_for, director, import_market):
    import_market(DATA / "ind313.csv")

    data = client_for(director).get(URL, {"year": "2022"}).json()

    assert data["zone"] == "France"
    assert (data["market_contracts"], data["through_month"]) == (160000, 3)
    assert data["share_pct"] is None  # no OPCO figures by month in this database


def test_a_year_without_public_statistics(client_for, director, documents):
    data = client_for(director).get(URL, {"region": "28", "year": "2021"}).json()

    assert (data["opco_contracts"], data["market_contracts"], data["share_pct"]) == (
        3071,
        None,
        None,
    )
    assert data["note"] == "Aucune statistique publique pour cette année."


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"region": "28"}, {"year": ["Paramètre « year » attendu."]}),
        ({"region": "28", "year": "deux"}, {"year": ["Saisissez un nombre."]}),
        (
            {"region": "99", "year": "2021"},
            {"region": ["Région inconnue : « 99 »."]},
        ),
        (
            {"region": "28", "year": "2024", "date": "2025-03-31"},
            {
                "date": [
                    "L'arrêté au 31/03/2025 n'est pas en 2024 : choisissez un jour de 2024, "
                    "ou retirez l'année pour voir 2025."
                ]
            },
        ),
    ],
)
def test_bad_parameters_are_400_in_the_one_error_shape(client_for, director, params, errors):
    """The market API reads its scope with the dashboards' parser: same messages, same
    shape; an unknown region is a filter in error (400), not a missing object."""
    response = client_for(director).get(URL, params)

    assert response.wsgi_request.user == director
    assert response.status_code == 400
    assert response.json() == {"errors": errors}


def test_anonymous_users_are_refused(client):
    response = client.get(URL, {"region": "28", "year": "2021"})

    assert response.status_code == 401  # the generic /api/ authentication, not a redirect
    assert "detail" in response.json()


def test_personal_token_reads_the_market_summary(client, director, documents):
    from akto_portal.services import api_token_create

    _token, key = api_token_create(user=director, name="Excel")
    response = client.get(
        URL, {"region": "28", "year": "2021"}, headers={"Authorization": f"Token {key}"}
    )
    assert response.status_code == 200
    assert response.json()["region"] == "28"
