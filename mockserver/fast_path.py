"""GET case without a query (the call a client polls) and PUT diseases with a small JSON body
(the call a client makes on each case it sets up), answered in front of Flask.

Flask's request machinery (a request and app context, routing, hooks, a response object) costs
about 180 us of a 300 us GET case in process, and more of a PUT. When the control plane adds
nothing to the request but its journal entry (``hooks.answered_plainly``), its credentials hold
and the route would answer 200, the route's own functions answer it from the WSGI environ: the
same body and headers, the same journal entry, the same state. Anything else (a query, another
method or body, an id not in the served form, a refusal, a body the route rejects, a 404, a
delay, a fault, an override, response validation) goes to Flask as before, with the body the
fast path read handed back. ``tests/integration/test_fast_path.py`` holds the two paths to the
same bytes, entries and state.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from .admin import hooks
from .admin.journal import PREVIEW_BYTES, VENDOR
from .admin.plane import ControlPlane
from .api.routes.cases import plain_case_json, plain_disease_update_json

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

GET_CASE = "getCase"
UPDATE_DISEASES = "updateCaseDiseases"
#: An id as the mock serves ids (other forms go to Flask's routing).
_ID = "([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})"
CASE_PATH = re.compile(f"/crs/api/v2/cases/{_ID}")
DISEASES_PATH = re.compile(f"/crs/api/v1/cases/{_ID}/diseases")
#: A disease body is about 60 bytes; a larger one (within the route's limit) goes to Flask.
PLAIN_BODY_BYTES = 4096


class PlainCaseCalls:
    """WSGI middleware (``app.wsgi_app``) answering a plain GET case or PUT diseases; everything
    else is Flask's."""

    def __init__(self, app: Flask, flask_app: WSGIApp, plane: ControlPlane) -> None:
        self.app = app
        self.flask_app = flask_app
        self.plane = plane

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        method: str = environ.get("REQUEST_METHOD", "")
        if method == "GET":
            op, match = GET_CASE, CASE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        elif method == "PUT":
            op, match = UPDATE_DISEASES, DISEASES_PATH.fullmatch(environ.get("PATH_INFO", ""))
        else:
            match = None
        plane = self.plane
        if (match is None or environ.get("QUERY_STRING") or environ.get("HTTP_TRANSFER_ENCODING")
                or not hooks.answered_plainly(plane, op, environ)):
            return self.flask_app(environ, start_response)
        journal = plane.journal
        received = journal.now()
        if op == GET_CASE:
            body = hooks.NO_BODY
            text = None if environ.get("CONTENT_LENGTH") else plain_case_json(self.app, environ, match[1])
        else:
            data = _plain_json_body(environ)
            if data is None:
                return self.flask_app(environ, start_response)
            body = len(data), data[:PREVIEW_BYTES].decode("utf-8", "replace")
            text = plain_disease_update_json(self.app, environ, match[1], data)
            if text is None:
                environ["wsgi.input"] = io.BytesIO(data)
        if text is None:
            return self.flask_app(environ, start_response)
        answer = text.encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
        if journal.size:
            facts = {"mock_started": started, "mock_received": received, "mock_fault": None, "mock_delay_ms": 0.0}
            hooks.keep(journal, environ, method, environ["PATH_INFO"], facts, VENDOR, op,
                       environ.get("HTTP_X_ILMN_WORKGROUP"), body, 200, None)
        return [answer]


def _plain_json_body(environ: dict[str, Any]) -> bytes | None:
    """The whole body of a request that declares a small one in application/json; None, having
    read nothing, for any other (Flask reads it, and answers as the route does)."""
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.partition(";")[0].strip().lower() != "application/json":
        return None
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < size <= PLAIN_BODY_BYTES:
        return None
    data: bytes = environ["wsgi.input"].read(size)
    if len(data) != size:  # the client sent less: Flask answers a body cut short as ever
        environ["wsgi.input"] = io.BytesIO(data)
        return None
    return data


def install(app: Flask, plane: ControlPlane) -> None:
    """In front of the app's WSGI callable, unless responses are validated against the document
    (an after-request hook of Flask's)."""
    if not app.config["MOCKSERVER_SETTINGS"].validate_responses:
        app.wsgi_app = PlainCaseCalls(app, app.wsgi_app, plane)  # type: ignore[method-assign]
