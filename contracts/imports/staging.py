"""The private folder where uploaded files wait for the worker (IMPORT_STAGING_DIR).

The folder is created with mode 0700 and each file with 0600, so no other account on
the machine reads what administrators upload. A file is named after its ImportJob;
it is deleted as soon as it can no longer be confirmed, and anything left there for
more than a day (an upload nobody confirmed) is removed by `clean_stale`.
"""

import contextlib
import logging
import os
import shutil
import stat
import time
import uuid
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

logger = logging.getLogger(__name__)
MAX_AGE = 24 * 3600  # seconds an unconfirmed upload is kept


def staging_dir() -> Path:
    path = Path(settings.IMPORT_STAGING_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        try:
            path.chmod(0o700)
        except OSError:
            logger.warning("Cannot make the import staging folder %s private", path)
    return path


def staged_path(job_id: uuid.UUID | str) -> Path:
    return staging_dir() / f"{getattr(job_id, 'hex', job_id)}.upload"


def create(job_id: uuid.UUID | str) -> BinaryIO:
    """A new file for this job, open for writing (binary), readable by this account only."""
    fd = os.open(staged_path(job_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def remove(job_id: uuid.UUID | str) -> None:
    with contextlib.suppress(OSError):
        staged_path(job_id).unlink(missing_ok=True)


def clean_stale(max_age: float = MAX_AGE) -> int:
    """Delete what was left in the folder for more than `max_age` seconds."""
    limit = time.time() - max_age
    removed = 0
    for path in staging_dir().iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime >= limit:
                continue
            if path.is_dir():  # an XLSX's CSV copy left by a worker that was stopped
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
    return removed
