"""Audit Log API: the workgroup's events, newest first, a page at a time."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _string

from flask import Blueprint, Response

from ... import fidelity
from ...apidoc import AUDIT, documented
from ...domain.event_search import event_ids, search_audit_log
from ...domain.events import Event
from ...domain.workgroup import Workgroup
from ...http.credentials import state, workgroup
from ...schemas.audit import AuditLogEntrySchema, SearchAuditLogsArgsSchema
from ...schemas.common import millis_date, page_envelope, page_schema
from ..rendering import page_response, rendered_entries
from .cases import query_args

bp = Blueprint("audit", __name__)

_search_args = SearchAuditLogsArgsSchema()
AuditLogPageSchema = page_schema(AuditLogEntrySchema, "AuditLogPage")


@bp.get("/als/api/v1/auditlogs/search", endpoint="searchAuditLogs")
@documented(operation_id="searchAuditLogs", tag=AUDIT, summary="Search the audit log",
            description="Parameters combine with AND; entries newest first. caseId is a case's displayId or UUID; "
                        "fromDate and toDate (yyyy-MM-dd'T'HH:mm:ss'Z') include the instants themselves.",
            query=SearchAuditLogsArgsSchema, responses={200: AuditLogPageSchema})
def search_audit_logs() -> Response:
    wg = workgroup()
    query = _search_args.load(query_args())
    page = search_audit_log(wg, query, state().clock.now())

    def render(events: list[Event]) -> list[str]:
        ids = event_ids(wg, events)
        return [entry_json(audit_entry(wg, event, entry_id)) for event, entry_id in zip(events, ids, strict=True)]

    texts = rendered_entries().texts(wg, page.content, render)
    envelope = page_envelope(page.content, page.total_elements, page.page_number, page.page_size)
    return page_response("[" + ",".join(texts) + "]", envelope)


def entry_json(entry: dict[str, str | None]) -> str:
    """An entry (string or null values) as compact JSON, each string through the encoder's own C
    escaping: a third of what a general encoder call costs, on pages of 1,000."""
    return "{" + ",".join(f'"{name}":{"null" if value is None else _string(value)}' for name, value in entry.items()) + "}"


def audit_entry(wg: Workgroup, event: Event, entry_id: str) -> dict[str, str | None]:
    return {
        "id": entry_id,
        "caseId": event.case_id,
        "caseDisplayId": event.display_id if event.case_id else None,
        "eventName": event.name,
        "entityType": event.entity_type,
        "entityId": event.entity_id,
        "userDisplayId": event.user,
        "userName": wg.users.name_of(event.user),
        "message": fidelity.EVENT_MESSAGES[event.name].format(display_id=event.display_id, old=event.old, new=event.new),
        "createdDate": millis_date(event.at),
    }
