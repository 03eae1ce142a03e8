"""The dashboard shows the OPCO's share of its region's apprenticeship market."""

import pytest

from akto_portal.models import Source
from contracts.models import MarketStat

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def test_normandie_2021_share_of_the_market(client_for, director, documents, normandie):
    source = Source.objects.create(kind=Source.Kind.IMPORT, title="Baromètre 2021")
    MarketStat.objects.create(
        region=normandie,
        year=2021,
        measure=MarketStat.Measure.NEW_CONTRACTS,
        value=20000,
        source=source,
    )
    html = client_for(director).get("/", {"region": "28", "year": 2021}).content.decode()
    market = html[html.index('id="market"') :]
    assert f"3{NBSP}071" in market
    assert f"20{NBSP}000" in market
    assert f"15,4{NBSP}%" in market  # 3 071 / 20 000


def test_without_public_statistics_the_page_says_so(client_for, director, documents):
    html = client_for(director).get("/", {"region": "28", "year": 2021}).content.decode()
    assert "Aucune statistique publique pour cette année." in html
