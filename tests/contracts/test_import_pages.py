"""The import pages: admins only; upload (stored, queued), check by the background
worker (the preview, nothing written), confirm (written by the worker); templates."""

import io
import os
import stat
import time

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.models import ContractCount, ImportBatch, ImportJob
from tests.contracts.conftest import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.IMPORT_STAGING_DIR


def upload(client, path, kind="contracts", **extra):
    with open(path, "rb") as handle:
        return client.post("/imports/envoyer/", {"kind": kind, "file": handle}, **extra)


def job_of(response):
    return ImportJob.objects.get(pk=response["Location"].split("/")[2])


def staged_files(staging):
    return sorted(p.name for p in staging.iterdir()) if staging.exists() else []


@pytest.mark.parametrize("role", ["director", "staff", "outsider"])
def test_only_admins_may_import(client_for, request, role):
    client = client_for(request.getfixturevalue(role))

    assert client.get("/imports/").status_code == 403
    assert upload(client, DATA / "lines.csv").status_code == 403
    assert not ContractCount.objects.exists() and not ImportJob.objects.exists()


def test_the_nav_link_shows_for_admins_only(client_for, admin_user, director):
    assert 'href="/imports/"' in client_for(admin_user).get("/imports/").content.decode()
    assert 'href="/imports/"' not in client_for(director).get("/").content.decode()


def test_the_request_only_stores_the_file_the_worker_checks_then_writes(
    client_for, admin_user, run_worker, staging
):
    client = client_for(admin_user)

    response = upload(client, DATA / "lines.csv")

    job = job_of(response)
    assert response.status_code == 302
    assert (job.step, job.state, job.file_name) == ("check", "queued", "lines.csv")
    assert (
        "En attente du programme de traitement" in client.get(response["Location"]).content.decode()
    )
    assert staged_files(staging) == [f"{job.pk.hex}.upload"]

    assert run_worker() == 1  # the check

    preview = client.get(response["Location"]).content.decode()
    assert "Contrats : une ligne par contrat" in preview
    assert "Ce qui sera écrit : 9 chiffres" in preview
    assert not ContractCount.objects.exists()  # a preview writes nothing

    client.post(f"/imports/{job.pk}/confirmer/")
    job.refresh_from_db()
    assert (job.step, job.state) == ("write", "queued")
    assert not ContractCount.objects.exists()  # the worker writes, not the request

    assert run_worker() == 1  # the write

    assert ContractCount.objects.count() == 9  # department by department
    batch = ImportBatch.objects.get()
    assert batch.created_by == admin_user
    done = client.get(response["Location"]).content.decode()
    assert f"Import n° {batch.pk} enregistré : 9 chiffre(s) écrit(s), 0 remplacé(s)." in done
    assert "lines.csv" in client.get("/imports/").content.decode()
    assert staged_files(staging) == []  # cleaned after success


def test_the_status_endpoint_follows_the_job(client_for, admin_user, run_worker):
    client = client_for(admin_user)
    job = job_of(upload(client, DATA / "lines.csv"))
    url = reverse("contract-import-status", args=[job.pk])

    queued = client.get(url).json()
    run_worker()
    checked = client.get(url).json()

    assert (queued["state"], queued["busy"], queued["percent"]) == ("queued", True, 0)
    assert queued["label"] == "En attente du programme de traitement…"
    size = (DATA / "lines.csv").stat().st_size
    assert (checked["state"], checked["busy"]) == ("checked", False)
    assert (checked["done"], checked["total"], checked["percent"]) == (size, size, 100)


def test_a_bad_file_shows_its_lines_cannot_be_confirmed_and_is_not_kept(
    client_for, admin_user, write_file, run_worker, staging
):
    client = client_for(admin_user)
    path = write_file(
        "faux.csv",
        "region;annee;type_contrat;nombre\n28;2024;apprentissage;4\n42;2024;apprentissage;-1\n",
    )

    response = upload(client, path)
    run_worker()
    page = client.get(response["Location"]).content.decode()

    assert "1 erreur : rien ne sera écrit" in page
    assert "code région inconnu « 42 » ; nombre négatif (-1)" in page
    assert "Confirmer l&#x27;import" not in page and "Confirmer l'import" not in page
    assert staged_files(staging) == []  # cleaned: nothing can be confirmed
    job = job_of(response)
    refused = client.post(f"/imports/{job.pk}/confirmer/", follow=True).content.decode()
    assert "Le fichier contient des erreurs : rien ne sera écrit." in refused
    assert run_worker() == 0
    assert not ContractCount.objects.exists()


