import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_director_sees_the_branches_most_behind_and_the_normandie_declination(
    login, live_server, director
):
    """At 1440 px: the first screen names the branches most behind (the page model's
    list), and the conventions section shows the Normandie declination of the Agefiph
    convention with its chart drawn, its indicators at 44 % and 30 %."""
    call_command("seed_demo", "--force", verbosity=0)
    page = login(director, PASSWORD)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/?region=28")
    behind = page.locator("#most-behind li")
    assert behind.count() >= 1
    assert all("(" in text and "%" in text for text in behind.all_inner_texts())
    article = page.locator("article.convention", has_text="Agefiph 2025-2027 : Normandie")
    article.scroll_into_view_if_needed()
    assert "déclinaison régionale de" in article.locator("h3").inner_text()
    cells = article.locator("td[data-figure=target-pct]").all_inner_texts()
    assert cells == ["44\xa0%", "30\xa0%"]
    article.locator(".chart[data-drawn=true]").wait_for()
    box = article.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1440
