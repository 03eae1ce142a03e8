import datetime
from pathlib import Path

import pytest

from contracts import services

DATA = Path(__file__).parent / "data"
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def write_file(tmp_path):
    """Write `content` (str as UTF-8, or bytes) to a file named `name`; return its path."""

    def write(name, content):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def import_contracts():
    def run(path, **kwargs):
        kwargs.setdefault("today", TODAY)
        return services.contract_import(path=path, file_name=Path(path).name, **kwargs)

    return run


@pytest.fixture
def import_market():
    def run(path, **kwargs):
        kwargs.setdefault("today", TODAY)
        return services.market_import(path=path, file_name=Path(path).name, **kwargs)

    return run


@pytest.fixture
def run_worker(reference_data):
    """Run the real background worker (django-tasks' `db_worker`) until the queue is
    empty, in this process; returns how many tasks it ran. Its signal handlers are put
    back afterwards (the worker installs its own for a graceful shutdown).

    The worker commits and closes connections as in production, so a test using it
    runs on a transactional database (hence `reference_data`)."""
    import signal

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    def run():
        before = DBTaskResult.objects.finished().count()
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
        failed = list(DBTaskResult.objects.failed().values_list("traceback", flat=True))
        assert not failed, failed
        return DBTaskResult.objects.finished().count() - before

    return run
