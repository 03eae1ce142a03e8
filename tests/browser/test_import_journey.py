"""An administrator imports a contract file: preview (nothing written), then confirm."""

from pathlib import Path

import pytest

from contracts.models import ContractCount, ImportBatch
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parents[1] / "contracts" / "data"


def test_admin_previews_then_imports_a_contract_file(
    login, live_server, admin_user, settings, tmp_path
):
    settings.IMPORT_STAGING_DIR = tmp_path
    page = login(admin_user, PASSWORD)
    page.click("nav >> text=Imports")
    page.set_input_files("#id_file", str(DATA / "lines.csv"))
    page.click("text=Vérifier le fichier")
    page.wait_for_url("**/apercu/")
    assert "Ce qui sera écrit : 7 chiffres" in page.inner_text("main")
    assert "Normandie : mars 2024, avr. 2024" in page.inner_text("main")
    assert not ContractCount.objects.exists()

    page.click("text=Confirmer l'import")
    page.wait_for_url(f"{live_server.url}/imports/")

    batch = ImportBatch.objects.get()
    assert f"Import n° {batch.pk} enregistré : 7 chiffre(s) écrit(s)" in page.inner_text(
        ".messages"
    )
    assert "lines.csv" in page.inner_text("#table-imports")
    assert ContractCount.objects.count() == 7
