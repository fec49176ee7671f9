"""Control plane, traffic: latency, faults, the request journal, health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import ValidationError

from ...apidoc import ANY_JSON, CONTROL, documented
from ...version import __version__
from ..context import args, control, json_body
from ..journal import entry_json
from ..schemas import (
    FaultRuleSchema,
    Instant,
    JournalArgsSchema,
    LatencySchema,
    NearMissesSchema,
    RequestMatcherSchema,
    WorkgroupArgsSchema,
)

bp = Blueprint("admin_traffic", __name__, url_prefix="/_mock")

_latency = LatencySchema()
_rule = FaultRuleSchema()
_since = Instant(error_messages={"invalid": "a sequence number or an ISO 8601 time such as 2026-01-01T00:00:00Z"})


@bp.get("/health")
@documented(operation_id="mockHealth", tag=CONTROL, summary="Health",
            responses={200: 'object'})
def health() -> Response:
    return jsonify({"status": "ok", "version": __version__})


def latency_body() -> dict[str, Any]:
    return _latency.dump(control().latency.setting)


@bp.get("/latency")
@documented(operation_id="mockGetLatency", tag=CONTROL, summary="Simulated latency",
            responses={200: LatencySchema})
def get_latency() -> Response:
    return jsonify(latency_body())


@bp.put("/latency")
@documented(operation_id="mockSetLatency", tag=CONTROL, summary="Replace the simulated latency",
            body=LatencySchema, responses={200: LatencySchema})
def set_latency() -> Response:
    setting = _latency.load(json_body())
    control().latency.replace(setting)
    return jsonify(_latency.dump(setting))


@bp.get("/faults")
@documented(operation_id="mockListFaults", tag=CONTROL, summary="Fault rules",
            responses={200: FaultRuleSchema(many=True)})
def list_faults() -> Response:
    return jsonify(_rule.dump(control().faults.rules(), many=True))


@bp.post("/faults")
@documented(operation_id="mockAddFaults", tag=CONTROL, summary="Append fault rules (one, or a list)",
            body=ANY_JSON, responses={201: FaultRuleSchema(many=True)})
def add_faults() -> Response:
    body = json_body()
    listed = isinstance(body, list)
    rules = _rule.load(body, many=True) if listed else [_rule.load(body)]
    response = jsonify(_rule.dump(control().faults.add(rules, listed), many=True))
    response.status_code = 201
    return response


@bp.delete("/faults")
@documented(operation_id="mockClearFaults", tag=CONTROL, summary="Remove every fault rule",
            responses={204: None})
def clear_faults() -> Response:
    control().faults.clear()
    return Response(status=204)


@bp.delete("/faults/<int:rule_id>")
@documented(operation_id="mockDeleteFault", tag=CONTROL, summary="Remove one fault rule",
            responses={204: None})
def delete_fault(rule_id: int) -> Response:
    if not control().faults.remove(rule_id):
        from werkzeug.exceptions import NotFound

        raise NotFound(f"Fault rule {rule_id} does not exist.")
    return Response(status=204)


@bp.get("/requests")
@documented(operation_id="mockListRequests", tag=CONTROL, summary="The request journal",
            query=JournalArgsSchema, responses={200: 'array'})
def list_requests() -> Response:
    query = args(JournalArgsSchema)
    since_text = query.get("since")
    since: int | datetime | None = None
    if since_text:
        if since_text.isascii() and since_text.isdigit():
            if len(since_text) > 18:  # past any sequence number; int() of 5,000 digits is refused
                raise ValidationError({"since": ["a sequence number has at most 18 digits"]})
            since = int(since_text)
        else:
            try:
                since = _since.deserialize(since_text)
            except ValidationError as exc:
                raise ValidationError({"since": exc.messages}) from None
    entries = control().journal.select(query.get("operation"), since, query["limit"], query.get("workgroup"),
                                       query["plane"])
    return jsonify([entry_json(e) for e in entries])


@bp.post("/requests/count")
@documented(operation_id="mockCountRequests", tag=CONTROL, summary="Count journal entries matching",
            description="Fields combine with AND; headers, query and body (dotted paths into the JSON body) "
                        'take a value to equal or {"matches": "<RE2 expression>"}. Vendor requests only, '
                        'unless plane is "control" or "all".',
            body=RequestMatcherSchema, body_required=False, responses={200: 'object'})
def count_requests() -> Response:
    matcher = RequestMatcherSchema().load(json_body(default={}))
    return jsonify({"count": control().journal.count(matcher)})


@bp.post("/requests/near-misses")
@documented(operation_id="mockNearMisses", tag=CONTROL, summary="The requests nearest to a matcher, and how each differs",
            body=NearMissesSchema, body_required=False, responses={200: 'array'})
def near_misses() -> Response:
    matcher = NearMissesSchema().load(json_body(default={}))
    limit = matcher.pop("limit")
    found = control().journal.near_misses(matcher, limit)
    return jsonify([{"request": entry_json(entry), "differences": ways} for entry, ways in found])


@bp.delete("/requests")
@documented(operation_id="mockClearRequests", tag=CONTROL, summary="Empty the journal (or forget one workgroup's requests)",
            query=WorkgroupArgsSchema, responses={204: None})
def clear_requests() -> Response:
    control().journal.clear(args(WorkgroupArgsSchema).get("workgroup"))
    return Response(status=204)
