"""Control plane, reads for watching the mock (the dashboard at /_mock/ui reads only these):
an overview, one workgroup, one case, case search, uploads and the audit log's tail.

They are not vendor requests, so the journal does not record them, and a polls plan does not
count them: a page left open changes nothing a test checks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from ... import fidelity
from ...apidoc import CONTROL, documented
from ...domain import operations, overview
from ...domain.event_search import audit_entries, search_audit_log
from ...domain.events import EventQuery
from ...domain.statuses import UI_LABELS
from ...domain.workgroup import Workgroup
from ...http.query import query_args
from ...schemas.audit import AuditLogEntrySchema
from ...schemas.cases import CaseSchema, SearchCasesArgsSchema
from ...schemas.common import page_envelope
from ...schemas.uploads import UploadStatusSchema
from ...version import __version__
from ..context import args, control, state
from ..journal import entry_json
from ..schemas import (
    FAULT_KINDS,
    AuditTailArgsSchema,
    OverviewArgsSchema,
    OverviewSchema,
    TailArgsSchema,
    WorkgroupArgsSchema,
    WorkgroupViewSchema,
)
from .data import describe
from .lifecycle import clock_body

bp = Blueprint("admin_views", __name__, url_prefix="/_mock")

_full_case = CaseSchema(direct_identifiers=True)
_cases = CaseSchema(many=True)
_search_args = SearchCasesArgsSchema()
#: An upload as a list shows it: its counts and first errors, not its (maybe 100,000) case ids.
_upload_list = UploadStatusSchema(many=True, exclude=("casesCreated", "casesUpdated"))
_entries = AuditLogEntrySchema(many=True)
FIRST_ERRORS = 5


def _counted(wg_body: dict[str, Any], counts: overview.CaseCounts) -> dict[str, Any]:
    return {**wg_body, "statusCounts": counts.by_status, "changes": counts.changes}


def _shown_workgroups(limit: int, wanted: str | None) -> tuple[list[Workgroup], int]:
    """The default workgroup, then the newest, ``limit`` in all, and ``wanted`` wherever it is;
    and how many there are. A poll's cost stays bounded on a server holding thousands."""
    mock = state()
    every = mock.workgroups()
    default = [wg for wg in every if wg.id == mock.default_workgroup_id]
    shown = (default + [wg for wg in reversed(every) if wg.id != mock.default_workgroup_id])[:limit]
    if wanted and all(wg.id != wanted for wg in shown):
        shown += [wg for wg in every if wg.id == wanted]
    return shown, len(every)


@bp.get("/overview")
@documented(operation_id="mockOverview", tag=CONTROL, summary="The mock at a glance",
            description="Version, seed, clock, workgroups (the default, then the newest; and ?workgroup= wherever it "
                        "is) with their cases per status and a token that changes whenever the workgroup does, and "
                        "the newest journal entries, newest first.",
            query=OverviewArgsSchema, responses={200: OverviewSchema})
def get_overview() -> Response:
    query = args(OverviewArgsSchema)
    mock = state()
    now = mock.clock.now()
    shown, count = _shown_workgroups(query["workgroups"], query.get("workgroup"))
    return jsonify({
        "version": __version__,
        "seed": current_app.config["MOCKSERVER_SETTINGS"].seed,
        "clock": {**clock_body(), "offsetSeconds": mock.clock.offset_seconds},
        "statusLabels": {status.value: label for status, label in UI_LABELS.items()},
        "reportStatuses": list(fidelity.REPORT_STATUSES),
        "operations": list(fidelity.OPERATIONS),
        # Only the kinds this server carries out: the dashboard offers no fault it would refuse.
        "faultKinds": [kind for kind in FAULT_KINDS if kind not in control().not_carried_out],
        "workgroupCount": count,
        "workgroups": [_counted(describe(wg), overview.case_counts(wg, now)) for wg in shown],
        "requests": [entry_json(e) for e in control().journal.newest(query["requests"])],
    })


@bp.get("/workgroups/<workgroup_id>")
@documented(operation_id="mockGetWorkgroup", tag=CONTROL, summary="One workgroup",
            description="What GET /_mock/workgroups says of it, its cases per status, and its diseases.",
            responses={200: WorkgroupViewSchema})
def get_workgroup(workgroup_id: str) -> Response:
    mock = state()
    wg = mock.workgroup_or_404(workgroup_id)
    body = _counted(describe(wg), overview.case_counts(wg, mock.clock.now()))
    body["diseases"] = [{"externalid": d.externalid, "name": d.name} for d in wg.diseases.values()]
    return jsonify(body)


@bp.get("/workgroups/<workgroup_id>/cases")
@documented(operation_id="mockSearchCases", tag=CONTROL, summary="Search a workgroup's cases",
            description="The vendor's searchCases (same parameters, same page), without its credentials; "
                        "not journaled.",
            query=SearchCasesArgsSchema, responses={200: 'object'})
def search_cases(workgroup_id: str) -> Response:
    mock = state()
    wg = mock.workgroup_or_404(workgroup_id)
    query = _search_args.load(query_args(SearchCasesArgsSchema.LIST_FIELDS))
    page = operations.search_cases(wg, query, mock.clock.now())
    return jsonify(page_envelope(_cases.dump(page.content), page.total_elements, page.page_number, page.page_size))


@bp.get("/cases/<case_id>")
@documented(operation_id="mockGetCase", tag=CONTROL, summary="One case, with direct identifiers",
            description="Found in any workgroup, or in ?workgroup=; unlike the vendor's getCase, never a read "
                        "that a polls plan counts.",
            query=WorkgroupArgsSchema, responses={200: _full_case})
def get_case(case_id: str) -> Response:
    mock = state()
    wg = mock.workgroup_of_case(case_id, args(WorkgroupArgsSchema).get("workgroup"))
    return jsonify(_full_case.dump(overview.watched_case(wg, case_id, mock.clock.now())))


@bp.get("/uploads")
@documented(operation_id="mockListUploads", tag=CONTROL, summary="A workgroup's newest uploads",
            description=f"Newest first, each with its counts and first {FIRST_ERRORS} row errors.",
            query=TailArgsSchema, responses={200: 'array'})
def list_uploads() -> Response:
    query = args(TailArgsSchema)
    mock = state()
    wg = mock.workgroup_or_404(query.get("workgroup"))
    uploads = overview.latest_uploads(wg, mock.clock.now(), query["limit"])
    return jsonify(_upload_list.dump([replace(u, errors=u.errors[:FIRST_ERRORS]) for u in uploads]))


@bp.get("/audit")
@documented(operation_id="mockAuditTail", tag=CONTROL, summary="The tail of a workgroup's audit log",
            description="The newest entries of the vendor's searchAuditLogs (of one case: case, its UUID or "
                        "displayId), newest first; not journaled.",
            query=AuditTailArgsSchema, responses={200: AuditLogEntrySchema(many=True)})
def audit_tail() -> Response:
    query = args(AuditTailArgsSchema)
    mock = state()
    wg = mock.workgroup_or_404(query.get("workgroup"))
    page = search_audit_log(wg, EventQuery(case_id=query.get("case"), page_size=query["limit"]), mock.clock.now())
    return jsonify(_entries.dump(audit_entries(wg, page.content)))
