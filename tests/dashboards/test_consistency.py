"""One truth: for a grid of scopes, the headline, every table's total, the CSV and XLSX
exports, the whole-dashboard workbook and the API give the same figures; and a choice of
France survives every link of the page.

The demo data (both source documents and the synthetic set) is loaded once, then every
scope of the grid is read through each output as a director of Normandie.
"""

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from akto_portal.models import Branch
from tests.responses import drain

pytestmark = pytest.mark.django_db

REGIONS = ["FR", "28", "53", "04"]  # France, Normandie, Bretagne, La Réunion (overseas)
PERIODS = [{"year": 2021}, {"year": 2022, "date": "2022-06-30"}, {}]  # {}: this year


def _csv(client, name, params):
    response = client.get(reverse("dashboard-export", args=[name, "csv"]), params)
    assert response.status_code == 200
    text = drain(response).decode("utf-8-sig")
    # The `# ` lines before the header say what the file holds (scope, date, sources).
    table = [line for line in text.splitlines() if not line.startswith("# ")]
    return list(csv.reader(table, delimiter=";"))


def _xlsx(client, name, params):
    response = client.get(reverse("dashboard-export", args=[name, "xlsx"]), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(drain(response)), read_only=True)


def _num(text):
    """A CSV cell as the API would give it: '' -> None, '3071' -> 3071, '41,3' -> 41.3."""
    if text in ("", None):
        return None
    if isinstance(text, int | float):
        return text
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def _column(rows, header):
    return rows[0].index(header)


def _scopes():
    hcr = Branch.objects.get(idcc="1979")
    for region in REGIONS:
        for period in PERIODS:
            for branch in (None, hcr):
                params = {"region": region, **period}
                if branch is not None:
                    params["branch"] = branch.pk
                yield params


def test_every_output_gives_the_same_figures_for_every_scope(client_for, director, demo):
    client = client_for(director)
    checked = 0
    for params in _scopes():
        page = client.get(reverse("overview"), params)
        assert page.status_code == 200, params
        pace = page.context["pace"]()
        headline = pace.contracts
        api = client.get(reverse("api-contracts-summary"), params).json()
        assert api["contracts"] == headline, params
        assert api["previous_year"] == pace.previous_value, params

        months = _csv(client, "months", params)
        assert _num(months[-1][_column(months, "Contrats")]) == headline, params
        assert _num(months[-1][_column(months, "Contrats N-1")]) == pace.previous_value, params
        by_month = client.get(reverse("api-contracts-by-month"), params).json()
        assert by_month["total"]["contracts"] == headline, params

        branches = _csv(client, "branches", params)
        assert _num(branches[-1][1]) == headline, params

        regions = _csv(client, "regions", params)
        national = client.get(reverse("api-contracts-by-region"), params).json()["total"]
        assert _num(regions[-1][1]) == national["contracts"], params
        assert _num(regions[-1][_column(regions, "Objectif annuel")]) == national["target"]
        assert _num(regions[-1][_column(regions, "Attendu à date")]) == national["expected"]
        if params["region"] == "FR":
            assert national["contracts"] == headline, params

        by_year = client.get(reverse("api-contracts-by-year"), params).json()["rows"]
        this_year = [r for r in by_year if r["year"] == pace.year]
        if this_year:
            assert this_year[0]["contracts"] == headline, params
            assert this_year[0]["months"] == pace.through, params

        events = _csv(client, "events", params)
        event_months = _csv(client, "event_months", params)
        api_events = client.get(reverse("api-events-summary"), params).json()["total"]
        kpi = page.context["event_totals"]()
        for header, key in (("Événements", "events"), ("Entreprises", "companies")):
            assert _num(events[-1][_column(events, header)]) == kpi[key], params
            assert _num(event_months[-1][_column(event_months, header)]) == kpi[key], params
            assert api_events[key] == kpi[key], params

        workbook = _xlsx(client, "tableau", params)
        sheet = list(workbook["Mois"].values)
        assert _num(sheet[-1][1]) == headline, params
        sheet = list(workbook["Régions"].values)
        assert _num(sheet[-1][1]) == national["contracts"], params
        single = list(_xlsx(client, "months", params)["Mois"].values)  # after "À propos"
        assert _num(single[-1][1]) == headline, params
        checked += 1
    assert checked == len(REGIONS) * len(PERIODS) * 2


DEPARTMENT_PERIODS = [{"year": 2021}, {"year": 2025}, {"year": 2025, "date": "2025-06-30"}, {}]


def _department_scopes():
    hcr = Branch.objects.get(idcc="1979")
    for period in DEPARTMENT_PERIODS:
        for branch in (None, hcr):
            params = {"region": "28", "department": "14", **period}
            if branch is not None:
                params["branch"] = branch.pk
            yield params


