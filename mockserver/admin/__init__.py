"""The control plane under ``/_mock/``: state, clock, lifecycle, latency, faults, overrides, journal.

Imports the domain, the generator and the shared schemas. The vendor surface never imports
this package; what it adds to vendor requests (delays, faults, the journal) it adds through
request hooks installed by ``register``.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import Unauthorized

from ..apidoc import DERIVED
from . import hooks
from .plane import ControlPlane, install
from .routes import clients, data, lifecycle, overrides, traffic, views
from .schemas import kind_schemas

OPEN_PATHS = ("/_mock/health",)


def register(app: Flask, plane: ControlPlane) -> None:
    install(app, plane)
    hooks.register(app, plane)
    schemas = kind_schemas(app.extensions["mockserver"].step_kinds)
    app.extensions[DERIVED] = {"Lifecycle": schemas.lifecycle, "CaseLifecycle": schemas.case_lifecycle}

    @app.before_request
    def _admin_token() -> None:
        token = plane.admin_token  # the plane is installed once; a reset keeps its token
        if not token or hooks.is_vendor_request() or hooks.is_open_page() or request.path in OPEN_PATHS:
            return
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Unauthorized("The control plane needs 'Authorization: Bearer <admin token>'.")

    for module in (clients, data, lifecycle, overrides, traffic, views):
        app.register_blueprint(module.bp)


def server_wide_settings() -> dict[str, Any]:
    """The bodies of ``GET /_mock/clock``, ``/_mock/lifecycle``, ``/_mock/latency`` and
    ``/_mock/client-rules``, read
    within the app's context (a server in this process need not ask itself over HTTP)."""
    return {"clock": lifecycle.clock_body(), "lifecycle": lifecycle.lifecycle_body(),
            "latency": traffic.latency_body(), "clientRules": clients.client_rules_body()}
