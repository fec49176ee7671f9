"""A client that honours every rule of the API, against random fault and latency schedules,
leaves an empty client report every time; and the call pattern of the public metadata-upload
client leaves poll-too-fast and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from conftest import REFUSED_FAULTS, THYROID_CASE, WG, Api, start_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_client_report import JournalClock

from mockserver.admin.plane import EXTENSION
from mockserver.serving.runner import ServerThread

RETRIED_STATUSES = {429, 500, 502, 503, 504}
CSV = "Sample_ID,Case_ID\nS-1,CASE-POLITE-1\n"
#: The operations the polite client calls, each of which a schedule may break.
OPERATIONS = ["searchCases", "getCase", "updateCaseDiseases", "uploadCustomCaseData", "getCustomCaseDataStatus",
              "searchAuditLogs", "getDiseaseConfig"]


class PoliteClient:
    """Retries what may pass on a second try, with exponential backoff and at least the
    Retry-After it was sent; polls no faster than the interval; stops paging at the last page.
    Its pauses move the journal's clock and the mock's, so they cost no wall time."""

    POLL_SECONDS = 1.0
    FIRST_BACKOFF = 0.5

    def __init__(self, api: Api, clock: JournalClock) -> None:
        self.api, self.clock = api, clock

    def pause(self, seconds: float) -> None:
        self.clock.sleep(seconds)
        self.api.admin("POST", "/clock/advance", {"seconds": seconds})

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        backoff = self.FIRST_BACKOFF
        while True:
            try:
                response = self.api.request(method, path, **kwargs)
                if response.status_code not in RETRIED_STATUSES:
                    return response
                told = response.headers.get("Retry-After")
            except requests.RequestException:
                told = None
            self.pause(max(backoff, float(told or 0)))
            backoff *= 2

    def pages(self, path: str, **params: Any) -> int:
        page = 0
        while True:
            body = self.call("GET", path, params={**params, "pageNumber": page, "pageSize": 25}).json()
            if body["last"]:
                return page + 1
            page += 1

    def wait_for(self, path: str, done: Any) -> None:
        while not done(self.call("GET", path).json()):
            self.pause(self.POLL_SECONDS)

    def work(self) -> None:
        self.pages("/crs/api/v1/cases/search")
        self.call("GET", "/cfg/api/v1/disease-config")
        self.call("PUT", f"/crs/api/v1/cases/{THYROID_CASE}/diseases",
                  json={"externalid": "363346000", "ontologytype": "SNOMEDCT"})
        self.wait_for(f"/crs/api/v2/cases/{THYROID_CASE}", lambda case: case["status"] != "PROCESSING")
        uploaded = self.call("POST", "/crs/api/v2/custom-case-data/files", files=[("files", ("m.csv", CSV, "text/csv"))])
        upload = f"/crs/api/v1/custom-case-data/{uploaded.json()[0]['id']}/status"
        self.wait_for(upload, lambda status: status["status"] not in ("QUEUED", "IN_PROGRESS"))
        self.pages("/als/api/v1/auditlogs/search", caseId=THYROID_CASE)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    server = start_server()
    journal = server.app.extensions[EXTENSION].journal
    real, journal.now = journal.now, JournalClock()
    yield server
    journal.now = real
    server.stop()


faults = st.fixed_dictionaries({
    "operation": st.sampled_from(OPERATIONS),
    "kind": st.sampled_from([k for k in ("error", "connectionReset", "emptyResponse", "truncatedBody") if k not in REFUSED_FAULTS]),
    "status": st.sampled_from([500, 503, 429]),
    "times": st.integers(1, 4),
    "retryAfter": st.none() | st.integers(0, 8),
    "workgroup": st.just(WG),
})
latency = st.dictionaries(st.sampled_from(OPERATIONS), st.builds(lambda ms: {"fixedMs": ms}, st.integers(0, 5)),
                          max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(schedule=st.lists(faults, max_size=4), delays=latency)
def test_a_client_that_honours_every_rule_has_no_finding(server: ServerThread, schedule: list[dict[str, Any]],
                                                         delays: dict[str, Any]) -> None:
    api = Api(server)
    api.admin("POST", "/reset", {})
    api.admin("DELETE", "/faults", expect=204)
    api.admin("PUT", "/latency", {"operations": delays})
    api.admin("PUT", "/clock", {"mode": "frozen"})
    api.admin("DELETE", "/requests", expect=204)
    api.admin("POST", "/faults", schedule, expect=201) if schedule else None
    try:
        PoliteClient(api, server.app.extensions[EXTENSION].journal.now).work()
        (client,) = api.admin("GET", "/client-report")["clients"]
        assert client["findings"] == [], api.get("/_mock/client-report", params={"format": "text"}).text
    finally:
        api.admin("DELETE", "/faults", expect=204)
        api.admin("PUT", "/latency", {"operations": {}})
        api.admin("PUT", "/clock", {"mode": "real"})
        api.close()


def test_the_metadata_upload_clients_pattern_is_polling_too_fast_and_nothing_else(server: ServerThread) -> None:
    """What keng404/connected_insights_metadata_generation does, run unmodified against the
    mock: workgroups, the disease configuration, two search pages, one upload, then status
    reads with no pause until the job is done."""
    api = Api(server)
    api.admin("DELETE", "/requests", expect=204)
    api.get("/crs/api/v1/session/workgroups")
    api.get("/cfg/api/v1/disease-config")
    first = api.search(pageNumber=0, pageSize=50)
    api.search(pageNumber=1, pageSize=50)
    assert first["totalPages"] >= 2
    upload = api.upload(CSV)
    reads = 0
    while api.upload_status(upload)["status"] in ("QUEUED", "IN_PROGRESS"):
        reads += 1
        if reads % 50 == 0:
            api.advance_clock(0.5)  # the job runs on the mock's clock; the client never waits
    (client,) = api.admin("GET", "/client-report")["clients"]
    assert [f["rule"] for f in client["findings"]] == ["poll-too-fast"]
    assert client["findings"][0]["count"] == reads - _changes(api)
    api.close()


def _changes(api: Api) -> int:
    """Reads that saw the upload's status change (QUEUED to IN_PROGRESS): news, not polling."""
    statuses = [e["resource"]["state"] for e in api.admin("GET", "/requests", params={
        "operation": "getCustomCaseDataStatus", "limit": 10000})]
    return sum(1 for before, after in zip(statuses, statuses[1:], strict=False) if before != after)
