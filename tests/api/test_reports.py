"""GET /drs/v1/draftreport/case/{caseId}/reportjson and the PDF draft over HTTP: when a case has
a report, its shape and formats as in the real payload, its variants, TMB/MSI and QC metrics
against GET case, and how sign-off and reopening change it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import THYROID_CASE, Api

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
VARIANT_TYPES = {"SNV", "Insertion", "Deletion", "Delins", "MNV", "Copy Number Gain", "Copy Number Loss"}
MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}  # medullary thyroid carcinoma: RET


def report(api: Api, case_id: str) -> dict[str, Any]:
    response = api.get(f"/drs/v1/draftreport/case/{case_id}/reportjson")
    assert response.status_code == 200, response.text
    return response.json()


def details(body: dict[str, Any]) -> dict[str, Any]:
    [only] = body["subjects"][0]["reports"]
    return only["reportDetails"]


def first_case(api: Api, status: str) -> dict[str, Any]:
    return api.search(status=status, pageSize=1)["content"][0]


# -- when there is a report ----------------------------------------------------------------
@pytest.mark.parametrize("status", ["AWAITING_MOLECULAR_DATA", "MISSING_REQUIRED_DATA", "READY_FOR_PROCESSING",
                                    "PROCESSING", "HAS_ISSUE"])
def test_a_case_not_processed_has_no_report_yet(api: Api, status: str) -> None:
    case = first_case(api, status)
    response = api.get(f"/drs/v1/draftreport/case/{case['id']}/reportjson")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "BAD_REQUEST" and "has no report yet" in body["message"] and status in body["message"]


def test_an_unknown_case_is_a_404(api: Api) -> None:
    response = api.get("/drs/v1/draftreport/case/no-such-case/reportjson")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("status", ["READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF"])
def test_a_processed_case_has_its_report(api: Api, status: str) -> None:
    case = first_case(api, status)
    body = report(api, case["id"])
    assert (body["id"], body["status"]) == (case["id"], status)


# -- its shape -----------------------------------------------------------------------------
def test_the_report_is_the_case_as_get_case_serves_it_plus_the_report(api: Api) -> None:
    case = first_case(api, "REPORTS_SIGNED_OFF")
    served = api.case(case["id"])
    body = report(api, case["id"])
    for key, value in served.items():
        if key != "subjects":
            assert body[key] == value, key
    assert list(body)[-6:] == ["variantIndexId", "selectedReportId", "reportDataVersion", "customMetadata",
                               "preferredQcMetrics", "reportData"]
    assert re.fullmatch(r"[0-9a-z]{11}", body["variantIndexId"])
    assert body["reportDataVersion"] == 2
    subject_report = body["subjects"][0]["reports"][0]
    assert body["selectedReportId"] == subject_report["subjectReportId"]
    assert subject_report["subjectReportId"] == served["subjects"][0]["reports"][0]["subjectReportId"]
    found = details(body)
    assert {"status", "subState", "editStatus", "reportHistory", "variants"} <= set(found)
    assert (found["caseId"], found["caseDisplayId"]) == (case["id"], case["displayId"])
    assert MILLIS.match(found["creationDate"]) and MILLIS.match(found["updateDate"])


def test_variants_follow_the_diseases_key_genes_and_the_vendor_vocabulary(api: Api) -> None:
    for case in api.search(status="REPORTS_SIGNED_OFF", pageSize=40)["content"]:
        key_genes = {g for s in api.case(case["id"])["subjects"][0]["samples"] for t in s["tumorType"]
                     for g in t["keyGenes"]}
        variants = details(report(api, case["id"]))["variants"]
        assert 1 <= len(variants) <= 4
        for v in variants:
            assert v["variantType"] in VARIANT_TYPES
            assert not key_genes or v["gene"] in key_genes
            assert re.fullmatch(r"NM_\d+\.\d+", v["transcript"]["name"])
            assert re.fullmatch(r"\d{1,2}[pq]\d+(\.\d+)?|X[pq]\d+(\.\d+)?", v["cytogeneticBand"])
            assert v["associations"][0]["actionabilityName"]
            labels = v["associations"][0]["associationInfo"]["biomarkers"][0]["consequences"]
            assert labels and all(c["label"] for c in labels)
            if v["variantType"].startswith("Copy Number"):
                assert v["foldChange"] > 1 if v["variantType"] == "Copy Number Gain" else v["foldChange"] < 1
                assert v["variantReadFrequency"] is None and v["transcript"]["hgvsc"] is None
            else:
                assert 0 < v["variantReadFrequency"] < 1 and v["foldChange"] is None
                assert v["transcript"]["hgvsc"].startswith("c.") and v["transcript"]["hgvsp"].startswith("p.(")


def test_a_report_reads_the_same_every_time_and_on_every_server_of_the_seed(api: Api, fresh_api: Api) -> None:
    case = first_case(api, "READY_FOR_INTERPRETATION")
    assert report(api, case["id"]) == report(api, case["id"]) == report(fresh_api, case["id"])


def test_tmb_msi_qc_metrics_and_custom_data_come_from_the_case(api: Api) -> None:
    for case in api.search(status="READY_FOR_INTERPRETATION", pageSize=20)["content"]:
        served = api.get(f"/crs/api/v2/cases/{case['id']}", params={"includeQcOverviewMetrics": "true"}).json()
        body = report(api, case["id"])
        samples = served["subjects"][0]["samples"]
        dna = next((s for s in samples if s["sampleType"] == "DNA"), samples[0])
        tumor = body["reportData"]["tumorSample"]
        assert (tumor["tmb"], tumor["msi"], tumor["externalSampleId"]) == (dna["tmb"], dna["msi"], dna["externalSampleId"])
        expected = []
        for analysis in served["preferredQcMetrics"]:
            expected += [(m["metric"], m["value"]) for m in analysis["qcMetrics"]["runQcMetrics"]["metrics"]]
            expected += [(f"{section['sectionName']} - {m['metric']}", m["value"])
                         for section in analysis["qcMetrics"]["sampleQcMetrics"]["sections"] for m in section["metrics"]]
        assert [(m["name"], m["value"]) for m in body["reportData"]["qcMetrics"]] == expected
        assert body["customMetadata"] == served["customMetadata"]


def test_qc_metric_names_are_section_then_metric_as_in_the_real_payload(api: Api) -> None:
    body = report(api, first_case(api, "REPORTS_SIGNED_OFF")["id"])
    names = [m["name"] for m in body["reportData"]["qcMetrics"]]
    assert names[:3] == ["% Reads Passing Filter", "% Q30 R1", "% Q30 R2"]
    assert "DNA Library QC Metrics for MSI - Usable MSI Sites (Count)" in names or \
        "RNA Library QC Metrics - Median Coverage Gene 500X" in names


# -- sign-off and reopening ------------------------------------------------------------------
def test_a_seeded_signed_off_report_is_final_and_names_its_approver(api: Api) -> None:
    case = first_case(api, "REPORTS_SIGNED_OFF")
    found = details(report(api, case["id"]))
    assert (found["editStatus"], found["reportVersion"], found["subState"]) == ("Final", 1, None)
    [history] = found["reportHistory"]
    users = {u["id"]: u["name"] for u in api.admin("GET", "/users")}
    assert history["status"] == "Final" and history["version"] == 1
    assert users[history["approvedBy"]] == history["approvedByName"]
    assert history["approvedDate"][:19] == case["updatedDate"][:19]
    sign_off = api.get("/als/api/v1/auditlogs/search", params={
        "caseId": case["id"], "eventName": "case.status.updated", "pageSize": 1}).json()["content"][0]
    assert sign_off["userName"] == history["approvedByName"]


def test_sign_off_finalises_and_reopening_drafts_the_report_again(frozen_api: Api) -> None:
    api = frozen_api
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    assert api.get(f"/drs/v1/draftreport/case/{THYROID_CASE}/reportjson").status_code == 400  # processing
    api.advance_clock(5)
    draft = report(api, THYROID_CASE)
    found = details(draft)
    assert (found["editStatus"], found["reportHistory"], found["reportVersion"]) == ("Draft", [], 0)
    assert found["creationDate"] == "2026-06-01T12:00:03.000Z"  # when processing completed
    assert {v["gene"] for v in found["variants"]} == {"RET"}  # the disease's only key gene
    user = api.admin("GET", "/users")[2]
    api.advance_clock(60)
    api.admin("POST", f"/cases/{THYROID_CASE}/sign-off", {"approver": user["email"], "at": "2026-06-01T12:00:30Z"})
    signed = report(api, THYROID_CASE)
    found = details(signed)
    assert found["editStatus"] == "Final" and found["reportVersion"] == 1
    assert found["reportHistory"] == [{"status": "Final", "notes": None, "approvedByName": user["name"],
                                       "approvedBy": user["id"], "approvedDate": "2026-06-01T12:00:30.000Z",
                                       "version": 1}]
    assert signed["updatedDate"] == "2026-06-01T12:00:30+0000" != draft["updatedDate"]
    assert found["variants"] == details(draft)["variants"]  # the same findings, now final
    api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "READY_FOR_INTERPRETATION"})
    reopened = details(report(api, THYROID_CASE))
    assert (reopened["editStatus"], reopened["subState"], reopened["reportVersion"]) == ("Draft", "Reopened", 1)
    api.admin("POST", f"/cases/{THYROID_CASE}/sign-off", {})
    again = details(report(api, THYROID_CASE))
    assert [h["version"] for h in again["reportHistory"]] == [1, 2] and again["editStatus"] == "Final"


# -- the PDF draft ---------------------------------------------------------------------------
def test_the_pdf_names_the_case_its_disease_and_its_variants(api: Api) -> None:
    case = first_case(api, "REPORTS_SIGNED_OFF")
    body = report(api, case["id"])
    subject_report_id = body["subjects"][0]["reports"][0]["subjectReportId"]
    response = api.get(f"/drs/v1/draftreport/case/{case['id']}/reports/{subject_report_id}/pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert f"({case['displayId']}".encode() in pdf or case["displayId"].encode() in pdf
    disease = api.case(case["id"])["subjects"][0]["samples"][0]["tumorType"][0]["name"]
    assert disease.encode() in pdf
    for variant in details(body)["variants"]:
        assert f"{variant['gene']} {variant['variantType']}".encode() in pdf
    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")  # the cross-reference table is where the trailer says
    assert_xref_points_at_each_object(pdf, startxref)
    again = api.get(f"/drs/v1/draftreport/case/{case['id']}/reports/{subject_report_id}/pdf").content
    assert again == pdf


def assert_xref_points_at_each_object(pdf: bytes, startxref: int) -> None:
    """Entry n of the cross-reference table gives the offset of object n's ``n 0 obj``."""
    lines = pdf[startxref:].split(b"\n")
    first, count = map(int, lines[1].split())
    assert (first, lines[2]) == (0, b"0000000000 65535 f ")
    objects = pdf.count(b" 0 obj\n")
    assert count == objects + 1 >= 5
    for number, entry in enumerate(lines[3:3 + objects], 1):
        offset = int(entry.split()[0])
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number), (number, pdf[offset:offset + 20])


