"""An administrator imports a file: upload, the background worker checks it (preview,
nothing written), confirm, the worker writes it; the page follows each step by itself."""

from pathlib import Path

import pytest

from contracts.models import ContractCount, ImportBatch
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parents[1] / "contracts" / "data"


def test_admin_previews_then_imports_a_contract_file(
    login, live_server, admin_user, settings, tmp_path, run_worker
):
    settings.IMPORT_STAGING_DIR = tmp_path
    page = login(admin_user, PASSWORD)
    page.click("nav >> text=Imports")
    page.set_input_files("#id_file", str(DATA / "lines.csv"))
    page.click("text=Vérifier le fichier")
    page.wait_for_url("**/apercu/")
    assert "En attente du programme de traitement" in page.inner_text("main")

    run_worker()  # the page polls its status and shows the preview once checked

    page.wait_for_selector("text=Ce qui sera écrit : 9 chiffres")
    assert "Normandie : mars 2024, avr. 2024" in page.inner_text("main")
    assert not ContractCount.objects.exists()

    page.click("text=Confirmer l'import")
    page.wait_for_selector(".import-status")
    run_worker()

    page.wait_for_selector("#import-done")
    batch = ImportBatch.objects.get()
    assert f"Import n° {batch.pk} enregistré : 9 chiffre(s) écrit(s)" in page.inner_text("main")
    assert ContractCount.objects.count() == 9
    page.click("text=Retour aux imports")
    assert "lines.csv" in page.inner_text("#table-imports")


def test_the_xlsx_template_of_the_page_uploads_and_previews(
    login, live_server, admin_user, settings, tmp_path, run_worker
):
    """Uploading any XLSX failed: « openpyxl does not support .upload file format »."""
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    page = login(admin_user, PASSWORD)
    page.goto(f"{live_server.url}/imports/")
    with page.expect_download() as download:
        page.click("a[href='/imports/modeles/counts.xlsx']")
    template = tmp_path / "modele-counts.xlsx"
    download.value.save_as(template)

    page.set_input_files("#id_file", str(template))
    page.click("text=Vérifier le fichier")
    page.wait_for_url("**/apercu/")
    run_worker()

    page.wait_for_selector("text=Ce qui sera écrit : 3 chiffres")
    main = page.inner_text("main")
    assert "Contrats : nombres agrégés — XLSX" in main
    assert "erreur" not in main
    changes = page.inner_text("#table-changes")
    assert "Normandie › Hôtels, cafés, restaurants" in changes
    assert "mars 2024" in changes
    assert "Aucun autre chiffre ne change." in main


def test_a_file_over_the_limit_is_refused_before_it_is_sent(
    login, live_server, admin_user, settings, tmp_path
):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = tmp_path / "gros.csv"
    big.write_bytes(b"region;annee;type_contrat;nombre\n" + b"28;2024;A;1\n" * 100_000)
    page = login(admin_user, PASSWORD)
    page.goto(f"{live_server.url}/imports/")

    page.set_input_files("#id_file", str(big))
    page.click("text=Vérifier le fichier")

    assert "Fichier trop volumineux : 1 Mo au plus." in page.inner_text(".import-progress")
    assert page.url == f"{live_server.url}/imports/"
    assert not (tmp_path / "staging").exists() or not any((tmp_path / "staging").iterdir())
