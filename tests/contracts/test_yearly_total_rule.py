import pytest
from django.db import IntegrityError, transaction

from contracts.figures import growth_pct
from contracts.models import ContractTarget, Public
from contracts.selectors import branch_breakdown, monthly_breakdown, yearly_totals
from tests.factories import ContractCountFactory, SourceFactory

pytestmark = pytest.mark.django_db


def total(region, year):
    return yearly_totals(region=region)[(region.id, year)].value


def test_year_known_only_as_a_total(normandie):
    ContractCountFactory(region=normandie, year=2020, count=2173)
    assert total(normandie, 2020) == 2173
    months, unbroken = monthly_breakdown(year=2020, region=normandie)
    assert unbroken.value == 2173
    assert not any(f.known for f in months.values())  # no invented months


def test_year_known_month_by_month(normandie):
    for month in range(1, 13):
        ContractCountFactory(region=normandie, year=2023, month=month, count=10 * month)
    assert total(normandie, 2023) == 780
    months, unbroken = monthly_breakdown(year=2023, region=normandie)
    assert months[9].value == 90
    assert not unbroken.known


def test_year_known_both_ways_is_counted_once(normandie):
    ContractCountFactory(region=normandie, year=2021, count=3071)
    for month in range(1, 13):
        ContractCountFactory(region=normandie, year=2021, month=month, count=250)
    assert total(normandie, 2021) == 3071  # not 3071 + 3000


def test_branch_breakdown_is_not_added_to_the_total(normandie):
    from akto_portal.models import Branch

    hcr, propreté = Branch.objects.filter(idcc__in=["1979", "3043"]).order_by("idcc")
    ContractCountFactory(region=normandie, year=2022, count=1000)
    ContractCountFactory(region=normandie, year=2022, month=9, branch=hcr, count=300)
    ContractCountFactory(region=normandie, year=2022, month=10, branch=propreté, count=200)
    assert total(normandie, 2022) == 1000
    assert {b: f.value for b, f in branch_breakdown(year=2022, region=normandie).items()} == {
        hcr.id: 300,
        propreté.id: 200,
    }


def test_disabled_public_is_never_added_to_all(normandie):
    ContractCountFactory(region=normandie, year=2022, count=1000)
    ContractCountFactory(region=normandie, year=2022, count=30, public=Public.RQTH)
    assert total(normandie, 2022) == 1000
    rqth = yearly_totals(region=normandie, public=Public.RQTH)
    assert rqth[(normandie.id, 2022)].value == 30


def test_growth_is_rounded_to_one_decimal():
    assert growth_pct(3071, 2173) == 41.3
    assert growth_pct(100, 0) is None


@pytest.mark.parametrize(
    "fields",
    [{"count": -1}, {"month": 13}, {"month": 0}],
    ids=["negative count", "month 13", "month 0"],
)
def test_database_refuses_invalid_counts(normandie, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractCountFactory(region=normandie, **fields)


def test_database_refuses_the_same_fact_twice_even_for_a_whole_year(normandie):
    ContractCountFactory(region=normandie, year=2020, count=2173)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractCountFactory(region=normandie, year=2020, count=2173)


def test_one_national_target_per_year():
    source = SourceFactory()
    ContractTarget.objects.create(year=2022, value=110_000, source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractTarget.objects.create(year=2022, value=120_000, source=source)
