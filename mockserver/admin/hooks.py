"""What the control plane adds to vendor requests, through Flask request hooks: a delay,
then maybe a fault or an override, and a journal entry for every request; and a journal entry for each
control-plane call that changes something (``"plane": "control"``).

Vendor requests are every request outside ``/_mock``; their operation is the endpoint name.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, Response, current_app, g, request
from werkzeug.exceptions import BadRequest, HTTPException

from .. import fidelity
from ..apidoc import doc_of
from ..http import answered, credentials
from ..http.errors import error_response
from ..serving import redaction
from ..serving.connection_faults import NO_STATUS, abort_after, drop_before_status
from .journal import CONTROL, PREVIEW_BYTES, VENDOR, Facts, Journal, kept_request_line
from .latency import MAX_DELAY_MS
from .overrides import request_facts
from .plane import ControlPlane

PREFIX = "/_mock"
#: The index, the API page and its document are the mock's own, not the vendor surface.
INDEX = "/"
NOT_VENDOR = ("/openapi.json", "/api-docs")
#: The dashboard's page and assets (``mockserver.ui``): they hold no data either.
DASHBOARD = "/_mock/ui"
DELAY_HEADER = "X-Mock-Delay-Ms"
DELAY_ENVIRON_KEY = "HTTP_" + DELAY_HEADER.upper().replace("-", "_")
#: Control-plane calls the journal keeps: those that change something. Reads (the dashboard
#: polls several a second) would push the vendor requests out of the bounded journal.
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READS_BY_POST = frozenset({"mockCountRequests", "mockNearMisses"})


def is_vendor_request() -> bool:
    return is_vendor_path(request.path)


def is_vendor_path(path: str) -> bool:
    return not (path in (INDEX, PREFIX) or path.startswith(PREFIX + "/") or path.startswith(NOT_VENDOR))


def is_open_page() -> bool:
    """The index, the API page, the document and the dashboard's page: they hold no data, so no
    token guards them (the calls the pages make need it)."""
    path = request.path
    return path in (INDEX, DASHBOARD) or path.startswith(NOT_VENDOR) or path.startswith(DASHBOARD + "/assets/")


def operation() -> str | None:
    return operation_of(request.endpoint)


def operation_of(endpoint: str | None) -> str | None:
    """The vendor operation a routed endpoint (``blueprint.getCase``) serves."""
    name = endpoint.rsplit(".", 1)[-1] if endpoint else None
    return name if name in fidelity.OPERATIONS else None


def control_operation() -> str | None:
    """The documented operation id of a control-plane call (``mockAddFaults``), if routed."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    doc = doc_of(view) if view is not None else None
    return doc.operation_id if doc else None


def is_journaled_control_call() -> bool:
    path = request.path
    return (request.method not in _READ_METHODS and path.startswith(PREFIX + "/")
            and control_operation() not in _READS_BY_POST)


def register(app: Flask, plane: ControlPlane) -> None:
    @app.before_request
    def _delay_and_faults() -> Response | None:
        # The request and g bound once: each use of Flask's proxies costs a context lookup.
        req = request._get_current_object()  # type: ignore[attr-defined]
        facts = vars(g._get_current_object())
        facts["mock_started"] = time.perf_counter()
        facts["mock_received"] = plane.journal.now()
        # Worked out once: the journal's hook reads them again after the answer.
        vendor = facts["mock_vendor"] = is_vendor_path(req.path)
        if not vendor:
            return None
        facts["mock_fault"] = None
        facts["mock_delay_ms"] = 0.0
        op = facts["mock_operation"] = operation_of(req.endpoint)
        if op is None:
            return None  # an unknown route or method: routing answers at once
        doc = doc_of(app.view_functions[req.endpoint])
        assert doc is not None  # every vendor operation is documented
        environ = req.environ
        credentials.check(app, environ, facts, needs_workgroup=doc.needs_workgroup)  # a refusal is never delayed
        if answered_plainly(plane, op, environ):  # the fast path's test too (``mockserver.fast_path``)
            return None
        requested = environ.get(DELAY_ENVIRON_KEY)
        if requested is not None:
            try:
                delay_ms = float(requested)
            except ValueError:
                raise BadRequest(f"{DELAY_HEADER} must be a number of milliseconds, not '{requested}'.") from None
            if not 0 <= delay_ms <= MAX_DELAY_MS:
                raise BadRequest(f"{DELAY_HEADER} must be between 0 and {MAX_DELAY_MS}.")
        else:
            delay_ms = plane.latency.draw_ms(op)
        if delay_ms > 0:
            with plane.holding.slot("a simulated delay", environ):
                time.sleep(delay_ms / 1000)
            facts["mock_delay_ms"] = delay_ms
        workgroup = environ.get("HTTP_X_ILMN_WORKGROUP")
        rule = plane.faults.match(op, workgroup)
        if rule is not None:
            facts["mock_fault"] = rule["kind"]
            return fault_response(rule, op)
        if plane.overrides:
            override = plane.overrides.match(op, req.method, req.path, workgroup, _request_facts)
            if override is not None:
                facts["mock_override"] = override.id
                return override.answer()
        return None

    @app.after_request
    def _journal(response: Response) -> Response:
        if plane.journal.size:
            req = request._get_current_object()  # type: ignore[attr-defined]
            facts = vars(g._get_current_object())
            vendor = facts.get("mock_vendor")
            if vendor is None:  # an earlier hook answered before ours ran
                vendor = is_vendor_path(req.path)
            if vendor:
                record(plane, req, facts, response)
            elif is_journaled_control_call():
                record(plane, req, facts, response, CONTROL)
        return response


