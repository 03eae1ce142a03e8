import pytest

from akto_portal.demo import documents
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\xa0"


def test_director_opens_their_region_and_sees_the_figures_drawn(login, live_server, director):
    documents.load_all()
    page = login(director, PASSWORD)
    page.click("nav >> text=Normandie")
    page.select_option("#annee", "2021")
    kpi = page.locator("#kpi-contracts")
    assert f"3{NBSP}071" in kpi.inner_text()
    assert f"+41{NBSP}%" in kpi.inner_text()
    page.wait_for_selector(".chart[data-figure=chart-years][data-drawn=true]")
    assert page.locator(".chart[data-figure=chart-years] .main-svg").count() >= 1
    page.click("text=Convention d'objectifs et de moyens AKTO – Région Normandie")
    assert "9 mai 2022" in page.inner_text("dl.facts")
