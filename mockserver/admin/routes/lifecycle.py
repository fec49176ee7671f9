"""Control plane, time and lifecycle: the clock, default and per-case plans, status jumps,
completing steps now, and waiting for a status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ...apidoc import CONTROL, Derived, documented
from ...domain import control_operations as ops
from ...domain.lifecycle.plans import Pending, Plan
from ...domain.workgroup import Workgroup
from ...schemas.cases import CaseSchema
from ...schemas.uploads import UploadStatusSchema
from ..context import args, control, json_body, kinds, state
from ..schemas import (
    AdvanceClockSchema,
    ClockSchema,
    PendingStepSchema,
    SignOffSchema,
    StatusJumpSchema,
    TransitionSchema,
    UserSchema,
    WaitArgsSchema,
    WorkgroupArgsSchema,
)

bp = Blueprint("admin_lifecycle", __name__, url_prefix="/_mock")

_full_case = CaseSchema(direct_identifiers=True)
_upload = UploadStatusSchema()
_clock = ClockSchema()  # made once: clock_body() runs on every dashboard poll


def clock_body() -> dict[str, Any]:
    clock = state().clock
    return _clock.dump({"mode": clock.mode, "now": clock.now()})


@bp.get("/clock")
@documented(operation_id="mockGetClock", tag=CONTROL, summary="The clock",
            responses={200: ClockSchema})
def get_clock() -> Response:
    return jsonify(clock_body())


@bp.put("/clock")
@documented(operation_id="mockSetClock", tag=CONTROL, summary="Freeze the clock or back to real time",
            body=ClockSchema, responses={200: ClockSchema})
def set_clock() -> Response:
    body = ClockSchema().load(json_body())
    mock = state()
    if body["mode"] == "real":
        mock.unfreeze_clock()
    else:
        mock.freeze_clock(body.get("now", mock.clock.now()))
    return jsonify(clock_body())


@bp.post("/clock/advance")
@documented(operation_id="mockAdvanceClock", tag=CONTROL, summary="Move the clock forward",
            body=AdvanceClockSchema, responses={200: ClockSchema})
def advance_clock() -> Response:
    body = AdvanceClockSchema().load(json_body())
    mock = state()
    mock.advance_clock(body["seconds"])
    return jsonify(clock_body())


def lifecycle_body() -> dict[str, Any]:
    defaults = state().defaults
    return kinds().dump_plans({kind: defaults.for_kind(kind) for kind in state().step_kinds})


@bp.get("/lifecycle")
@documented(operation_id="mockGetLifecycle", tag=CONTROL, summary="Default lifecycle plans",
            responses={200: Derived("Lifecycle")})
def get_lifecycle() -> Response:
    return jsonify(lifecycle_body())


@bp.put("/lifecycle")
@documented(operation_id="mockSetLifecycle", tag=CONTROL, summary="Set default lifecycle plans",
            body=Derived("Lifecycle"), responses={200: Derived("Lifecycle")})
def set_lifecycle() -> Response:
    body = kinds().lifecycle().load(json_body())
    state().set_default_plans(body)
    return jsonify(lifecycle_body())


def _case_workgroup(case_id: str) -> Workgroup:
    return state().workgroup_of_case(case_id, args(WorkgroupArgsSchema).get("workgroup"))


@bp.put("/cases/<case_id>/status")
@documented(operation_id="mockSetCaseStatus", tag=CONTROL, summary="Jump a case to any status",
            query=WorkgroupArgsSchema, body=StatusJumpSchema, responses={200: _full_case})
def set_case_status(case_id: str) -> Response:
    body = StatusJumpSchema().load(json_body())
    mock = state()
    case = ops.set_case_status(_case_workgroup(case_id), case_id, body["status"], mock.clock.now())
    return jsonify(_full_case.dump(case))


@bp.post("/cases/<case_id>/sign-off")
@documented(operation_id="mockSignOffCase", tag=CONTROL, summary="Sign a case's report off",
            description="Moves a READY_FOR_INTERPRETATION case to REPORTS_SIGNED_OFF: its report becomes Final, "
                        "approved by approver (default: a user drawn from the case) at at (default: now).",
            query=WorkgroupArgsSchema, body=SignOffSchema, responses={200: _full_case})
def sign_off_case(case_id: str) -> Response:
    body = SignOffSchema().load(json_body())
    case = ops.sign_off(_case_workgroup(case_id), case_id, state().clock.now(), body.get("approver"), body.get("at"))
    return jsonify(_full_case.dump(case))


@bp.get("/users")
@documented(operation_id="mockListUsers", tag=CONTROL, summary="A workgroup's users",
            description="Who the audit log names: vendor calls act as their API key's user; sign-offs name an approver.",
            query=WorkgroupArgsSchema, responses={200: UserSchema(many=True)})
def list_users() -> Response:
    wg = state().workgroup_or_404(args(WorkgroupArgsSchema).get("workgroup"))
    return jsonify(UserSchema(many=True).dump(wg.users.all))


@bp.post("/cases/<case_id>/advance")
@documented(operation_id="mockAdvanceCase", tag=CONTROL, summary="Complete a case's pending step now",
            query=WorkgroupArgsSchema, responses={200: _full_case})
def advance_case(case_id: str) -> Response:
    case = ops.advance_case(_case_workgroup(case_id), case_id, state().clock.now())
    return jsonify(_full_case.dump(case))


def _pending_body(pending: Pending | None) -> dict[str, Any] | None:
    if pending is None:
        return None
    return PendingStepSchema().dump({
        "kind": pending.kind,
        "plan": kinds().plans[pending.kind].dump_plan(pending.plan),
        "started": pending.started,
        "due": pending.plan.due(pending.started),
        "reads": pending.reads,
    })


@bp.get("/cases/<case_id>/lifecycle")
@documented(operation_id="mockGetCaseLifecycle", tag=CONTROL, summary="A case's plan and pending step",
            query=WorkgroupArgsSchema, responses={200: 'object'})
def get_case_lifecycle(case_id: str) -> Response:
    return jsonify(_case_lifecycle_body(*ops.case_plans(_case_workgroup(case_id), case_id, state().clock.now())))


@bp.put("/cases/<case_id>/lifecycle")
@documented(operation_id="mockSetCaseLifecycle", tag=CONTROL, summary="Set a case's processing plan",
            query=WorkgroupArgsSchema, body=Derived("CaseLifecycle"), responses={200: 'object'})
def set_case_lifecycle(case_id: str) -> Response:
    plans = kinds().case_lifecycle().load(json_body())
    found = ops.set_case_plans(_case_workgroup(case_id), case_id, plans, state().clock.now())
    return jsonify(_case_lifecycle_body(*found))


def _case_lifecycle_body(plans: dict[str, Plan | None], pending: Pending | None) -> dict[str, Any]:
    """The case's own plan by kind (null: it follows the default), and its pending step."""
    return {**kinds().dump_plans(plans), "pending": _pending_body(pending)}


