"""A year without regional targets (Normandie 2021) draws no target nor expected level
and does not claim the regions are ranked against one."""

from html import unescape

import pytest

pytestmark = pytest.mark.django_db


def test_normandie_2021_has_no_target_legend_nor_ranking_claim(client_for, director, documents):
    response = client_for(director).get("/", {"region": "28", "year": 2021})

    assert response.wsgi_request.user == director
    names = [trace["name"] for trace in response.context["chart_regions"]()["data"]]
    assert names == ["Contrats à date"]
    html = unescape(response.content.decode())
    assert "Régions classées de la moins avancée" not in html
    assert (
        "Aucun objectif régional n'est connu pour 2021 : pas d'attendu à date, les régions "
        "sont rangées par ordre alphabétique."
    ) in html


def test_a_year_with_targets_draws_them_and_ranks(client_for, director, demo):
    response = client_for(director).get("/", {"region": "FR", "year": 2022})

    names = [trace["name"] for trace in response.context["chart_regions"]()["data"]]
    assert names == ["Contrats à date", "Attendu à date", "Objectif annuel"]
    assert "Régions classées de la moins avancée" in unescape(response.content.decode())
