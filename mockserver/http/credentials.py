"""The vendor's credentials: ``Authorization: ApiKey <key>`` (or a raw psToken) plus the
``X-ILMN-Domain`` and ``X-ILMN-Workgroup`` headers.

Shared by the vendor routes and the control plane's request hooks, which check credentials
before any simulated delay so that a refused request is answered at once. A request resolves
them once: the key and the workgroup are kept on ``flask.g`` for the rest of the request."""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

from flask import Flask, current_app, g, request
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

from .. import fidelity
from ..domain.mock_state import MockState
from ..domain.workgroup import Workgroup
from . import answered


def state() -> MockState:
    return current_app.extensions["mockserver"]


def api_key() -> str:
    """The caller's key; 401 when it is missing, malformed or not one of the configured keys."""
    return _key(current_app.config["MOCKSERVER_KEYS"], request.environ, vars(g._get_current_object()))


def workgroup() -> Workgroup:
    """The workgroup named by X-ILMN-Workgroup, after checking the credentials."""
    return _workgroup(current_app._get_current_object(), request.environ, vars(g._get_current_object()))  # type: ignore[attr-defined]


def check(app: Flask, environ: dict[str, Any], facts: dict[str, Any], needs_workgroup: bool) -> None:
    """Raise 401/403 as the operation itself would. The request's app, environ and ``g``'s
    attributes come bound (this runs on every request: each proxy lookup costs)."""
    if needs_workgroup:
        _workgroup(app, environ, facts)
    else:
        _key(app.config["MOCKSERVER_KEYS"], environ, facts)


def key_may_use(key: str, workgroup_id: str) -> bool:
    return _may_use(current_app.config["MOCKSERVER_KEYS"], key, workgroup_id)


def _may_use(allowed: dict[str, Any], key: str, workgroup_id: str) -> bool:
    groups = allowed.get(key) if allowed else None
    return groups is None or workgroup_id in groups


def _key(allowed: dict[str, Any], environ: dict[str, Any], facts: dict[str, Any]) -> str:
    """The key, checked once a request and kept in ``facts`` (``g``)."""
    key: str | None = facts.get("mock_api_key")
    if key is None:
        key = facts["mock_api_key"] = _accepted(_read_key(allowed, environ))
    return key


class Refusal(NamedTuple):
    """Credentials refused: why (noted for the journal), and the vendor's answer."""

    cause: str
    error: HTTPException


def _read_key(allowed: dict[str, Any], environ: dict[str, Any]) -> str | Refusal:
    header = environ.get("HTTP_AUTHORIZATION", "").strip()
    if not header:
        return Refusal("missing header Authorization",
                       Unauthorized("Missing Authorization header; send 'Authorization: ApiKey <key>'."))
    parts = header.split()
    if len(parts) == 2 and parts[0].lower() == fidelity.API_KEY_SCHEME:
        key = parts[1]
    elif len(parts) == 1 and parts[0].lower() != fidelity.API_KEY_SCHEME:
        key = parts[0]
    else:
        return Refusal("malformed header Authorization", Unauthorized(
            f"Malformed Authorization header (scheme '{parts[0]}'); send 'Authorization: ApiKey <key>'."))
    if allowed and key not in allowed:
        return Refusal("unknown API key", Unauthorized(
            "The API key is not valid: this server accepts only the keys it was started with "
            "(--api-key or MOCKSERVER_API_KEYS)."))
    if not environ.get("HTTP_X_ILMN_DOMAIN", "").strip():
        return Refusal("missing header X-ILMN-Domain", Unauthorized("Missing X-ILMN-Domain header (the tenant domain)."))
    return key


def _workgroup(app: Flask, environ: dict[str, Any], facts: dict[str, Any]) -> Workgroup:
    """The workgroup, resolved once a request and kept in ``facts`` (``g``)."""
    wg: Workgroup | None = facts.get("mock_workgroup")
    if wg is None:
        allowed = app.config["MOCKSERVER_KEYS"]
        key = _key(allowed, environ, facts)
        wg = facts["mock_workgroup"] = _accepted(_read_workgroup(app, allowed, key, environ))
    return wg


def _read_workgroup(app: Flask, allowed: dict[str, Any], key: str, environ: dict[str, Any]) -> Workgroup | Refusal:
    workgroup_id = environ.get("HTTP_X_ILMN_WORKGROUP", "").strip()
    if not workgroup_id:
        return Refusal("missing header X-ILMN-Workgroup", Unauthorized("Missing X-ILMN-Workgroup header (the workgroup id)."))
    wg = app.extensions["mockserver"].workgroup(workgroup_id)
    # Both are the vendor's 403; the messages tell a typo from a key without access.
    if wg is None:
        return Refusal("unknown workgroup", Forbidden(
            f"Workgroup '{workgroup_id}' does not exist; GET /crs/api/v1/session/workgroups "
            f"lists the workgroups this API key may use."))
    if not _may_use(allowed, key, workgroup_id):
        return Refusal("workgroup not allowed for this key", Forbidden(
            f"This API key may not use workgroup '{workgroup_id}'; GET /crs/api/v1/session/workgroups "
            f"lists the workgroups it may use."))
    return wg


def accepted_credentials(app: Flask, environ: dict[str, Any]) -> tuple[str, Workgroup] | None:
    """The key and workgroup of a request whose credentials hold, read from its environ alone
    (no request context); None where they would be refused, noting nothing: the route refuses it."""
    allowed = app.config["MOCKSERVER_KEYS"]
    key = _read_key(allowed, environ)
    if isinstance(key, Refusal):
        return None
    wg = _read_workgroup(app, allowed, key, environ)
    return None if isinstance(wg, Refusal) else (key, wg)


R = TypeVar("R")


def _accepted(found: R | Refusal) -> R:
    if isinstance(found, Refusal):
        answered.note_cause(found.cause)
        raise found.error
    return found


def caller(wg: Workgroup, key: str | None = None) -> str:
    """The e-mail of the user the caller's API key (the request's unless given) belongs to:
    vendor calls act as that user."""
    return wg.users.for_key(api_key() if key is None else key).email
