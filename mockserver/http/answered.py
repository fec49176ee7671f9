"""Facts about an answer that only the code giving it knows, kept in the request's WSGI environ
for the request journal (``admin.hooks``) to keep: which page of how many a search answered,
which case or upload a read or write was about and in which state, why a request was refused,
what an error answer said.

The vendor surface notes them and never reads them; the control plane reads them and never
imports the vendor surface. Noting costs one dict store, so it is done whether or not a
journal keeps the entry.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import request

PAGE = "mockserver.answered.page"
RESOURCE = "mockserver.answered.resource"
CAUSE = "mockserver.answered.cause"
OTHER_VERSION = "mockserver.answered.other_version"
ERROR = "mockserver.answered.error"
#: What the journal keeps of an error answer: its code, the first fields its details name, the
#: start of its message.
MAX_ERROR_FIELDS = 5
MAX_ERROR_MESSAGE_CHARS = 300


class Page(NamedTuple):
    number: int
    total_pages: int

    @property
    def past_end(self) -> bool:
        """A page after the last one (page 0 of an empty result is the last one)."""
        return self.number >= max(self.total_pages, 1)


class Resource(NamedTuple):
    """``kind`` ``case`` or ``upload``; ``state`` is what a reader waits on (a status), None for
    a write; ``final``: it will not change any more."""

    kind: str
    id: str
    state: str | None
    final: bool


def note_page(number: int, total_pages: int) -> None:
    request.environ[PAGE] = Page(number, total_pages)


def note_resource(kind: str, resource_id: str, state: str | None = None, final: bool = False,
                  environ: dict[str, Any] | None = None) -> None:
    """In ``environ`` when given (a request answered without Flask's request context), else the request's."""
    (request.environ if environ is None else environ)[RESOURCE] = Resource(kind, resource_id, state, final)


def note_cause(cause: str) -> None:
    """Why a request is refused, when the error's details name no field: ``missing header X``."""
    request.environ[CAUSE] = cause


def note_other_version(path: str) -> None:
    """A 405 whose method the API's other version serves, at ``path``."""
    request.environ[OTHER_VERSION] = path


def note_error(code: str, details: list[dict[str, str]], message: str) -> None:
    """An error answer (``http.errors.error_response``); a later one in the same request replaces it."""
    fields = [d["field"] for d in details[:MAX_ERROR_FIELDS] if isinstance(d.get("field"), str)]
    request.environ[ERROR] = {"code": code, "fields": fields, "message": message[:MAX_ERROR_MESSAGE_CHARS]}


class Noted(NamedTuple):
    """The facts noted in a request; None where nothing was."""

    error: dict[str, Any] | None
    page: Page | None
    resource: Resource | None
    cause: str | None
    other_version: str | None


def noted(environ: dict[str, Any]) -> Noted:
    return Noted(environ.get(ERROR), environ.get(PAGE), environ.get(RESOURCE), environ.get(CAUSE),
                 environ.get(OTHER_VERSION))