def test_every_output_gives_the_same_figures_for_a_department(client_for, director, demo):
    """Normandie › Calvados: the headline is the department's row in its region's table,
    and every output of the department's scope (tables' totals, CSV, XLSX, workbook, API)
    gives it; the department's branches add up to it."""
    client = client_for(director)
    checked = 0
    for params in _department_scopes():
        page = client.get(reverse("overview"), params)
        assert page.status_code == 200, params
        scope, pace = page.context["scope"], page.context["pace"]()
        assert (scope.region.code, scope.department.code) == ("28", "14"), params
        headline = pace.contracts
        assert headline, params  # Normandie's synthetic months are known by department
        api = client.get(reverse("api-contracts-summary"), params).json()
        assert (api["department"], api["contracts"]) == ("14", headline), params
        assert api["previous_year"] == pace.previous_value, params
        assert api["growth_pct"] == pace.growth, params

        region_table = client.get(reverse("api-contracts-by-department"), params).json()
        calvados = next(r for r in region_table["rows"] if r["code"] == "14")
        assert calvados["contracts"] == headline, params
        assert calvados["previous"] == pace.previous_value, params
        region = client.get(
            reverse("api-contracts-summary"), {k: v for k, v in params.items() if k != "department"}
        ).json()
        assert region_table["total"]["contracts"] == region["contracts"] != headline, params

        months = _csv(client, "months", params)
        assert _num(months[-1][_column(months, "Contrats")]) == headline, params
        assert _num(months[-1][_column(months, "Contrats N-1")]) == pace.previous_value, params
        assert sum(_num(r[_column(months, "Contrats")]) or 0 for r in months[1:-1]) == headline
        by_month = client.get(reverse("api-contracts-by-month"), params).json()
        assert by_month["total"]["contracts"] == headline, params

        branches = _csv(client, "branches", params)
        assert _num(branches[-1][1]) == headline, params
        assert sum(_num(r[1]) for r in branches[1:-1]) == headline, params
        by_branch = client.get(reverse("api-contracts-by-branch"), params).json()
        assert sum(r["contracts"] or 0 for r in by_branch["rows"]) == headline, params

        by_year = client.get(reverse("api-contracts-by-year"), params).json()["rows"]
        assert {r["year"]: r["contracts"] for r in by_year}[pace.year] == headline, params

        workbook = _xlsx(client, "tableau", params)
        assert "Régions" not in workbook.sheetnames
        assert _num(list(workbook["Mois"].values)[-1][1]) == headline, params
        sheet = list(workbook["Départements"].values)
        header = list(sheet[0])
        row = next(r for r in sheet if r[0] == "14")
        assert _num(row[header.index("Contrats à date")]) == headline, params
        single = list(_xlsx(client, "months", params)["Mois"].values)
        assert _num(single[-1][1]) == headline, params
        about = dict(list(_xlsx(client, "months", params)["À propos"].values))
        assert about["Périmètre"] == "Calvados (Normandie)"
        checked += 1
    assert checked == len(DEPARTMENT_PERIODS) * 2


def test_normandie_2021_reads_3071_and_41_pct_everywhere(client_for, director, demo):
    client = client_for(director)
    params = {"region": "28", "year": 2021}
    page = client.get(reverse("overview"), params)
    html = page.content.decode()
    assert "3\xa0071" in html and "+41\xa0%" in html
    assert client.get(reverse("api-contracts-summary"), params).json()["growth_pct"] == 41.3
    months = _csv(client, "months", params)
    # 2020 is known only as a yearly total: the N-1 total is that total, not 0.
    assert months[-1][_column(months, "Contrats N-1")] == "2173"
    rows = client.get(reverse("api-contracts-by-year"), params).json()["rows"]
    assert {r["year"]: r["contracts"] for r in rows}[2021] == 3071


def _links(html):
    for href in re.findall(r'href="([^"]+)"', html):
        href = unescape(href)
        path = urlsplit(href).path
        # The navigation's plain "/" (the user's home page) is not a link of the scope.
        if (path == reverse("overview") and "?" in href) or path.startswith("/export/"):
            yield href


