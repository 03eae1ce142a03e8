"""A worker killed (`kill -9`) in the middle of a write: the job does not stay "running"
forever. Once its lease has passed the restarted worker fails it and removes its staged
file; nothing was written, and the same file uploaded again is imported.

The worker is a real `manage.py db_worker` process on the test database; a test-only
hook (AKTO_TEST_STALL_IN_WRITE) stops it inside the write transaction."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from akto_portal.models import Source
from contracts import jobs
from contracts.models import ContractCount, ImportBatch, ImportJob
from tests.contracts.conftest import DATA

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = 2  # seconds, the killed worker's lease


@pytest.fixture
def shared_database(reference_data, tmp_path):
    """A DATABASE_URL another process can open on the test database. PostgreSQL's is the
    test database itself; SQLite's in-memory one is copied to a file, which this process
    then uses too until the test ends (the in-memory one is set aside, untouched)."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        yield (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        return
    path = tmp_path / "shared.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        BaseDatabaseWrapper.close(connection)
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


@pytest.fixture
def staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.IMPORT_STAGING_DIR


def start_worker(database_url, staging, marker):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "IMPORT_STAGING_DIR": str(staging),
        "IMPORT_JOB_LEASE_SECONDS": str(LEASE),
    }
    if marker:
        env["AKTO_TEST_STALL_IN_WRITE"] = str(marker)
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until_failed(job, worker, timeout=30):
    deadline = time.monotonic() + timeout
    while ImportJob.objects.get(pk=job.pk).state != "failed":
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            worker.wait()
            with worker.stderr:
                pytest.fail(f"the job was not taken back: {worker.stderr.read().decode()}")
        time.sleep(0.1)
    return time.monotonic()


def wait_for(path, worker, timeout=60):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if worker.poll() is not None:
            with worker.stderr:
                pytest.fail(f"the worker stopped: {worker.stderr.read().decode()}")
        if time.monotonic() > deadline:
            worker.kill()
            worker.wait()
            worker.stderr.close()
            pytest.fail("the worker never reached the write")
        time.sleep(0.1)


def upload_and_check(client, run_worker):
    with open(DATA / "lines.csv", "rb") as handle:
        response = client.post("/imports/envoyer/", {"kind": "contracts", "file": handle})
    job = ImportJob.objects.get(pk=response["Location"].split("/")[2])
    assert run_worker() == 1
    job.refresh_from_db()
    assert (job.step, job.state, job.report["ok"]) == ("check", "checked", True)
    return job


def test_a_worker_killed_mid_write_fails_its_job_and_the_file_can_be_sent_again(
    shared_database, staging, tmp_path, admin_user, client_for, run_worker
):
    client = client_for(admin_user)
    job = upload_and_check(client, run_worker)
    client.post(f"/imports/{job.pk}/confirmer/")
    marker = tmp_path / "in-the-write"

    worker = start_worker(shared_database, staging, marker)
    wait_for(marker, worker)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    worker.stderr.close()
    killed_at = time.monotonic()

    status_url = f"/imports/{job.pk}/etat/"
    # Within its lease, the job is still the dead worker's.
    job.refresh_from_db()
    assert (job.step, job.state, job.attempts) == ("write", "running", 1)
    assert client.get(status_url).json()["label"].startswith("Écriture du fichier")
    assert Path(staging, f"{job.pk.hex}.upload").exists()

    # The restarted worker takes the job back once its lease has passed, though no
    # new job comes and nobody looks at it.
    restarted = start_worker(shared_database, staging, marker=None)
    try:
        failed_after = wait_until_failed(job, restarted) - killed_at
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
        restarted.stderr.close()
    assert LEASE <= failed_after < LEASE + 5
    status = client.get(status_url).json()

    assert (status["state"], status["busy"], status["label"]) == ("failed", False, "Échec")
    page = client.get(f"/imports/{job.pk}/apercu/").content.decode().replace("&#x27;", "'")
    assert (
        "Le programme de traitement s'est arrêté pendant l'écriture : rien n'a été écrit "
        "(l'écriture se fait d'un bloc). Envoyez de nouveau le fichier." in page
    )
    assert sorted(p.name for p in Path(staging).iterdir()) == []  # the file is gone
    # Nothing of the interrupted write stayed (the Source it had saved was rolled back).
    assert not ContractCount.objects.exists() and not ImportBatch.objects.exists()
    assert not Source.objects.filter(kind=Source.Kind.IMPORT).exists()

    again = upload_and_check(client, run_worker)
    client.post(f"/imports/{again.pk}/confirmer/")
    assert run_worker() == 1
    again.refresh_from_db()

    assert again.state == "done" and again.batch is not None
    assert ContractCount.objects.count() == 9
    assert sorted(p.name for p in Path(staging).iterdir()) == []


def test_a_check_whose_worker_died_is_queued_again_then_failed_after_its_attempts(
    staging, admin_user, client_for, run_worker, settings
):
    client = client_for(admin_user)
    with open(DATA / "lines.csv", "rb") as handle:
        response = client.post("/imports/envoyer/", {"kind": "contracts", "file": handle})
    job = ImportJob.objects.get(pk=response["Location"].split("/")[2])
    past = job.created_at  # a lease that has passed: its worker is gone
    status_url = f"/imports/{job.pk}/etat/"

    # A worker took the check, then died.
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(state="running", attempts=1, lease_until=past)
    assert client.get(status_url).json()["state"] == "queued"  # its second attempt
    assert run_worker() == 1
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("checked", 2)

    ImportJob.objects.filter(pk=job.pk).update(
        step="check", state="running", attempts=settings.IMPORT_JOB_MAX_ATTEMPTS, lease_until=past
    )
    status = client.get(status_url).json()

    assert status["state"] == "failed"
    assert list(Path(staging).iterdir()) == []


def test_a_live_worker_keeps_its_job_past_the_first_lease(reference_data, admin_user, settings):
    """The heartbeat renews the lease: a long write is not taken from a living worker."""
    settings.IMPORT_JOB_LEASE_SECONDS = 0.3
    job = ImportJob.objects.create(
        kind="contracts",
        file_name="long.csv",
        created_by=admin_user,
        step="write",
        state="running",
        attempts=1,
        lease_until=timezone.now() + datetime.timedelta(seconds=0.3),
    )

    with jobs._heartbeat(job):
        time.sleep(1)  # three leases
        taken_back = jobs.import_jobs_recover()

    job.refresh_from_db()
    assert (taken_back, job.state) == (0, "running")
