"""Audit Log API shapes: the search parameters and one entry of the page."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from .. import fidelity
from ..domain.events import EventQuery
from .cases import QueryDate, SearchText
from .common import MillisDate


class SearchAuditLogsArgsSchema(Schema):
    """Query string of GET /als/api/v1/auditlogs/search; every parameter optional, AND-combined.
    Unknown parameters are ignored, as Spring does; a window that ends before it starts, like
    case search's, matches nothing."""

    class Meta:
        unknown = EXCLUDE

    caseId = SearchText(metadata={"description": "The case's displayId or UUID"})
    userDisplayId = SearchText(metadata={"description": "The e-mail of a user's account"})
    entityId = SearchText()
    entityType = fields.String(validate=validate.OneOf(fidelity.ENTITY_TYPES))
    eventName = fields.String(validate=validate.OneOf(fidelity.EVENT_NAMES))
    fromDate = QueryDate(metadata={"description": "Entries created on and after this instant"})
    toDate = QueryDate(metadata={"description": "Entries created on and before this instant"})
    pageNumber = fields.Integer(load_default=0, validate=validate.Range(min=0, max=fidelity.MAX_PAGE_NUMBER))
    pageSize = fields.Integer(
        load_default=fidelity.DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=fidelity.MAX_PAGE_SIZE)
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> EventQuery:
        return EventQuery(
            case_id=data.get("caseId") or None,
            entity_type=data.get("entityType"),
            entity_id=data.get("entityId") or None,
            names=(data["eventName"],) if "eventName" in data else (),
            user=data.get("userDisplayId") or None,
            since=data.get("fromDate"),
            until=data.get("toDate"),
            page_number=data["pageNumber"],
            page_size=data["pageSize"],
        )


class AuditLogEntrySchema(Schema):
    """One audit-log entry, dumped from an ``event_search.AuditEntry``. ``id``, ``caseId`` and
    ``message`` are seen in production clients; the other names are inferred from the UI's
    columns (Date, User, Entity Type, Event Name, Description)."""

    id = fields.String(required=True)
    caseId = fields.String(attribute="case_id", required=True, allow_none=True)
    caseDisplayId = fields.String(attribute="case_display_id", required=True, allow_none=True)
    eventName = fields.String(attribute="event_name", required=True)
    entityType = fields.String(attribute="entity_type", required=True)
    entityId = fields.String(attribute="entity_id", required=True)
    userDisplayId = fields.String(attribute="user_display_id", required=True, allow_none=True)
    userName = fields.String(attribute="user_name", required=True)
    message = fields.String(required=True)
    createdDate = MillisDate(attribute="created_date", required=True)
