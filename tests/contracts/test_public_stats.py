"""Whole-market statistics: the baromètre and IND-313 layouts, the cumulative series
that restarts in January, which source wins, and the OPCO's market share."""

import pytest
from django.template.loader import render_to_string

from akto_portal.models import Region
from contracts import selectors
from contracts.models import ContractType, MarketStat
from contracts.services import import_batch_undo
from tests.contracts.conftest import DATA
from tests.factories import ContractCountFactory

pytestmark = pytest.mark.django_db

IND_HEADER = (
    "indic_id,enforce_zone_id,metric_enforce_date,maille,indic_vi,indic_va,indic_vc,indic_ta\n"
)


def stats(region_code, year):
    qs = MarketStat.objects.filter(measure=MarketStat.Measure.NEW_CONTRACTS, year=year)
    qs = qs.filter(department=None)  # the region (or France) as a whole
    qs = qs.filter(region__code=region_code) if region_code else qs.filter(region=None)
    return {m: int(v) for m, v in qs.values_list("month", "value")}


def test_barometre_keeps_the_apprenticeship_rows_as_yearly_figures(import_market):
    report = import_market(DATA / "barometre.csv")

    assert report.ok, report.errors
    assert report.layout == "barometre"
    assert (report.rows_read, report.rows_ignored) == (4, 1)
    assert stats("28", 2020) == {None: 16000}
    assert stats("28", 2021) == {None: 20000}
    assert stats("53", 2021) == {None: 19500}


def test_ind313_cumulative_series_restarts_in_january(import_market):
    report = import_market(DATA / "ind313.csv")

    assert report.ok, report.errors
    assert report.rows_ignored == 1  # a month without a value (the DEPT row is kept)
    assert stats("28", 2021) == {10: 17500, 11: 19000, 12: 21000}
    assert stats("28", 2022) == {1: 1500, 2: 3100, 3: 5000}
    assert stats(None, 2022) == {3: 160000}
    normandie = Region.objects.get(code="28")
    # Monthly new contracts are differences within a year; January is its own cumulative.
    assert selectors.market_monthly(region=normandie, year=2022) == {1: 1500, 2: 1600, 3: 1900}
    assert selectors.market_monthly(region=normandie, year=2021) == {
        10: 17500,
        11: 1500,
        12: 2000,
    }


def test_a_cumulative_series_that_goes_down_within_a_year_is_refused(import_market, write_file):
    path = write_file(
        "ind.csv",
        IND_HEADER
        + "IND-313,R28,2022-01-01,REG,0,1500,,\n"
        + "IND-313,R28,2022-02-01,REG,0,1400,,\n",
    )

    report = import_market(path)

    assert [str(e) for e in report.errors] == [
        "ligne 3 : cumul en baisse : 1400 à fin 02/2022 contre 1500 à fin 01/2022"
    ]
    assert not MarketStat.objects.exists()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("IND-313,R99,2022-01-01,REG,0,10,,", "code région inconnu « R99 »"),
        ("IND-313,R28,2027-01-01,REG,0,10,,", "date dans le futur (01/01/2027)"),
        ("IND-313,R28,2022-01-01,REG,0,-3,,", "valeur négative (-3)"),
        ("IND-313,R28,2022-01-01,COM,0,10,,", "maille inconnue « COM » (NAT, REG ou DEPT)"),
        ("IND-313,R28,2021-12-01,REG,0,10,,", "ligne en double : même période que la ligne 2"),
    ],
)
def test_bad_ind313_lines(import_market, write_file, line, reason):
    path = write_file("ind.csv", IND_HEADER + "IND-313,R28,2021-12-01,REG,0,9,,\n" + line + "\n")

    report = import_market(path)

    assert [str(e) for e in report.errors] == [f"ligne 3 : {reason}"]
    assert not MarketStat.objects.exists()


def test_barometre_unknown_region_and_mid_month_date(import_market, write_file):
    header = "mesure,indicateur,id_indicateur,code_region,libelle_region,date,valeur,unite\n"
    row = "m,i,nombre-contrats-apprentissage,{code},x,{date},100,contrats\n"
    path = write_file(
        "b.csv",
        header
        + row.format(code="23", date="2021-12-31")
        + row.format(code="28", date="2021-06-15"),
    )

    report = import_market(path)

    assert [str(e) for e in report.errors] == [
        "ligne 2 : code région inconnu « 23 »",
        "ligne 3 : date 15/06/2021 : un cumul se date du dernier jour d'un mois",
    ]


