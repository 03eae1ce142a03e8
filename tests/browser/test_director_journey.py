import csv
import io

import pytest

from akto_portal.models import Region
from demo import documents
from tests.conftest import PASSWORD
from tests.factories import ContractCountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\xa0"


def test_director_filters_drills_down_and_downloads_a_csv_matching_the_page(
    login, live_server, director
):
    documents.load_all()
    ContractCountFactory(region=Region.objects.get(code="11"), year=2021, count=5000)
    page = login(director, PASSWORD)

    # Lands on their own region, charts drawn.
    assert page.locator("h1").inner_text().startswith("Normandie")
    page.wait_for_selector(".chart[data-figure=chart-years][data-drawn=true]")

    # Changes a filter: the year.
    page.fill("#id_year", "2021")
    page.click("#filters button[type=submit]")
    kpi = page.locator("#kpi-contracts")
    assert f"3{NBSP}071" in kpi.inner_text()
    assert f"+41{NBSP}%" in kpi.inner_text()
    assert "year=2021" in page.url
    # The map colours growth, known in 2021 (not in the year in progress: no chart then).
    page.wait_for_selector(".chart[data-figure=chart-map][data-drawn=true]")
    assert page.locator(".chart[data-figure=chart-map] .main-svg").count() >= 1

    # Switches to France (the select submits the form).
    page.select_option("#id_region", "FR")
    page.wait_for_url("**/?region=FR&year=2021**")
    assert page.locator("h1").inner_text().startswith("France entière")
    national = page.locator("#kpi-contracts strong").inner_text()
    assert national == f"8{NBSP}071"

    # Downloads the regions table: its total is the page's figure.
    with page.expect_download() as download:
        page.click("a[href^='/export/regions.csv']")
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read()), delimiter=";"))
    assert rows[-1][0] == "Total France entière"
    assert int(rows[-1][1]) == int(national.replace(NBSP, ""))

    # Drills down from France to Normandie, keeping the year.
    page.click("#table-regions >> text=Normandie")
    page.wait_for_url("**/?region=28&year=2021")
    assert f"3{NBSP}071" in page.locator("#kpi-contracts").inner_text()
    # 2021 is known as a yearly total only here: the page says so instead of a chart.
    assert "Pas de graphique" in page.locator("#chart-cumulative-empty").inner_text()

    # Prints to PDF.
    page.emulate_media(media="print")
    assert page.pdf(format="A4", landscape=True)[:4] == b"%PDF"
