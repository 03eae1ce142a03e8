import pytest

from akto_portal.models import Branch, Region
from tests.factories import ContractCountFactory, SourceFactory


@pytest.fixture
def monthly(documents):
    """Île-de-France known month by month and branch by branch (manual entries):
    2021: 10 a month in January-June, 30 a month after (240, a quarter by June);
    2022: January-October, 10 a month in HCR and 5 in restauration rapide."""
    idf = Region.objects.get(code="11")
    hcr, fast_food = Branch.objects.get(idcc="1979"), Branch.objects.get(idcc="1501")
    source = SourceFactory(title="Saisie de test")
    for month in range(1, 13):
        half = 5 if month <= 6 else 15
        for branch in (hcr, fast_food):
            ContractCountFactory(
                region=idf, branch=branch, year=2021, month=month, count=half, source=source
            )
    for month in range(1, 11):
        ContractCountFactory(
            region=idf, branch=hcr, year=2022, month=month, count=10, source=source
        )
        ContractCountFactory(
            region=idf, branch=fast_food, year=2022, month=month, count=5, source=source
        )
    return {"idf": idf, "hcr": hcr, "fast_food": fast_food}


@pytest.fixture
def agefiph_targets(documents):
    """The (synthetic, flagged) 2025-27 Agefiph targets and computed indicators."""
    from akto_portal.demo import synthetic
    from akto_portal.models import Source

    source, _ = Source.objects.get_or_create(
        kind=Source.Kind.SYNTHETIC, title=synthetic.SYNTHETIC_SOURCE["title"]
    )
    synthetic.load_indicator_targets(source)
