import pytest
from django.urls import reverse

from conventions.models import Convention
from tests.factories import IndicatorValueFactory

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def agefiph(years):
    return Convention.objects.get(title=f"Convention de partenariat AKTO – Agefiph {years}")


def test_agefiph_2022_24_shows_its_results_and_links_to_its_renewal(
    client_for, director, documents
):
    first = agefiph("2022-2024")
    html = client_for(director).get(first.get_absolute_url()).content.decode()
    assert f"8{NBSP}783" in html
    assert f"plus de 1{NBSP}780" in html
    assert f"plus de 10{NBSP}700" in html
    assert ">613<" in html
    assert "plus de 450" in html
    assert agefiph("2025-2027").get_absolute_url() in html


def test_renewal_shows_old_results_as_baselines(client_for, director, documents):
    renewal = agefiph("2025-2027")
    assert renewal.renews == agefiph("2022-2024")
    html = client_for(director).get(renewal.get_absolute_url()).content.decode()
    assert f"8{NBSP}783" in html  # baseline carried over from 2022-24
    assert f"plus de 1{NBSP}780" in html  # with how exact the source said it was
    assert "18 juin 2025" in html
    assert html.count("Déclinaison") or "Déclinaisons régionales" in html


def test_national_convention_is_declined_in_every_region(documents):
    renewal = agefiph("2025-2027")
    assert renewal.declinations.count() == 18
    normandie = renewal.declinations.get(region__code="28")
    assert list(normandie.partners.values_list("name", flat=True)) == ["Agefiph Normandie"]


def test_normandie_convention_has_three_axes_and_agefiph_two(documents):
    normandie = Convention.objects.get(region__code="28", parent=None)
    assert normandie.axes.count() == 3
    assert agefiph("2025-2027").axes.count() == 2


def test_unknown_convention_is_404(client_for, director, documents):
    assert client_for(director).get(reverse("convention-detail", args=[999999])).status_code == 404


def test_an_indicator_shows_its_value_against_its_target(client_for, director):
    """Built from the factories: one reported indicator, 44 people of a target of 100."""
    value = IndicatorValueFactory(value=44, indicator__target=100, indicator__name="Jeunes reçus")
    convention = value.indicator.convention
    response = client_for(director).get(convention.get_absolute_url())
    assert response.status_code == 200 and response.wsgi_request.user == director
    html = response.content.decode()
    assert "Jeunes reçus" in html
    assert f"44{NBSP}%" in html  # 44 of 100
