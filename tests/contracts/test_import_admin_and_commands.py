"""Undoing an import from the admin; the two commands; the department reference data."""

import pytest
from django.core.management import CommandError, call_command

from akto_portal.models import Department
from contracts.models import ContractCount, ImportBatch, MarketStat
from tests.contracts.conftest import DATA
from tests.factories import ContractCountFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/contracts/importbatch/"


def test_admin_action_undoes_an_import(client_for, admin_user, import_contracts):
    kept = ContractCountFactory(year=2022, count=50)
    batch = import_contracts(DATA / "lines.csv", user=admin_user).batch

    response = client_for(admin_user).post(
        CHANGELIST, {"action": "undo", "_selected_action": [batch.pk]}, follow=True
    )

    page = response.content.decode().replace("&#x27;", "'")
    assert (
        f"Import n° {batch.pk} annulé : 9 chiffre(s) retiré(s) ; son fichier peut de nouveau "
        "être importé. Il n'avait remplacé aucun chiffre : rien d'autre n'est à rétablir." in page
    )
    assert list(ContractCount.objects.all()) == [kept]
    batch.refresh_from_db()
    assert batch.undone_by == admin_user


def test_directors_see_imports_but_cannot_undo_them(client_for, director, import_contracts):
    batch = import_contracts(DATA / "lines.csv").batch
    client = client_for(director)

    assert client.get(CHANGELIST).status_code == 200
    client.post(CHANGELIST, {"action": "undo", "_selected_action": [batch.pk]})

    assert ContractCount.objects.count() == 9  # lines.csv, department by department
    assert not ImportBatch.objects.get().is_undone


def test_import_contracts_command_dry_run_writes_nothing(capsys):
    call_command("import_contracts", str(DATA / "lines.csv"), "--dry-run")

    out = capsys.readouterr().out
    assert "Format : Contrats : une ligne par contrat — CSV UTF-8, séparateur « ; »" in out
    assert "Lignes lues : 7" in out
    assert "  Normandie 2024 (Apprentissage) : — → 4" in out
    assert "Simulation (--dry-run) : rien n'a été écrit." in out
    assert not ContractCount.objects.exists()


def test_import_contracts_command_imports_then_refuses_the_same_file(capsys):
    call_command("import_contracts", str(DATA / "counts_bom_semicolon.csv"), "--no-progress")
    assert "Import n° " in capsys.readouterr().out

    call_command("import_contracts", str(DATA / "counts_bom_semicolon.csv"), "--no-progress")

    assert "déjà été importé" in capsys.readouterr().out
    assert ContractCount.objects.count() == 4


def test_import_command_fails_on_a_bad_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("region;annee;type_contrat;nombre\n28;2024;apprentissage;4\nXX;2024;a;1\n")

    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_contracts", str(path))

    assert "ligne 3 : code région inconnu « XX »" in capsys.readouterr().err
    assert not ContractCount.objects.exists()


def test_import_public_stats_command(capsys):
    call_command("import_public_stats", str(DATA / "ind313.csv"))

    assert "Format : Marché : indicateur IND-313" in capsys.readouterr().out
    assert MarketStat.objects.count() == 8  # the Calvados (DEPT) row is kept too


def test_departments_reference_data():
    assert Department.objects.count() == 101
    assert Department.objects.get(code="2A").region.code == "94"
    assert Department.objects.get(code="976").region.code == "06"
    assert sorted(Department.objects.filter(region__code="28").values_list("code", flat=True)) == [
        "14",
        "27",
        "50",
        "61",
        "76",
    ]


def test_imports_filter_by_state(client_for, admin_user, import_contracts):
    undone = import_contracts(DATA / "lines.csv").batch
    client_for(admin_user).post(CHANGELIST, {"action": "undo", "_selected_action": [undone.pk]})
    import_contracts(DATA / "counts_bom_semicolon.csv")

    in_force = client_for(admin_user).get(CHANGELIST, {"etat": "en-vigueur"}).content.decode()

    assert "counts_bom_semicolon.csv" in in_force and "lines.csv" not in in_force
