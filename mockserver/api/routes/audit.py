"""Audit Log API: the workgroup's events, newest first, a page at a time."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _string

from flask import Blueprint, Response

from ...apidoc import AUDIT, documented
from ...domain.event_search import audit_entries, search_audit_log
from ...domain.events import Event
from ...http.credentials import state, workgroup
from ...http.query import query_args
from ...schemas.audit import AuditLogEntrySchema, SearchAuditLogsArgsSchema
from ...schemas.common import page_envelope, page_schema
from ..rendering import page_response, rendered_entries

bp = Blueprint("audit", __name__)

_search_args = SearchAuditLogsArgsSchema()
_entry = AuditLogEntrySchema()
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
        return [entry_json(entry) for entry in _entry.dump(audit_entries(wg, events), many=True)]

    texts = rendered_entries().texts(wg, page.content, render)
    envelope = page_envelope(page.content, page.total_elements, page.page_number, page.page_size)
    return page_response("[" + ",".join(texts) + "]", envelope)


def entry_json(entry: dict[str, str | None]) -> str:
    """An entry (string or null values) as compact JSON, each string through the encoder's own C
    escaping: a third of what a general encoder call costs, on pages of 1,000."""
    return "{" + ",".join(f'"{name}":{"null" if value is None else _string(value)}' for name, value in entry.items()) + "}"


