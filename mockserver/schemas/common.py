"""The error body and the Spring Data page envelope."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields


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
