"""Derived figures are the page model's, and every output only writes them: the lagging
list, the date the figures stop at, the gap to the expected level, the series of the
cumulative chart, the footers of the tables, the month labels and the thousands
separator; and a region's declinations of national conventions reach its director.

Each test names the defect it guards (issue 19, "Why"); each failed before its fix.
"""

import datetime
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from akto_portal import formats
from akto_portal.models import Region
from contracts.models import ContractTarget
from notifications import alerts
from notifications.digests import compose_digest
from notifications.models import Delivery, Subscription
from notifications.services import subscription_save
from tests.factories import ContractCountFactory, SourceFactory

pytestmark = pytest.mark.django_db

SPACES = re.compile(r"\s+")


def _flat(text: str) -> str:
    return SPACES.sub(" ", unescape(text).replace("\xa0", " "))


def _pdf(client, params) -> str:
    response = client.get(reverse("dashboard-report"), params)
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    reader = PdfReader(io.BytesIO(response.content))
    return _flat("\n".join(page.extract_text() for page in reader.pages))


def _page_behind(html: str) -> list[str]:
    block = re.search(r'<ol class="most-behind">(.*?)</ol>', html, re.S)
    return re.findall(r'<a href="[^"]*">([^<]+)</a>', block.group(1)) if block else []


def _pdf_behind(pdf: str) -> list[str]:
    lead = re.search(r"Les plus en retard : (.+?\))\.", pdf)
    return re.findall(r"(?:^|; )(.+?) \(−", lead.group(1)) if lead else []


def _digest(user, as_of: datetime.date) -> str:
    delivery = Delivery(user=user, key="digest:weekly:test", as_of=as_of, subject="test")
    return compose_digest(delivery).text


@pytest.mark.parametrize("params", [{"region": "28"}, {"region": "28", "year": 2025}])
def test_the_page_the_pdf_and_the_digest_name_the_same_branches_most_behind(
    client_for, director, demo, params
):
    """Defect: the first screen ranked only the 15 largest branches (and named branches
    at 100 %), the PDF and the digest ranked all of them by other rules."""
    client = client_for(director)
    response = client.get(reverse("overview"), params)
    assert (response.wsgi_request.user, response.resolver_match.url_name) == (director, "overview")
    page = response.context["page"]
    on_page = _page_behind(response.content.decode())
    assert on_page, "Normandie has branches behind the year before"
    # Most behind first over every branch: not only the largest.
    branches = {r["name"]: r for r in page.contracts.branch_rows}
    behind = [r for r in branches.values() if r["previous"] and r["contracts"] < r["previous"]]
    expected = sorted(behind, key=lambda r: (r["contracts"] / r["previous"], r["name"]))[:3]
    assert on_page == [r["name"] for r in expected]
    assert _pdf_behind(_pdf(client, params)) == on_page
    digest = _digest(director, page.scope.as_of)
    assert re.findall(r"^- (.+) : [\d\xa0]+ contre", digest, re.M) == on_page


@pytest.mark.parametrize("params", [{"region": "28"}, {"region": "FR", "year": 2022}])
def test_the_pdf_and_the_digest_stop_at_the_date_of_the_page_and_its_csv(
    client_for, director, demo, params
):
    """Defect: the PDF said "Arrêté au 4 décembre 2026" (today) where the page and the
    CSV said 31/10/2026 (the last whole month counted)."""
    client = client_for(director)
    response = client.get(reverse("overview"), params)
    as_of = response.context["pace"]().as_of  # the page model's `as_of`
    html = _flat(response.content.decode())
    assert f"Où en est-on au {formats.long_date(as_of)} ?" in html
    csv = client.get(reverse("dashboard-export", args=["months", "csv"]), params)
    head = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert re.search(r"Arrêté au\W+(\d\d/\d\d/\d{4})", head).group(1) == as_of.strftime("%d/%m/%Y")
    assert f"Arrêté au {formats.long_date(as_of)}" in _pdf(client, params)
    if params["region"] == "28":
        today = timezone.localdate()
        assert as_of < today  # the figures stop at a month's end, not today
        assert f"arrêté au {formats.long_date(as_of)}" in _digest(director, today)


