"""``mockserver record`` end to end over HTTP: a client talks to a second mock instance (the
upstream, asked for direct identifiers) through the recorder; the fixtures it writes hold none
of the upstream's identifying values, and a mock serving them answers as the upstream did
outside the redacted fields, the lab's report export included."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import WG, start_server

from mockserver.datagen.fixture_folder import load_fixture_folder
from mockserver.recording.identifying import IDENTIFYING, Pseudonyms
from mockserver.recording.proxy import Upstream, create_recorder_app
from mockserver.recording.writer import RecordedFixtures
from mockserver.serving.runner import ServerThread
from mockserver.settings import Settings
from mockserver.testing.clients import MockControl

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {"Authorization": "ApiKey lab-key", "X-ILMN-Domain": "lab", "X-ILMN-Workgroup": WG}
WINDOW = ("2026-11-20T00:00:00Z", "2026-11-20T23:59:59Z")
REPORT_STATUSES = ("READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF")


def lab_export() -> Any:
    """``export_signed_off`` as docs/lab-export.md writes it: the lab's report-export job."""
    text = (ROOT / "docs" / "lab-export.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), "docs/lab-export.md", "exec"), namespace)  # noqa: S102 - the repository's own example
    return namespace["export_signed_off"]


@pytest.fixture(scope="module")
def upstream() -> Iterator[ServerThread]:
    """The 'real' service: a mock of its own, four cases signed off in the window, one outside."""
    server = start_server(cases=24, seed=11)
    control = MockControl(server.url)
    control.freeze("2026-11-20T18:00:00Z")
    ready = [c for c in control.cases() if c["status"] == "READY_FOR_INTERPRETATION"]
    approver = control.users()[0]
    for hour, case in zip(("08", "09", "10", "11"), ready[:4], strict=True):
        control.sign_off(case["id"], approver=approver["email"], at=f"2026-11-20T{hour}:00:00Z")
    control.sign_off(ready[4]["id"], at="2026-11-19T22:00:00Z")
    yield server
    server.stop()


def recorder(upstream_url: str, out: Path, overrides: bool = False, timeout: float = 30.0) -> ServerThread:
    recorded = RecordedFixtures(out, Pseudonyms(b"a key for this test run"), overrides=overrides)
    app = create_recorder_app(Upstream.parse(upstream_url), recorded, timeout=timeout, settings=Settings(threads=4))
    return ServerThread(app).start()


def walk(base: str) -> list[str]:
    """What a client of every Case API reads: workgroups, disease configuration, every search
    page, each case with its direct identifiers, each processed case's report, the audit log."""
    session = requests.Session()
    session.headers.update(HEADERS)
    assert session.get(f"{base}/crs/api/v1/session/workgroups", timeout=30).status_code == 200
    assert session.get(f"{base}/cfg/api/v1/disease-config", timeout=30).status_code == 200
    ids, page = [], 0
    while True:
        found = session.get(f"{base}/crs/api/v1/cases/search", params={"pageSize": 10, "pageNumber": page}, timeout=30).json()
        ids += [(c["id"], c["status"]) for c in found["content"]]
        if found["last"]:
            break
        page += 1
    for case_id, status in ids:
        answered = session.get(f"{base}/crs/api/v2/cases/{case_id}", params={"directIdentifiers": "true"}, timeout=30)
        assert answered.status_code == 200
        if status in REPORT_STATUSES:
            assert session.get(f"{base}/drs/v1/draftreport/case/{case_id}/reportjson", timeout=30).status_code == 200
    assert session.get(f"{base}/als/api/v1/auditlogs/search", params={"pageSize": 200}, timeout=30).status_code == 200
    session.close()
    return [case_id for case_id, _ in ids]


def identifying_values(server: ServerThread) -> dict[str, set[str]]:
    """The upstream's own values: subjects' names, dates of birth and MRNs, users' names and
    e-mails, case and sample display ids (read from its control plane, which shows them all)."""
    control = MockControl(server.url)
    found: dict[str, set[str]] = {"name": set(), "exact": set()}
    for case in control.cases():
        found["exact"].add(case["displayId"])
        for subject in case["subjects"]:
            found["name"] |= {subject["firstName"], subject["lastName"]}
            found["exact"] |= {subject["dateOfBirth"], subject["mrn"]}
            found["exact"] |= {s["externalSampleId"] for s in subject["samples"]}
    for user in control.users():
        found["name"] |= {user["name"], *user["name"].split()}
        found["exact"].add(user["email"])
    return found


def leaks(folder: Path, values: dict[str, set[str]]) -> list[str]:
    """Every identifying value found in any file: names as whole words, the rest anywhere."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {v}" for v in values["exact"] if v in text]
        found += [f"{path.name}: {v}" for v in values["name"] if re.search(rf"(?<![A-Za-z0-9]){re.escape(v)}(?![A-Za-z0-9])", text)]
    return found


@pytest.fixture(scope="module")
def recorded(upstream: ServerThread, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("recorded")
    proxy = recorder(upstream.url, out)
    try:
        ids = walk(proxy.url)
    finally:
        proxy.stop()
    return out, ids


def test_the_fixtures_hold_no_identifying_value_of_the_upstream(upstream: ServerThread,
                                                                recorded: tuple[Path, list[str]]) -> None:
    out, ids = recorded
    values = identifying_values(upstream)
    assert len(values["exact"]) > 60 and len(values["name"]) > 40  # the scan looks for something
    assert leaks(out, values) == []
    assert len(list((out / "workgroups" / WG / "cases").glob("*.json"))) == len(ids) == 24 + 2


def test_redactions_json_lists_each_field_path_and_count_and_no_value(upstream: ServerThread,
                                                                      recorded: tuple[Path, list[str]]) -> None:
    out, ids = recorded
    redactions = json.loads((out / "redactions.json").read_text())
    assert redactions["key"] == "drawn for this recording"
    by_field = {r["field"]: r for r in redactions["replaced"]}
    assert by_field["subjects[].firstName"] == {"field": "subjects[].firstName", "kind": "given name",
                                                "times": sum(1 for _ in ids)}  # one subject per case
    assert {"subjects[].dateOfBirth", "subjects[].mrn", "displayId", "subjects[].samples[].externalSampleId",
            "subjects[].reports[].reportDetails.reportHistory[].approvedByName"} <= set(by_field)
    text = json.dumps(redactions)
    assert leaks(out, identifying_values(upstream)) == [] and "@" not in text


def without_identifying(doc: Any, reference: Any, values: dict[str, set[str]]) -> Any:
    """``doc`` without the fields the table names, nor those whose value in ``reference`` (the
    upstream's) carries an identifying value in its text (an analysis id naming its case)."""
    identifying = {row.path[-1] for row in IDENTIFYING}
    every = values["exact"] | values["name"]
    if isinstance(doc, dict):
        return {k: without_identifying(v, reference.get(k) if isinstance(reference, dict) else None, values)
                for k, v in doc.items()
                if k not in identifying and not (isinstance(reference, dict) and isinstance(reference.get(k), str)
                                                 and any(v2 in reference[k] for v2 in every))}
    if isinstance(doc, list):
        refs = reference if isinstance(reference, list) else []
        return [without_identifying(v, refs[i] if i < len(refs) else None, values) for i, v in enumerate(doc)]
    return doc


def test_served_fixtures_answer_as_the_upstream_did_outside_the_redacted_fields(
        upstream: ServerThread, recorded: tuple[Path, list[str]]) -> None:
    out, ids = recorded
    values = identifying_values(upstream)
    replay = start_server(cases=0, fixtures=out)
    try:
        theirs, ours = requests.Session(), requests.Session()
        theirs.headers.update(HEADERS)
        ours.headers.update(HEADERS)
        for case_id in ids:
            up = theirs.get(f"{upstream.url}/crs/api/v2/cases/{case_id}", params={"directIdentifiers": "true"}).json()
            served = ours.get(f"{replay.url}/crs/api/v2/cases/{case_id}", params={"directIdentifiers": "true"}).json()
            assert without_identifying(served, up, values) == without_identifying(up, up, values)
            assert served["displayId"] != up["displayId"] and served["subjects"][0]["mrn"] != up["subjects"][0]["mrn"]
        up_config = theirs.get(f"{upstream.url}/cfg/api/v1/disease-config").json()
        assert ours.get(f"{replay.url}/cfg/api/v1/disease-config").json() == up_config
        # The whole behaviour: search, a disease set and processed, the audit log, reset back to the fixtures.
        page = ours.get(f"{replay.url}/crs/api/v1/cases/search", params={"pageSize": 100}).json()
        assert page["totalElements"] == len(ids)
        waiting = next(c for c in page["content"] if c["status"] in ("MISSING_REQUIRED_DATA", "READY_FOR_PROCESSING"))
        put = ours.put(f"{replay.url}/crs/api/v1/cases/{waiting['id']}/diseases",
                       json={"externalid": up_config[0]["externalId"], "ontologytype": "SNOMEDCT"})
        assert put.status_code == 200 and put.json()["status"] == "PROCESSING"
        audit = ours.get(f"{replay.url}/als/api/v1/auditlogs/search", params={"caseId": waiting["id"]}).json()
        assert audit["content"][0]["eventName"] == "case.status.updated"
        MockControl(replay.url).reset()
        assert ours.get(f"{replay.url}/crs/api/v2/cases/{waiting['id']}").json()["status"] == waiting["status"]
    finally:
        replay.stop()


def export_recorded_then_replayed(upstream: ServerThread, out: Path, overrides: bool) -> tuple[list[Any], list[Any]]:
    """The lab's export run through the recorder, then against a mock serving what it wrote."""
    export_signed_off = lab_export()
    proxy = recorder(upstream.url, out, overrides=overrides)
    try:
        live = export_signed_off(proxy.url, HEADERS, *WINDOW)
    finally:
        proxy.stop()
    replay = start_server(cases=0, fixtures=out)
    try:
        return live, export_signed_off(replay.url, HEADERS, *WINDOW)
    finally:
        replay.stop()


def test_the_report_export_runs_against_fixtures_recorded_from_it(upstream: ServerThread, tmp_path: Path) -> None:
    out = tmp_path / "export"
    live, replayed = export_recorded_then_replayed(upstream, out, overrides=True)
    assert len(live) == 4
    assert list(out.joinpath("overrides").glob("*.json"))
    # The same rows, but for what was redacted: the case's display id, the approver, free text.
    redacted = ("displayId", "approvedBy", "config")
    assert [{k: v for k, v in r.items() if k not in redacted} for r in replayed] == \
           [{k: v for k, v in r.items() if k not in redacted} for r in live]
    assert {r["displayId"] for r in replayed}.isdisjoint(r["displayId"] for r in live)
    assert leaks(out, identifying_values(upstream)) == []


def test_without_overrides_the_export_finds_the_same_cases_from_the_fixtures_alone(upstream: ServerThread,
                                                                                   tmp_path: Path) -> None:
    out = tmp_path / "export"
    live, replayed = export_recorded_then_replayed(upstream, out, overrides=False)
    folder = load_fixture_folder(out, (WG, "default"))
    assert [len(wg.cases) for wg in folder.workgroups] == [4] and folder.overrides == ()
    same = ("updatedDate", "tmb", "msi")
    assert sorted(tuple(r[k] for k in same) for r in replayed) == sorted(tuple(r[k] for k in same) for r in live)


def test_a_value_found_identifying_later_is_replaced_in_files_written_before(upstream: ServerThread,
                                                                            tmp_path: Path) -> None:
    """A search for a display id that found nothing is written before any case shows the id is
    one; once a case does, the earlier override is written again without it."""
    case = MockControl(upstream.url).cases()[0]
    out = tmp_path / "later"
    proxy = recorder(upstream.url, out, overrides=True)
    session = requests.Session()
    session.headers.update(HEADERS)
    try:
        other = "PROCESSING" if case["status"] != "PROCESSING" else "HAS_ISSUE"
        empty = session.get(f"{proxy.url}/crs/api/v1/cases/search", params={"displayId": case["displayId"], "status": other})
        assert empty.json()["content"] == []
        written = "".join(p.read_text() for p in (out / "overrides").glob("*.json"))
        assert case["displayId"] in written  # nothing said it identified anyone yet
        assert session.get(f"{proxy.url}/crs/api/v2/cases/{case['id']}").status_code == 200
    finally:
        proxy.stop()
    assert leaks(out, {"exact": {case["displayId"]}, "name": set()}) == []


#: A real service's draft report (tests/reference/README.md says whose).
REAL_REPORT = json.loads((ROOT / "tests" / "reference" / "report-json-demo-breast.json").read_text())


def test_a_real_services_payload_is_recorded_redacted_and_served(tmp_path: Path) -> None:
    """The real draft report (East Genomics' demo): fields the mock's case shape lacks are left
    out of the case file and listed, the approver's name, the display id, the sample ids and the
    free text are replaced, and the mock serves the case and a report for it."""
    case_id = REAL_REPORT["id"]
    case = {k: v for k, v in REAL_REPORT.items() if k not in ("variantIndexId", "selectedReportId", "reportDataVersion",
                                                                "reportData", "preferredQcMetrics")}
    case["status"] = "REPORTS_SIGNED_OFF"

    class RealService(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = json.dumps(REAL_REPORT if self.path.endswith("/reportjson") else case).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    service = ThreadingHTTPServer(("127.0.0.1", 0), RealService)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    out = tmp_path / "real"
    proxy = recorder(f"http://127.0.0.1:{service.server_address[1]}", out)
    session = requests.Session()
    session.headers.update(HEADERS)
    try:
        assert session.get(f"{proxy.url}/crs/api/v2/cases/{case_id}").json() == case  # handed back unchanged
        assert session.get(f"{proxy.url}/crs/api/v2/cases/{case_id}").status_code == 200  # the same case again
        assert session.get(f"{proxy.url}/drs/v1/draftreport/case/{case_id}/reportjson").json() == REAL_REPORT
    finally:
        proxy.stop()
        service.shutdown()
        service.server_close()
    real_values = {"exact": {"DEMO_002_BREAST", "SP-1234567", "R208.1", "Two Pathogenic variants", "analysed by RSW",
                             "Added SNVs"},
                   "name": {"Robert Wilson"}}
    assert leaks(out, real_values) == []
    manifest = json.loads((out / "fixtures.json").read_text())
    assert {"field": "testDefinition.qcThresholds", "times": 1} in manifest["fieldsNotServed"]
    replay = start_server(cases=0, fixtures=out)
    try:
        served = session.get(f"{replay.url}/crs/api/v2/cases/{case_id}").json()
        assert served["status"] == "REPORTS_SIGNED_OFF" and served["displayId"].startswith("ACC-")
        assert session.get(f"{replay.url}/drs/v1/draftreport/case/{case_id}/reportjson").status_code == 200
    finally:
        replay.stop()
