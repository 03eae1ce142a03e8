"""Imports through the background worker: an ImportJob per uploaded file.

    import_job_create   (web request) the file is already staged: record it, queue the check
    import_job_check    (worker)      read and check the whole file, keep the preview report
    import_job_confirm  (web request) the uploader confirms the preview: queue the write
    import_job_write    (worker)      check again (the data may have moved) and write

The web request only stores the file and queues work, so no file, however long, meets
the web server's timeout. The staged file is deleted as soon as it can no longer be
confirmed: a check that found errors, a file already imported, a write, a failure.

A worker may die (killed, machine down) in the middle of a job. So it holds the job by a
lease (`lease_until`, IMPORT_JOB_LEASE_SECONDS ahead) that a heartbeat renews while the
job runs. A running job whose lease has passed lost its worker: `import_jobs_recover`
(run by the worker at startup and every half lease, before each job it takes, and
whenever its uploader looks at the imports) queues a check again
(IMPORT_JOB_MAX_ATTEMPTS runs in all, the file is still there) and marks a write
failed: nothing of it was written (the write is one transaction), its file is removed,
and the same file may be uploaded again.
"""

import contextlib
import datetime
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Model, Q, QuerySet
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.formats import number_format

from akto_portal.models import Source, User
from contracts import services
from contracts.imports import staging
from contracts.imports.report import ImportReport
from contracts.models import ImportBatch, ImportJob

SERVICES: dict[str, Callable[..., ImportReport]] = {
    ImportJob.Kind.CONTRACTS: services.contract_import,
    ImportJob.Kind.MARKET: services.market_import,
}
PROGRESS_EVERY = 0.5  # seconds between two progress writes
# Test-only: with this variable set to a file path, a write stops inside its transaction
# (once its Source is saved), creates that file and sleeps, for a test to kill the worker.
STALL_IN_WRITE_ENV = "AKTO_TEST_STALL_IN_WRITE"
LOST_MESSAGES = {
    ImportJob.Step.CHECK: "Le programme de traitement s'est arrêté pendant la vérification : "
    "rien n'a été écrit. Envoyez de nouveau le fichier.",
    ImportJob.Step.WRITE: "Le programme de traitement s'est arrêté pendant l'écriture : "
    "rien n'a été écrit (l'écriture se fait d'un bloc). Envoyez de nouveau le fichier.",
}

logger = logging.getLogger(__name__)


class JobRefused(Exception):
    """The job cannot be confirmed (not checked, errors, file gone)."""


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _enqueue(task: str, job: ImportJob) -> None:
    from contracts import tasks

    # Queued in the same transaction as the job (the queue is a table of the same
    # database): the worker sees both or neither.
    getattr(tasks, task).enqueue(job_id=str(job.pk))


@transaction.atomic
def import_job_create(
    *, job_id: uuid.UUID, kind: str, file_name: str, size: int, user: User
) -> ImportJob:
    job = ImportJob.objects.create(
        id=job_id, kind=kind, file_name=file_name, size=size, created_by=user
    )
    _enqueue("import_check", job)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, user: User) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk, created_by=user)
    if job.step != ImportJob.Step.CHECK or job.state != ImportJob.State.CHECKED:
        raise JobRefused("Ce fichier n'attend pas de confirmation.")
    if not job.report.get("ok"):
        raise JobRefused("Le fichier contient des erreurs : rien ne sera écrit.")
    if not staging.staged_path(job.pk).exists():
        raise JobRefused(
            "Le fichier n'est plus disponible (envoyé il y a plus d'un jour) : "
            "envoyez-le de nouveau."
        )
    job.step, job.state, job.done, job.total = (
        ImportJob.Step.WRITE,
        ImportJob.State.QUEUED,
        0,
        0,
    )
    job.attempts, job.lease_until = 0, None
    job.save(
        update_fields=["step", "state", "done", "total", "attempts", "lease_until", "updated_at"]
    )
    _enqueue("import_write", job)
    return job


def _progress(job: ImportJob) -> Callable[[int, int], None]:
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY or done >= total:
            last[0] = now
            ImportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    return progress


def _lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)


def import_jobs_recover() -> int:
    """Take back the running jobs whose lease has passed (their worker is gone): a check
    is queued again while attempts remain and its file is there; otherwise the job is
    failed and its file removed. Returns how many jobs were taken back."""
    lost = ImportJob.objects.filter(state=ImportJob.State.RUNNING).filter(
        Q(lease_until__lt=timezone.now()) | Q(lease_until__isnull=True)
    )
    taken_back = 0
    for job in lost:
        retry = (
            job.step == ImportJob.Step.CHECK
            and job.attempts < settings.IMPORT_JOB_MAX_ATTEMPTS
            and staging.staged_path(job.pk).exists()
        )
        with transaction.atomic():
            # Only if nobody renewed or took it meanwhile (same lease, same run).
            taken = ImportJob.objects.filter(
                pk=job.pk,
                state=ImportJob.State.RUNNING,
                attempts=job.attempts,
                lease_until=job.lease_until,
            ).update(
                state=ImportJob.State.QUEUED if retry else ImportJob.State.FAILED,
                lease_until=None,
                message="" if retry else LOST_MESSAGES[ImportJob.Step(job.step)],
                updated_at=timezone.now(),
            )
            if taken and retry:
                _enqueue("import_check", job)
        if taken:
            logger.warning(
                "Import job %s lost its worker during its %s (run %s): %s",
                job.pk,
                job.step,
                job.attempts,
                "queued again" if retry else "failed",
            )
            if not retry:
                staging.remove(job.pk)
            taken_back += 1
    return taken_back


