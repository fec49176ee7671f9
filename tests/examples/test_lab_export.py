"""A lab's export job, written as a lab writes it, run against a live mock.

``export_signed_off`` is the client code: it asks the audit log which cases were signed off in a
time window (``case.status.updated`` entries whose message names ``REPORTS_SIGNED_OFF``), then
pulls each case's draft report JSON and keeps what its spreadsheet needs. The test sets the
scene through the control plane (three sign-offs inside the window, one outside) and checks
the export against GET case. The README's "Reports and audit log" section shows the same.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

SIGNED_OFF = re.compile(r"\bREPORTS_SIGNED_OFF\b", re.IGNORECASE)


def export_signed_off(base_url: str, headers: dict[str, str], from_date: str, to_date: str) -> list[dict[str, Any]]:
    """One row per case signed off between ``from_date`` and ``to_date`` (inclusive)."""
    log = requests.get(f"{base_url}/als/api/v1/auditlogs/search", headers=headers, timeout=30, params={
        "eventName": "case.status.updated", "fromDate": from_date, "toDate": to_date,
        "pageNumber": 0, "pageSize": 1000,
    })
    log.raise_for_status()
    case_ids = dict.fromkeys(e["caseId"] for e in log.json()["content"] if SIGNED_OFF.search(e["message"]))
    rows = []
    for case_id in case_ids:
        response = requests.get(f"{base_url}/drs/v1/draftreport/case/{case_id}/reportjson", headers=headers, timeout=30)
        response.raise_for_status()
        report = response.json()
        [subject_report] = report["subjects"][0]["reports"]
        details = subject_report["reportDetails"]
        rows.append({
            "displayId": report["displayId"],
            "updatedDate": report["updatedDate"],
            "approvedBy": details["reportHistory"][-1]["approvedByName"],
            "tmb": report["reportData"]["tumorSample"]["tmb"],
            "msi": report["reportData"]["tumorSample"]["msi"],
            "qc": {m["name"]: m["value"] for m in report["reportData"]["qcMetrics"]},
            "variants": [(v["gene"], v["variantType"], v["transcript"]["hgvsc"], v["transcript"]["hgvsp"],
                          v["variantReadFrequency"], v["foldChange"], v["cytogeneticBand"],
                          [a["actionabilityName"] for a in v["associations"]])
                         for v in details["variants"]],
            "config": {c["name"]: c["value"] for c in report["customMetadata"]["configData"]},
        })
    return rows


@pytest.mark.ici_mock(cases=30, seed=5)
def test_the_export_finds_the_cases_signed_off_in_the_window(ici_mock) -> None:
    control = ici_mock.control
    control.freeze("2026-11-20T18:00:00Z")
    ready = ici_mock.get("/crs/api/v1/cases/search", params={
        "status": "READY_FOR_INTERPRETATION", "pageSize": 4}).json()["content"]
    assert len(ready) == 4
    approver = control.users()[0]
    inside = ready[:3]
    for hour, case in zip(("09", "10", "11"), inside, strict=True):
        control.sign_off(case["id"], approver=approver["email"], at=f"2026-11-20T{hour}:00:00Z")
    control.sign_off(ready[3]["id"], at="2026-11-19T23:59:59Z")  # the day before: outside

    rows = export_signed_off(ici_mock.url, dict(ici_mock.session.headers), "2026-11-20T00:00:00Z", "2026-11-20T23:59:59Z")

    assert sorted(r["displayId"] for r in rows) == sorted(c["displayId"] for c in inside)
    for row in rows:
        case = next(c for c in inside if c["displayId"] == row["displayId"])
        served = ici_mock.get(f"/crs/api/v2/cases/{case['id']}", params={"includeQcOverviewMetrics": "true"}).json()
        assert served["status"] == "REPORTS_SIGNED_OFF" and row["updatedDate"] == served["updatedDate"]
        assert row["approvedBy"] == approver["name"]
        samples = served["subjects"][0]["samples"]
        dna = next((s for s in samples if s["sampleType"] == "DNA"), samples[0])
        assert (row["tmb"], row["msi"]) == (dna["tmb"], dna["msi"])
        qc = served["preferredQcMetrics"][0]["qcMetrics"]
        assert all(row["qc"][m["metric"]] == m["value"] for m in qc["runQcMetrics"]["metrics"])
        for section in qc["sampleQcMetrics"]["sections"]:
            assert all(row["qc"][f"{section['sectionName']} - {m['metric']}"] == m["value"] for m in section["metrics"])
        key_genes = {g for s in samples for t in s["tumorType"] for g in t["keyGenes"]}
        assert row["variants"] and all(not key_genes or v[0] in key_genes for v in row["variants"])
        assert row["config"] == {c["name"]: c["value"] for c in served["customMetadata"]["configData"]}


@pytest.mark.ici_mock(cases=10, seed=5)
def test_an_empty_window_exports_nothing(ici_mock) -> None:
    headers = dict(ici_mock.session.headers)
    assert export_signed_off(ici_mock.url, headers, "2030-01-01T00:00:00Z", "2030-01-31T23:59:59Z") == []
