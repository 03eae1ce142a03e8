"""Background tasks (django-tasks, run by `manage.py db_worker`): the two steps of an
import through the upload page. The work itself is in `contracts.jobs`."""

from django_tasks import task

from contracts import jobs


@task()
def import_check(*, job_id: str) -> None:
    jobs.import_job_check(job_id=job_id)


@task()
def import_write(*, job_id: str) -> None:
    jobs.import_job_write(job_id=job_id)
