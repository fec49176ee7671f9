"""Typed domain errors; the HTTP layers map each to a status code and the vendor error body."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a request the domain refuses, with a message meant for the client."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    code = "NOT_FOUND"


class InvalidRequest(DomainError):
    code = "BAD_REQUEST"


class Conflict(DomainError):
    """The request is well formed but the entity's state does not allow it."""

    code = "BAD_REQUEST"


class Timeout(DomainError):
    """A wait ended before the awaited state was reached."""

    code = "REQUEST_TIMEOUT"


class AlreadyExists(DomainError):
    """Creating something whose id is taken."""

    code = "CONFLICT"