def test_another_admin_cannot_see_or_confirm_someone_elses_upload(
    client, admin_user, django_user_model, run_worker
):
    client.force_login(admin_user)
    job = job_of(upload(client, DATA / "lines.csv"))
    run_worker()
    other = django_user_model.objects.create(username="admin2", role="admin")
    client.force_login(other)

    assert client.get(f"/imports/{job.pk}/apercu/").status_code == 404
    assert client.get(f"/imports/{job.pk}/etat/").status_code == 404
    assert client.post(f"/imports/{job.pk}/confirmer/").status_code == 404
    assert run_worker() == 0
    assert not ContractCount.objects.exists()


def test_public_statistics_upload(client_for, admin_user, run_worker):
    client = client_for(admin_user)
    location = upload(client, DATA / "ind313.csv", kind="market")["Location"]
    run_worker()
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


def test_the_xlsx_template_uploaded_on_the_page_is_previewed(
    client_for, admin_user, write_file, run_worker
):
    """It failed: the staged `.upload` file was refused by openpyxl for its extension."""
    client = client_for(admin_user)
    template = client.get("/imports/modeles/counts.xlsx").content

    response = upload(client, write_file("modele-counts.xlsx", template))
    run_worker()

    page = client.get(response["Location"]).content.decode()
    assert "Contrats : nombres agrégés — XLSX" in page
    assert "Ce qui sera écrit : 3 chiffres" in page
    assert "erreur" not in page


def test_the_page_script_gets_its_redirect_as_json(client_for, admin_user, run_worker):
    client = client_for(admin_user)
    ajax = {"headers": {"x-requested-with": "XMLHttpRequest"}}

    target = upload(client, DATA / "lines.csv", **ajax).json()["redirect"]

    assert target.startswith("/imports/") and target.endswith("/apercu/")
    run_worker()
    job_id = target.split("/")[2]
    confirmed = client.post(f"/imports/{job_id}/confirmer/", **ajax)
    assert confirmed.json() == {"redirect": target}
    run_worker()
    assert "enregistré : 9 chiffre(s)" in client.get(target).content.decode()


def test_unconfirmed_uploads_are_forgotten_after_a_day(client_for, admin_user, staging):
    staging.mkdir(parents=True)
    stale = staging / "0123.upload"
    stale.write_text("old")
    os.utime(stale, (time.time() - 25 * 3600,) * 2)

    upload(client_for(admin_user), DATA / "lines.csv")

    assert not stale.exists()
    assert len(list(staging.glob("*.upload"))) == 1


# --- limits and private staging ---------------------------------------------------------


def test_staging_is_private(client_for, admin_user, staging):
    """It was the world-readable system temporary folder."""
    job = job_of(upload(client_for(admin_user), DATA / "lines.csv"))

    assert stat.S_IMODE(staging.stat().st_mode) == 0o700
    staged = staging / f"{job.pk.hex}.upload"
    assert stat.S_IMODE(staged.stat().st_mode) == 0o600
    assert staged.read_bytes() == (DATA / "lines.csv").read_bytes()


def test_a_file_over_the_limit_is_refused_before_it_is_read(client_for, admin_user, staging):
    """100 Mo by default: a declared 100 Mo + 1 byte is refused on its Content-Length."""
    client = client_for(admin_user)
    body = b"--X\r\nContent-Disposition: form-data; name=kind\r\n\r\ncontracts\r\n--X--\r\n"

    response = client.generic(
        "POST",
        "/imports/envoyer/",
        body,
        content_type="multipart/form-data; boundary=X",
        CONTENT_LENGTH=str(100 * 2**20 + 64 * 1024 + 1),
    )

    assert response.status_code == 413
    assert "Fichier trop volumineux : 100 Mo au plus." in response.content.decode()
    assert staged_files(staging) == [] and not ImportJob.objects.exists()


def test_the_upload_stops_at_the_limit_and_leaves_nothing(
    client_for, admin_user, settings, write_file, staging
):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    path = write_file(
        "gros.csv", b"region;annee;type_contrat;nombre\n" + b"28;2024;A;1\n" * 100_000
    )

    response = upload(client_for(admin_user), path)

    assert response.status_code == 413
    assert "Fichier trop volumineux : 1 Mo au plus." in response.content.decode()
    assert staged_files(staging) == [] and not ImportJob.objects.exists()


