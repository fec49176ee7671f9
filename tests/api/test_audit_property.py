"""Property: whatever vendor and control calls a client makes, in any order, the audit log tells
the cases' real story. Read oldest first, each case's status messages form one chain ending in
its current status; a case with a report had one created; a deleted case's log ends with its
deletion; every entry has its own id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Api, start_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STATUSES = ["AWAITING_MOLECULAR_DATA", "MISSING_REQUIRED_DATA", "READY_FOR_PROCESSING", "PROCESSING", "HAS_ISSUE",
            "READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF"]
CHANGE = re.compile(r"status updated from (\w+) to (\w+)$")
MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}
#: After the seed window, so every change happens after the seeded history.
START = "2026-11-15T00:00:00Z"

case_index = st.integers(min_value=0, max_value=6)
calls = st.one_of(
    st.tuples(st.just("disease"), case_index),
    st.tuples(st.just("delete"), case_index),
    st.tuples(st.just("status"), case_index, st.sampled_from(STATUSES)),
    st.tuples(st.just("sign-off"), case_index),
    st.tuples(st.just("advance"), st.sampled_from([1, 3, 10])),
    st.tuples(st.just("upload"), case_index, st.booleans()),
)


@pytest.fixture(scope="module")
def lab() -> Iterator[Api]:
    server = start_server(cases=5, seed=3)
    yield Api(server)
    server.stop()


def run(api: Api, call: tuple[Any, ...], ids: list[str], display_ids: list[str]) -> None:
    """Make one call; refusals (a 4xx) are part of the story too: they must change nothing."""
    kind = call[0]
    if kind == "disease":
        api.put(f"/crs/api/v1/cases/{ids[call[1]]}/diseases", json=MTC)
    elif kind == "delete":
        api.delete(f"/crs/api/v1/cases/{ids[call[1]]}")
    elif kind == "status":
        api.admin("PUT", f"/cases/{ids[call[1]]}/status", {"status": call[2]}, expect=None)
    elif kind == "sign-off":
        api.admin("POST", f"/cases/{ids[call[1]]}/sign-off", {}, expect=None)
    elif kind == "advance":
        api.advance_clock(call[1])
    else:
        tumor = ",255032005" if call[2] else ","
        csv = f"Sample_ID,Case_ID,Tumor_Type\nP-{call[1]}-S,{display_ids[call[1]]}{tumor}\n"
        api.post("/crs/api/v2/custom-case-data/files", files={"files": ("p.csv", csv, "text/csv")})


def log_of(api: Api, case_id: str) -> list[dict[str, Any]]:
    page = api.get("/als/api/v1/auditlogs/search", params={"caseId": case_id, "pageSize": 1000}).json()
    return list(reversed(page["content"]))  # oldest first


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(calls, min_size=1, max_size=8))
def test_the_audit_log_matches_the_cases_final_states(lab: Api, sequence: list[tuple[Any, ...]]) -> None:
    lab.admin("POST", "/reset", {})
    lab.admin("PUT", "/clock", {"mode": "frozen", "now": START})
    seeded = lab.all_cases()
    ids, display_ids = [c["id"] for c in seeded], [c["displayId"] for c in seeded]
    for call in sequence:
        run(lab, call, ids, display_ids)
    lab.advance_clock(10)  # let uploads and processing finish
    live = {c["id"]: c for c in lab.all_cases()}
    for case_id in ids:
        log = log_of(lab, case_id)
        assert log and log[0]["eventName"] == "case.added"
        if case_id not in live:
            assert log[-1]["eventName"] == "case.deleted"
            continue
        status = lab.case(case_id)["status"]
        chain = [CHANGE.search(e["message"]).groups() for e in log if e["eventName"] == "case.status.updated"]
        current = "AWAITING_MOLECULAR_DATA"  # every seeded case started there
        for old, new in chain:
            assert old == current, (case_id, chain)
            current = new
        assert current == status
        report = lab.get(f"/drs/v1/draftreport/case/{case_id}/reportjson")
        if status in ("READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF"):
            assert "case.report.added" in [e["eventName"] for e in log]
            assert report.status_code == 200
            details = report.json()["subjects"][0]["reports"][0]["reportDetails"]
            assert details["editStatus"] == ("Final" if status == "REPORTS_SIGNED_OFF" else "Draft")
        else:
            assert report.status_code == 400
    everything = lab.get("/als/api/v1/auditlogs/search", params={"pageSize": 2000}).json()
    assert everything["totalElements"] <= 2000
    entry_ids = [e["id"] for e in everything["content"]]
    assert len(set(entry_ids)) == len(entry_ids)
