"""Admin import/export (django-import-export) of targets, conventions, indicators,
reported values and partners: who may, and a round trip that changes a real value."""

import pytest
import tablib

from akto_portal.models import Source
from contracts.models import ContractTarget
from contracts.resources import ContractTargetResource
from conventions.models import Partner
from conventions.resources import PartnerResource

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/contracts/contracttarget/",
    "/admin/conventions/convention/",
    "/admin/conventions/indicator/",
    "/admin/conventions/indicatorvalue/",
    "/admin/conventions/partner/",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admins_import_and_directors_only_export(client_for, admin_user, director, page):
    assert client_for(admin_user).get(page + "import/").status_code == 200
    assert client_for(director).get(page + "import/").status_code == 403
    assert client_for(director).get(page + "export/").status_code == 200


def test_targets_round_trip_by_region_code_and_source_title(documents):
    exported = ContractTargetResource().export()
    national_2022 = next(row for row in exported.dict if row["year"] == 2022 and not row["region"])
    # "accompagner 110 000 nouveaux contrats en 2022", written the French way.
    assert national_2022["value"] == "110\xa0000"

    source = Source.objects.create(kind=Source.Kind.MANUAL, title="Comité de pilotage")
    dataset = tablib.Dataset(
        headers=["id", "year", "region", "contract_type", "public", "value", "source"]
    )
    dataset.append(["", 2026, "28", "", "all", 3500, "Comité de pilotage"])
    result = ContractTargetResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    target = ContractTarget.objects.get(year=2026, region__code="28")
    assert (target.value, target.source) == (3500, source)


def test_partners_import_with_their_regions(db):
    dataset = tablib.Dataset(headers=["name", "kind", "regions"])
    dataset.append(["Région Bretagne", "regional_council", "53"])

    result = PartnerResource().import_data(dataset, dry_run=False)

    assert not result.has_errors()
    partner = Partner.objects.get(name="Région Bretagne")
    assert list(partner.regions.values_list("code", flat=True)) == ["53"]