def test_every_link_of_the_france_page_keeps_france(client_for, director, demo):
    """A director of Normandie who chose France stays on France whatever they follow."""
    client = client_for(director)
    page = client.get(reverse("overview"), {"region": "FR", "year": 2022})
    assert page.context["scope"].region is None
    html = page.content.decode()
    links = list(_links(html))
    assert len(links) > 20
    for href in links:
        query = parse_qs(urlsplit(href).query, keep_blank_values=True)
        assert query.get("region") in (["FR"], [""]) or (
            # the regions table links to each region on purpose
            query.get("region", [""])[0].isdigit() and "branch" not in query
        ), href
        if query.get("region") == ["FR"]:
            followed = client.get(href)
            assert followed.status_code == 200, href
            if followed.get("Content-Type", "").startswith("text/html"):
                assert followed.context["scope"].region is None, href
            if followed.streaming:
                drain(followed)
    # The exports of the France page total France, not the user's region.
    months = _csv(client, "months", {"region": "FR", "year": 2022})
    france = client.get(reverse("api-contracts-summary"), {"year": 2022}).json()["contracts"]
    assert _num(months[-1][1]) == france
    # A view saved from the France page is France.
    query = re.search(r'name="query" value="([^"]*)"', html).group(1)
    client.post(reverse("saved-view-create"), {"name": "France 2022", "query": unescape(query)})
    saved = director.saved_views.get(name="France 2022")
    assert "region=FR" in saved.query
    assert client.get(saved.get_absolute_url()).context["scope"].region is None


def test_no_region_in_the_url_means_the_home_region(client_for, director, demo):
    client = client_for(director)
    assert client.get(reverse("overview")).context["scope"].region.code == "28"
    assert client.get(reverse("overview"), {"region": ""}).context["scope"].region is None


EVENT_HEADERS = [
    ("events", "Événements tenus"),
    ("companies", "Entreprises présentes"),
    ("training_bodies", "CFA / OF présents"),
    ("youth", "Jeunes présents"),
]


def test_normandie_departments_agree_with_the_headline_everywhere(client_for, director, demo):
    """The department table, its CSV/XLSX exports and the API total to the region's
    headline, contracts and events; the synthetic departments add up to it exactly;
    2020, known only as a total, has no department figures."""
    client = client_for(director)
    for params in (
        {"region": "28", "year": 2021},
        {"region": "28", "year": 2022, "date": "2022-06-30"},
        {"region": "28"},
    ):
        headline = client.get(reverse("api-contracts-summary"), params).json()["contracts"]
        api = client.get(reverse("api-contracts-by-department"), params).json()
        assert api["total"]["contracts"] == headline, params
        departments = [r for r in api["rows"] if r["code"]]
        assert [r["code"] for r in departments] == ["14", "27", "50", "61", "76"]
        assert sum(r["contracts"] for r in departments) == headline, params
        assert all(r["synthetic"] for r in departments)
        response = client.get(reverse("region-departments-export", args=["28", "csv"]), params)
        text = drain(response).decode("utf-8-sig")
        table = [line for line in text.splitlines() if not line.startswith("# ")]
        rows = list(csv.reader(table, delimiter=";"))
        assert _num(rows[-1][_column(rows, "Contrats à date")]) == headline, params
        response = client.get(reverse("region-departments-export", args=["28", "xlsx"]), params)
        sheet = list(
            load_workbook(io.BytesIO(drain(response)), read_only=True)["Départements"].values
        )
        assert _num(sheet[-1][2]) == headline, params
        page = client.get(reverse("region-departments", args=["28"]), params)
        assert page.context["pace"]().contracts == headline
        # Events: the departments and the rest ("Non ventilé": no department, totals
        # reported for the whole region) add up to the region's events headline.
        events = client.get(reverse("api-events-summary"), params).json()["total"]
        for measure in ("events", "companies", "training_bodies", "youth"):
            assert api["total"][measure] == events[measure], (params, measure)
            parts = [r[measure] for r in api["rows"] if r[measure] is not None]
            assert sum(parts) == (events[measure] or 0), (params, measure)
            column = _column(rows, dict(EVENT_HEADERS)[measure])
            assert _num(rows[-1][column]) == events[measure], (params, measure)
            assert _num(sheet[-1][column]) == events[measure], (params, measure)
        assert page.context["page"].totals["events"]["events"] == events["events"]
        if "year" not in params:  # this year: the demo events are placed in departments
            assert sum(r["events"] for r in departments) > events["events"] / 2
    reported_2021 = client.get(
        reverse("api-contracts-by-department"), {"region": "28", "year": 2021}
    ).json()
    # 2021 is known from the document's totals only (26 meetings + 5 fairs): not by
    # department, so the departments' events are unknown and the rest holds the 31.
    assert [r["events"] for r in reported_2021["rows"] if r["code"]] == [None] * 5
    assert [r["events"] for r in reported_2021["rows"] if not r["code"]] == [31]
    known_as_total = client.get(
        reverse("api-contracts-by-department"), {"region": "28", "year": 2020}
    ).json()
    assert known_as_total["total"]["contracts"] == 2173
    assert [r["contracts"] for r in known_as_total["rows"] if r["code"]] == [None] * 5


# --- derived figures: the lagging list, the series and the date, in every output ------------


