"""The JSON API: figures, session or personal token, 401 in JSON otherwise."""

import pytest
from django.urls import reverse

from akto_portal.models import ApiToken
from akto_portal.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db
SUMMARY = "/api/v1/contracts/summary"


def test_summary_normandie_2021(client_for, director, documents):
    data = client_for(director).get(SUMMARY, {"region": "28", "year": 2021}).json()
    assert data["region"] == "28" and data["year"] == 2021
    assert (data["contracts"], data["previous_year"], data["growth_pct"]) == (3071, 2173, 41.3)
    assert data["target"] is None


def test_summary_is_national_without_region(client_for, director, monthly):
    data = client_for(director).get(SUMMARY, {"year": 2022, "date": "2022-06-30"}).json()
    assert data["region"] is None
    assert (data["target"], data["expected"], data["status"]) == (110000, 27500, "behind")
    assert data["months"] == 6 and data["contracts"] == 90


def test_unauthenticated_api_answers_401_json_not_a_redirect(client, documents):
    for path in (SUMMARY, "/api/v1/market/summary", "/api/v1/anything"):
        response = client.get(path)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response["WWW-Authenticate"].startswith("Token")


def test_personal_token_reads_the_api(client, director, documents):
    _token, key = api_token_create(user=director, name="Power BI")
    response = client.get(
        SUMMARY, {"region": "28", "year": 2021}, headers={"Authorization": f"Token {key}"}
    )
    assert response.status_code == 200
    assert response.json()["contracts"] == 3071
    assert ApiToken.objects.get().last_used_at is not None


def test_token_is_stored_hashed_and_revocable(client, director, documents):
    token, key = api_token_create(user=director, name="Excel")
    assert key not in token.key_hash and token.prefix == key[:8]
    api_token_revoke(user=director, token_id=token.pk)
    response = client.get(SUMMARY, headers={"Authorization": f"Token {key}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton invalide ou révoqué."


def test_wrong_token_and_wrong_scheme_are_401(client, documents):
    assert client.get(SUMMARY, headers={"Authorization": "Token nope"}).status_code == 401
    assert client.get(SUMMARY, headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_token_is_read_only(client, director, documents):
    _token, key = api_token_create(user=director, name="Excel")
    response = client.post(SUMMARY, headers={"Authorization": f"Token {key}"})
    assert response.status_code == 403


def test_token_does_not_open_pages(client, director, documents):
    _token, key = api_token_create(user=director, name="Excel")
    response = client.get(reverse("overview"), headers={"Authorization": f"Token {key}"})
    assert response.status_code == 302  # pages still need a session


def test_figures_behind_each_chart(client_for, director, monthly):
    client = client_for(director)
    params = {"region": "11", "year": 2022, "date": "2022-06-30"}
    months = client.get("/api/v1/contracts/by-month", params).json()["rows"]
    assert [m["contracts"] for m in months[:7]] == [15] * 6 + [None]
    assert months[5]["cumulative"] == 90
    regions = client.get("/api/v1/contracts/by-region", params).json()["rows"]
    assert next(r for r in regions if r["code"] == "11")["contracts"] == 90
    branches = client.get("/api/v1/contracts/by-branch", params).json()["rows"]
    assert [(b["branch"], b["contracts"]) for b in branches] == [
        (monthly["hcr"].pk, 60),
        (monthly["fast_food"].pk, 30),
    ]
    years = client.get("/api/v1/contracts/by-year", {"region": "28"}).json()["rows"]
    assert [(y["year"], y["contracts"]) for y in years] == [(2020, 2173), (2021, 3071)]


def test_invalid_filter_is_400(client_for, director, documents):
    response = client_for(director).get(SUMMARY, {"region": "99"})
    assert response.status_code == 400
    assert "region" in response.json()["errors"]


def test_indicators_api_gives_2022_24_results_beside_2025_27_targets(
    client_for, director, agefiph_targets
):
    data = client_for(director).get("/api/v1/conventions/indicators").json()
    (convention,) = data["conventions"]
    assert convention["title"] == "Convention de partenariat AKTO – Agefiph 2025-2027"
    people = next(i for i in convention["indicators"] if i["name"].startswith("Personnes"))
    assert (people["previous_result"], people["target"]) == (8783, 9500)
