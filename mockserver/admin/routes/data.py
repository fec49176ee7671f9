"""Control plane, data: reset, seed, workgroups, injected cases."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from ...apidoc import ANY_JSON, CONTROL, documented
from ...datagen.inject import add_cases_json
from ...datagen.world import build_workgroup, reseed
from ...domain.ids import stable_uuid
from ...domain.workgroup import Workgroup
from ...http.limits import STATE_BODY_LIMIT, body_limit
from ...schemas.cases import CaseSchema
from .. import startup, state_document
from ..context import args, control, json_body, state
from ..schemas import EmptySchema, NewWorkgroupSchema, ResetSchema, SeedSchema, WorkgroupArgsSchema, WorkgroupSchema

bp = Blueprint("admin_data", __name__, url_prefix="/_mock")

_full_case = CaseSchema(direct_identifiers=True)
_full_case_list = CaseSchema(direct_identifiers=True, many=True)
_workgroup = WorkgroupSchema()  # made once: describe() runs on every dashboard poll


def describe(wg: Workgroup) -> dict[str, Any]:
    return _workgroup.dump({
        "id": wg.id, "name": wg.name, "seed": wg.seed,
        "seededCases": len(wg.cases.seeded), "cases": len(wg.cases), "uploads": len(wg.uploads),
        "default": wg.id == state().default_workgroup_id,
    })


@bp.post("/reset")
@documented(operation_id="mockReset", tag=CONTROL, summary="Reset to the seeded state",
            body=ResetSchema, body_required=False, responses={200: 'object'})
def reset() -> Response:
    body = ResetSchema().load(json_body(default={}))
    mock = state()
    targets = [mock.workgroup_or_404(body["workgroup"])] if "workgroup" in body else mock.workgroups()
    for wg in targets:
        wg.reset()
    control().reset_overrides(body.get("workgroup"))
    return jsonify({"reset": [wg.id for wg in targets]})


@bp.post("/reset/server")
@documented(operation_id="mockResetServer", tag=CONTROL,
            summary="Everything back to how the server started: data, clock, plans, latency, faults, journal, workgroups",
            responses={200: 'object'})
def reset_server() -> Response:
    EmptySchema().load(json_body(default={}))
    restored = startup.restore(current_app.config["MOCKSERVER_SETTINGS"], current_app.config["MOCKSERVER_FIXTURES"],
                               state(), control())
    return jsonify({"reset": restored})


@bp.post("/seed")
@documented(operation_id="mockSeed", tag=CONTROL, summary="Regenerate from a seed",
            body=SeedSchema, responses={200: WorkgroupSchema(many=True)})
def seed() -> Response:
    body = SeedSchema().load(json_body())
    mock = state()
    targets = [mock.workgroup_or_404(body["workgroup"])] if "workgroup" in body else mock.workgroups()
    rebuilt = []
    for old in targets:
        new = reseed(mock, old, body["seed"], body.get("cases", old.origin.generated_cases))
        rebuilt.append(describe(new))
    return jsonify(rebuilt)


@bp.get("/workgroups")
@documented(operation_id="mockListWorkgroups", tag=CONTROL, summary="List workgroups",
            responses={200: WorkgroupSchema(many=True)})
def list_workgroups() -> Response:
    return jsonify([describe(wg) for wg in state().workgroups()])


@bp.post("/workgroups")
@documented(operation_id="mockCreateWorkgroup", tag=CONTROL, summary="Create a workgroup",
            body=NewWorkgroupSchema, body_required=False, responses={201: WorkgroupSchema})
def create_workgroup() -> Response:
    body = NewWorkgroupSchema().load(json_body(default={}))
    mock = state()
    default = mock.workgroup_or_404(None)
    seed = body.get("seed", default.seed)
    workgroup_id = body.get("id") or _new_workgroup_id(seed, len(mock.workgroups()))
    mock.check_id_free(workgroup_id)
    name = body.get("name") or f"Workgroup {workgroup_id[:8]}"
    wg = build_workgroup(workgroup_id, name, seed=seed, cases=body["cases"], kinds=mock.step_kinds)
    mock.add_workgroup(wg)
    return _created(describe(wg))


def _new_workgroup_id(seed: int, n: int) -> str:
    return stable_uuid(seed, "workgroup", n)


@bp.delete("/workgroups/<workgroup_id>")
@documented(operation_id="mockDeleteWorkgroup", tag=CONTROL, summary="Delete a workgroup",
            responses={204: None})
def delete_workgroup(workgroup_id: str) -> Response:
    state().remove_workgroup(workgroup_id)
    control().faults.forget_workgroup(workgroup_id)
    control().overrides.clear(workgroup_id)
    return Response(status=204)


@bp.get("/cases")
@documented(operation_id="mockListCases", tag=CONTROL, summary="Every case of a workgroup",
            query=WorkgroupArgsSchema, responses={200: _full_case_list})
def list_cases() -> Response:
    wg = state().workgroup_or_404(args(WorkgroupArgsSchema).get("workgroup"))
    return jsonify(_full_case.dump(list(wg.cases.ordered(descending=True)), many=True))


@bp.post("/cases")
@documented(operation_id="mockAddCases", tag=CONTROL, summary="Add cases (one, or a list)",
            query=WorkgroupArgsSchema, body=ANY_JSON, responses={201: _full_case_list})
def add_cases() -> Response:
    body = json_body()
    workgroup_id = request.args.get("workgroup")
    if isinstance(body, dict) and "cases" in body and "workgroup" in body:
        workgroup_id, body = body["workgroup"], body["cases"]
    mock = state()
    stored = add_cases_json(mock.workgroup_or_404(workgroup_id), body if isinstance(body, list) else [body],
                            mock.clock.now())
    return _created(_full_case.dump(stored, many=True))


def _created(body: Any) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


@bp.get("/state")
@documented(operation_id="mockExportState", tag=CONTROL, summary="Export the whole state",
            query=WorkgroupArgsSchema, responses={200: 'object'})
def export_state() -> Response:
    workgroup = args(WorkgroupArgsSchema).get("workgroup")
    return jsonify(state_document.export_state(state(), control(), workgroup))


@bp.put("/state")
@documented(operation_id="mockImportState", tag=CONTROL, summary="Import a state",
            description=f"A body of up to {STATE_BODY_LIMIT // (1024 * 1024)} MB; a larger state travels as a --state-file.",
            body='object', responses={200: 'object'})
@body_limit(STATE_BODY_LIMIT)
def import_state() -> Response:
    state_document.import_state(json_body(), state(), control())
    return jsonify(state_document.export_state(state(), control()))