def test_the_handler_refuses_a_body_longer_than_declared(staging):
    """Without a trustworthy Content-Length (chunked), the handler counts the bytes."""
    from django.core.files.uploadhandler import StopUpload

    from contracts.uploads import StagingUploadHandler

    handler = StagingUploadHandler(job_id="5" * 32, max_bytes=1000)
    handler.new_file("file", "gros.csv", "text/csv", None)
    handler.receive_data_chunk(b"x" * 600, 0)

    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 600, 600)

    assert handler.too_large and staged_files(staging) == []


def test_an_invalid_form_leaves_no_staged_file(client_for, admin_user, write_file, staging):
    response = upload(client_for(admin_user), write_file("notes.pdf", b"%PDF-1.4"))

    assert response.status_code == 400
    assert "Un fichier .csv ou .xlsx est attendu." in response.content.decode()
    assert staged_files(staging) == []


def test_a_binary_file_is_refused_with_a_message(client_for, admin_user, write_file, run_worker):
    """It answered 500."""
    client = client_for(admin_user)
    path = write_file("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)

    response = upload(client, path)
    run_worker()

    page = client.get(response["Location"]).content.decode()
    assert "Ce fichier n&#x27;est ni un CSV ni un XLSX (contenu binaire)" in page


def test_a_huge_cell_is_refused_with_a_message(client_for, admin_user, write_file, run_worker):
    """A 20 MB cell answered 500 (csv field larger than field limit)."""
    client = client_for(admin_user)
    path = write_file(
        "cellule.csv",
        "region;annee;type_contrat;nombre\n28;2024;apprentissage;" + "9" * 20_000_000 + "\n",
    )

    response = upload(client, path)
    run_worker()

    page = client.get(response["Location"]).content.decode()
    assert "ligne 2 : plus de 65\xa0536 caractères" in page
    assert not ContractCount.objects.exists()


def test_a_million_columns_make_a_short_preview(client_for, admin_user, write_file, run_worker):
    """It rendered an 8.9 MB preview listing every column."""
    client = client_for(admin_user)
    header = ";".join(f"c{i}" for i in range(1_000_000))
    path = write_file("colonnes.csv", header + "\n" + ";".join("1" * 1_000_000) + "\n")

    response = upload(client, path)
    run_worker()

    page = client.get(response["Location"]).content.decode()
    assert "Plus de 100 colonnes : 100 au plus" in page
    assert len(page) < 20_000


def test_the_page_tells_its_script_the_limit_in_bytes(client_for, admin_user):
    """Rendered as « 104 857 600 », the script read a limit of 104 bytes."""
    page = client_for(admin_user).get("/imports/").content.decode()

    assert 'data-max-bytes="104857600"' in page
    assert "Limites : 100 Mo par fichier" in page


def test_a_file_name_with_control_characters_is_cleaned(client_for, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (DATA / "lines.csv").read_bytes()
    response = client_for(admin_user).post(
        "/imports/envoyer/",
        {"kind": "contracts", "file": SimpleUploadedFile("li\x00nes\x07.csv", content)},
    )

    assert response.status_code == 302
    assert job_of(response).file_name == "lines.csv"


def test_a_million_line_file_is_only_stored_by_the_request(client_for, admin_user, tmp_path):
    """The request stores and queues; reading 1 000 000 lines is the worker's job, so the
    web server's timeout is never met (a 422 MB CSV killed a worker at the timeout)."""
    path = tmp_path / "contrats.csv"
    with path.open("w") as out:
        out.write("numero_contrat;date_debut;departement;idcc;type_contrat\n")
        out.writelines(f"C-{i:07d};04/03/2024;14;1979;apprentissage\n" for i in range(1_000_000))
    assert path.stat().st_size > 40 * 2**20
    client = client_for(admin_user)

    began = time.perf_counter()
    response = upload(client, path)
    elapsed = time.perf_counter() - began

    job = job_of(response)
    assert (job.state, job.size, job.report) == ("queued", path.stat().st_size, {})
    assert elapsed < 10  # storing 44 MB; checking them takes the worker about 9 s
    assert not ContractCount.objects.exists()
