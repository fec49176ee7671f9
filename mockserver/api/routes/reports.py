"""Report APIs: a processed case's draft report, as JSON and as a PDF."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify

from ...apidoc import REPORTS, Media, documented
from ...domain.errors import NotFound
from ...domain.reports import DraftReport, draft_report
from ...http.credentials import state, workgroup
from ...schemas.reports import DraftReportSchema, report_json
from ...schemas.reports import subject_report_id as own_report_id
from ..pdf import draft_report_pdf
from ..rendering import rendered

bp = Blueprint("reports", __name__)


def _report(case_id: str) -> tuple[DraftReport, dict[str, Any]]:
    wg = workgroup()
    mock = state()
    report = draft_report(wg, case_id, mock.clock.now())
    case_body = json.loads(rendered().json(report.case))  # the cached rendering: no schema dump
    return report, report_json(report, mock.report_variants(report.case), mock.qc_overview(report.case), wg.users,
                               case_body)


@bp.get("/drs/v1/draftreport/case/<case_id>/reportjson", endpoint="getDraftReportJson")
@documented(operation_id="getDraftReportJson", tag=REPORTS, summary="Get a case's draft report as JSON",
            description="For a processed case (READY_FOR_INTERPRETATION or REPORTS_SIGNED_OFF): the case as GET case "
                        "serves it, its report in subjects[0].reports[0].reportDetails, and reportData.",
            responses={200: DraftReportSchema})
def get_draft_report_json(case_id: str) -> Response:
    return jsonify(_report(case_id)[1])


@bp.get("/drs/v1/draftreport/case/<case_id>/reports/<subject_report_id>/pdf", endpoint="getDraftReportPdf")
@documented(operation_id="getDraftReportPdf", tag=REPORTS, summary="Get a case's draft report as a PDF",
            description="subjectReportId is subjects[0].reports[0].subjectReportId of the report JSON.",
            responses={200: Media("application/pdf")})
def get_draft_report_pdf(case_id: str, subject_report_id: str) -> Response:
    report, body = _report(case_id)
    if subject_report_id != own_report_id(report.case):
        raise NotFound(f"Report {subject_report_id} is not a report of case {case_id}; its report is "
                       f"{own_report_id(report.case)}.")
    pdf = draft_report_pdf(report.case, body["subjects"][0]["reports"][0]["reportDetails"])
    return current_app.response_class(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": attachment(f"{report.case.display_id}_draft_report.pdf")})


def attachment(filename: str) -> str:
    """RFC 6266's ``Content-Disposition`` for any file name: a quoted ASCII fallback in which
    anything but printable ASCII, ``"`` and ``\\`` is ``_`` (so no CR/LF or early quote), and,
    when that changed the name, the name itself as ``filename*`` in percent-encoded UTF-8."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
