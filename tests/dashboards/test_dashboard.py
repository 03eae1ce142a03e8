"""The dashboards as a director reads them: figures, filters, drill-down, permissions."""

import datetime

import plotly.graph_objects as go
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def kpi(response, name):
    html = response.content.decode()
    start = html.index(f'id="kpi-{name}"')
    return html[start : html.index("</div>", start)]


def test_director_lands_on_their_region_and_can_switch_to_france(client_for, director, documents):
    client = client_for(director)
    assert client.get(reverse("overview")).context["scope"].region.code == "28"
    assert client.get(reverse("overview"), {"region": ""}).context["scope"].region is None
    assert client.get(reverse("overview"), {"region": "53"}).context["scope"].region.code == "53"


def test_admin_lands_on_france(client_for, admin_user, documents):
    assert client_for(admin_user).get(reverse("overview")).context["scope"].region is None


def test_normandie_2021_shows_3071_and_41_pct_in_kpi_and_region_table(
    client_for, director, documents
):
    response = client_for(director).get(reverse("overview"), {"region": "28", "year": 2021})
    contracts = kpi(response, "contracts")
    assert f"3{NBSP}071" in contracts
    assert f"+41{NBSP}%" in contracts and f"(2{NBSP}173)" in contracts
    normandie = next(r for r in response.context["tables"]["regions"].data if r["code"] == "28")
    assert (normandie["contracts"], normandie["previous"], normandie["growth"]) == (
        3071,
        2173,
        41.3,
    )
    assert f"3{NBSP}071" in response.content.decode().split('id="table-regions"')[1]


def test_national_2022_at_30_june_shows_target_expected_level_and_status(
    client_for, director, monthly
):
    response = client_for(director).get(
        reverse("overview"), {"region": "", "year": 2022, "date": "2022-06-30"}
    )
    assert f"110{NBSP}000" in kpi(response, "target")
    # 2021 put a quarter of its contracts in January-June: 110 000 x 1/4.
    assert f"27{NBSP}500" in kpi(response, "expected")
    assert "30 juin 2022" in kpi(response, "expected")
    assert "en retard" in kpi(response, "status")
    assert "90" in kpi(response, "contracts")
    assert "360" in kpi(response, "projected")  # 90 / (1/4)
    # Normandie 2021 is known only as a yearly total: no same-period comparison.
    assert "2021 n&#x27;est connu que comme total annuel" in response.content.decode()


def test_region_partial_year_compares_same_months_of_last_year(client_for, director, monthly):
    response = client_for(director).get(
        reverse("overview"), {"region": "11", "year": 2022, "date": "2022-06-30"}
    )
    pace = response.context["pace"]()
    assert (pace.contracts, pace.previous_value, pace.growth) == (90, 60, 50.0)
    assert pace.period_label == "janv.–juin 2022"


def test_current_year_stops_at_the_last_month_the_data_covers(client_for, director, monthly):
    # 2022 is known through October: on 24 November the year to date is January-October.
    response = client_for(director).get(reverse("overview"), {"region": "11", "date": "2022-11-24"})
    pace = response.context["pace"]()
    assert pace.through == 10
    assert (pace.contracts, pace.previous_value) == (150, 60 + 4 * 30)


def test_branch_drill_down_from_region(client_for, director, monthly):
    client = client_for(director)
    region_page = client.get(
        reverse("overview"), {"region": "11", "year": 2022, "date": "2022-06-30"}
    )
    branches = region_page.context["tables"]["branches"].data.data
    hcr = next(r for r in branches if r["name"].startswith("Hôtels"))
    assert (hcr["contracts"], hcr["previous"], hcr["share"]) == (60, 30, 66.7)
    assert f"branch={monthly['hcr'].pk}" in hcr["url"] and "region=11" in hcr["url"]
    branch_page = client.get(hcr["url"])
    assert branch_page.context["scope"].branch == monthly["hcr"]
    assert branch_page.context["pace"]().contracts == 60
    assert "pas d&#x27;objectif pour ce filtre" in branch_page.content.decode()


def test_region_links_drill_down_keeping_filters(client_for, director, monthly):
    response = client_for(director).get(reverse("overview"), {"region": "", "year": 2022})
    idf = next(r for r in response.context["tables"]["regions"].data if r["code"] == "11")
    assert idf["url"] == "/?region=11&year=2022"


def test_every_chart_is_a_valid_plotly_figure(client_for, director, monthly):
    response = client_for(director).get(reverse("overview"), {"region": "", "year": 2022})
    names = ["cumulative", "years", "regions", "map", "branches", "months", "events", "attendance"]
    for name in (f"chart_{n}" for n in names):
        go.Figure(response.context[name]())
    assert response.context["progress"]() == []  # Agefiph 2025-2027 is not of 2022
    response = client_for(director).get(reverse("overview"), {"region": "", "year": 2026})
    assert len(response.context["progress"]()) == 1  # Agefiph 2025-2027
    for item in response.context["progress"]():
        go.Figure(item["chart"])


