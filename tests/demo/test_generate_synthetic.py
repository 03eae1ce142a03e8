"""generate_synthetic: seeded volume, aggregated exactly as an import of its contract
lines would be, marked synthetic, and never over an existing figure."""

import datetime

import pytest
from django.core.management import call_command

from akto_portal.models import Branch, Region, Source
from contracts.models import ContractCount
from contracts.services import contract_import
from demo import volume
from events.models import Event

pytestmark = pytest.mark.django_db


def test_the_figures_are_those_an_import_of_the_lines_gives(tmp_path):
    regions, branches = list(Region.objects.all()), list(Branch.objects.all())
    spec = {"years": [2015, 2016], "lines_per_year": 3000, "seed": 3}
    path = tmp_path / "lines.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("numero_contrat;date_debut;region;idcc;type_contrat;rqth\n")
        for row in volume.contract_lines(**spec, regions=regions, branches=branches):
            out.write(";".join(row) + "\n")

    report = contract_import(
        path=path, file_name=path.name, dry_run=True, today=datetime.date(2026, 11, 24)
    )

    assert report.ok, report.errors[:3]
    assert report.rows_read == 6000
    facts = volume.contract_facts(**spec, regions=regions, branches=branches)
    assert report.facts == facts
    assert sum(n for key, n in facts.items() if key[5] == "all") == 6000


def test_the_command_is_reproducible_and_leaves_documents_alone(client_for, director, documents):
    call_command("generate_synthetic", years=2, last_year=2021, lines_per_year=4000, stdout=None)
    source = Source.objects.get(title=volume.SOURCE_TITLE)
    assert source.kind == Source.Kind.SYNTHETIC
    first = sorted(
        ContractCount.objects.filter(source=source).values_list(
            "region", "branch", "year", "month", "contract_type", "public", "count"
        )
    )
    assert sum(row[6] for row in first if row[5] == "all") < 8000  # Normandie skipped
    assert Event.objects.filter(source=source).count() > 0

    call_command("generate_synthetic", years=2, last_year=2021, lines_per_year=4000, stdout=None)
    again = sorted(
        ContractCount.objects.filter(source=source).values_list(
            "region", "branch", "year", "month", "contract_type", "public", "count"
        )
    )
    assert again == first

    summary = client_for(director).get("/api/v1/contracts/summary", {"region": "28", "year": 2021})
    data = summary.json()
    assert (data["contracts"], data["previous_year"]) == (3071, 2173)
    assert not ContractCount.objects.filter(source=source, region__code="28").exists()
