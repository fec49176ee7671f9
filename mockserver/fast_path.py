"""GET case without a query, the call a client polls, answered in front of Flask.

Flask's request machinery (a request and app context, routing, hooks, a response object) costs
about 180 us of a 300 us GET case in process. When the control plane adds nothing to the
request but its journal entry (``hooks.answered_plainly``), and its credentials hold and the case
is found, the route's own functions answer it from the WSGI environ: the same body and headers,
the same journal entry, the same read counted. Anything else (a query, another method, an id
not in the served form, a refusal, a 404, a delay, a fault, an override, response validation)
goes to Flask as before. ``tests/integration/test_fast_path.py`` holds the two paths to the
same bytes, entries and state.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from .admin import hooks
from .admin.journal import VENDOR
from .admin.plane import ControlPlane
from .api.routes.cases import plain_case_json

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

OPERATION = "getCase"
#: The path of GET case, with the id as the mock serves ids (other forms go to Flask's routing).
CASE_PATH = re.compile(r"/crs/api/v2/cases/([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})")


class PlainGetCase:
    """WSGI middleware (``app.wsgi_app``) answering a plain GET case; everything else is
    Flask's."""

    def __init__(self, app: Flask, flask_app: WSGIApp, plane: ControlPlane) -> None:
        self.app = app
        self.flask_app = flask_app
        self.plane = plane

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        match = CASE_PATH.fullmatch(environ.get("PATH_INFO", "")) if environ.get("REQUEST_METHOD") == "GET" else None
        plane = self.plane
        if (match is None or environ.get("QUERY_STRING") or environ.get("CONTENT_LENGTH")
                or environ.get("HTTP_TRANSFER_ENCODING") or not hooks.answered_plainly(plane, OPERATION, environ)):
            return self.flask_app(environ, start_response)
        journal = plane.journal
        received = journal.now()
        text = plain_case_json(self.app, environ, match[1])
        if text is None:
            return self.flask_app(environ, start_response)
        body = text.encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        if journal.size:
            facts = {"mock_started": started, "mock_received": received, "mock_fault": None, "mock_delay_ms": 0.0}
            hooks.keep(journal, environ, "GET", environ["PATH_INFO"], facts, VENDOR, OPERATION,
                       environ.get("HTTP_X_ILMN_WORKGROUP"), hooks.NO_BODY, 200, None)
        return [body]


def install(app: Flask, plane: ControlPlane) -> None:
    """In front of the app's WSGI callable, unless responses are validated against the document
    (an after-request hook of Flask's)."""
    if not app.config["MOCKSERVER_SETTINGS"].validate_responses:
        app.wsgi_app = PlainGetCase(app, app.wsgi_app, plane)  # type: ignore[method-assign]