def start_lost_job_watch() -> threading.Thread:
    """A daemon thread of the worker process running `import_jobs_recover` at once,
    then every half lease."""

    def watch() -> None:
        while True:
            try:
                import_jobs_recover()
            except Exception:  # a watch never stops the worker: the next round retries
                logger.exception("Taking back the lost import jobs failed")
            finally:
                connections.close_all()
            time.sleep(settings.IMPORT_JOB_LEASE_SECONDS / 2)

    thread = threading.Thread(target=watch, name="import-lost-jobs", daemon=True)
    thread.start()
    return thread


def _start(job_id: uuid.UUID | str, step: str) -> ImportJob | None:
    """The job, marked running under a new lease; None if it is not waiting for this step."""
    import_jobs_recover()
    claimed = ImportJob.objects.filter(pk=job_id, step=step, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, lease_until=_lease_end(), attempts=F("attempts") + 1
    )
    return ImportJob.objects.get(pk=job_id) if claimed else None


def _still_ours(job: ImportJob) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.RUNNING, attempts=job.attempts)


@contextlib.contextmanager
def _heartbeat(job: ImportJob) -> Iterator[None]:
    """Renew the job's lease every third of it while the block runs (from a thread with
    its own database connection, so a long write does not stop it on PostgreSQL)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.IMPORT_JOB_LEASE_SECONDS / 3):
                try:
                    _still_ours(job).update(lease_until=_lease_end())
                except DatabaseError as exc:  # e.g. SQLite busy with the write: next beat
                    logger.warning("Import job %s: lease not renewed (%s)", job.pk, exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"import-lease-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _stall_in_write(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """The test-only hook of STALL_IN_WRITE_ENV (connected for writes only)."""
    marker = os.environ.get(STALL_IN_WRITE_ENV)
    if marker and transaction.get_connection().in_atomic_block:
        Path(marker).touch()
        time.sleep(600)


@contextlib.contextmanager
def _stall_hook(dry_run: bool) -> Iterator[None]:
    if dry_run or not os.environ.get(STALL_IN_WRITE_ENV):
        yield
        return
    post_save.connect(_stall_in_write, sender=Source, dispatch_uid="import-stall")
    try:
        yield
    finally:
        post_save.disconnect(sender=Source, dispatch_uid="import-stall")


def _finish(job: ImportJob, fields: list[str]) -> None:
    """Save the job's outcome, unless its lease was taken back meanwhile."""
    values = {field: getattr(job, field) for field in fields}
    if not _still_ours(job).update(lease_until=None, updated_at=timezone.now(), **values):
        logger.error("Import job %s was taken back from its worker before it ended", job.pk)


def _run(job: ImportJob, *, dry_run: bool) -> ImportReport:
    try:
        with _heartbeat(job), _stall_hook(dry_run):
            return SERVICES[job.kind](
                path=staging.staged_path(job.pk),
                file_name=job.file_name,
                user=job.created_by,
                dry_run=dry_run,
                progress=_progress(job),
            )
    except BaseException:
        staging.remove(job.pk)
        _still_ours(job).update(
            state=ImportJob.State.FAILED,
            lease_until=None,
            message="Erreur inattendue pendant le traitement : rien n'a été écrit. "
            "L'incident est consigné dans le journal du programme de traitement.",
        )
        raise


def import_job_check(*, job_id: uuid.UUID | str) -> ImportJob | None:
    job = _start(job_id, ImportJob.Step.CHECK)
    if job is None:
        return None
    report = _run(job, dry_run=True)
    if not report.ok:
        staging.remove(job.pk)  # nothing to confirm
    job.report = report.as_dict()
    job.state = ImportJob.State.CHECKED
    _finish(job, ["report", "state"])
    return job


def import_job_write(*, job_id: uuid.UUID | str) -> ImportJob | None:
    job = _start(job_id, ImportJob.Step.WRITE)
    if job is None:
        return None
    try:
        report = _run(job, dry_run=False)
    finally:
        staging.remove(job.pk)
    job.report = report.as_dict()
    if isinstance(report.batch, ImportBatch):
        job.state, job.batch = ImportJob.State.DONE, report.batch
        job.message = (
            f"Import n° {report.batch.pk} enregistré : {_n(report.batch.rows_written)} "
            f"chiffre(s) écrit(s), {_n(report.batch.rows_replaced)} remplacé(s)."
        )
    elif report.already_imported is not None:
        job.state = ImportJob.State.DONE
        job.message = "Ce fichier a déjà été importé : rien n'a changé."
    else:
        # The data moved since the preview: show the new errors, nothing was written.
        job.step, job.state = ImportJob.Step.CHECK, ImportJob.State.CHECKED
        job.message = "Le fichier contient des erreurs : rien n'a été écrit."
    _finish(job, ["report", "state", "step", "batch", "message"])
    return job
