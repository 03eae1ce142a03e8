"""Two administrators importing the same scope at the same moment: both imports land,
one after the other, instead of one failing."""

import threading

import pytest
from django.db import connection, connections

from contracts.models import ContractCount

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "region;branche;annee;mois;type_contrat;public;nombre\n"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers")
def test_overlapping_imports_wait_for_each_other(reference_data, write_file, import_contracts):
    files = [
        write_file(f"mars-{n}.csv", f"{HEADER}28;1979;2024;3;apprentissage;all;{count}\n")
        for n, count in ((1, 12), (2, 15))
    ]
    reports, errors = [], []
    start = threading.Barrier(2)

    def run(path):
        try:
            start.wait()
            reports.append(import_contracts(path))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert [(r.file_name, r.errors) for r in reports if r.batch is None] == []
    # The later import replaced the earlier one's cell: one figure, not two.
    assert list(
        ContractCount.objects.filter(year=2024, month=3).values_list("count", flat=True)
    ) in (
        [12],
        [15],
    )
