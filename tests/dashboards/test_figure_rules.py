"""Figure rules shown honestly: a year in progress is compared over the same months, an
unknown figure is never 0, reported yearly totals count in the year's figures, and no
chart is drawn without data."""

import csv

import pytest
from django.urls import reverse

from tests.responses import drain

pytestmark = pytest.mark.django_db


def _csv(client, name, params):
    response = client.get(reverse("dashboard-export", args=[name, "csv"]), params)
    text = drain(response).decode("utf-8-sig")
    # The `# ` lines before the header say what the file holds (scope, date, sources).
    table = [line for line in text.splitlines() if not line.startswith("# ")]
    return list(csv.reader(table, delimiter=";"))


def test_year_in_progress_is_compared_over_the_same_months(client_for, director, monthly):
    """Île-de-France 2022 is known through October: 150 against January-October 2021
    (180), not against the whole of 2021 (240)."""
    client = client_for(director)
    params = {"region": "11", "year": 2022}
    rows = client.get(reverse("api-contracts-by-year"), params).json()["rows"]
    row = {r["year"]: r for r in rows}[2022]
    assert row["months"] == 10
    assert row["period"] == "janv.–oct. 2022"
    assert (row["contracts"], row["previous_year"], row["growth_pct"]) == (150, 180, -16.7)
    assert {r["year"]: r for r in rows}[2021]["growth_pct"] is None  # 2020 unknown
    html = client.get(reverse("overview"), params).content.decode()
    assert "janv.–oct. 2022" in html
    summary = client.get(reverse("api-contracts-summary"), params).json()
    assert summary["growth_pct"] == row["growth_pct"]


def test_no_target_is_empty_not_zero(client_for, director, documents):
    """No target exists for 2021: the regions export leaves target and expected empty."""
    rows = _csv(client_for(director), "regions", {"region": "28", "year": 2021})
    header, total = rows[0], rows[-1]
    assert total[header.index("Objectif annuel")] == ""
    assert total[header.index("Attendu à date")] == ""
    by_region = (
        client_for(director)
        .get(reverse("api-contracts-by-region"), {"region": "28", "year": 2021})
        .json()
    )
    assert by_region["total"]["target"] is None


def test_reported_totals_count_in_the_year_events(client_for, director, documents):
    """Normandie 2021: the source reports 26 information meetings with 493 companies and
    5 job fairs; no event is recorded. The KPIs, tables, export and API say 31 events and
    493 companies."""
    client = client_for(director)
    params = {"region": "28", "year": 2021}
    page = client.get(reverse("overview"), params)
    totals = page.context["event_totals"]()
    assert (totals["events"], totals["companies"]) == (31, 493)
    html = page.content.decode()
    assert 'id="kpi-events-held"' in html
    assert "Total déclaré (sans détail mensuel)" in html
    rows = _csv(client, "events", params)
    assert rows[-1][rows[0].index("Événements")] == "31"
    api = client.get(reverse("api-events-summary"), params).json()
    assert api["total"]["events"] == 31
    assert {(r["kind"], r["events"], r["reported"]) for r in api["events"]} == {
        ("info_meeting", 26, True),
        ("job_fair", 5, True),
    }
    assert page.context["chart_events"]() is not None


def test_no_chart_is_drawn_without_data(client_for, director, documents):
    """Normandie 2020 is known only as a yearly total and has no event: the monthly and
    event charts are replaced by a sentence, not drawn with empty axes."""
    page = client_for(director).get(reverse("overview"), {"region": "28", "year": 2020})
    for name in ("chart_months", "chart_cumulative", "chart_events", "chart_attendance"):
        assert page.context[name] is None, name
    html = page.content.decode()
    assert 'id="chart-events-empty"' in html
    assert 'data-figure="chart-events"' not in html
    assert page.context["chart_years"]() is not None
    assert page.context["event_totals"]()["events"] is None


def test_branch_table_total_is_the_headline_not_a_sum_of_its_rows(client_for, director, documents):
    """Normandie 2020 is known only as a yearly total: at 30/06/2020 its figure is
    unknown, and the branches table's total says so (null in the API, empty in the CSV),
    as the headline does, instead of adding up rows that are unknown too (0)."""
    client = client_for(director)
    params = {"region": "28", "year": 2020, "date": "2020-06-30"}
    page = client.get(reverse("overview"), params)
    assert page.status_code == 200
    api = client.get(reverse("api-contracts-by-branch"), params).json()
    assert api["total"]["contracts"] is None
    assert api["total"]["previous"] is None
    rows = _csv(client, "branches", params)
    assert rows[0][:2] == ["Branche", "Contrats à date"]
    assert rows[-1][0] == "Total"
    assert rows[-1][1] == ""
    # The whole year is known as a total: there the footer is that total.
    year = client.get(reverse("api-contracts-by-branch"), {"region": "28", "year": 2020}).json()
    assert year["total"]["contracts"] == 2173
    assert _csv(client, "branches", {"region": "28", "year": 2020})[-1][1] == "2173"
