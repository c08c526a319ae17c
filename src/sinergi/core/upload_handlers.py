"""Uploads larger than memory allows are spooled to a file that has no name on disk.

Django's own handler spools to a named file under /tmp and removes it when the request ends;
a process killed mid-request leaves it there. A registry file holds the NIK, KK number, name
and birth date of thousands of people, so the spool is an unnamed file instead (``O_TMPFILE`` /
unlinked at creation): the kernel frees it when the process lets go of it, however it ends, and
no other process can open it by path. The import seals the upload as soon as it has it.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class UnnamedTemporaryUploadedFile(UploadedFile):
    def __init__(
        self,
        name: str,
        content_type: str,
        size: int,
        charset: str | None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        # Closed with the upload (Django closes request files at the end of the request).
        spool = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
        super().__init__(spool, name, content_type, size, charset, content_type_extra)


class UnnamedTemporaryFileUploadHandler(FileUploadHandler):
    """Django's ``TemporaryFileUploadHandler`` with an unnamed spool file."""

    file: UnnamedTemporaryUploadedFile

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = UnnamedTemporaryUploadedFile(
            self.file_name or "", self.content_type or "", 0, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()
