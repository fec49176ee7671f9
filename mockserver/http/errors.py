"""The one error path, for the vendor surface and the control plane alike: domain errors,
validation errors and HTTP errors become the vendor's error body (``code``, ``message``,
``details``); anything else is a logged 500 (a bug)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import fidelity
from ..domain.errors import AlreadyExists, DomainError, NotFound, Timeout
from ..schemas.common import ErrorSchema
from . import answered, wrong_turns

log = logging.getLogger("mockserver")
_error_schema = ErrorSchema()

_STATUS_FOR: dict[type[DomainError], int] = {NotFound: 404, Timeout: 408, AlreadyExists: 409}
_CODE_FOR_HTTP = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE", 408: "REQUEST_TIMEOUT", 409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}


def error_response(
    status: int, message: str, details: list[dict[str, str]] | None = None, code: str | None = None
) -> Response:
    body = _error_schema.dump(
        {"code": code or _CODE_FOR_HTTP.get(status, "ERROR"), "message": message, "details": details or []}
    )
    answered.note_error(body["code"], body["details"], message)
    response = jsonify(body)
    response.status_code = status
    return response


def flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages as a flat list of {field, message}."""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            out.extend(flatten(value, name))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": prefix or "body", "message": m} for m in messages]
    if isinstance(messages, list):
        return [d for m in messages for d in flatten(m, prefix)]
    return [{"field": prefix or "body", "message": str(messages)}]


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        message = exc.message + (wrong_turns.route_meant_hint() if isinstance(exc, NotFound) else "")
        return error_response(_STATUS_FOR.get(type(exc), 400), message, exc.details, exc.code)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> Response:
        details = flatten(exc.messages)
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        return error_response(400, f"Invalid request: {summary}", details)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.description or exc.name
        if isinstance(exc, RequestEntityTooLarge) and message == RequestEntityTooLarge.description:
            message = _too_large_message()
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        if status == 405:
            message = wrong_turns.method_not_allowed_message(allowed)
        elif status == 404 and request.url_rule is None:
            message = wrong_turns.no_route_message()
        response = error_response(status, message)
        if status == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        if getattr(exc, "retry_after", None) is not None:
            response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
        return response

    def _too_large_message() -> str:
        """Werkzeug raises the same 413 for a body over the endpoint's limit and for a form
        field (not a file) over the form's memory limit; say which it was."""
        limit, length = request.max_content_length, request.content_length
        if length is not None and limit is not None and length <= limit:
            return (f"A form field that is not a file is larger than the {request.max_form_memory_size} bytes "
                    f"a form field may hold; send the metadata as CSV files in the field 'files'.")
        size = f" ({length} bytes)" if length is not None else ""
        message = f"The request body{size} is larger than the {limit} bytes this endpoint accepts."
        if request.mimetype == "multipart/form-data":
            total_mb = fidelity.MAX_UPLOAD_TOTAL_BYTES // fidelity.MEGABYTE
            message += f" The files together may not exceed {total_mb} MB."
        return message

    @app.errorhandler(Exception)
    def _bug(exc: Exception) -> Response:
        log.exception("unhandled error (a bug in the mock server)")
        return error_response(500, f"Internal error in the mock server: {type(exc).__name__}: {exc}")
