"""Custom-case-data (metadata CSV) upload shapes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from .cases import CaseDate


class UploadAcceptedSchema(Schema):
    """One item of the upload answer; real clients read ``[0]["id"]``."""

    id = fields.String(required=True)
    fileName = fields.String(attribute="file_name", required=True)
    status = fields.String(required=True)
    sizeInBytes = fields.Integer(attribute="size_bytes", required=True)


class RowErrorSchema(Schema):
    lineNumber = fields.Integer(attribute="line", required=True)
    caseId = fields.String(attribute="case_id", allow_none=True, required=True)
    sampleId = fields.String(attribute="sample_id", allow_none=True, required=True)
    message = fields.String(required=True)


class IdList(fields.Field):
    """Case ids, dumped as they are: a job may create 100,000 cases, and a per-item field would
    spend a second of CPU (shared with every other request) on its status body."""

    OPENAPI = {"type": "array", "items": {"type": "string"}}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str]:
        return list(value)


class UploadStatusSchema(Schema):
    id = fields.String(required=True)
    fileName = fields.String(attribute="file_name", required=True)
    status = fields.String(required=True)
    createdDate = CaseDate(attribute="created_date", required=True)
    updatedDate = CaseDate(attribute="updated_date", required=True)
    totalRows = fields.Integer(attribute="total_rows", required=True)
    appliedRows = fields.Integer(attribute="applied_rows", required=True)
    failedRows = fields.Integer(attribute="failed_rows", required=True, dump_only=True)
    casesCreated = IdList(attribute="cases_created", required=True)
    casesUpdated = IdList(attribute="cases_updated", required=True)
    errors = fields.List(fields.Nested(RowErrorSchema), required=True)
