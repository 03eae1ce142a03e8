"""The rollup (`contracts_contractrollup`) equals the figures computed from the counts,
after every write path: seed_demo, generate_synthetic, imports (replacing cells, with
departments), undo, the admin (add, change, delete, delete selected), ORM writes.

Two checks after each step: the figures read through the rollup equal those read from
the counts for a grid of scopes (France, regions, a branch, a department, several
years); and the whole rollup equals a full recomputation from the counts, which catches
a write path that forgets to refresh it whatever the scope.
"""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from akto_portal.models import Branch, Department, Region, Source
from contracts import statements
from contracts.figures import branch_facts, department_facts, read_contract_facts
from contracts.imports.bulk import bulk_insert
from contracts.models import ContractCount, ContractRollup, ImportBatch
from contracts.rollup import rollup_differences, rollup_of, rollup_refresh
from contracts.services import contract_import, import_batch_undo
from tests.factories import ContractCountFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def rollup_rows():
    fields = [f.attname for f in ContractRollup._meta.concrete_fields if f.name != "id"]
    return sorted(ContractRollup.objects.values_list(*fields), key=repr)


def assert_rollup_is_complete():
    """The whole rollup equals a full recomputation from the counts."""
    kept = rollup_rows()
    with transaction.atomic():
        rollup_refresh()
        recomputed = rollup_rows()
        transaction.set_rollback(True)
    assert kept == recomputed
    assert rollup_differences() == []


def _from_counts(qs):
    # A filter on `count` is one the rollup cannot answer: the figures come from the counts.
    counts = qs.filter(count__gte=0)
    assert rollup_of(counts) is None
    return counts


def _scopes():
    hcr = Branch.objects.get(idcc="1979")
    calvados = Department.objects.get(code="14")
    normandie, bretagne = Region.objects.get(code="28"), Region.objects.get(code="53")
    base = ContractCount.objects.filter(public="all")
    yield "France", base
    yield "France RQTH", ContractCount.objects.filter(public="rqth")
    yield "France apprentissage", base.filter(contract_type="apprentissage")
    yield "Normandie", base.filter(region=normandie)
    yield "Bretagne 2024", base.filter(region=bretagne, year__in=[2023, 2024])
    yield "France › HCR", base.filter(branch=hcr)
    yield "Normandie › HCR", base.filter(region=normandie, branch=hcr)
    yield "Calvados", base.filter(department=calvados)
    yield "by branch", base.filter(branch__isnull=False, year__in=[2021, 2024])


def assert_rollup_reads_right():
    synthetic = list(Source.objects.synthetic().values_list("pk", flat=True))
    compared = 0
    for label, qs in _scopes():
        assert rollup_of(qs) is not None, label
        via_rollup = read_contract_facts(qs, synthetic=synthetic)
        assert via_rollup == read_contract_facts(_from_counts(qs), synthetic=synthetic), label
        compared += len(via_rollup)
        years = sorted({year for _key, year in via_rollup} | {2024})
        for facts in (branch_facts, department_facts):
            assert facts(qs, years=years, synthetic=synthetic) == facts(
                _from_counts(qs), years=years, synthetic=synthetic
            ), (label, facts.__name__)
    assert compared  # figures there are


def check():
    assert_rollup_is_complete()
    assert_rollup_reads_right()


