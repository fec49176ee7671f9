"""The fast path (``mockserver.fast_path``) against Flask's: two apps seeded alike take the
same requests, one through ``app.wsgi_app`` as served, the other straight into Flask's, and
must answer the same bytes, keep the same journal entries and hold the same state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import BREAST_CASE, THYROID_CASE, WG
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from mockserver import create_app
from mockserver.fast_path import PlainCaseCalls

KEY = "fast-key"
OTHER_WG_KEY = "narrow-key"
#: An id of the served form that no case has.
UNKNOWN = "00000000-0000-4000-8000-000000000000"
#: Varying by clock and timing, not by path.
TIMED = ("time", "received", "durationMs")


def seeded_app() -> Flask:
    app = create_app(cases=12, api_keys=(KEY, f"{OTHER_WG_KEY}=another-workgroup"))
    app.extensions["mockserver"].clock.freeze(datetime(2026, 6, 1, tzinfo=UTC))
    client = app.test_client()
    # Reads count towards processing: the first three reads of a processing case see it pending.
    assert client.put("/_mock/lifecycle", json={"processing": {"mode": "polls", "count": 3}}).status_code == 200
    disease = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}
    assert client.put(f"/crs/api/v1/cases/{BREAST_CASE}/diseases", json=disease, headers=headers()).status_code == 200
    # A signed-off case refuses a new disease.
    signed_off = client.put(f"/_mock/cases/{THYROID_CASE}/status", json={"status": "REPORTS_SIGNED_OFF"})
    assert signed_off.status_code == 200
    return app


def headers(auth: str = f"ApiKey {KEY}", domain: str | None = "tenant", workgroup: str | None = WG,
            extra: dict[str, str] | None = None) -> dict[str, str]:
    found = {"Authorization": auth} if auth else {}
    if domain is not None:
        found["X-ILMN-Domain"] = domain
    if workgroup is not None:
        found["X-ILMN-Workgroup"] = workgroup
    return {**found, **(extra or {})}


def call(wsgi: Any, step: dict[str, Any]) -> tuple[Any, ...]:
    """Status, headers and body of ``step`` sent to ``wsgi``; its ``length``, when given, is the
    Content-Length declared whatever the body sent."""
    environ = EnvironBuilder(method=step["method"], path=step["path"].format(case=step["case"]),
                             query_string=step["query"], headers=step["headers"], data=step["body"],
                             content_type=step.get("type")).get_environ()
    if step.get("length") is not None:
        environ["CONTENT_LENGTH"] = str(step["length"])
    answer: list[Any] = []
    chunks = wsgi(environ, lambda status, header_list, exc_info=None: answer.extend((status, header_list)))
    data = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return (*answer, data)


def behind(app: Flask) -> Any:
    """The app's Flask path, the fast path's fallback."""
    served = app.wsgi_app
    assert isinstance(served, PlainCaseCalls)
    return served.flask_app


def journal_tail(app: Flask) -> list[dict[str, Any]]:
    entries = app.extensions["mockserver.control"].journal.newest(3)
    return [{k: v for k, v in e.items() if k not in TIMED} for e in entries]


def audit_log(app: Flask) -> list[tuple[Any, ...]]:
    """The default workgroup's events, as the audit log serves them."""
    wg = app.extensions["mockserver"].workgroup(WG)
    return [(e.place, e.at, e.name, e.entity_id, e.old, e.new, e.user, e.reason) for e in wg.events]


def disease_body(**members: Any) -> bytes:
    return json.dumps({"externalid": "254837009", "ontologytype": "SNOMEDCT", **members}).encode()


PLAIN: dict[str, Any] = {"method": "GET", "path": "/crs/api/v2/cases/{case}", "case": BREAST_CASE, "query": "",
                         "headers": headers(), "body": None}
PLAIN_PUT: dict[str, Any] = {**PLAIN, "method": "PUT", "path": "/crs/api/v1/cases/{case}/diseases",
                             "body": disease_body(), "type": "application/json"}
#: Ways a request may differ from a plain GET case or PUT diseases (the fast path's) in what
#: decides its path or its answer.
COMMON_DEVIATIONS: list[dict[str, Any]] = [
    {"method": "DELETE"},
    {"case": UNKNOWN}, {"case": BREAST_CASE.upper()}, {"case": "search"}, {"case": "not-a-uuid"}, {"query": "x"},
    {"headers": headers(auth="")}, {"headers": headers(auth=KEY)}, {"headers": headers(auth="Bearer a b")},
    {"headers": headers(auth="ApiKey nope")}, {"headers": headers(auth=f"ApiKey {OTHER_WG_KEY}")},
    {"headers": headers(domain=None)}, {"headers": headers(domain=" ")},
    {"headers": headers(workgroup=None)}, {"headers": headers(workgroup="no-such-workgroup")},
    {"headers": headers(extra={"X-Mock-Delay-Ms": "0"})}, {"headers": headers(extra={"X-Mock-Delay-Ms": "soon"})},
    {"headers": headers(extra={"X-Trace": "t"})},
]
GET_DEVIATIONS: list[dict[str, Any]] = [
    *COMMON_DEVIATIONS, {"method": "HEAD"},
    {"query": "directIdentifiers=true"}, {"query": "includeQcOverviewMetrics=true"}, {"body": b"x"},
]
PUT_DEVIATIONS: list[dict[str, Any]] = [
    *COMMON_DEVIATIONS, {"method": "POST"}, {"case": THYROID_CASE}, {"body": b"", "type": None},
    {"body": b""}, {"body": b"x"}, {"body": b"[]"}, {"body": b"\xff\xfe{}"}, {"body": b'{"externalid": 7}'},
    {"body": disease_body(externalid="1")}, {"body": disease_body(ontologytype="ICD10")},
    {"body": disease_body(ontologytype="snomedct", name="Carcinome \u00e9pidermo\u00efde")},
    {"body": json.dumps({"externalId": "254837009", "ontologytype": "SNOMEDCT"}).encode()},
    {"body": disease_body(deep=json.loads("[" * 70 + "]" * 70))},
    {"body": disease_body(pad="p" * 2000)}, {"body": disease_body(pad="p" * 5000)},
    {"type": "text/plain"}, {"type": "application/json; charset=utf-8"}, {"type": "application/merge-patch+json"},
    {"length": 1000}, {"length": 10}, {"length": "ten"},
]


