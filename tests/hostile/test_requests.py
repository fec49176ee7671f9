"""Hostile input over real HTTP: no request may freeze, starve or bloat the server, and every
bad input is a 4xx that changes nothing (issue "Hostile input and availability").

Time bounds here are request timeouts that stop a test whose request would run for minutes or
hours; they are not performance measurements (those are in bench/bench_hostile.py).
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from urllib.parse import unquote, urlsplit

import pytest
import requests
from conftest import BREAST_CASE, THYROID_CASE, WG, Api, start_server

CASE = f"/crs/api/v2/cases/{BREAST_CASE}"
SEARCH = "/crs/api/v1/cases/search"
#: Far above what the server needs, far below what a blow-up takes (17 s for 21 characters).
LIVENESS_TIMEOUT = 10


def test_wildcard_pattern_that_backtracks_answers_at_once(fresh_api: Api) -> None:
    """A backtracking matcher takes hours on a long run of the pattern's letter."""
    fresh_api.admin("POST", "/cases", [{"displayId": "a" * 300}, {"displayId": "a" * 299 + "!"}], expect=201)
    everything = fresh_api.search()["totalElements"]
    for pattern, matches in (("a%a%a%a%a%a%a%a%a%a!", 1), ("a%" * 299 + "!", 1), ("a%" * 300 + "!", 0),
                             ("%" * 1000, everything), ("a%" * 30 + "b", 0)):
        response = fresh_api.get(SEARCH, params={"displayId": pattern}, timeout=LIVENESS_TIMEOUT)
        assert response.status_code == 200
        assert response.json()["totalElements"] == matches, pattern[:20]
    wildcard = fresh_api.get(SEARCH, params={"displayId": "fixture%001%breast"}).json()
    assert [c["displayId"] for c in wildcard["content"]] == ["FIXTURE_001_BREAST"]


def test_search_text_and_tags_are_bounded(api: Api) -> None:
    too_long = api.get(SEARCH, params={"displayId": "a" * 1001})
    assert too_long.status_code == 400 and too_long.json()["details"][0]["field"] == "displayId"
    assert api.get(SEARCH, params={"displayId": "a" * 1000}).status_code == 200
    too_many = api.get(SEARCH, params=[("tags", str(n)) for n in range(101)])
    assert too_many.status_code == 400 and too_many.json()["details"][0]["field"] == "tags"


@pytest.mark.parametrize("page", ["500000000000000000", "2147483648", "99999999999999999999999"])
def test_page_number_beyond_a_java_int_is_400(api: Api, page: str) -> None:
    response = api.get(SEARCH, params={"pageNumber": page})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "pageNumber"


def test_largest_page_number_is_an_empty_page(api: Api) -> None:
    page = api.get(SEARCH, params={"pageNumber": "2147483647"}).json()
    assert page["content"] == [] and page["number"] == 2147483647


def test_a_refused_request_is_answered_before_any_delay(fresh_api: Api) -> None:
    """Four unauthenticated requests asking for a minute's delay each come back at once."""
    fresh_api.admin("PUT", "/latency", {"default": {"fixedMs": 60_000}, "operations": {}})
    for headers in ({"X-Mock-Delay-Ms": "60000"}, {"Authorization": "Bearer nope", "X-Mock-Delay-Ms": "60000"}, {}):
        response = requests.get(fresh_api.url + CASE, headers=headers, timeout=LIVENESS_TIMEOUT)
        assert response.status_code == 401
    wrong_workgroup = {"Authorization": "ApiKey k", "X-ILMN-Domain": "d", "X-ILMN-Workgroup": "nope"}
    response = requests.get(fresh_api.url + CASE, headers=wrong_workgroup, timeout=LIVENESS_TIMEOUT)
    assert response.status_code == 403
    unknown = requests.get(fresh_api.url + "/crs/api/v9/nothing", headers=wrong_workgroup, timeout=LIVENESS_TIMEOUT)
    assert unknown.status_code == 404


