"""The dashboard shows the OPCO's share of its region's apprenticeship market."""

from html import unescape

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


REFUSAL_HCR = (
    "Part de marché non calculée : les statistiques publiques du marché ne sont pas "
    "ventilées par branche (filtre « {} »). Les contrats de l'OPCO et le marché ci-contre "
    "sont ceux de toutes les branches et de tous les publics."
)


@pytest.fixture
def idf_market(monthly):
    """Île-de-France 2021: 240 OPCO contracts (120 in HCR) in a market of 2 400."""
    from akto_portal.models import Region

    source = Source.objects.create(kind=Source.Kind.IMPORT, title="Baromètre 2021")
    MarketStat.objects.create(
        region=Region.objects.get(code="11"),
        year=2021,
        measure=MarketStat.Measure.NEW_CONTRACTS,
        value=2400,
        source=source,
    )
    return monthly


def _market_section(html):
    return html[html.index('id="market"') : html.index('id="conventions"')]


def test_a_branch_filter_blanks_the_market_share_and_says_why(client_for, director, idf_market):
    """A branch's contracts are no share of a market counted for all branches: "—" with
    the reason, never the unfiltered share beside the branch's contracts."""
    hcr = idf_market["hcr"]
    client = client_for(director)
    whole = client.get("/", {"region": "11", "year": 2021})
    assert f">10{NBSP}%<" in _market_section(whole.content.decode())
    assert 'id="market-share-refusal"' not in whole.content.decode()

    response = client.get("/", {"region": "11", "year": 2021, "branch": hcr.pk})
    html = response.content.decode()

    assert response.wsgi_request.user == director
    market = _market_section(html)
    assert f">10{NBSP}%<" not in market
    assert '<td class="num">—</td>' in market
    assert REFUSAL_HCR.format(hcr.name) in unescape(market)
    api = client.get(
        "/api/v1/contracts/by-department", {"region": "11", "year": 2021, "branch": hcr.pk}
    ).json()
    assert api["total"]["market_share"] is None
    assert api["market_share_refusal"] == REFUSAL_HCR.format(hcr.name)
    assert (
        client.get("/api/v1/contracts/by-department", {"region": "11", "year": 2021}).json()[
            "total"
        ]["market_share"]
        == 10.0
    )


def test_the_market_api_blanks_the_share_under_a_branch_filter(client_for, director, idf_market):
    """/api/v1/market/summary reads the same scope: a branch filter gives no share and
    says why, where it used to give the unfiltered 10 % as if it were the branch's."""
    hcr = idf_market["hcr"]
    client = client_for(director)
    whole = client.get("/api/v1/market/summary", {"region": "11", "year": 2021})
    branch = client.get("/api/v1/market/summary", {"region": "11", "year": 2021, "branch": hcr.pk})

    assert branch.wsgi_request.user == director
    assert (whole.json()["share_pct"], whole.json()["share_refusal"]) == (10.0, None)
    assert (branch.json()["share_pct"], branch.json()["share_refusal"]) == (
        None,
        REFUSAL_HCR.format(hcr.name),
    )
    assert branch.json()["opco_contracts"] == whole.json()["opco_contracts"] == 240


def test_an_apprenticeship_filter_keeps_the_share_a_public_filter_blanks_it(
    client_for, director, idf_market
):
    client = client_for(director)
    apprenticeship = client.get(
        "/", {"region": "11", "year": 2021, "contract_type": "apprentissage"}
    ).content.decode()
    assert f">10{NBSP}%<" in _market_section(apprenticeship)

    rqth = unescape(
        client.get("/", {"region": "11", "year": 2021, "public": "rqth"}).content.decode()
    )
    assert "ne sont pas ventilées par public (filtre RQTH)" in _market_section(rqth)


def test_the_events_say_which_filters_they_ignore(client_for, director, idf_market):
    hcr = idf_market["hcr"]
    client = client_for(director)
    params = {"region": "11", "year": 2021, "branch": hcr.pk, "public": "rqth"}
    note = (
        "Les événements et la participation n'ont ni branche, ni type de contrat, ni public : "
        f"la branche « {hcr.name} » ni le public « Personnes en situation de handicap (RQTH) » "
        "ne s'appliquent pas à eux ; ils sont comptés en entier."
    )

    html = unescape(client.get("/", params).content.decode())
    events = client.get("/api/v1/events/summary", params).json()

    assert f'<p class="note" id="events-filters-ignored">{note}</p>' in html
    assert events["filters_not_applied"] == {"filters": ["branch", "public"], "note": note}
    assert (
        client.get("/api/v1/events/summary", {"region": "11"}).json()["filters_not_applied"] == {}
    )
    assert 'id="events-filters-ignored"' not in client.get("/", {"region": "11"}).content.decode()
