"""The client report's rules on journal entries made by hand: the edges each rule draws."""

from __future__ import annotations

from typing import Any

from mockserver.admin.client_report import ClientRuleSettings, report, text
from mockserver.http.answered import Page, Resource

SECOND = 1_000_000
SETTINGS = ClientRuleSettings()


def entry(seq: int, at: float, operation: str = "getCase", path: str = "/crs/api/v2/cases/c1", status: int | None = 200,
          **extra: Any) -> dict[str, Any]:
    """A vendor request received at ``at`` seconds and answered at once."""
    return {"seq": seq, "time": round(at * SECOND), "received": round(at * SECOND), "plane": "vendor",
            "method": "GET", "path": path, "queryString": "", "headers": [("HTTP_USER_AGENT", "unit/1")],
            "operation": operation, "status": status, "fault": None, "client": "key-00000000", "retryAfter": None,
            "error": None, "page": None, "resource": None, "cause": None, "otherVersion": None, **extra}


def rules(entries: list[dict[str, Any]], settings: ClientRuleSettings = SETTINGS) -> dict[str, int]:
    (client,) = report(entries, settings)
    return {f["rule"]: f["count"] for f in client["findings"]}


def read(seq: int, at: float, state: str = "QUEUED", final: bool = False) -> dict[str, Any]:
    return entry(seq, at, "getCustomCaseDataStatus", "/u/1/status", resource=Resource("upload", "u1", state, final))


def test_polls_count_only_unchanged_unfinished_reads_inside_the_interval() -> None:
    assert rules([read(1, 0), read(2, 0.5), read(3, 1.5)]) == {"poll-too-fast": 1}  # 0.5 s, then 1.0 s
    assert rules([read(1, 0), read(2, 0.1, "IN_PROGRESS"), read(3, 0.2, "COMPLETED", final=True),
                  read(4, 0.3, "COMPLETED", final=True)]) == {}  # each read was news, or after the end
    write = entry(2, 0.1, "updateCaseDiseases", resource=Resource("upload", "u1", None, False))
    assert rules([read(1, 0), write, read(3, 0.2)]) == {}
    assert rules([read(1, 0), read(2, 0.5)], ClientRuleSettings(poll_interval_seconds=0.5)) == {}


def fault(seq: int, at: float, kind: str = "error", status: int | None = 503, retry_after: str | None = None,
          path: str = "/crs/api/v2/cases/c1") -> dict[str, Any]:
    return entry(seq, at, path=path, status=status, fault=kind, retryAfter=retry_after)


def test_retry_after_counts_from_the_answer_and_per_operation_and_path() -> None:
    assert rules([fault(1, 0, retry_after="2"), entry(2, 1.99)])["retry-after-ignored"] == 1
    assert "retry-after-ignored" not in rules([fault(1, 0, retry_after="2"), entry(2, 2.0)])
    assert "retry-after-ignored" not in rules([fault(1, 0, retry_after="2"), entry(2, 0.5, path="/other")])
    assert "retry-after-ignored" not in rules([fault(1, 0, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"), entry(2, 0.5)])


def test_a_storm_is_too_many_retries_in_the_window_or_pauses_that_never_grow() -> None:
    six = [fault(i, i * 0.1) for i in range(1, 7)] + [entry(7, 0.7)]  # six retries in 0.7 s
    assert rules(six)["retry-storm"] == 1
    five = [fault(i, i * 0.1) for i in range(1, 6)] + [entry(6, 0.6)]
    assert rules(five, ClientRuleSettings(storm_retries=5))["retry-storm"] == 1  # five retries, none growing
    flat = [fault(1, 0), fault(2, 1), fault(3, 2), entry(4, 3)]
    assert rules(flat)["retry-storm"] == 1
    growing = [fault(1, 0), fault(2, 1), fault(3, 3), entry(4, 7)]
    assert "retry-storm" not in rules(growing)
    told = [fault(1, 0, retry_after="1"), fault(2, 1, retry_after="1"), fault(3, 2, retry_after="1"), entry(4, 3)]
    assert "retry-storm" not in rules(told)  # the server set the pace


def test_a_transient_fault_needs_a_later_attempt_of_the_same_call() -> None:
    assert rules([fault(1, 0, "connectionReset", None)]) == {"no-retry-after-fault": 1}
    assert rules([fault(1, 0, "connectionReset", None), entry(2, 1)]) == {}
    assert rules([fault(1, 0, "error", 500)]) == {}  # a 500 may be a bug; not transient
    assert rules([fault(1, 0, "emptyResponse", None), entry(2, 1, path="/crs/api/v2/cases/c2")]) == {
        "no-retry-after-fault": 1}


def page(seq: int, number: int, total: int, query: str) -> dict[str, Any]:
    return entry(seq, seq, "searchCases", "/crs/api/v1/cases/search", queryString=query, page=Page(number, total))


def test_past_the_end_twice_for_the_same_search_whatever_its_page_number() -> None:
    assert rules([page(1, 3, 3, "pageNumber=3&tags=a"), page(2, 4, 3, "tags=a&pageNumber=4")]) == {"page-past-end": 2}
    assert rules([page(1, 3, 3, "pageNumber=3&tags=a"), page(2, 3, 3, "pageNumber=3&tags=b")]) == {}
    assert rules([page(1, 0, 0, "tags=z"), page(2, 0, 0, "tags=z")]) == {}  # page 0 of nothing is the last page


def test_refusals_group_by_cause_and_leave_out_injected_and_wrong_version_answers() -> None:
    entries = [entry(1, 0, status=400, error={"code": "BAD_REQUEST", "fields": ["pageSize"], "message": ""}),
               entry(2, 0, status=401, cause="missing header X-ILMN-Domain"),
               entry(3, 0, status=405, otherVersion="/crs/api/v2/cases/{caseId}"),
               fault(4, 0, "error", 404)]
    (client,) = report(entries, SETTINGS)
    found = {f["rule"]: f for f in client["findings"]}
    assert set(found) == {"wrong-api-version", "client-errors"}
    assert [(c["status"], c["cause"]) for c in found["client-errors"]["causes"]] == [
        (400, "field pageSize"), (401, "missing header X-ILMN-Domain")]


def test_credentials_in_the_query_by_any_spelling() -> None:
    assert rules([entry(1, 0, queryString="Api-Key=%3Credacted%3E"), entry(2, 0, queryString="access_token=x"),
                  entry(3, 0, queryString="tokens=1")]) == {"credential-in-url": 2}


def test_clients_are_key_and_user_agent_and_control_calls_are_not_judged() -> None:
    other = entry(2, 0, headers=[("HTTP_USER_AGENT", "unit/2")])
    control = {**entry(3, 0, operation="mockReset"), "plane": "control"}
    clients = report([entry(1, 0), other, control], SETTINGS)
    assert [(c["userAgent"], c["requests"]) for c in clients] == [("unit/1", 1), ("unit/2", 1)]


def test_evidence_is_bounded_and_the_text_says_there_is_more() -> None:
    entries = [read(i, i * 0.01) for i in range(1, 100)]
    (client,) = report(entries, SETTINGS)
    (finding,) = client["findings"]
    assert finding["count"] == 98 and finding["evidence"] == list(range(2, 22))
    assert "requests #2 #3 #4 #5 #6 #7 #8 #9 …)" in text([client])

