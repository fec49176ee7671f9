"""The error body, the Spring Data page envelope, and the newer services' timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields

from ..domain import clock


def checked_instant(instant: datetime) -> datetime:
    """``instant``, or a ValidationError when it lies outside the range the mock keeps."""
    if clock.in_range(instant) is None:
        raise ValidationError(f"Dates must lie {clock.RANGE}: the mock keeps no other date.")
    return instant


class ErrorDetailSchema(Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class ErrorSchema(Schema):
    """The vendor's error body (``code``, ``message``, ``details``), used for every 4xx/5xx."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.List(fields.Nested(ErrorDetailSchema), required=True)


class SortSchema(Schema):
    sorted = fields.Boolean(required=True)
    unsorted = fields.Boolean(required=True)
    empty = fields.Boolean(required=True)


class PageableSchema(Schema):
    sort = fields.Nested(SortSchema, required=True)
    offset = fields.Integer(required=True)
    pageNumber = fields.Integer(required=True)
    pageSize = fields.Integer(required=True)
    paged = fields.Boolean(required=True)
    unpaged = fields.Boolean(required=True)


SORTED = {"sorted": True, "unsorted": False, "empty": False}


def page_envelope(content: list[Any], total: int, number: int, size: int) -> dict[str, Any]:
    """Spring's ``Page`` JSON: the eleven keys real clients read."""
    total_pages = -(-total // size) if size else 0
    return {
        "content": content,
        "pageable": {
            "sort": SORTED,
            "offset": number * size,
            "pageNumber": number,
            "pageSize": size,
            "paged": True,
            "unpaged": False,
        },
        "last": number >= total_pages - 1,
        "totalPages": total_pages,
        "totalElements": total,
        "sort": SORTED,
        "size": size,
        "number": number,
        "numberOfElements": len(content),
        "first": number == 0,
        "empty": not content,
    }


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A page-envelope schema around ``item``, for validation and the OpenAPI document."""
    return Schema.from_dict(
        {
            "content": fields.List(fields.Nested(item), required=True),
            "pageable": fields.Nested(PageableSchema, required=True),
            "last": fields.Boolean(required=True),
            "totalPages": fields.Integer(required=True),
            "totalElements": fields.Integer(required=True),
            "sort": fields.Nested(SortSchema, required=True),
            "size": fields.Integer(required=True),
            "number": fields.Integer(required=True),
            "numberOfElements": fields.Integer(required=True),
            "first": fields.Boolean(required=True),
            "empty": fields.Boolean(required=True),
        },
        name=name,
    )


def millis_date(value: datetime) -> str:
    """``2024-11-05T12:40:46.281Z``: report timestamps as the real payload writes them (ISO 8601
    with milliseconds and ``Z``), and audit entries' ``createdDate`` (inferred)."""
    v = value if value.tzinfo is UTC else value.astimezone(UTC)
    return v.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" -> "Z": strftime costs 5x


class MillisDate(fields.Field):
    OPENAPI = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
               "example": "2024-11-05T12:40:46.281Z"}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else millis_date(value)