def test_waits_and_delays_cannot_starve_the_vendor_api() -> None:
    """With 4 worker threads, two may hold waits; a third is refused at once (503) and vendor
    calls still answer."""
    server = start_server(threads=4)
    api = Api(server)
    waits: list[int] = []
    try:
        api.admin("PUT", "/clock", {"mode": "frozen", "now": "2026-01-01T00:00:00Z"})
        api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "manual"}})

        def wait() -> None:
            for _ in range(500):  # a probe below may hold the slot for a moment: try again
                response = requests.get(server.url + f"/_mock/cases/{THYROID_CASE}/wait",
                                        params={"status": "HAS_ISSUE", "timeout": 60}, timeout=90)
                if response.status_code != 503:
                    break
            waits.append(response.status_code)

        holders = [threading.Thread(target=wait) for _ in range(2)]
        for t in holders:
            t.start()
        third = None
        for _ in range(200):  # until both waits hold their slot (a short wait that gets one times out: 408)
            third = requests.get(server.url + f"/_mock/cases/{THYROID_CASE}/wait",
                                 params={"status": "HAS_ISSUE", "timeout": 0.05}, timeout=LIVENESS_TIMEOUT)
            if third.status_code == 503:
                break
            assert third.status_code == 408
        assert third is not None and third.status_code == 503 and third.headers["Retry-After"] == "1"
        assert "--threads" in third.json()["message"]
        delayed = api.get(CASE, headers={"X-Mock-Delay-Ms": "60000"}, timeout=LIVENESS_TIMEOUT)
        assert delayed.status_code == 503  # a delay needs the same kind of slot
        for _ in range(5):
            assert api.get(CASE, timeout=LIVENESS_TIMEOUT).status_code == 200
        api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "HAS_ISSUE"})
        for t in holders:
            t.join(timeout=30)
        assert waits == [200, 200]
    finally:
        server.stop()


def test_journal_is_bounded_in_bytes(fresh_api: Api) -> None:
    big = "x" * 200_000
    for _ in range(20):
        requests.get(fresh_api.url + CASE, headers={"X-Padding": big}, timeout=30)
    requests.get(fresh_api.url + "/crs/api/v2/cases/" + "y" * 5000, headers={"X-Padding": big}, timeout=30)
    entries = fresh_api.admin("GET", "/requests", params={"limit": 100})
    assert len(entries) == 21
    assert all(e["truncated"] for e in entries)
    assert all(len(e["headers"]["X-Padding"]) <= 1025 for e in entries)
    assert len(json.dumps(entries)) < 21 * 12_000
    assert len(entries[-1]["path"]) == 2048


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", f"/crs/api/v1/cases/{THYROID_CASE}/diseases"), ("POST", "/_mock/cases"), ("PUT", "/_mock/state"),
    ("PUT", "/_mock/clock"),
])
def test_deeply_nested_json_is_400_and_changes_nothing(frozen_api: Api, method: str, path: str) -> None:
    before = frozen_api.admin("GET", "/state")  # a frozen clock: two exports compare equal
    for levels in (10_000, 65):
        response = frozen_api.request(method, path, data=deep(levels), headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text
        assert response.json()["message"] == "The JSON body nests more than 64 levels of arrays and objects."
    assert frozen_api.admin("GET", "/state") == before


def test_clock_cannot_leave_four_digit_years(fresh_api: Api) -> None:
    for now in ("9999-12-31T23:59:58Z", "9000-01-02T00:00:00Z", "0999-12-31T00:00:00Z"):
        response = requests.put(fresh_api.url + "/_mock/clock", json={"mode": "frozen", "now": now}, timeout=10)
        assert response.status_code == 400, now
        assert "between 1000-01-01 and 9000-01-01" in response.json()["message"]
    assert fresh_api.admin("GET", "/clock")["mode"] == "real"
    fresh_api.admin("PUT", "/clock", {"mode": "frozen", "now": "8999-12-31T00:00:00Z"})
    assert fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases",
                         json={"externalid": "255032005", "ontologytype": "SNOMEDCT"}).status_code == 200
    too_far = requests.post(fresh_api.url + "/_mock/clock/advance", json={"seconds": 10 * 365 * 86400}, timeout=10)
    assert too_far.status_code == 400
    assert fresh_api.admin("GET", "/clock")["now"] == "8999-12-31T00:00:00Z"
    fresh_api.admin("POST", "/clock/advance", {"seconds": 10})
    assert fresh_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"


def test_state_with_a_clock_offset_out_of_range_is_refused(fresh_api: Api) -> None:
    state = fresh_api.admin("GET", "/state")
    for offset in (1e20, -1e12):
        state["clock"] = {"mode": "real", "now": "2026-01-01T00:00:00Z", "offsetSeconds": offset}
        response = requests.put(fresh_api.url + "/_mock/state", json=state, timeout=30)
        assert response.status_code == 400
    assert fresh_api.admin("GET", "/clock")["mode"] == "real"
    assert fresh_api.get(CASE).status_code == 200


def test_dates_before_year_1000_are_refused_and_exports_reimport(frozen_api: Api) -> None:
    response = requests.post(frozen_api.url + "/_mock/cases", json={"displayId": "OLD", "createdDate": "0999-01-01T00:00:00+0000"},
                             timeout=10)
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "[0].createdDate"
    frozen_api.admin("POST", "/cases", {"displayId": "NEW", "createdDate": "1000-01-01T00:00:00+0000"}, expect=201)
    exported = frozen_api.admin("GET", "/state")
    frozen_api.admin("PUT", "/state", exported)
    assert frozen_api.admin("GET", "/state") == exported


