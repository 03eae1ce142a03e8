"""The first screen answers "where do we stand": the gap to the expected level and to the
annual target in words, the least advanced regions; charts ranked by that gap, numbers
written the French way, names never cut."""

import plotly.graph_objects as go
import pytest
from django.urls import reverse

from akto_portal.formats import percent
from dashboards import charts
from dashboards.page import Gap

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def unwrap(label):
    """A chart label as one line again ("Nouvelle-<br>Aquitaine": "Nouvelle-Aquitaine")."""
    return label.replace("-<br>", "-").replace("<br>", " ")


def test_a_gap_is_told_in_contracts_and_percent():
    gap = Gap(2870, 2736)
    assert (gap.diff, gap.pct, gap.shortfall) == (134, 104.9, 0)
    assert (Gap(2870, 3261).diff, Gap(2870, 3261).pct, Gap(2870, 3261).shortfall) == (
        -391,
        88.0,
        391,
    )


def test_first_screen_says_the_gaps_and_the_three_least_advanced_regions(
    client_for, director, demo
):
    response = client_for(director).get(reverse("overview"), {"region": "FR"})
    page = response.context["page"]
    html = response.content.decode()
    expected, target = page.gap_to_expected, page.gap_to_target
    assert expected is not None and target is not None
    pace = page.contracts.pace
    sign = "+" if expected.diff > 0 else "−" if expected.diff < 0 else ""
    diff = f"{sign}{abs(expected.diff):,}".replace(",", NBSP)
    assert f"{pace.status_label.capitalize()} : {diff} contrats ({percent(expected.pct, 1)}" in html
    # The share of the target is said to be of the annual target, never "atteint" alone.
    assert f"{round(target.pct)}{NBSP}% de l'objectif annuel" in html
    assert " atteint</span>" not in html
    # The three least advanced regions, in the order of the ranked chart.
    behind = page.most_behind
    assert len(behind) == 3
    assert [r.gap.pct for r in behind] == sorted(r.gap.pct for r in behind)
    ranked = [unwrap(name) for name in response.context["chart_regions"]()["data"][0]["y"]]
    assert ranked[:3] == [r.name for r in behind]
    for item in behind:
        assert f'<a href="{item.url}">{item.name}</a>' in html.replace("&amp;", "&")
    # In-page contents lead to every part.
    for anchor in ("pace", "months", "regions", "branches", "years", "market", "events"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_charts_write_numbers_the_french_way_with_room_for_titles(client_for, director, demo):
    response = client_for(director).get(reverse("overview"), {"region": "FR"})
    names = ["cumulative", "years", "regions", "map", "branches", "months", "events", "attendance"]
    for name in names:
        figure = response.context[f"chart_{name}"]()
        go.Figure(figure)  # a valid figure
        layout = figure["layout"]
        assert layout["separators"] == ",\xa0"
        assert layout["yaxis"]["automargin"] and layout["xaxis"]["automargin"]
        for trace in figure["data"]:
            template = trace.get("hovertemplate", "")
            # every number in a hover has a French grouping format (never "25k")
            for axis in ("%{x", "%{y"):
                for part in template.split(axis)[1:]:
                    if part.startswith("}") and trace.get("orientation") == "h" and axis == "%{y":
                        continue  # the category's name
                    if part.startswith("}") and name in ("events", "attendance", "months"):
                        continue
                    assert part.startswith((":,", "}")), (name, template)
    months = response.context["chart_months"]()["layout"]
    assert months["yaxis"]["tickformat"] == ",.0f"


def test_indicator_names_are_wrapped_not_cut(client_for, director, demo):
    response = client_for(director).get(reverse("overview"), {"region": "28"})
    for item in response.context["progress"]():
        if not item["has_targets"]:
            continue
        names = item["chart"]["data"][0]["y"]
        full = [s.indicator.name for s in item["statuses"] if s.target_pct is not None]
        assert [unwrap(n) for n in names] == full
        assert all(len(line) <= 40 for n in names for line in n.split("<br>"))


def test_wrap_keeps_every_word():
    text = "Nombre de contrats d'apprentissage de personnes en situation de handicap"
    assert charts.wrap(text, 40) == (
        "Nombre de contrats d'apprentissage de<br>personnes en situation de handicap"
    )