def _import(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    report = contract_import(path=path, file_name=name)
    assert report.ok, report.errors
    return report


COUNTS_HEADER = "region;branche;annee;mois;type_contrat;public;nombre\n"


def test_every_write_path_keeps_the_rollup_right(tmp_path, admin_client):
    call_command("seed_demo", "--force", verbosity=0)
    check()
    call_command("generate_synthetic", years=2, lines_per_year=3000, verbosity=0)
    check()

    lines = _import(tmp_path, "lines.csv", (DATA / "lines.csv").read_text())
    counts = _import(
        tmp_path,
        "counts.csv",
        COUNTS_HEADER + "53;;2024;;apprentissage;all;812\n53;1979;2024;3;apprentissage;all;40\n",
    )
    check()
    # The same cells again: the earlier import's figures are replaced.
    again = _import(tmp_path, "again.csv", COUNTS_HEADER + "53;;2024;;apprentissage;all;900\n")
    check()
    # Undone in the reverse order of the writes (an import replaced since is refused).
    for report in (again, counts, lines):
        import_batch_undo(batch=ImportBatch.objects.get(pk=report.batch.pk))
        check()

    # The admin: add, change (moving a figure to another region and year), delete.
    normandie, bretagne = Region.objects.get(code="28"), Region.objects.get(code="53")
    source = Source.objects.filter(kind=Source.Kind.MANUAL).first() or Source.objects.create(
        kind=Source.Kind.MANUAL, title="Saisie de test"
    )
    form = {
        "region": normandie.pk,
        "branch": "",
        "department": "",
        "year": 2019,
        "month": "",
        "contract_type": "apprentissage",
        "public": "all",
        "count": 1234,
        "source": source.pk,
    }
    response = admin_client.post("/admin/contracts/contractcount/add/", form)
    assert response.status_code == 302, response.content
    added = ContractCount.objects.get(region=normandie, year=2019, count=1234)
    check()
    response = admin_client.post(
        f"/admin/contracts/contractcount/{added.pk}/change/",
        {**form, "region": bretagne.pk, "year": 2018, "count": 4321},
    )
    assert response.status_code == 302, response.content
    check()
    response = admin_client.post(
        f"/admin/contracts/contractcount/{added.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    check()
    some = ContractCount.objects.filter(region=bretagne, year=2021, month=3)[:2]
    response = admin_client.post(
        "/admin/contracts/contractcount/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in some], "post": "yes"},
    )
    assert response.status_code == 302
    check()

    # The ORM: create, update, bulk_update, queryset delete.
    ContractCountFactory(region=normandie, year=2017, count=5, source=source)
    ContractCount.objects.filter(region=normandie, year=2021).update(count=7)
    moved = list(ContractCount.objects.filter(region=bretagne, year=2022)[:3])
    for count in moved:
        count.year, count.count = 2016, 11
    ContractCount.objects.bulk_update(moved, ["year", "count"])
    check()
    ContractCount.objects.filter(region=bretagne, year=2022, month__gte=6).delete()
    check()

    # A source made synthetic (saved), then not (a queryset update): its figures' flag
    # follows.
    source.kind = Source.Kind.SYNTHETIC
    source.save()
    check()
    Source.objects.filter(pk=source.pk).update(kind=Source.Kind.MANUAL)
    check()


def test_a_source_saved_without_a_new_kind_leaves_the_rollup_alone(monthly):
    """Only a change between synthetic and not touches the figures of a source: saving
    its title (as `seed_demo` does on every run) does not recompute its series."""
    source = Source.objects.get(title="Saisie de test")
    source.title = "Saisie de test (relue)"
    with CaptureQueriesContext(connection) as saved:
        source.save()
    assert not [q for q in saved.captured_queries if "contractrollup" in q["sql"]]
    source.kind = Source.Kind.SYNTHETIC
    with CaptureQueriesContext(connection) as saved:
        source.save()
    assert [q for q in saved.captured_queries if "contractrollup" in q["sql"]]
    check()


def test_an_import_that_empties_a_series_takes_its_figures_out_of_the_rollup(tmp_path):
    """March 2024 exported again without its one RQTH contract: the RQTH series of
    Normandie 2024 has no statement left, and no figure either."""
    header = "numero_contrat;date_debut;departement;idcc;type_contrat;rqth\n"
    first = _import(tmp_path, "mars.csv", header + "A-1;04/03/2024;14;1979;apprentissage;oui\n")
    rqth = ContractRollup.objects.filter(public="rqth", year=2024)
    assert set(rqth.filter(grain=ContractRollup.Grain.SERIES).values_list("month", "total")) == {
        (3, 1),
        (None, 1),
    }

    _import(tmp_path, "mars-bis.csv", header + "A-2;05/03/2024;14;1979;apprentissage;non\n")

    assert not rqth.exists()
    assert list(
        ContractRollup.objects.filter(
            public="all", year=2024, grain=ContractRollup.Grain.DEPARTMENT, month=3
        ).values_list("department__code", "total")
    ) == [("14", 1)]
    assert_rollup_is_complete()
    import_batch_undo(batch=ImportBatch.objects.exclude(pk=first.batch.pk).get())
    assert set(rqth.filter(grain=ContractRollup.Grain.SERIES).values_list("month", "total")) == {
        (3, 1),
        (None, 1),
    }
    assert_rollup_is_complete()


def test_an_edit_landing_between_the_plan_and_the_write_is_in_the_rollup(tmp_path, monkeypatch):
    """The import writes the rollup its plan computed, unless the statements moved since
    the plan read them (an edit committed meanwhile): then it computes it again."""
    real_plan = statements.plan
    calvados = Department.objects.get(code="14")
    manual = Source.objects.create(kind=Source.Kind.MANUAL, title="Saisie")

    def plan_then_an_edit_lands(*args, **kwargs):
        planned = real_plan(*args, **kwargs)
        # Another writer's statement, committed before this write takes the series' locks
        # (written here without its own refresh of the rollup, which the import does).
        bulk_insert(
            ContractCount,
            ("region_id", "department_id", "year", "month", "contract_type", "public", "count")
            + ("source_id",),
            [(calvados.region_id, calvados.pk, 2024, 1, "apprentissage", "all", 5, manual.pk)],
        )
        return planned

    monkeypatch.setattr(statements, "plan", plan_then_an_edit_lands)
    header = "numero_contrat;date_debut;departement;idcc;type_contrat\n"
    _import(tmp_path, "mars.csv", header + "A-1;04/03/2024;14;1979;apprentissage\n")

    assert set(
        ContractRollup.objects.filter(
            grain=ContractRollup.Grain.DEPARTMENT, department=calvados, year=2024
        ).values_list("month", "total")
    ) == {(1, 5), (3, 1), (None, 6)}
    assert_rollup_is_complete()


def test_raw_sql_needs_a_refresh(monthly):
    """The check above can fail: a write that skips the refresh leaves the rollup stale,
    and `rollup_check` says so (exit 1)."""
    assert_rollup_is_complete()
    call_command("rollup_check")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contracts_contractcount SET count = count + 1")
    with pytest.raises(AssertionError):
        assert_rollup_is_complete()
    with pytest.raises(CommandError, match="diffère du recalcul"):
        call_command("rollup_check")
    rollup_refresh()
    assert_rollup_is_complete()


def test_loaddata_refreshes_the_rollup(monthly, tmp_path):
    normandie = Region.objects.get(code="28")
    fixture = tmp_path / "counts.json"
    with fixture.open("w") as out:
        call_command(
            "dumpdata",
            "contracts.contractcount",
            "--pks",
            ",".join(
                str(pk)
                for pk in ContractCount.objects.filter(region=normandie).values_list(
                    "pk", flat=True
                )
            ),
            stdout=out,
        )
    ContractCount.objects.filter(region=normandie).delete()
    assert not ContractRollup.objects.filter(region=normandie).exists()
    call_command("loaddata", str(fixture), verbosity=0)
    assert ContractRollup.objects.filter(region=normandie).exists()
    assert_rollup_is_complete()


def test_the_readers_read_the_rollup_and_fall_back_to_the_counts(monthly):
    hcr, calvados = Branch.objects.get(idcc="1979"), Department.objects.get(code="14")
    qs = ContractCount.objects.filter(public="all")
    assert rollup_of(qs).query.where  # the rollup, grain "series"
    assert {r.grain for r in rollup_of(qs.filter(branch=hcr))} <= {ContractRollup.Grain.BRANCH}
    assert rollup_of(qs.filter(branch=hcr, department=calvados)) is None
    # Statements at the region's grain only: not a cell of the rollup.
    assert rollup_of(qs.filter(department=None)) is None
    assert rollup_of(qs.filter(source__kind="synthetic")) is None
    assert rollup_of(qs.exclude(year=2021)) is None
    with CaptureQueriesContext(connection) as queries:
        read_contract_facts(qs, synthetic=[])
    assert "contracts_contractrollup" in queries[0]["sql"]
    assert "contracts_contractcount" not in queries[0]["sql"]
    # Normandie 2021 from the rollup: 3 071, as published.
    normandie = Region.objects.get(code="28")
    assert rollup_of(qs.filter(region=normandie)) is not None
    facts = read_contract_facts(qs.filter(region=normandie), synthetic=[])
    assert facts[(normandie.pk, 2021)].total.value == 3071