def near(plain: dict[str, Any], deviations: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(st.sampled_from([{}, *deviations]), max_size=2).map(
        lambda chosen: {k: v for d in [plain, *chosen] for k, v in d.items()})


#: Control-plane changes between requests: each sends a plain call one way or the other.
controls = st.sampled_from([
    ("POST", "/_mock/faults", {"operation": "getCase", "kind": "error", "status": 503, "times": 1}),
    ("POST", "/_mock/faults", {"operation": "updateCaseDiseases", "kind": "error", "status": 500, "times": 1}),
    ("POST", "/_mock/faults", {"operation": "searchCases", "kind": "error", "status": 500}),
    ("DELETE", "/_mock/faults", None),
    ("PUT", "/_mock/latency", {"default": None, "operations": {"getCase": {"fixedMs": 1}}}),
    ("PUT", "/_mock/latency", {"default": None, "operations": {"updateCaseDiseases": {"fixedMs": 1}}}),
    ("PUT", "/_mock/latency", {"default": None, "operations": {}}),
    ("POST", "/_mock/overrides", {"operation": "getCase", "times": 1, "validate": False, "response": {"status": 404}}),
    ("POST", "/_mock/overrides", {"operation": "updateCaseDiseases", "times": 1, "validate": False,
                                  "response": {"status": 409}}),
    ("DELETE", "/_mock/overrides", None),
])
steps = st.lists(st.one_of(near(PLAIN, GET_DEVIATIONS), near(PLAIN_PUT, PUT_DEVIATIONS), controls),
                 min_size=1, max_size=10)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_both_paths_answer_alike_and_leave_the_same_journal_and_state(sequence: list[Any]) -> None:
    """Requests near the plain GET case and PUT diseases, between control-plane changes that turn
    the plain ones away from the fast path and back."""
    fast, flask_only = seeded_app(), seeded_app()
    for step in sequence:
        if isinstance(step, tuple):
            method, path, body = step
            for app in (fast, flask_only):
                assert app.test_client().open(path, method=method, json=body).status_code < 300
            continue
        assert call(fast, step) == call(behind(flask_only), step)
        assert journal_tail(fast) == journal_tail(flask_only)
    assert audit_log(fast) == audit_log(flask_only)
    # The reads counted alike: the processing case is where the same reads left it.
    for _ in range(4):
        assert call(fast, PLAIN) == call(behind(flask_only), PLAIN)


@pytest.mark.parametrize(("plain", "deviations"), [(PLAIN, GET_DEVIATIONS), (PLAIN_PUT, PUT_DEVIATIONS)],
                         ids=["GET case", "PUT diseases"])
def test_each_way_off_the_fast_path_answers_as_flask_does(plain: dict[str, Any],
                                                          deviations: list[dict[str, Any]]) -> None:
    fast, flask_only = seeded_app(), seeded_app()
    for deviation in deviations:
        for step in (plain, {**plain, **deviation}):
            assert call(fast, step) == call(behind(flask_only), step), deviation
            assert journal_tail(fast) == journal_tail(flask_only), deviation
    assert audit_log(fast) == audit_log(flask_only)


def test_a_plain_get_case_skips_flask_and_counts_its_read(monkeypatch: pytest.MonkeyPatch) -> None:
    app = seeded_app()
    monkeypatch.setattr(app, "request_context", lambda environ: pytest.fail("Flask answered a plain GET case"))
    statuses = []
    for _ in range(4):
        status, _, data = call(app, PLAIN)
        statuses.append((status, data.count(b'"status":"PROCESSING"')))
    assert statuses == [("200 OK", 1)] * 3 + [("200 OK", 0)]  # the first three reads see it pending
    entry = app.extensions["mockserver.control"].journal.newest(1)[0]
    assert entry["operation"] == "getCase" and entry["status"] == 200 and entry["resource"][0] == "case"


def test_a_plain_put_diseases_skips_flask_and_sets_the_disease(monkeypatch: pytest.MonkeyPatch) -> None:
    app = seeded_app()
    monkeypatch.setattr(app, "request_context", lambda environ: pytest.fail("Flask answered a plain PUT diseases"))
    status, _, data = call(app, PLAIN_PUT)
    assert status == "200 OK"
    case = json.loads(data)
    assert case["status"] == "PROCESSING"
    assert {t["externalid"] for s in case["subjects"][0]["samples"] for t in s["tumorType"]} == {"254837009"}
    entry = app.extensions["mockserver.control"].journal.newest(1)[0]
    assert (entry["operation"], entry["status"], entry["resource"][0]) == ("updateCaseDiseases", 200, "case")
    assert (entry["bodySize"], entry["bodyPreview"]) == (len(PLAIN_PUT["body"]), PLAIN_PUT["body"].decode())


def test_response_validation_keeps_every_request_in_flask() -> None:
    app = create_app(cases=3, validate_responses=True)
    assert not isinstance(app.wsgi_app, PlainCaseCalls)
