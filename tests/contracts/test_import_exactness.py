"""An import changes exactly what its preview lists, and undo gives back the state before.

On the demo data, with the example files the imports page offers for download (CSV and
XLSX, both layouts): the figures that change are those the preview names, from the
values it gives to the values it gives; Normandie 2024 stays at 3 440 (the example's
"Normandie, HCR, March 2024: 42" is what the demo already says for that month of that
branch); departments never exceed their region; after undo every answer of the API,
for every year of Normandie and of France, is byte for byte what it was, and so are
the statements and the rollup.
"""

import pytest

from contracts.imports.examples import example_csv, example_xlsx
from contracts.models import ContractCount, ContractRollup
from contracts.rollup import STATEMENT_FIELDS, series_figures, synthetic_ids
from contracts.services import contract_import, import_batch_undo
from contracts.statements import figure_values

pytestmark = pytest.mark.django_db
YEARS = range(2019, 2027)
ENDPOINTS = ("summary", "by-year", "by-month", "by-branch", "by-region")


def api_answers(client):
    answers = {}
    for region in ("28", None):
        for year in YEARS:
            query = f"?year={year}" + (f"&region={region}" if region else "")
            endpoints = ENDPOINTS + (("by-department",) if region else ())
            for endpoint in endpoints:
                response = client.get(f"/api/v1/contracts/{endpoint}{query}")
                assert response.status_code == 200, (endpoint, query, response.content)
                answers[endpoint + query] = response.content
    return answers


def state():
    fields = [f.attname for f in ContractCount._meta.concrete_fields]
    rollup = [f.attname for f in ContractRollup._meta.concrete_fields if f.name != "id"]
    return (
        sorted(ContractCount.statements.values_list(*fields)),
        sorted(ContractRollup.objects.values_list(*rollup), key=repr),
    )


def figures():
    """Every figure of the rollup's grains, from the statements in force."""
    return figure_values(
        series_figures(
            ContractCount.objects.values_list(*STATEMENT_FIELDS), synthetic=synthetic_ids()
        )
    )


def summary(client, region="28", year=2024, **filters):
    query = "&".join(f"{k}={v}" for k, v in {"region": region, "year": year, **filters}.items())
    return client.get(f"/api/v1/contracts/summary?{query}").json()


def branch_row(client, name, region="28", year=2024):
    rows = client.get(f"/api/v1/contracts/by-branch?region={region}&year={year}").json()["rows"]
    return next(row for row in rows if row["name"] == name)


@pytest.mark.parametrize("layout", ["counts", "contract_lines"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_example_file_changes_what_its_preview_lists_and_undo_restores_all(
    demo, admin_user, client, tmp_path, layout, kind
):
    client.force_login(admin_user)
    path = tmp_path / f"modele-{layout}.{kind}"
    path.write_bytes((example_csv if kind == "csv" else example_xlsx)(layout))
    before_api, before_state, before_figures = api_answers(client), state(), figures()
    assert summary(client)["contracts"] == 3440
    hcr = branch_row(client, "Hôtels, cafés, restaurants (IDCC 1979)")
    assert hcr["contracts"] == 1004

    preview = contract_import(path=path, file_name=path.name, dry_run=True)
    assert preview.ok, preview.errors
    assert state() == before_state  # a preview writes nothing
    report = contract_import(path=path, file_name=path.name)
    assert report.ok, report.errors

    after_figures = figures()
    changed = {
        k: (before_figures.get(k), after_figures.get(k))
        for k in before_figures.keys() | after_figures.keys()
        if before_figures.get(k) != after_figures.get(k)
    }
    assert len(changed) == preview.change_count == report.change_count > 0
    listed = sorted(((c["before"], c["after"]) for c in preview.changes), key=repr)
    assert listed == sorted(changed.values(), key=repr)
    if layout == "counts":
        # The example's HCR March 2024 (42) is what the demo says: Normandie stays.
        assert summary(client)["contracts"] == 3440
        assert branch_row(client, "Hôtels, cafés, restaurants (IDCC 1979)") == hcr
    departments = client.get("/api/v1/contracts/by-department?region=28&year=2024").json()
    region_total = summary(client)["contracts"]
    assert all(
        row["contracts"] is None or row["contracts"] <= region_total for row in departments["rows"]
    )

    import_batch_undo(batch=report.batch)
    assert state() == before_state
    assert api_answers(client) == before_api
