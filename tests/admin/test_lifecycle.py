"""Clock and lifecycle plans over HTTP: each plan mode for processing and ingestion, the clock
driving them, per-case plans, outcomes, seeded failure rates, status jumps, advance, wait."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import BREAST_CASE, THYROID_CASE, Api, start_server

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}
CSV = "Sample_ID,Case_ID\nS1,PLAN-CASE\n"


def start_processing(api: Api, case_id: str = THYROID_CASE) -> None:
    response = api.put(f"/crs/api/v1/cases/{case_id}/diseases", json=MTC)
    assert response.status_code == 200 and response.json()["status"] == "PROCESSING", response.text


def upload_status(api: Api, upload_id: str) -> str:
    return api.get(f"/crs/api/v1/custom-case-data/{upload_id}/status").json()["status"]


class TestClock:
    def test_clock__freeze_advance_and_back_to_real(self, fresh_api: Api) -> None:
        assert fresh_api.admin("GET", "/clock")["mode"] == "real"
        frozen = fresh_api.admin("PUT", "/clock", {"mode": "frozen", "now": "2026-01-01T00:00:00Z"})
        assert frozen == {"mode": "frozen", "now": "2026-01-01T00:00:00Z"}
        assert fresh_api.admin("POST", "/clock/advance", {"seconds": 600})["now"] == "2026-01-01T00:10:00Z"
        assert fresh_api.admin("GET", "/clock")["now"] == "2026-01-01T00:10:00Z"
        assert fresh_api.admin("PUT", "/clock", {"mode": "real"})["mode"] == "real"

    def test_clock__stamps_every_date_the_mock_writes(self, fresh_api: Api) -> None:
        fresh_api.admin("PUT", "/clock", {"mode": "frozen", "now": "2030-05-06T07:08:09Z"})
        start_processing(fresh_api)
        assert fresh_api.case(THYROID_CASE)["updatedDate"] == "2030-05-06T07:08:09+0000"
        status = fresh_api.get(f"/crs/api/v1/custom-case-data/{fresh_api.upload(CSV)}/status").json()
        assert status["createdDate"] == "2030-05-06T07:08:09+0000"
        injected = fresh_api.admin("POST", "/cases", {"displayId": "CLOCKED"}, expect=201)[0]
        assert injected["status"]  # generated fields are filled; dates of injected cases are the caller's

    @pytest.mark.parametrize("body", [
        {"mode": "sideways"}, {"mode": "frozen", "now": "yesterday"}, {"mode": "real", "now": "2026-01-01T00:00:00Z"},
        {"mode": "frozen", "extra": 1},
    ])
    def test_clock__bad_body_is_400(self, fresh_api: Api, body: dict) -> None:
        error = fresh_api.admin("PUT", "/clock", body, expect=400)
        assert error["code"] == "BAD_REQUEST" and error["details"]
        assert fresh_api.admin("GET", "/clock")["mode"] == "real"

    def test_clock__advance_rejects_negative(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/clock/advance", {"seconds": -5}, expect=400)


class TestProcessingPlans:
    def test_immediate(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "immediate"}})
        start_processing(frozen_api)  # the PUT itself answers PROCESSING
        assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"

    def test_time_on_the_virtual_clock(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "time", "seconds": 600}})
        start_processing(frozen_api)
        frozen_api.admin("POST", "/clock/advance", {"seconds": 599})
        assert frozen_api.case(THYROID_CASE)["status"] == "PROCESSING"
        frozen_api.admin("POST", "/clock/advance", {"seconds": 1})
        case = frozen_api.case(THYROID_CASE)
        assert case["status"] == "READY_FOR_INTERPRETATION"
        assert case["updatedDate"] == "2026-06-01T12:10:00+0000"

    def test_polls(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "polls", "count": 3}})
        start_processing(frozen_api)
        seen = [frozen_api.case(THYROID_CASE)["status"] for _ in range(5)]
        assert seen == ["PROCESSING"] * 3 + ["READY_FOR_INTERPRETATION"] * 2
        # a search is not a read of the case: only GET case counts

    def test_polls_not_counted_by_search(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "polls", "count": 1}})
        start_processing(frozen_api)
        for _ in range(3):
            assert frozen_api.search(id=THYROID_CASE)["content"][0]["status"] == "PROCESSING"
        assert [frozen_api.case(THYROID_CASE)["status"] for _ in range(2)] == ["PROCESSING", "READY_FOR_INTERPRETATION"]

    def test_manual_until_advanced(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "manual"}})
        start_processing(frozen_api)
        frozen_api.admin("POST", "/clock/advance", {"seconds": 86400})
        assert frozen_api.case(THYROID_CASE)["status"] == "PROCESSING"
        advanced = frozen_api.admin("POST", f"/cases/{THYROID_CASE}/advance")
        assert advanced["status"] == "READY_FOR_INTERPRETATION"
        error = frozen_api.admin("POST", f"/cases/{THYROID_CASE}/advance", expect=400)
        assert "no pending step" in error["message"]

    def test_outcome_has_issue(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "immediate", "outcome": "HAS_ISSUE"}})
        start_processing(frozen_api)
        assert frozen_api.case(THYROID_CASE)["status"] == "HAS_ISSUE"

    def test_per_case_plan_overrides_default(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "manual"}})
        plan = frozen_api.admin("PUT", f"/cases/{BREAST_CASE}/lifecycle", {"processing": {"mode": "immediate"}})
        assert plan["processing"]["mode"] == "immediate"
        start_processing(frozen_api, BREAST_CASE)
        start_processing(frozen_api, THYROID_CASE)
        assert frozen_api.case(BREAST_CASE)["status"] == "READY_FOR_INTERPRETATION"
        assert frozen_api.case(THYROID_CASE)["status"] == "PROCESSING"
        assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle")["pending"]["plan"]["mode"] == "manual"
        cleared = frozen_api.admin("PUT", f"/cases/{BREAST_CASE}/lifecycle", {"processing": None})
        assert cleared["processing"] is None

    def test_new_case_plan_applies_to_a_step_under_way(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"processing": {"mode": "manual"}})
        start_processing(frozen_api)
        frozen_api.admin("POST", "/clock/advance", {"seconds": 30})
        body = frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "time", "seconds": 20}})
        assert body["pending"] is None  # due 20 s after its start, which is past: done
        assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"

    def test_failure_rate_is_seeded_and_repeatable(self) -> None:
        def outcomes() -> list[str]:
            server = start_server(cases=60)
            try:
                api = Api(server)
                api.admin("PUT", "/lifecycle", {"processing": {"mode": "immediate", "failureRate": 0.5}})
                ids = [c["id"] for c in api.all_cases(status="READY_FOR_INTERPRETATION")]
                for case_id in ids:
                    start_processing(api, case_id)
                return [api.case(case_id)["status"] for case_id in ids]
            finally:
                server.stop()
        first, second = outcomes(), outcomes()
        assert first == second
        assert {"HAS_ISSUE", "READY_FOR_INTERPRETATION"} == set(first)
        share = first.count("HAS_ISSUE") / len(first)
        assert 0.2 < share < 0.8, share  # 50% of ~28 draws, from a fixed seed

    @pytest.mark.parametrize("plan", [
        {"mode": "time"}, {"mode": "polls"}, {"mode": "immediate", "outcome": "COMPLETED"},
        {"mode": "immediate", "failureRate": 1.5}, {"mode": "never"}, {"seconds": 3},
        {"mode": "time", "seconds": 5, "colour": "red"},
    ])
    def test_bad_plan_is_400_and_changes_nothing(self, fresh_api: Api, plan: dict) -> None:
        before = fresh_api.admin("GET", "/lifecycle")
        error = fresh_api.admin("PUT", "/lifecycle", {"processing": plan}, expect=400)
        assert error["details"] and all(d["field"].startswith("processing") for d in error["details"])
        assert fresh_api.admin("GET", "/lifecycle") == before


class TestIngestionPlans:
    def test_immediate(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate"}})
        assert upload_status(frozen_api, frozen_api.upload(CSV)) == "COMPLETED"

    def test_time_halves_between_queued_and_in_progress(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "time", "seconds": 60}})
        upload_id = frozen_api.upload(CSV)
        assert upload_status(frozen_api, upload_id) == "QUEUED"
        frozen_api.admin("POST", "/clock/advance", {"seconds": 30})
        assert upload_status(frozen_api, upload_id) == "IN_PROGRESS"
        frozen_api.admin("POST", "/clock/advance", {"seconds": 30})
        assert upload_status(frozen_api, upload_id) == "COMPLETED"

    def test_polls(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "polls", "count": 3}})
        upload_id = frozen_api.upload(CSV)
        seen = [upload_status(frozen_api, upload_id) for _ in range(5)]
        assert seen == ["QUEUED", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED", "COMPLETED"]

    def test_manual_and_advance(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "manual"}})
        upload_id = frozen_api.upload(CSV)
        frozen_api.admin("POST", "/clock/advance", {"seconds": 3600})
        assert upload_status(frozen_api, upload_id) == "QUEUED"
        assert frozen_api.admin("POST", f"/uploads/{upload_id}/advance")["status"] == "COMPLETED"
        assert len(frozen_api.all_cases(displayId="PLAN-CASE", isExactMatch="true")) == 1
        frozen_api.admin("POST", f"/uploads/{upload_id}/advance", expect=400)
        frozen_api.admin("POST", "/uploads/nope/advance", expect=404)

    def test_outcome_failed_applies_nothing(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate", "outcome": "FAILED"}})
        status = frozen_api.get(f"/crs/api/v1/custom-case-data/{frozen_api.upload(CSV)}/status").json()
        assert status["status"] == "FAILED" and status["appliedRows"] == 0 and status["errors"]
        assert frozen_api.all_cases(displayId="PLAN-CASE") == []

    def test_failure_rate_one_always_fails(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate", "failureRate": 1}})
        assert upload_status(frozen_api, frozen_api.upload(CSV)) == "FAILED"


class TestJumpsAndWaits:
    def test_status_jump_to_any_status(self, frozen_api: Api) -> None:
        for status in ("HAS_ISSUE", "Report(s) Signed Off", "AWAITING_MOLECULAR_DATA"):
            body = frozen_api.admin("PUT", f"/cases/{BREAST_CASE}/status", {"status": status})
            assert frozen_api.case(BREAST_CASE)["status"] == body["status"]
        frozen_api.admin("PUT", f"/cases/{BREAST_CASE}/status", {"status": "DONE"}, expect=400)
        frozen_api.admin("PUT", "/cases/no-such-case/status", {"status": "HAS_ISSUE"}, expect=404)

    def test_jump_to_processing_follows_the_plan(self, frozen_api: Api) -> None:
        frozen_api.admin("PUT", f"/cases/{BREAST_CASE}/status", {"status": "PROCESSING"})
        frozen_api.admin("POST", "/clock/advance", {"seconds": 3})
        assert frozen_api.case(BREAST_CASE)["status"] == "READY_FOR_INTERPRETATION"
        history = frozen_api.admin("GET", f"/cases/{BREAST_CASE}/history")
        assert [(h["from"], h["to"]) for h in history] == [
            ("READY_FOR_INTERPRETATION", "PROCESSING"), ("PROCESSING", "READY_FOR_INTERPRETATION")]

    def test_seeded_processing_case_can_be_advanced(self, fresh_api: Api) -> None:
        case = fresh_api.all_cases(status="PROCESSING")[0]
        assert fresh_api.admin("POST", f"/cases/{case['id']}/advance")["status"] == "READY_FOR_INTERPRETATION"

    def test_wait_returns_when_the_clock_completes_the_step(self, frozen_api: Api) -> None:
        start_processing(frozen_api)
        timer = threading.Timer(0.3, lambda: frozen_api.admin("POST", "/clock/advance", {"seconds": 5}))
        timer.start()
        started = time.monotonic()
        case = frozen_api.admin("GET", f"/cases/{THYROID_CASE}/wait",
                                params={"status": "READY_FOR_INTERPRETATION", "timeout": 20})
        timer.join()
        assert case["status"] == "READY_FOR_INTERPRETATION"
        assert time.monotonic() - started < 15  # woken by the change, long before the timeout

    def test_wait_returns_when_real_time_completes_the_step(self, fresh_api: Api) -> None:
        start_processing(fresh_api)  # default plan: 3 s of real time, nobody else polling
        case = fresh_api.admin("GET", f"/cases/{THYROID_CASE}/wait",
                               params={"status": "READY_FOR_INTERPRETATION", "timeout": 30})
        assert case["status"] == "READY_FOR_INTERPRETATION"

    def test_wait_already_there_and_timeout(self, frozen_api: Api) -> None:
        assert frozen_api.admin("GET", f"/cases/{BREAST_CASE}/wait",
                                params={"status": "READY_FOR_INTERPRETATION", "timeout": 0})["id"] == BREAST_CASE
        error = frozen_api.admin("GET", f"/cases/{BREAST_CASE}/wait",
                                 params={"status": "HAS_ISSUE", "timeout": 0.5}, expect=408)
        assert error["code"] == "REQUEST_TIMEOUT" and "READY_FOR_INTERPRETATION" in error["message"]

    def test_wait_bad_arguments(self, frozen_api: Api) -> None:
        frozen_api.admin("GET", f"/cases/{BREAST_CASE}/wait", params={"status": "NOPE"}, expect=400)
        frozen_api.admin("GET", f"/cases/{BREAST_CASE}/wait", params={"status": "HAS_ISSUE", "timeout": 9999}, expect=400)
        frozen_api.admin("GET", "/cases/missing/wait", params={"status": "HAS_ISSUE"}, expect=404)