def test_report_ids_are_distinct_uuids_stable_across_servers(api: Api, fresh_api: Api) -> None:
    cases = api.search(status="READY_FOR_INTERPRETATION", pageSize=10)["content"]
    cases += api.search(status="REPORTS_SIGNED_OFF", pageSize=10)["content"]
    ids = [details(report(api, c["id"]))["id"] for c in cases]
    assert all(UUID4.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids) == 20
    assert ids == [details(report(fresh_api, c["id"]))["id"] for c in cases]
    subject_ids = {report(api, c["id"])["subjects"][0]["reports"][0]["subjectReportId"] for c in cases}
    assert len(subject_ids) == 20 and not subject_ids & set(ids)


def test_the_pdf_needs_the_reports_own_id_and_a_processed_case(api: Api) -> None:
    case = first_case(api, "READY_FOR_INTERPRETATION")
    wrong = api.get(f"/drs/v1/draftreport/case/{case['id']}/reports/not-this-report/pdf")
    assert wrong.status_code == 404 and "not-this-report" in wrong.json()["message"]
    waiting = first_case(api, "PROCESSING")
    assert api.get(f"/drs/v1/draftreport/case/{waiting['id']}/reports/x/pdf").status_code == 400


# -- the control plane covers the new operations ----------------------------------------------
def test_faults_latency_and_the_journal_cover_the_report_and_audit_operations(fresh_api: Api) -> None:
    api = fresh_api
    case = first_case(api, "REPORTS_SIGNED_OFF")
    api.admin("POST", "/faults", {"operation": "getDraftReportJson", "status": 503, "times": 1}, expect=201)
    assert api.get(f"/drs/v1/draftreport/case/{case['id']}/reportjson").status_code == 503
    assert api.get(f"/drs/v1/draftreport/case/{case['id']}/reportjson").status_code == 200
    api.admin("POST", "/faults", {"operation": "searchAuditLogs", "status": 500, "times": 1}, expect=201)
    assert api.get("/als/api/v1/auditlogs/search").status_code == 500
    latency = api.admin("PUT", "/latency", {"operations": {"getDraftReportPdf": {"fixedMs": 1}}})
    assert latency["operations"] == {"getDraftReportPdf": {"fixedMs": 1.0}}
    journal = api.admin("GET", "/requests", params={"operation": "getDraftReportJson"})
    assert [r["status"] for r in journal] == [503, 200]
    assert [r["status"] for r in api.admin("GET", "/requests", params={"operation": "searchAuditLogs"})] == [500]
