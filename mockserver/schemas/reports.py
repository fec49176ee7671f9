"""Report API shapes: the draft report JSON, the case as GET case serves it around its report.

Key names, nesting and value formats follow the real payload (a TSO500 breast case): report
timestamps with milliseconds and ``Z``, ``reportData.qcMetrics[]`` named
``"<section> - <metric>"`` (run metrics by their own name), ``tumorSample`` the DNA sample.
"""

from __future__ import annotations

import hashlib
from typing import Any

from marshmallow import INCLUDE, Schema, fields, validate

from .. import fidelity
from ..domain.ids import stable_uuid
from ..domain.models import Case
from ..domain.reports import DraftReport, SignOff
from ..domain.users import Users
from .cases import CaseSchema, SampleSchema, SubjectReportSchema, SubjectSchema
from .common import MillisDate, millis_date

QC_COLORS = {"Pass": "#17A628", "Fail": "#DE3439"}
VARIANT_TYPES = fidelity.SMALL_VARIANT_TYPES + fidelity.COPY_NUMBER_VARIANT_TYPES
REPORT_NAME = "Default Report"


def subject_report_id(case: Case) -> str:
    """The report's id in ``subjects[0].reports[0]`` (the case's own, or one made from its id)."""
    reports = case.subjects[0].reports if case.subjects else ()
    return reports[0].subject_report_id if reports else stable_uuid("subject-report", case.id)


def variant_index_id(case: Case) -> str:
    """An 11-character base-36 id like the real ``variantIndexId`` (``sl38vtfg9js``)."""
    number = int.from_bytes(hashlib.sha256(f"variant-index:{case.id}".encode()).digest()[:8], "big")
    digits = ""
    for _ in range(11):
        number, digit = divmod(number, 36)
        digits += "0123456789abcdefghijklmnopqrstuvwxyz"[digit]
    return digits


def report_json(report: DraftReport, variants: list[dict[str, Any]], qc_overview: list[dict[str, Any]],
                users: Users, case_body: dict[str, Any]) -> dict[str, Any]:
    """GET reportjson's body: the case (``case_body``: as GET case serves it, a copy this may
    change), its report in ``subjects[0].reports[0]`` and ``reportData``."""
    case = report.case
    body = case_body
    details = _report_details(report, variants, users)
    subject_report = {
        "subjectReportId": details["reportId"],
        "reportType": "TSS_ONC_REPORT",
        "testReportId": case.test_definition.report_id if case.test_definition else None,
        "reportDetails": details,
    }
    if body["subjects"]:
        body["subjects"][0]["reports"] = [subject_report]
    custom = body.pop("customMetadata")
    body.update({
        "variantIndexId": details["variantIndexId"],
        "selectedReportId": details["reportId"],
        "reportDataVersion": fidelity.REPORT_DATA_VERSION,
        "customMetadata": custom,
        "preferredQcMetrics": qc_overview,
        "reportData": _report_data(report, details, qc_overview, body),
    })
    return body


def _user_id(users: Users, email: str | None) -> str | None:
    user = users.by_email(email)
    return user.id if user else None


def _report_details(report: DraftReport, variants: list[dict[str, Any]], users: Users) -> dict[str, Any]:
    case = report.case
    created, updated = millis_date(report.created), millis_date(report.updated)
    created_by, updated_by = _user_id(users, report.created_by), _user_id(users, report.updated_by)
    stamped = [{"id": v["id"], "creationDate": created, "updateDate": created, "createdBy": created_by,
                "updatedBy": created_by, **v} for v in variants]
    last = report.sign_offs[-1] if report.sign_offs else None
    return {
        "id": stable_uuid("report", case.id, report.created.isoformat()),
        "creationDate": created,
        "updateDate": updated,
        "createdBy": created_by,
        "updatedBy": updated_by,
        "notes": [],
        "variants": stamped,
        "reportId": subject_report_id(case),
        "status": "Enabled",
        "subState": "Reopened" if report.reopened else None,
        "caseId": case.id,
        "caseDisplayId": case.display_id,
        "testDefinitionId": case.test_definition.id if case.test_definition else None,
        "variantIndexId": variant_index_id(case),
        "name": REPORT_NAME,
        "updatedByName": users.name_of(report.updated_by),
        "reportHistory": [_history_entry(s, users) for s in report.sign_offs],
        "reportTemplate": None,
        "reportVersion": len(report.sign_offs),
        "reportType": "TSS_ONC_REPORT",
        "reportedDate": millis_date(last.at) if last else None,
        "reportLabel": None,
        "editStatus": fidelity.REPORT_EDIT_STATUS_FINAL if report.final else fidelity.REPORT_EDIT_STATUS_DRAFT,
        "editNotes": None,
    }


def _history_entry(sign_off: SignOff, users: Users) -> dict[str, Any]:
    return {
        "status": fidelity.REPORT_EDIT_STATUS_FINAL,
        "notes": None,
        "approvedByName": users.name_of(sign_off.approver),
        "approvedBy": _user_id(users, sign_off.approver),
        "approvedDate": millis_date(sign_off.at),
        "version": sign_off.version,
    }