def fault_response(rule: dict, op: str | None) -> Response:
    kind = rule["kind"]
    if kind == "error":
        message = rule.get("message") or f"Injected fault: {rule['status']} for {op or 'this request'}."
        response = error_response(rule["status"], message)
        if rule.get("retryAfter") is not None and rule["status"] in (429, 503):
            response.headers["Retry-After"] = str(rule["retryAfter"])
        return response
    if kind == "truncatedBody":
        body = error_response(rule["status"], "Injected fault: this body is cut short.").get_data()
        response = Response(abort_after(body[: len(body) // 2]), status=rule["status"], mimetype="application/json")
        response.headers["Content-Length"] = str(len(body))
        return response
    return Response(drop_before_status(request.environ, reset=kind == "connectionReset"), status=500)


def _request_facts() -> dict:
    """The request as an override's matchers read it: its JSON or text body whole (within the
    vendor body limit, which the request class enforces)."""
    body = None
    if request.mimetype != "multipart/form-data" and request.content_length:
        try:
            body = request.get_data(cache=True).decode("utf-8", "replace")
        except HTTPException:
            body = None
    return request_facts(request.method, request.environ, request.path, body)


def _body_preview() -> str | None:
    """The start of a JSON or text body; uploads and oversized bodies are only counted."""
    size = request.content_length or 0
    if not size or request.mimetype == "multipart/form-data" or size > 1024 * 1024:
        return None
    try:
        body = request.get_data(cache=True)
    except HTTPException:
        return None
    return body[:PREVIEW_BYTES].decode("utf-8", "replace")


def _control_workgroup() -> str | None:
    """The workgroup a control call names, in its query or its path."""
    return request.args.get("workgroup") or (request.view_args or {}).get("workgroup_id")


def record(control_plane: ControlPlane, req: Request, facts: dict[str, Any], response: Response,
           plane: str = VENDOR) -> None:
    """Hand the journal this request's facts (this runs on every request). ``facts`` is ``g``'s
    own dict (its ``get()`` is a method call per fact)."""
    environ = req.environ
    if environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING"):
        body = req.content_length or 0, _body_preview()
    else:
        body = NO_BODY
    if plane == VENDOR:
        op = facts["mock_operation"] if "mock_operation" in facts else operation()
        workgroup = environ.get("HTTP_X_ILMN_WORKGROUP")
    else:
        op, workgroup = control_operation(), _control_workgroup()
    status = response.status_code
    keep(control_plane.journal, environ, req.method, req.path, facts, plane, op, workgroup, body, status,
         response.headers.get("Retry-After") if status in (429, 503) else None)


#: The size and start of a request without a body.
NO_BODY: tuple[int, str | None] = (0, None)


def keep(journal: Journal, environ: dict[str, Any], method: str, path: str, facts: dict[str, Any], plane: str,
         op: str | None, workgroup: str | None, body: tuple[int, str | None], status: int,
         retry_after: str | None) -> None:
    """The journal's entry of a request answered with ``status``, from what a hook or the fast
    path (``mockserver.fast_path``) knows of it. Authorization is redacted here, so no key is
    kept: the entry names it by ``redaction.key_id``."""
    now = journal.now()
    started = facts.get("mock_started")
    client = redaction.key_id(environ.get("HTTP_AUTHORIZATION", "")) if plane == VENDOR else None
    kept_path, query, headers, truncated = kept_request_line(environ, path)
    # By name: twenty fields, many of one type, that no type check would tell apart by position.
    journal.record(Facts(
        time=now, received=facts.get("mock_received", now), plane=plane, method=method, path=kept_path,
        query_string=query, headers=headers, truncated=truncated, body_size=body[0], body_preview=body[1],
        operation=op, workgroup=workgroup, client=client, status=None if environ.get(NO_STATUS) else status,
        duration_s=time.perf_counter() - started if started is not None else 0.0, fault=facts.get("mock_fault"),
        override=facts.get("mock_override"), delay_ms=facts.get("mock_delay_ms", 0.0), retry_after=retry_after,
        noted=answered.noted(environ)))


def answered_plainly(plane: ControlPlane, op: str, environ: dict[str, Any]) -> bool:
    """Whether the control plane adds nothing to this vendor request but its journal entry: no
    delay asked for or set, no fault rule, no override."""
    return DELAY_ENVIRON_KEY not in environ and not plane.latency.applies(op) and not plane.faults and not plane.overrides