def _pdf_text(client, params):
    from pypdf import PdfReader

    response = client.get(reverse("dashboard-report"), params)
    assert response.status_code == 200, params
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def _about_date(lines):
    """The "Arrêté au" of an export's header lines."""
    for line in lines:
        match = re.search(r"Arrêté au\W+(\d\d/\d\d/\d{4})", line)
        if match:
            return match.group(1)
    raise AssertionError(f"pas de « Arrêté au » dans {lines[:12]}")


def _digest_text(user, as_of):
    from notifications.digests import compose_digest
    from notifications.models import Delivery

    delivery = Delivery(user=user, key="digest:weekly:grid", as_of=as_of, subject="grille")
    return compose_digest(delivery).text.replace("\xa0", " ")


def test_the_lagging_list_the_series_and_the_date_agree_in_every_output(client_for, director, demo):
    """For the grid of scopes: the regions (France) or branches (a region) most behind
    their reference, the cumulative series and the date the figures stop at are the page
    model's in the page, the API, the months CSV/XLSX, the PDF and the digest."""
    from akto_portal import formats

    client = client_for(director)
    checked = digests = 0
    for params in _scopes():
        overview = client.get(reverse("overview"), params)
        assert overview.status_code == 200, params
        assert overview.wsgi_request.user == director
        assert overview.resolver_match.url_name == "overview"
        page = overview.context["page"]
        html = unescape(overview.content.decode()).replace("\xa0", " ")
        behind = [(r.name, r.contracts, r.reference) for r in page.most_behind]
        # Most behind first, by one rule, over every region or branch (not the largest).
        ranked = [r for r in page.ranking if r.gap is not None and r.gap.reference]
        assert all(r.behind for r in page.most_behind), params
        assert [r.name for r in page.most_behind] == [r.name for r in ranked if r.behind][:3]
        ratios = [r.contracts / r.reference for r in ranked]
        assert ratios == sorted(ratios), params
        for name, _contracts, _reference in behind:
            assert f">{name}</a> :" in html, (params, name)

        # The API's summary: the same list and the same date.
        api = client.get(reverse("api-contracts-summary"), params).json()
        assert [(r["name"], r["contracts"], r["reference"]) for r in api["most_behind"]] == behind
        assert api["as_of"] == page.as_of.isoformat(), params

        # The months table (CSV, XLSX) is the page's series, dated as the page.
        series = page.series
        response = client.get(reverse("dashboard-export", args=["months", "csv"]), params)
        text = drain(response).decode("utf-8-sig")
        assert _about_date(text.splitlines()) == formats.short_date(page.as_of), params
        months = _csv(client, "months", params)
        cumulative = [_num(r[_column(months, "Cumul")]) for r in months[1:13]]
        assert cumulative[: len(series.months)] == series.cumulative, params
        previous = [_num(r[_column(months, "Cumul N-1")]) for r in months[1:13]]
        assert previous == (series.previous_cumulative or [None] * 12), params
        expected = [_num(r[_column(months, "Cumul attendu (objectif)")]) for r in months[1:13]]
        assert expected == (series.expected_cumulative or [None] * 12), params
        about = dict(list(_xlsx(client, "months", params)["À propos"].values))
        assert about["Arrêté au"] == formats.short_date(page.as_of), params
        # The page's cumulative chart draws the same series.
        chart = overview.context["chart_cumulative"]() or {"data": []}
        figure = {t["name"]: t["y"] for t in chart["data"]}
        if series.months:
            assert figure[f"Cumul {page.scope.year}"] == series.cumulative, params
        if series.previous_cumulative is not None:
            assert figure[f"Cumul {page.scope.year - 1}"] == series.previous_cumulative
        else:
            assert f"Cumul {page.scope.year - 1}" not in figure, params

        # The PDF: the same date and the same lagging list, in the same order.
        pdf = _pdf_text(client, params)
        assert f"Arrêté au {formats.long_date(page.as_of)}" in " ".join(pdf.split()), params
        if behind:
            lead = re.search(r"Les plus en retard : (.+?\))\.", " ".join(pdf.split()))
            assert lead, params
            assert re.findall(r"(?:^|; )(.+?) \(−", lead.group(1)) == [
                " ".join(name.split()) for name, *_ in behind
            ], params
        else:
            assert "Les plus en retard" not in pdf, params

        # The digest of the director's region at the scope's date: the same date and list.
        if params["region"] == "28" and "branch" not in params:
            digest = _digest_text(director, page.scope.as_of)
            assert f"arrêté au {formats.long_date(page.as_of)}" in digest, params
            written = re.findall(r"^- (.+) : [\d ]+ contre [\d ]+ \(−", digest, re.M)
            assert written == [name for name, *_ in behind], params
            digests += 1
        checked += 1
    assert checked == len(REGIONS) * len(PERIODS) * 2
    assert digests == len(PERIODS)