def test_synthetic_figures_are_hatched_and_badged(client_for, director, monthly):
    from akto_portal.models import Source

    Source.objects.filter(title="Saisie de test").update(kind=Source.Kind.SYNTHETIC)
    response = client_for(director).get(reverse("overview"), {"region": "11", "year": 2022})
    assert "synthétique" in kpi(response, "contracts")
    bars = response.context["chart_cumulative"]()["data"][0]
    assert set(bars["marker"]["pattern"]["shape"]) == {"/"}


def test_map_shows_all_18_regions_overseas_included(client_for, director, documents):
    response = client_for(director).get(reverse("overview"), {"region": "", "year": 2021})
    text = [
        cell for row in response.context["chart_map"]()["data"][0]["text"] for cell in row if cell
    ]
    assert len(text) == 18
    assert "<b>YT</b><br>—" in text  # Mayotte, by its abbreviation, not its code "06"
    assert "<b>NOR</b><br>3\xa0071" in text
    assert not any(cell.startswith(("06", "28", "53")) for cell in text)


def test_invalid_filter_values_fall_back_to_defaults(client_for, director, documents):
    response = client_for(director).get(reverse("overview"), {"year": "abc", "region": "99"})
    assert response.status_code == 200
    assert response.context["scope"].region.code == "28"


def test_unknown_region_page_is_404(client_for, director, documents):
    assert client_for(director).get(reverse("region-detail", args=["99"])).status_code == 404


def test_outsider_reads_dashboards_like_every_role(client_for, outsider, documents):
    response = client_for(outsider).get(reverse("region-detail", args=["28"]), {"year": 2021})
    assert response.status_code == 200
    assert response.context["pace"]().contracts == 3071


def test_events_and_attendance_by_month_kind_and_axis(client_for, director, documents):
    from conventions.models import ActionPlanAxis
    from tests.factories import AttendanceFactory, EventFactory

    axis = ActionPlanAxis.objects.get(plan__year=2022, number=1)
    meeting = EventFactory(date=datetime.date(2025, 3, 10), axis=axis)
    AttendanceFactory(event=meeting, category="companies", actual=18)
    fair = EventFactory(date=datetime.date(2025, 3, 20), kind="job_fair")
    AttendanceFactory(event=fair, category="youth", actual=140)
    EventFactory(date=datetime.date(2025, 3, 25), is_cancelled=True)
    response = client_for(director).get(reverse("overview"), {"region": "28", "year": 2025})
    by_kind = {r["kind"]: r for r in response.context["tables"]["events"].data.data}
    assert by_kind["Réunion d'information entreprises"]["axis"] == "Axe 1"
    assert by_kind["Réunion d'information entreprises"]["companies"] == 18
    assert by_kind["Salon"]["youth"] == 140
    march = response.context["tables"]["event_months"].data.data[2]
    assert (march["events"], march["companies"], march["youth"]) == (2, 18, 140)
    chart = response.context["chart_attendance"]()["data"]
    assert {t["name"]: t["y"][2] for t in chart} == {
        "Entreprises": 18,
        "Jeunes et demandeurs d'emploi": 140,
    }


def test_region_table_sorts_on_request_and_keeps_every_row_in_exports(
    client_for, director, monthly
):
    client = client_for(director)
    params = {"region": "", "year": 2021, "r-sort": "-contracts"}
    table = client.get(reverse("overview"), params).context["tables"]["regions"]
    names = [row.record["name"] for row in table.page.object_list]
    assert names[:2] == ["Normandie", "Île-de-France"]  # 3 071, then 240
    assert len(names) == 18
    params["r-sort"] = "name"
    table = client.get(reverse("overview"), params).context["tables"]["regions"]
    assert table.page.object_list[0].record["name"] == "Auvergne-Rhône-Alpes"


def test_branch_table_is_paginated(client_for, director, monthly):
    from akto_portal.models import Branch
    from tests.factories import ContractCountFactory, SourceFactory

    source = SourceFactory(title="Beaucoup de branches")
    for branch in Branch.objects.exclude(pk__in=[monthly["hcr"].pk, monthly["fast_food"].pk]):
        ContractCountFactory(
            region=monthly["idf"], branch=branch, year=2022, month=1, count=1, source=source
        )
    branches = Branch.objects.count()  # every branch now has contracts
    params = {"region": "11", "year": 2022, "b-per_page": 5, "b-page": 2}
    table = client_for(director).get(reverse("overview"), params).context["tables"]["branches"]
    assert table.paginator.num_pages == -(-branches // 5)
    assert len(table.page.object_list) == 5
    assert table.page.number == 2
