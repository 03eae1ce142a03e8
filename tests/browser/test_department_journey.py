import pytest

from akto_portal.models import Department
from tests.conftest import PASSWORD
from tests.factories import ContractCountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_drills_down_to_a_department_and_back_to_another_region(
    login, live_server, director
):
    for code, count in (("14", 300), ("76", 500)):
        ContractCountFactory(department=Department.objects.get(code=code), year=2024, count=count)
    page = login(director, PASSWORD)

    # From the region's departments, the Calvados tile opens Calvados' dashboard.
    page.goto(f"{live_server.url}/regions/28/departements/?year=2024")
    page.click(".department-map >> text=Calvados")
    page.wait_for_url("**/?region=28&department=14&year=2024")
    assert page.locator("h1").inner_text().startswith("Calvados")
    assert page.locator("#kpi-contracts strong").inner_text() == "300"
    assert "pas d'objectif départemental" in page.locator("#kpi-target").inner_text()
    assert page.locator("#departements tr.selected").inner_text().startswith("14")

    # Choosing another region leaves the department: Bretagne as a whole, no warning.
    page.select_option("#id_region", "53")
    page.wait_for_url("**/?region=53**")
    assert "department=14" not in page.url
    assert page.locator("h1").inner_text().startswith("Bretagne")
    assert page.locator(".messages").count() == 0
