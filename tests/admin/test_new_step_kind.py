"""A kind of step made up here, registered with a server, and nothing else changed: the
lifecycle core derives everything else from its registry. The kind shows in the default plans
(``/_mock/lifecycle``, the OpenAPI document), takes per-case plans, starts on the status it
names, moves cases as its plan says, and survives a state export and import."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from conftest import Api, start_server

from mockserver.domain.events import Cause
from mockserver.domain.lifecycle.kinds import StepKind, StepKinds
from mockserver.domain.lifecycle.plans import Pending, Plan
from mockserver.domain.status_changes import set_status
from mockserver.domain.statuses import CaseStatus
from mockserver.domain.step_kinds import SHIPPED_KINDS
from mockserver.domain.workgroup import Workgroup
from mockserver.testing.clients import MockControl


class ReviewSteps(StepKind[Workgroup]):
    """A case MISSING_REQUIRED_DATA is reviewed, then READY_FOR_PROCESSING."""

    name = "review"
    events = ("review.done",)
    default_plan = Plan("manual", outcome=CaseStatus.READY_FOR_PROCESSING.value)
    outcomes = (CaseStatus.READY_FOR_PROCESSING.value,)
    unspecified_outcome = CaseStatus.READY_FOR_PROCESSING.value
    starts_on = (CaseStatus.MISSING_REQUIRED_DATA.value,)
    case_plans = True

    def complete(self, wg: Workgroup, pending: Pending, at: datetime) -> None:
        case = wg.cases.get(pending.target)
        if case is not None and case.status is CaseStatus.MISSING_REQUIRED_DATA:
            set_status(wg, case, CaseStatus(pending.plan.outcome), at, Cause.LIFECYCLE, "reviewed")


KINDS = StepKinds(*SHIPPED_KINDS.values(), ReviewSteps())
FROZEN = {"mode": "frozen", "now": "2026-06-01T12:00:00Z"}
MANUAL = {"mode": "manual", "outcome": "READY_FOR_PROCESSING", "failureRate": 0.0}


@pytest.fixture
def api() -> Iterator[Api]:
    server = start_server(cases=6, clock=FROZEN, step_kinds=KINDS)
    client = Api(server)
    yield client
    client.close()
    server.stop()


def _cases(api: Api, count: int) -> list[str]:
    """Cases not yet MISSING_REQUIRED_DATA (the status the kind starts on)."""
    return [c["id"] for c in api.all_cases() if c["status"] != "MISSING_REQUIRED_DATA"][:count]


def _jump(api: Api, case_id: str, status: str) -> None:
    api.admin("PUT", f"/cases/{case_id}/status", {"status": status})


def test_the_kind_has_default_plans_and_a_place_in_the_document(api: Api) -> None:
    assert api.admin("GET", "/lifecycle")["review"] == MANUAL
    changed = api.admin("PUT", "/lifecycle", {"review": {"mode": "time", "seconds": 30}})
    assert changed["review"] == {"mode": "time", "seconds": 30.0, "outcome": "READY_FOR_PROCESSING", "failureRate": 0.0}
    refused = api.admin("PUT", "/lifecycle", {"review": {"mode": "manual", "outcome": "HAS_ISSUE"}}, expect=400)
    assert "review" in str(refused["details"]) and "READY_FOR_PROCESSING" in refused["message"]
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Lifecycle"]["properties"]["review"]["anyOf"][1] == {"$ref": "#/components/schemas/ReviewPlan"}
    assert set(schemas["CaseLifecycle"]["properties"]) == {"processing", "review"}
    assert "required" not in schemas["CaseLifecycle"]  # with two kinds, a body names either


def test_a_case_plan_of_the_kind_moves_the_case_on_the_status_it_starts_on(api: Api) -> None:
    reviewed, waiting = _cases(api, 2)
    control = MockControl(api.url)
    body = control.set_case_plan(reviewed, review={"mode": "immediate"})
    assert body == {"processing": None, "review": {"mode": "immediate", "outcome": "READY_FOR_PROCESSING",
                                                   "failureRate": 0.0}, "pending": None}
    assert api.admin("PUT", f"/cases/{reviewed}/lifecycle", {}, expect=400)["message"]  # names no kind
    _jump(api, reviewed, "MISSING_REQUIRED_DATA")
    assert api.case(reviewed)["status"] == "READY_FOR_PROCESSING"
    _jump(api, waiting, "MISSING_REQUIRED_DATA")  # the default plan: manual
    assert api.admin("GET", f"/cases/{waiting}/lifecycle")["pending"]["plan"] == MANUAL
    assert api.case(waiting)["status"] == "MISSING_REQUIRED_DATA"
    history = api.admin("GET", f"/cases/{reviewed}/history")
    assert [(h["to"], h["cause"]) for h in history][-1] == ("READY_FOR_PROCESSING", "reviewed")


def test_plans_and_pending_steps_of_the_kind_survive_export_and_import(api: Api) -> None:
    own, timed = _cases(api, 2)
    api.admin("PUT", "/lifecycle", {"review": {"mode": "time", "seconds": 30}})
    api.admin("PUT", f"/cases/{own}/lifecycle", {"review": {"mode": "manual"}})
    _jump(api, own, "MISSING_REQUIRED_DATA")
    _jump(api, timed, "MISSING_REQUIRED_DATA")
    exported = api.admin("GET", "/state")
    [workgroup] = exported["workgroups"]
    assert {"kind": "review", "target": own, "plan": MANUAL} in workgroup["ownPlans"]
    assert {(p["kind"], p["target"]) for p in workgroup["pending"]} == {("review", own), ("review", timed)}

    other = start_server(cases=6, clock=FROZEN, step_kinds=KINDS)
    try:
        copy = Api(other)
        copy.admin("PUT", "/state", exported)
        assert copy.admin("GET", "/lifecycle") == api.admin("GET", "/lifecycle")
        for case_id in (own, timed):
            assert copy.admin("GET", f"/cases/{case_id}/lifecycle") == api.admin("GET", f"/cases/{case_id}/lifecycle")
        copy.advance_clock(30)
        assert (copy.case(own)["status"], copy.case(timed)["status"]) == ("MISSING_REQUIRED_DATA", "READY_FOR_PROCESSING")
    finally:
        other.stop()


def test_a_server_without_the_kind_refuses_its_state(api: Api) -> None:
    [case_id] = _cases(api, 1)
    api.admin("PUT", f"/cases/{case_id}/lifecycle", {"review": {"mode": "manual"}})
    exported: dict[str, Any] = api.admin("GET", "/state")
    shipped = start_server(cases=6)
    try:
        response = requests.put(shipped.url + "/_mock/state", json=exported, timeout=30)
        assert response.status_code == 400
        assert "ownPlans" in response.text and "Must be one of: processing, ingestion, signOff" in response.text
    finally:
        shipped.stop()