def test_reimporting_ind313_replaces_only_that_layout(import_market, write_file):
    import_market(DATA / "barometre.csv")
    import_market(DATA / "ind313.csv")
    update = write_file("ind-maj.csv", IND_HEADER + "IND-313,R28,2022-04-01,REG,0,7000,,\n")

    report = import_market(update)

    assert report.ok and report.rows_to_replace == 3  # Normandie 2022 of IND-313
    assert stats("28", 2022) == {4: 7000}
    assert stats("28", 2021) == {None: 20000, 10: 17500, 11: 19000, 12: 21000}


def test_the_barometre_wins_over_ind313_for_the_same_year(import_market):
    import_market(DATA / "ind313.csv")
    import_market(DATA / "barometre.csv")
    normandie = Region.objects.get(code="28")

    figure = selectors.market_figure(region=normandie, year=2021)

    assert (figure.value, figure.month, figure.dataset) == (20000, None, "barometre")
    # Without a baromètre figure, the IND-313 December cumulative is the whole year.
    figure = selectors.market_figure(region=Region.objects.get(code="28"), year=2022)
    assert (figure.value, figure.month, figure.dataset) == (5000, 3, "ind313")


def test_market_share_of_the_opco(import_market, documents):
    import_market(DATA / "barometre.csv")
    normandie = Region.objects.get(code="28")

    summary = selectors.market_summary(region=normandie, year=2021)

    # Normandie 2021: 3 071 contracts financed by the OPCO (press release) of 20 000.
    assert summary.opco.value == 3071
    assert summary.market.value == 20000
    assert summary.share_pct == 15.4
    assert selectors.market_share(region=normandie, year=2020) == round(2173 * 100 / 16000, 1)


def test_market_share_on_a_year_to_date_figure_uses_the_same_months(import_market):
    import_market(DATA / "ind313.csv")
    normandie = Region.objects.get(code="28")
    for month, count in [(1, 100), (2, 50), (3, 50), (4, 999)]:
        ContractCountFactory(year=2022, month=month, count=count)
    ContractCountFactory(
        year=2022, month=2, count=7, contract_type=ContractType.PROFESSIONNALISATION
    )

    summary = selectors.market_summary(region=normandie, year=2022)

    assert summary.market.month == 3
    assert summary.opco.value == 200  # January to March, apprenticeship only
    assert summary.share_pct == 4.0
    assert "janvier à fin 03/2022" in summary.note


def test_market_summaries_of_every_region_in_few_queries(
    import_market, documents, django_assert_max_num_queries
):
    import_market(DATA / "barometre.csv")
    import_market(DATA / "ind313.csv")

    # market figures, yearly totals, regions, months by region (a year-to-date figure)
    # and the data-version read of the cache
    with django_assert_max_num_queries(5):
        summaries = selectors.market_summaries(year=2021)

    by_zone = {s.region.code if s.region else "FR": s for s in summaries}
    assert sorted(by_zone) == ["28", "53"]
    assert (by_zone["28"].opco.value, by_zone["28"].market.value, by_zone["28"].share_pct) == (
        3071,
        20000,
        15.4,
    )
    assert by_zone["53"].opco is None and by_zone["53"].share_pct is None
    html = render_to_string("contracts/_market_share.html", {"summaries": summaries})
    assert "15,4\xa0%" in html and "20\xa0000" in html and "année 2021" in html


def test_undoing_a_market_import_puts_back_what_it_replaced(import_market, write_file):
    import_market(DATA / "ind313.csv")
    update = write_file("ind-maj.csv", IND_HEADER + "IND-313,R28,2022-04-01,REG,0,7000,,\n")
    before, normandie = sorted(MarketStat.statements.values_list()), stats("28", 2022)
    assert normandie == {1: 1500, 2: 3100, 3: 5000}
    report = import_market(update)
    assert stats("28", 2022) == {4: 7000}

    import_batch_undo(batch=report.batch)

    assert stats("28", 2022) == normandie
    assert sorted(MarketStat.statements.values_list()) == before
