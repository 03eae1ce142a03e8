"""Receiving an import file: straight into the private staging folder, within a size limit.

Django would otherwise hold the upload in memory or in the system's temporary folder
before the view runs; this handler writes it where the worker will read it, counts
the bytes as they come and stops reading the request past IMPORT_MAX_UPLOAD_MB.
"""

import uuid
from pathlib import Path
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest

from contracts.imports import staging

MB = 1 << 20
FIELD = "file"


class StagedFile(UploadedFile):
    """The uploaded file, already in the staging folder under the job's id."""

    def __init__(
        self, *, path: Path, name: str | None, size: int, content_type: str | None
    ) -> None:
        super().__init__(
            file=path.open("rb"), name=name, content_type=content_type, size=size, charset=None
        )
        self.staged_path = path


class StagingUploadHandler(FileUploadHandler):
    def __init__(
        self, *, job_id: uuid.UUID, max_bytes: int, request: HttpRequest | None = None
    ) -> None:
        super().__init__(request)
        self.job_id = job_id
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False
        self.out: IO[bytes] | None = None

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        *args: Any,
    ) -> None:
        if field_name != FIELD or self.out is not None:
            raise SkipFile  # one file, in the one field the form has
        super().new_file(field_name, file_name, content_type, content_length, charset, *args)
        self.out = staging.create(self.job_id)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            self.discard()
            raise StopUpload(connection_reset=True)
        assert self.out is not None
        self.out.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StagedFile:
        assert self.out is not None
        self.out.close()
        return StagedFile(
            path=staging.staged_path(self.job_id),
            name=self.file_name,
            size=file_size,
            content_type=self.content_type,
        )

    def discard(self) -> None:
        """Forget what was received (a refused or failed upload)."""
        if self.out is not None and not self.out.closed:
            self.out.close()
        staging.remove(self.job_id)
