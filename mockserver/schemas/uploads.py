"""Custom-case-data (metadata CSV) upload shapes."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..apidoc import openapi
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


class UploadStatusSchema(Schema):
    id = fields.String(required=True)
    fileName = fields.String(attribute="file_name", required=True)
    status = fields.String(required=True)
    createdDate = CaseDate(attribute="created_date", required=True)
    updatedDate = CaseDate(attribute="updated_date", required=True)
    totalRows = fields.Function(lambda u: len(u.rows), required=True, metadata=openapi(type="integer"))
    appliedRows = fields.Integer(attribute="applied_rows", required=True)
    failedRows = fields.Function(lambda u: len(u.rows) - u.applied_rows, required=True, metadata=openapi(type="integer"))
    casesCreated = fields.List(fields.String(), attribute="cases_created", required=True)
    casesUpdated = fields.List(fields.String(), attribute="cases_updated", required=True)
    errors = fields.List(fields.Nested(RowErrorSchema), required=True)