def test_since_with_thousands_of_digits_is_400(api: Api) -> None:
    for since in ("9" * 5000, "1" * 19, "²"):
        response = requests.get(api.url + "/_mock/requests", params={"since": since}, timeout=10)
        assert response.status_code == 400 and response.json()["details"][0]["field"] == "since"


def raw_request(url: str, path: str, headers: list[tuple[str, str]]) -> int:
    """A request whose headers may repeat (requests folds them)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path)
    for name, value in headers:
        connection.putheader(name, value)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_credentials_never_reach_the_journal(fresh_api: Api) -> None:
    secret = "S3CRET-VALUE"
    vendor = [("X-ILMN-Domain", "d"), ("X-ILMN-Workgroup", WG)]
    raw_request(fresh_api.url, CASE, [("Authorization", f"ApiKey {secret}"), ("Authorization", secret), *vendor])
    raw_request(fresh_api.url, CASE + f"?apiKey={secret}&api_key={secret}&token={secret}&keep=1",
                [("X-Api-Key", secret), ("Proxy-Authorization", f"Basic {secret}"), ("Cookie", f"session={secret}"),
                 ("Authorization", secret), *vendor])
    entries = fresh_api.admin("GET", "/requests")
    assert secret not in json.dumps(entries)
    assert entries[0]["headers"]["Authorization"] == "ApiKey, <token>"
    assert entries[1]["query"]["keep"] == ["1"] and entries[1]["query"]["apiKey"] == ["<redacted>"]
    assert entries[1]["headers"]["Proxy-Authorization"] == "Basic"
    assert entries[1]["headers"]["Cookie"] == "<redacted>"
    assert secret not in json.dumps(fresh_api.admin("GET", "/state"))


def test_every_drawn_delay_is_capped_at_the_documented_maximum() -> None:
    """A lognormal without maxMs once drew sleeps of hours, or past what sleep() takes (500)."""
    from mockserver.admin.latency import MAX_DELAY_MS, Latency

    latency = Latency(seed=3)
    latency.replace({"default": {"lognormal": {"medianMs": 600_000, "sigma": 10}}, "operations": {}})
    draws = [latency.draw_ms("getCase") for _ in range(20_000)]
    assert max(draws) == MAX_DELAY_MS == 600_000 and min(draws) >= 0


def test_a_lognormal_latency_without_a_cap_is_served(fresh_api: Api) -> None:
    fresh_api.admin("PUT", "/latency", {"default": None, "operations": {
        "getCase": {"lognormal": {"medianMs": 0.000001, "sigma": 10}}}})
    for _ in range(50):
        assert fresh_api.get(CASE, timeout=LIVENESS_TIMEOUT).status_code == 200


@pytest.mark.parametrize("display_id", ["CASE-€1", "病例-7", 'SAY "HI"', "LINE\r\nSet-Cookie: x=1", "BACK\\SLASH"])
def test_the_pdf_of_any_display_id_has_a_sound_content_disposition(fresh_api: Api, display_id: str) -> None:
    """RFC 6266: a quoted ASCII fallback that no character can end early or split, and the name
    itself in ``filename*`` (UTF-8, percent-encoded) when the fallback had to change it."""
    [case] = fresh_api.admin("POST", "/cases", [{"displayId": display_id, "status": "READY_FOR_INTERPRETATION"}],
                             expect=201)
    report = fresh_api.get(f"/drs/v1/draftreport/case/{case['id']}/reportjson").json()
    subject_report_id = report["subjects"][0]["reports"][0]["subjectReportId"]
    response = fresh_api.get(f"/drs/v1/draftreport/case/{case['id']}/reports/{subject_report_id}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert "Set-Cookie" not in response.headers
    disposition = response.headers["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="([ !#-\[\]-~]*)"; filename\*=UTF-8\'\'([A-Za-z0-9%._~-]+)', disposition)
    assert match, disposition
    assert unquote(match.group(2)) == f"{display_id}_draft_report.pdf"
    assert len(match.group(1)) == len(display_id) + len("_draft_report.pdf")


def test_a_plain_display_id_needs_no_encoded_file_name(api: Api) -> None:
    case = api.search(status="REPORTS_SIGNED_OFF", pageSize=1)["content"][0]
    report = api.get(f"/drs/v1/draftreport/case/{case['id']}/reportjson").json()
    subject_report_id = report["subjects"][0]["reports"][0]["subjectReportId"]
    response = api.get(f"/drs/v1/draftreport/case/{case['id']}/reports/{subject_report_id}/pdf")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{case["displayId"]}_draft_report.pdf"'
