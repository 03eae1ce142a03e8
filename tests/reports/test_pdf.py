"""The PDF report of a scope (`/rapport.pdf?<the dashboard's query>`): at most four A4
landscape pages, the page model's headline, the scope and date on every page, the
synthetic legend, every chart inside its page, and no network fetch."""

import io
import re
from html import unescape

import pytest
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfReader
from weasyprint.formatting_structure.boxes import ReplacedBox

from dashboards.page import page_for_request
from reports.pdf import StaticFilesFetcher, report_document

pytestmark = pytest.mark.django_db

A4_LANDSCAPE_PT = (842, 595)  # 297 x 210 mm


def _plain(text):
    """Extracted text with the French thin and no-break spaces made plain spaces."""
    return re.sub(r"[\xa0\u202f\u2009]", " ", text)


def _pdf(client, params):
    response = client.get(reverse("dashboard-report"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return response, [_plain(page.extract_text()) for page in reader.pages], reader


def test_the_report_needs_a_login(client, demo):
    response = client.get(reverse("dashboard-report"), {"region": "28", "year": 2021})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_normandie_2021_fits_four_pages_with_its_headline_scope_and_legend(
    client_for, director, demo
):
    response, pages, reader = _pdf(client_for(director), {"region": "28", "year": 2021})
    assert 'filename="rapport-28-2021-20211231.pdf"' in response["Content-Disposition"]
    assert len(pages) <= 4
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == A4_LANDSCAPE_PT
    assert "3 071" in pages[0] and "+41 %" in pages[0]
    assert "sur 2020 (2 173)" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert "Normandie" in text, f"page {number} does not say its scope"
        assert "Arrêté au 31 décembre 2021" in text, f"page {number} has no date"
        assert "toutes branches, tous types de contrat, tous publics" in text
        assert "Sources : Document publié" in text, f"page {number} has no sources"
        assert f"Page {number} / {len(pages)}" in text
    everything = " ".join(pages)
    assert "données de démonstration fictives" in everything  # the synthetic legend
    # The reported totals of the press release (26 meetings + 5 fairs, 493 companies).
    assert re.search(r"événements tenus\s+31\b", everything, re.I)
    assert re.search(r"entreprises présentes\s+493\b", everything, re.I)


def test_france_2022_ranks_regions_by_gap_to_expected(client_for, director, demo):
    _response, pages, _reader = _pdf(client_for(director), {"region": "FR", "year": 2022})
    assert len(pages) <= 4
    headline = pages[0]
    assert "109 265" in headline
    assert "−735" in headline and "99,3 % de l'attendu (110 000)" in headline
    assert all("France entière" in text and "31 décembre 2022" in text for text in pages)
    ranking = pages[1]
    assert "Régions classées par écart à l'attendu à date" in ranking
    # Most behind first: Auvergne-Rhône-Alpes (−5,1 %) … Provence-Alpes-Côte d'Azur (+6,8 %).
    assert ranking.index("Auvergne-Rhône-Alpes") < ranking.index("Normandie")
    assert ranking.index("Normandie") < ranking.index("Provence-Alpes-Côte d'Azur")
    assert "−667" in ranking and "+595" in ranking


def test_the_report_and_the_dashboard_give_the_same_headline(client_for, director, demo):
    client = client_for(director)
    params = {"region": "FR", "year": 2022}
    html = client.get(reverse("overview"), params).content.decode()
    assert '<a class="button" href="/rapport.pdf?region=FR&amp;year=2022">Rapport PDF</a>' in html
    kpi = re.search(
        r'id="kpi-contracts">.*?<strong>([^<]+)</strong>.*?class="sub">([^<]+)', html, re.S
    )
    contracts, comparison = (_plain(unescape(group)).strip() for group in kpi.groups())
    assert contracts == "109 265"
    _response, pages, _reader = _pdf(client, params)
    assert contracts in pages[0]
    assert comparison in pages[0]  # "+12 % sur 2021 (97 182)"


def _document(user, query):
    request = RequestFactory().get("/rapport.pdf?" + query)
    request.user = user
    _filterset, page = page_for_request(request)
    return report_document(page, request)


def _images(box):
    if isinstance(box, ReplacedBox):
        yield box
    for child in getattr(box, "children", []):
        yield from _images(child)


@pytest.mark.parametrize("query", ["region=28&year=2021", "region=FR&year=2022", "region=FR"])
def test_every_chart_is_inside_its_page(director, demo, query):
    document = _document(director, query)
    assert len(document.pages) <= 4
    charts = 0
    for page in document.pages:
        box = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        right, bottom = left + box.width, top + box.height
        for image in _images(box):
            charts += 1
            x, y = image.border_box_x(), image.border_box_y()
            assert left - 0.5 <= x and x + image.border_width() <= right + 0.5
            assert top - 0.5 <= y and y + image.border_height() <= bottom + 0.5
            # Drawn at its printed size or smaller, never stretched past its column.
            assert image.width <= image.replacement.get_intrinsic_size(1, 16)[0] + 1
    # The cumulative chart, the ranking or indicators, the events: there is something to check.
    assert charts >= 3


def test_rendering_never_fetches_from_the_network():
    fetcher = StaticFilesFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://cdn.example.org/fonts.css")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    css = fetcher.fetch("https://report.invalid/static/css/report.css")
    assert b"size: A4 landscape" in css.read()


def _flat(text):
    """Extracted text on one line (the PDF wraps its paragraphs)."""
    return " ".join(text.split())


def test_a_year_without_targets_claims_no_target_nor_ranking(client_for, director, demo):
    """Normandie 2021: no target exists. The report draws no target pace and names no
    ranking by gap; it says by what the rows are ordered, as the page does."""
    _response, pages, _reader = _pdf(client_for(director), {"region": "28", "year": 2021})
    pages = [_flat(text) for text in pages]
    everything = " ".join(pages)
    assert "rythme de l'objectif" not in everything.lower()
    assert "classées" not in everything
    assert "Cumul mensuel des contrats" in pages[0]
    assert "Cumul 2021" in pages[0]  # the chart's own legend, as text
    assert "Branches en Normandie par nombre de contrats" in pages[1]
    assert "les branches sont rangées par nombre de contrats" in pages[1]

    _response, pages, _reader = _pdf(client_for(director), {"region": "FR", "year": 2021})
    pages = [_flat(text) for text in pages]
    everything = " ".join(pages)
    assert "rythme de l'objectif" not in everything.lower()
    assert "Régions classées" not in everything
    assert "Régions par nombre de contrats" in pages[1]
    assert (
        "Aucun objectif régional n'est connu pour 2021 : pas d'attendu à date, les régions "
        "sont rangées par nombre de contrats."
    ) in pages[1]


def test_a_year_with_targets_draws_the_target_pace(client_for, director, demo):
    _response, pages, _reader = _pdf(client_for(director), {"region": "28", "year": 2022})
    pages = [_flat(text) for text in pages]
    assert "Cumul mensuel et rythme de l'objectif" in pages[0]
    assert "Rythme de l'objectif (3 510 fin 2022)" in pages[0]  # the chart's legend
    assert "Branches en Normandie classées par écart à 2021" in pages[1]


def test_a_report_lists_only_the_conventions_of_its_year(client_for, director, demo):
    """The Agefiph 2025-2027 declination is on the Normandie 2026 report, not on 2022's
    (only named there as out of the year)."""
    client = client_for(director)
    declination = "Déclinaison régionale AKTO – Agefiph 2025-2027 : Normandie"

    _response, pages, _reader = _pdf(client, {"region": "28", "year": 2022})
    conventions = next(_flat(text) for text in pages if "Conventions : indicateurs" in text)
    assert "Convention d'objectifs et de moyens AKTO – Région Normandie" in conventions
    assert "Personnes en situation de handicap" not in conventions
    national = "Convention de partenariat AKTO – Agefiph 2025-2027"
    assert (
        f"Hors de 2022, non repris ici : {national} (2025-2027) ; {declination} (2025-2027)."
        in conventions
    )
    assert conventions.count(declination) == 1

    _response, pages, _reader = _pdf(client, {"region": "28", "year": 2026})
    conventions = next(_flat(text) for text in pages if "Conventions : indicateurs" in text)
    assert "Personnes en situation de handicap" in conventions
    assert "Hors de 2026" not in conventions
