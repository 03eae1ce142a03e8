"""Imports through the background worker: an ImportJob per uploaded file.

    import_job_create   (web request) the file is already staged: record it, queue the check
    import_job_check    (worker)      read and check the whole file, keep the preview report
    import_job_confirm  (web request) the uploader confirms the preview: queue the write
    import_job_write    (worker)      check again (the data may have moved) and write

The web request only stores the file and queues work, so no file, however long, meets
the web server's timeout. The staged file is deleted as soon as it can no longer be
confirmed: a check that found errors, a file already imported, a write, a failure.
"""

import time

from django.db import transaction
from django.utils.formats import number_format

from contracts import services
from contracts.imports import staging
from contracts.models import ImportJob

SERVICES = {
    ImportJob.Kind.CONTRACTS: services.contract_import,
    ImportJob.Kind.MARKET: services.market_import,
}
PROGRESS_EVERY = 0.5  # seconds between two progress writes


class JobRefused(Exception):
    """The job cannot be confirmed (not checked, errors, file gone)."""


def _n(value):
    return number_format(value, force_grouping=True)


def _enqueue(task, job):
    from contracts import tasks

    # Queued in the same transaction as the job (the queue is a table of the same
    # database): the worker sees both or neither.
    getattr(tasks, task).enqueue(job_id=str(job.pk))


@transaction.atomic
def import_job_create(*, job_id, kind, file_name, size, user) -> ImportJob:
    job = ImportJob.objects.create(
        id=job_id, kind=kind, file_name=file_name, size=size, created_by=user
    )
    _enqueue("import_check", job)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
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
    job.save(update_fields=["step", "state", "done", "total", "updated_at"])
    _enqueue("import_write", job)
    return job


def _progress(job):
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY or done >= total:
            last[0] = now
            ImportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    return progress


def _start(job_id, step):
    """The job, marked running; None if it is not waiting for this step."""
    claimed = ImportJob.objects.filter(pk=job_id, step=step, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING
    )
    return ImportJob.objects.get(pk=job_id) if claimed else None


def _run(job, *, dry_run):
    try:
        return SERVICES[job.kind](
            path=staging.staged_path(job.pk),
            file_name=job.file_name,
            user=job.created_by,
            dry_run=dry_run,
            progress=_progress(job),
        )
    except BaseException:
        staging.remove(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED,
            message="Erreur inattendue pendant le traitement : rien n'a été écrit. "
            "L'incident est consigné dans le journal du programme de traitement.",
        )
        raise


def import_job_check(*, job_id) -> ImportJob | None:
    job = _start(job_id, ImportJob.Step.CHECK)
    if job is None:
        return None
    report = _run(job, dry_run=True)
    if not report.ok:
        staging.remove(job.pk)  # nothing to confirm
    job.report = report.as_dict()
    job.state = ImportJob.State.CHECKED
    job.save(update_fields=["report", "state", "updated_at"])
    return job


def import_job_write(*, job_id) -> ImportJob | None:
    job = _start(job_id, ImportJob.Step.WRITE)
    if job is None:
        return None
    try:
        report = _run(job, dry_run=False)
    finally:
        staging.remove(job.pk)
    job.report = report.as_dict()
    if report.batch is not None:
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
    job.save(update_fields=["report", "state", "step", "batch", "message", "updated_at"])
    return job
