"""A Flask request whose multipart file parts are size-checked while they are read.

Werkzeug writes each file part into the stream this class hands out; the stream refuses the
byte that would cross a limit, so an 11 MB file or a sixth file stops the upload there,
before it is all in memory.
"""

from __future__ import annotations

import io
from typing import IO, Any

from flask import Request, current_app
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from .. import fidelity
from ..http import limits

UPLOAD_BODY_LIMIT = fidelity.MAX_UPLOAD_TOTAL_BYTES + fidelity.MULTIPART_OVERHEAD_BYTES
_MB = fidelity.MEGABYTE


class _BoundedPart(io.BytesIO):
    def __init__(self, owner: MockRequest, filename: str) -> None:
        super().__init__()
        self._owner = owner
        self._filename = filename

    def write(self, data: Any) -> int:
        size = len(data)
        if self.tell() + size > fidelity.MAX_UPLOAD_FILE_BYTES:
            raise RequestEntityTooLarge(
                f"File '{self._filename}' exceeds {fidelity.MAX_UPLOAD_FILE_BYTES // _MB} MB; "
                f"each file should not exceed {fidelity.MAX_UPLOAD_FILE_BYTES // _MB} MB."
            )
        self._owner.upload_bytes += size
        if self._owner.upload_bytes > fidelity.MAX_UPLOAD_TOTAL_BYTES:
            raise RequestEntityTooLarge(
                f"The files together exceed {fidelity.MAX_UPLOAD_TOTAL_BYTES // _MB} MB "
                f"(the combined files limit)."
            )
        return super().write(data)


class MockRequest(Request):
    upload_files = 0
    upload_bytes = 0

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return limits.parsed(lambda: super(MockRequest, self).get_json(force=force, silent=silent, cache=cache))
        except limits.TooDeep as exc:
            raise BadRequest(f"The JSON body {exc}.") from None

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not a JSON content type (curl -d sends application/x-www-form-urlencoded)
            sent = self.mimetype or "none"
            raise UnsupportedMediaType(
                f"This endpoint takes a JSON body, sent with Content-Type: application/json (this request's "
                f"Content-Type: {sent}). With curl, add -H 'Content-Type: application/json' to -d, or use --json."
            )
        raise BadRequest(f"The request body is not valid JSON ({e}); send a JSON document with "
                         f"Content-Type: application/json.")

    @property
    def max_content_length(self) -> int | None:
        """A limit set on this request; else the upload limit for a multipart body, else the
        route's (``limits.body_limit``)."""
        if self._max_content_length is not None:
            return self._max_content_length
        if self.mimetype == "multipart/form-data":
            return UPLOAD_BODY_LIMIT
        view = current_app.view_functions.get(self.url_rule.endpoint) if self.url_rule is not None else None
        return limits.body_limit_of(view)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(
        self, total_content_length: int | None, content_type: str | None,
        filename: str | None = None, content_length: int | None = None,
    ) -> IO[bytes]:
        self.upload_files += 1
        if self.upload_files > fidelity.MAX_UPLOAD_FILES:
            raise BadRequest(
                f"Too many files: upload up to {fidelity.MAX_UPLOAD_FILES} files in one request."
            )
        return _BoundedPart(self, filename or "")