def test_a_previous_year_known_for_half_its_months_is_drawn_nowhere(client_for, director):
    """Defect: the months table drew the year before's running total as soon as one of its
    months was known, the charts (page, PDF, mail) only when all twelve were."""
    source = SourceFactory()
    region = Region.objects.get(code="28")
    for year, months in ((2024, range(1, 13)), (2025, range(1, 7)), (2026, range(1, 11))):
        for month in months:
            ContractCountFactory(source=source, region=region, year=year, month=month, count=100)
    ContractTarget.objects.create(source=source, region=region, year=2026, value=1500)
    client = client_for(director)
    params = {"region": "28", "year": 2026, "date": "2026-10-31"}
    response = client.get(reverse("overview"), params)
    page = response.context["page"]
    rows = page.rows["months"]
    assert [r["previous_cumulative"] for r in rows] == [None] * 12
    assert [r["cumulative"] for r in rows][:10] == [100 * m for m in range(1, 11)]
    names = [t["name"] for t in response.context["chart_cumulative"]()["data"]]
    assert "Cumul 2025" not in names and "Cumul 2026" in names
    api = client.get(reverse("api-contracts-by-month"), params).json()
    assert all(r["previous_cumulative"] is None for r in api["rows"])
    assert not page.previous_year_complete and page.series.previous_cumulative is None


def test_the_gap_to_the_expected_level_reads_the_same_on_the_page_and_in_the_digest(
    client_for, director, demo
):
    """Defect: the digest wrote the gap in percent of the gap (−4,9) where the page wrote
    the ratio (95,1 %)."""
    client = client_for(director)
    response = client.get(reverse("overview"), {"region": "28"})
    page = response.context["page"]
    g = page.gap_to_expected
    assert g is not None
    written = formats.gap(g.diff, g.pct)
    assert re.fullmatch(r"[+−][\d\xa0]+ \(\d+,\d\xa0%\)", written)
    html = _flat(response.content.decode())
    assert (
        f"{formats.signed(g.diff)} contrats ({formats.percent(g.pct, 1)} de l'attendu)".replace(
            "\xa0", " "
        )
        in html
    )
    digest = _digest(director, timezone.localdate())
    assert f"Écart à l'attendu : {written} de l'attendu" in digest


