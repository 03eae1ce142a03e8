"""The documents' figures as the pages show them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def test_pages_require_login(client, documents):
    for url in (reverse("overview"), reverse("region-detail", args=["28"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_region_page_shows_normandie_2020_2021_and_growth(client_for, director, documents):
    response = client_for(director).get(reverse("region-detail", args=["28"]), {"year": 2021})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"3{NBSP}071" in html
    assert f"2{NBSP}173" in html
    assert f"+41{NBSP}%" in html
    assert "2020 n'est connu que comme total annuel" in html


def test_region_page_lists_its_convention(client_for, director, documents):
    html = client_for(director).get(reverse("region-detail", args=["28"])).content.decode()
    assert "Convention d&#x27;objectifs et de moyens AKTO – Région Normandie" in html
    assert "9 mai 2022" in html


def test_overview_shows_the_2022_national_target(client_for, director, documents):
    html = (
        client_for(director).get(reverse("overview"), {"region": "", "year": 2022}).content.decode()
    )
    assert f"110{NBSP}000" in html
    assert f"+37{NBSP}%" in html  # national market growth 2020-2021


def test_overview_shows_reported_activity_without_double_count(client_for, director, documents):
    html = client_for(director).get(reverse("overview"), {"region": ""}).content.decode()
    assert "près de 200" in html
    assert f"5{NBSP}000" in html
    assert "plus de 500" in html


def test_unknown_region_is_404(client_for, director, documents):
    assert client_for(director).get(reverse("region-detail", args=["99"])).status_code == 404


def test_plotly_is_served_from_our_static_files(client_for, director, documents):
    html = client_for(director).get(reverse("overview")).content.decode()
    assert "/static/vendor/plotly.min.js" in html
    assert "cdn" not in html.lower()
