"""The import pages: admins only; upload, preview (nothing written), confirm; templates."""

import io
import os
import time

import pytest
from openpyxl import load_workbook

from contracts.models import ContractCount, ImportBatch
from tests.contracts.conftest import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def upload(client, path, kind="contracts"):
    with open(path, "rb") as handle:
        return client.post("/imports/envoyer/", {"kind": kind, "file": handle})


@pytest.mark.parametrize("role", ["director", "staff", "outsider"])
def test_only_admins_may_import(client_for, request, role):
    client = client_for(request.getfixturevalue(role))

    assert client.get("/imports/").status_code == 403
    assert upload(client, DATA / "lines.csv").status_code == 403
    assert not ContractCount.objects.exists()


def test_the_nav_link_shows_for_admins_only(client_for, admin_user, director):
    assert 'href="/imports/"' in client_for(admin_user).get("/imports/").content.decode()
    assert 'href="/imports/"' not in client_for(director).get("/").content.decode()


def test_upload_previews_then_confirm_imports(client_for, admin_user):
    client = client_for(admin_user)

    response = upload(client, DATA / "lines.csv")

    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert "Contrats : une ligne par contrat" in page
    assert "Ce qui sera écrit : 7 chiffres" in page
    assert not ContractCount.objects.exists()  # a preview writes nothing

    token = response["Location"].split("/")[2]
    confirmed = client.post(f"/imports/{token}/confirmer/", follow=True)

    assert ContractCount.objects.count() == 7
    batch = ImportBatch.objects.get()
    assert batch.created_by == admin_user
    assert f"Import n° {batch.pk} enregistré : 7 chiffre(s) écrit(s)" in confirmed.content.decode()
    assert "lines.csv" in confirmed.content.decode()


def test_a_bad_file_shows_its_lines_and_cannot_be_confirmed(client_for, admin_user, write_file):
    client = client_for(admin_user)
    path = write_file(
        "faux.csv",
        "region;annee;type_contrat;nombre\n28;2024;apprentissage;4\n42;2024;apprentissage;-1\n",
    )

    response = upload(client, path)
    page = client.get(response["Location"]).content.decode()

    assert "1 erreur : rien ne sera écrit" in page
    assert "code région inconnu « 42 » ; nombre négatif (-1)" in page
    assert "Confirmer l&#x27;import" not in page and "Confirmer l'import" not in page
    token = response["Location"].split("/")[2]
    client.post(f"/imports/{token}/confirmer/")
    assert not ContractCount.objects.exists()


def test_another_admin_cannot_confirm_someone_elses_upload(client, admin_user, django_user_model):
    client.force_login(admin_user)
    token = upload(client, DATA / "lines.csv")["Location"].split("/")[2]
    other = django_user_model.objects.create(username="admin2", role="admin")
    client.force_login(other)

    assert client.post(f"/imports/{token}/confirmer/").status_code == 404
    assert not ContractCount.objects.exists()


def test_public_statistics_upload(client_for, admin_user):
    client = client_for(admin_user)
    location = upload(client, DATA / "ind313.csv", kind="market")["Location"]
    assert "Marché : indicateur IND-313" in client.get(location).content.decode()


@pytest.mark.parametrize("layout", ["counts", "contract_lines"])
def test_template_files_download_and_import_cleanly(
    client_for, admin_user, staff, layout, write_file, import_contracts
):
    csv_response = client_for(staff).get(f"/imports/modeles/{layout}.csv")
    xlsx_response = client_for(staff).get(f"/imports/modeles/{layout}.xlsx")

    assert csv_response["Content-Disposition"].startswith("attachment")
    header = load_workbook(io.BytesIO(xlsx_response.content)).active["A1"].value
    assert header in ("region", "numero_contrat")
    report = import_contracts(write_file("modele.csv", csv_response.content))
    assert report.ok, report.errors
    report = import_contracts(write_file("modele.xlsx", xlsx_response.content), dry_run=True)
    assert report.error_count == 0 and report.already_imported is None


def test_progress_endpoint(client_for, admin_user, settings):
    settings.IMPORT_STAGING_DIR.mkdir(parents=True)
    key = "3f2b8c1e-8a4b-4c6f-9d8e-1a2b3c4d5e6f"
    (settings.IMPORT_STAGING_DIR / f"{key.replace('-', '')}.progress").write_text("250 1000")

    data = client_for(admin_user).get(f"/imports/progression/{key}/").json()

    assert data == {"done": 250, "total": 1000}


def test_the_page_script_gets_its_redirect_as_json(client_for, admin_user):
    client = client_for(admin_user)
    with open(DATA / "lines.csv", "rb") as handle:
        response = client.post(
            "/imports/envoyer/",
            {"kind": "contracts", "file": handle},
            headers={"x-requested-with": "XMLHttpRequest"},
        )

    target = response.json()["redirect"]
    assert target.startswith("/imports/") and target.endswith("/apercu/")
    token = target.split("/")[2]
    confirmed = client.post(
        f"/imports/{token}/confirmer/", headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert confirmed.json() == {"redirect": "/imports/"}
    # The flash message waits for the page the browser opens next.
    assert "enregistré : 7 chiffre(s)" in client.get("/imports/").content.decode()


def test_unconfirmed_uploads_are_forgotten_after_a_day(client_for, admin_user, settings):
    stale = settings.IMPORT_STAGING_DIR / "0123.upload"
    settings.IMPORT_STAGING_DIR.mkdir(parents=True)
    stale.write_text("old")
    os.utime(stale, (time.time() - 25 * 3600,) * 2)

    upload(client_for(admin_user), DATA / "lines.csv")

    assert not stale.exists()
    assert len(list(settings.IMPORT_STAGING_DIR.glob("*.upload"))) == 1