def test_table_footers_are_written_as_their_cells(client_for, director, demo):
    """Defect: footers read "-1,9", "41,3", "100" under cells reading "−7 %"."""
    client = client_for(director)
    response = client.get(reverse("overview"), {"region": "28", "year": 2025})
    html = response.content.decode()
    table = re.search(r'id="table-branches">(.*?)</table>', html, re.S)
    assert table, "the branches table"
    footer = re.search(r"<tfoot[^>]*>(.*?)</tfoot>", table.group(0), re.S).group(1)
    cells = [unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", footer, re.S)]
    growth = response.context["page"].totals["branches"]["growth"]
    assert formats.signed_percent(growth) in cells
    assert not any(re.fullmatch(r"-?\d+,\d", c) for c in cells), cells


def test_one_thousands_separator_and_one_reported_month_label_everywhere(
    client_for, director, demo
):
    """Defect: some outputs grouped thousands with U+202F, others with U+00A0; reported
    yearly totals were "Total déclaré", "Total déclaré (sans détail)" and "Déclaré, sans
    détail mensuel"."""
    client = client_for(director)
    params = {"region": "28", "year": 2021}
    html = client.get(reverse("overview"), params).content.decode()
    assert "3\xa0071" in html and "\u202f" not in html
    assert '"separators": ",\\u00a0"' in html or '"separators": ",\xa0"' in html
    assert "\u202f" not in _digest(director, datetime.date(2021, 12, 31))
    for label in (
        "Total déclaré (sans détail)<",
        "Déclaré, sans détail mensuel",
        '"Total déclaré"',
    ):
        assert label not in html
    assert formats.month_label(13) == "Total déclaré (sans détail mensuel)"


# --- conventions reach the director --------------------------------------------------------


def test_normandie_sees_its_declination_of_agefiph_on_the_page_the_pdf_and_the_digest(
    client_for, director, demo
):
    """Defect: the Normandie declination's indicators (44 % and 30 % of target at 64 % of
    the period) never reached the Normandie dashboard, and the digest said "Aucun
    indicateur en retard"."""
    client = client_for(director)
    response = client.get(reverse("overview"), {"region": "28"})
    page = response.context["page"]
    [item] = [i for i in page.progress if i["convention"].parent_id is not None]
    convention = item["convention"]
    assert convention.title.endswith("Agefiph 2025-2027 : Normandie")
    assert [s.target_pct for s in item["statuses"]] == [44.0, 30.0]
    html = _flat(response.content.decode())
    assert convention.title in html and "déclinaison régionale de" in html
    assert "44 %" in html and "30 %" in html
    assert convention.title in _pdf(client, {"region": "28"})
    digest = _digest(director, timezone.localdate())
    elapsed = formats.percent(item["elapsed_pct"], 1)
    assert "Aucun indicateur en retard" not in digest
    for name, pct in zip(
        [s.indicator.name for s in item["statuses"]], ["44,0", "30,0"], strict=True
    ):
        assert (
            f"- {name} ({convention.title}) : {pct}\xa0% de l'objectif, {elapsed} de la période"
            in digest
        )


def test_normandie_sees_the_national_convention_beside_its_declination(client_for, director, demo):
    """Item 7: the region's page and PDF show the national Agefiph 2025-27, its
    declination for Normandie right after it, then the region's own conventions."""
    client = client_for(director)
    response = client.get(reverse("overview"), {"region": "28"})
    progress = response.context["page"].progress
    kinds = [
        "declination"
        if i["convention"].parent_id
        else "national"
        if i["convention"].region_id is None
        else "regional"
        for i in progress
    ]
    [declination] = [i["convention"] for i in progress if i["convention"].parent_id]
    national = declination.parent

    assert response.wsgi_request.user == director
    assert kinds.index("declination") == kinds.index("national") + 1
    assert [i["convention"] for i in progress][kinds.index("national")] == national
    assert kinds[-1] == "regional" and "national" not in kinds[kinds.index("regional") :]
    html = _flat(response.content.decode())
    assert national.title in html
    assert html.count("convention nationale : objectifs et réalisé de toute la France") == sum(
        k == "national" for k in kinds
    )
    assert national.title in _pdf(client, {"region": "28"})
    france = client.get(reverse("overview"), {"region": "FR"}).context["page"].progress
    assert all(i["convention"].region_id is None for i in france)


def test_a_director_following_normandie_is_alerted_on_its_declination(director, demo, settings):
    """Alerts cover the indicators of a followed region's declinations, without a
    subscription to each indicator."""
    settings.DIGEST_ALERT_MARGIN = 10
    director.email = "directrice@example.org"
    director.save()
    subscription_save(
        user=director, frequency=Subscription.Frequency.WEEKLY, regions=[director.region]
    )
    found = alerts.checks(as_of=timezone.localdate())
    declination = [
        c for c in found if c.subject.startswith("indicator:") and "Normandie" in c.label
    ]
    assert len(declination) == 2
    assert all(c.behind for c in declination) and all(director in c.followers for c in declination)
    assert "de l'objectif quand" in declination[0].detail


def test_a_2022_page_report_and_api_show_the_same_conventions(client_for, director, demo):
    """One rule for which conventions a year shows (their period meets it), in the page
    model: the 2022 page, its PDF and its API leave out the 2025-2027 conventions and
    name them; the 2026 ones show them."""
    client = client_for(director)
    params = {"region": "28", "year": 2022}
    response = client.get(reverse("overview"), params)
    page = response.context["page"]
    elsewhere = [c.title for c in page.conventions_elsewhere]
    shown = [i["convention"].title for i in page.progress]

    assert response.wsgi_request.user == director
    assert "Convention de partenariat AKTO – Agefiph 2025-2027" in elsewhere
    assert "Déclinaison régionale AKTO – Agefiph 2025-2027 : Normandie" in elsewhere
    assert not set(shown) & set(elsewhere)
    html = _flat(response.content.decode())
    assert "Hors de 2022, non repris ici :" in html
    api = client.get("/api/v1/conventions/indicators", params).json()
    assert [c["title"] for c in api["conventions"]] == shown
    assert [c["title"] for c in api["conventions_elsewhere"]] == elsewhere
    pdf = _pdf(client, params)
    assert all(title in pdf for title in elsewhere)
    later = client.get(reverse("overview"), {"region": "28", "year": 2026}).context["page"]
    assert set(elsewhere) <= {i["convention"].title for i in later.progress}