@bp.get("/cases/<case_id>/wait")
@documented(operation_id="mockWaitForCase", tag=CONTROL, summary="Wait until a case has a status",
            query=WaitArgsSchema, responses={200: _full_case})
def wait_for_case(case_id: str) -> Response:
    query = args(WaitArgsSchema)
    mock = state()
    wg = mock.workgroup_of_case(case_id, query.get("workgroup"))
    with control().holding.slot("a wait", request.environ):
        case = ops.wait_for_case_status(wg, case_id, query["status"], query["timeout"], mock.clock)
    return jsonify(_full_case.dump(case))


@bp.post("/uploads/<upload_id>/advance")
@documented(operation_id="mockAdvanceUpload", tag=CONTROL, summary="Complete an upload's pending step now",
            query=WorkgroupArgsSchema, responses={200: UploadStatusSchema})
def advance_upload(upload_id: str) -> Response:
    mock = state()
    wg = mock.workgroup_of_upload(upload_id, args(WorkgroupArgsSchema).get("workgroup"))
    return jsonify(_upload.dump(ops.advance_upload(wg, upload_id, mock.clock.now())))


@bp.get("/cases/<case_id>/history")
@documented(operation_id="mockCaseHistory", tag=CONTROL, summary="A case's status changes",
            query=WorkgroupArgsSchema, responses={200: 'array'})
def case_history(case_id: str) -> Response:
    history = ops.case_history(_case_workgroup(case_id), case_id, state().clock.now())
    return jsonify(TransitionSchema(many=True).dump(history))