def qc_metrics(qc_overview: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The QC overview as ``reportData.qcMetrics[]``: run metrics by name, the others as
    ``"<section> - <metric>"``."""
    found = []
    for analysis in qc_overview:
        metrics = analysis["qcMetrics"]
        named = [(m["metric"], m) for m in metrics["runQcMetrics"]["metrics"]]
        named += [(f"{section['sectionName']} - {m['metric']}", m)
                  for section in metrics["sampleQcMetrics"]["sections"] for m in section["metrics"]]
        found += [{"name": name, "value": m["value"], "passStatus": m["passStatus"], "color": QC_COLORS[m["passStatus"]]}
                  for name, m in named]
    return found


def _report_data(report: DraftReport, details: dict[str, Any], qc_overview: list[dict[str, Any]],
                 body: dict[str, Any]) -> dict[str, Any]:
    case = report.case
    samples = [sample for subject in body["subjects"] for sample in subject["samples"]]
    dna = next((s for s in samples if s["sampleType"] == "DNA"), samples[0] if samples else None)
    history = [{**entry, "approvedDateLocal": entry["approvedDate"].rstrip("Z")} for entry in reversed(details["reportHistory"])]
    return {
        "localDates": {"timezone": {"name": "UTC", "shortName": "UTC"}, "reportUpdateDate": details["updateDate"].rstrip("Z")},
        "reportHistory": history,
        "biomarkersFindings": [],
        "therapies": [],
        "prognostic": [],
        "diagnostic": [],
        "vus": [],
        "clinicalTrials": [],
        "qcMetrics": qc_metrics(qc_overview),
        "methodology": {"workflowName": case.workflow_name},
        "supplementalInformation": {"applicationVersion": fidelity.TRUSIGHT_SOFTWARE_SUITE_VERSION},
        "tumorSample": dna,
    }


class _Open(Schema):
    """A shape whose documented fields are the ones clients read; the rest of the real
    payload's fields are served too (additional properties allowed)."""

    class Meta:
        unknown = INCLUDE


class TranscriptSchema(_Open):
    name = fields.String(required=True)
    hgvsc = fields.String(required=True, allow_none=True)
    hgvsp = fields.String(required=True, allow_none=True)


class VariantSchema(_Open):
    id = fields.String(required=True)
    creationDate = MillisDate(required=True)
    variantType = fields.String(required=True, validate=validate.OneOf(VARIANT_TYPES))
    gene = fields.String(required=True)
    transcript = fields.Nested(TranscriptSchema, required=True)
    variantReadFrequency = fields.Float(required=True, allow_none=True)
    foldChange = fields.Float(required=True, allow_none=True)
    cytogeneticBand = fields.String(required=True, allow_none=True)
    associations = fields.List(fields.Dict(), required=True)


class ReportHistorySchema(_Open):
    status = fields.String(required=True)
    approvedByName = fields.String(required=True)
    approvedBy = fields.String(required=True, allow_none=True)
    approvedDate = MillisDate(required=True)
    version = fields.Integer(required=True)


class ReportDetailsSchema(_Open):
    id = fields.String(required=True)
    creationDate = MillisDate(required=True)
    updateDate = MillisDate(required=True)
    variants = fields.List(fields.Nested(VariantSchema), required=True)
    reportId = fields.String(required=True)
    status = fields.String(required=True)
    subState = fields.String(required=True, allow_none=True)
    caseId = fields.String(required=True)
    caseDisplayId = fields.String(required=True)
    reportHistory = fields.List(fields.Nested(ReportHistorySchema), required=True)
    reportVersion = fields.Integer(required=True)
    editStatus = fields.String(required=True, validate=validate.OneOf(
        (fidelity.REPORT_EDIT_STATUS_DRAFT, fidelity.REPORT_EDIT_STATUS_FINAL)))


class ReportedSubjectReportSchema(SubjectReportSchema):
    reportDetails = fields.Nested(ReportDetailsSchema, required=True)


class ReportedSubjectSchema(SubjectSchema):
    reports = fields.List(fields.Nested(ReportedSubjectReportSchema), required=True)


class NamedValueSchema(_Open):
    name = fields.String(required=True)
    value = fields.String(required=True, allow_none=True)


class TumorSampleSchema(SampleSchema):
    class Meta:
        unknown = INCLUDE


class ReportDataSchema(_Open):
    qcMetrics = fields.List(fields.Nested(NamedValueSchema), required=True)
    tumorSample = fields.Nested(TumorSampleSchema, required=True, allow_none=True)
    reportHistory = fields.List(fields.Dict(), required=True)


class DraftReportSchema(CaseSchema):
    """The draft report JSON: the case as GET case serves it (its report in
    ``subjects[0].reports[0]``), plus the report's ids and ``reportData``."""

    subjects = fields.List(fields.Nested(ReportedSubjectSchema), required=True)
    variantIndexId = fields.String(required=True)
    selectedReportId = fields.String(required=True)
    reportDataVersion = fields.Integer(required=True)
    reportData = fields.Nested(ReportDataSchema, required=True)
