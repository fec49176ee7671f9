"""Fixture folders written by hand (the layout ``mockserver record`` writes): workgroups with
their cases, reports, disease configuration and overrides, served with the mock's whole
behaviour; anything the mock cannot serve is refused at start naming its file and field."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import BREAST_CASE, WG, start_server
from processes import free_port

from mockserver import MockServer, create_app
from mockserver.datagen.catalog import fixtures_dir
from mockserver.datagen.fixture_folder import FixtureError
from mockserver.testing.clients import MockControl

LAB = "lab-7"
BREAST = json.loads((fixtures_dir() / "cases" / "fixture_001_breast.json").read_text())
CONFIG = [{"name": "Malignant tumor of breast", "externalId": "254837009", "ontologyType": "SNOMEDCT",
           "version": "SNOMEDCT_US_2021_09_01", "keyGenes": ["ERBB2", "PIK3CA"],
           "associatedDiseasesTerms": [{"externalId": "254837009", "name": "Malignant tumor of breast",
                                        "ontologyType": "SNOMEDCT", "synonym": ["Malignant tumor of breast", "Breast cancer"]}]},
          {"name": "A disease only this lab configures", "externalId": "900000001", "ontologyType": "SNOMEDCT",
           "version": None, "keyGenes": [], "associatedDiseasesTerms": [
               {"externalId": "900000001", "name": "A disease only this lab configures", "ontologyType": "SNOMEDCT",
                "synonym": ["A disease only this lab configures"]}]}]


def write(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))


def lab_folder(root: Path) -> Path:
    """Two workgroups: the default one (one case) and ``lab-7`` (a case, a report whose case has
    no case file, its own disease configuration, three generated cases) and one override."""
    write(root / "fixtures.json", {"format": "ici-mock-fixtures/1", "workgroups": [
        {"id": WG, "name": "Default"}, {"id": LAB, "name": "Lab seven", "cases": 3, "seed": 9}]})
    write(root / "workgroups" / WG / "cases" / "one.json", {**BREAST, "id": "11111111-0000-4000-8000-000000000001",
                                                             "displayId": "DEFAULT-ONE"})
    write(root / "workgroups" / LAB / "cases" / "breast.json", BREAST)
    report_case = {**BREAST, "id": "22222222-0000-4000-8000-000000000002", "displayId": "FROM-A-REPORT",
                   "status": "REPORTS_SIGNED_OFF"}
    report = {**report_case, "variantIndexId": "x", "selectedReportId": "y", "reportDataVersion": 2, "reportData": {},
              "subjects": [{**report_case["subjects"][0], "reports": [
                  {**report_case["subjects"][0]["reports"][0], "reportDetails": {"variants": []}}]}]}
    write(root / "workgroups" / LAB / "reports" / f"{report_case['id']}.json", report)
    write(root / "workgroups" / LAB / "disease-config.json", CONFIG)
    write(root / "overrides" / "workgroups.json", [{"operation": "listWorkgroups", "workgroup": LAB, "response": {
        "body": {"workgroupRoles": [{"orgid": LAB, "orgName": "Lab seven", "domain": "lab", "roles": ["API Access"]}]}}}])
    return root


def session(workgroup: str) -> requests.Session:
    s = requests.Session()
    s.headers.update({"Authorization": "ApiKey k", "X-ILMN-Domain": "lab", "X-ILMN-Workgroup": workgroup})
    return s


def test_a_folder_loads_its_workgroups_with_the_mocks_whole_behaviour(tmp_path: Path) -> None:
    server = start_server(cases=5, fixtures=lab_folder(tmp_path))
    lab, default = session(LAB), session(WG)
    try:
        found = default.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 50}).json()
        assert found["totalElements"] == 6 and "DEFAULT-ONE" in [c["displayId"] for c in found["content"]]
        assert default.get(f"{server.url}/crs/api/v2/cases/{BREAST_CASE}").status_code == 404  # not the shipped ones
        mine = lab.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 50}).json()
        assert mine["totalElements"] == 2 + 3
        assert lab.get(f"{server.url}/cfg/api/v1/disease-config").json() == CONFIG
        assert default.get(f"{server.url}/cfg/api/v1/disease-config").json() != CONFIG
        # The lab's configuration decides what PUT diseases takes.
        refused = lab.put(f"{server.url}/crs/api/v1/cases/{BREAST_CASE}/diseases",
                          json={"externalid": "363346000", "ontologytype": "SNOMEDCT"})
        assert refused.status_code == 400
        taken = lab.put(f"{server.url}/crs/api/v1/cases/{BREAST_CASE}/diseases",
                        json={"externalid": "900000001", "ontologytype": "SNOMEDCT"})
        assert taken.status_code == 200 and taken.json()["status"] == "PROCESSING"
        # A report's case, its report and its sign-off in the audit log.
        report = lab.get(f"{server.url}/drs/v1/draftreport/case/22222222-0000-4000-8000-000000000002/reportjson")
        assert report.status_code == 200 and report.json()["displayId"] == "FROM-A-REPORT"
        audit = lab.get(f"{server.url}/als/api/v1/auditlogs/search", params={"caseId": "FROM-A-REPORT"}).json()
        assert "REPORTS_SIGNED_OFF" in audit["content"][0]["message"]
        # The folder's override answers for its workgroup only.
        assert lab.get(f"{server.url}/crs/api/v1/session/workgroups").json()["workgroupRoles"][0]["orgName"] == "Lab seven"
        # Reset goes back to the folder; a server reset too, the override included.
        control = MockControl(server.url)
        control.reset()
        assert lab.get(f"{server.url}/crs/api/v2/cases/{BREAST_CASE}").json()["status"] == "READY_FOR_INTERPRETATION"
        control.delete_workgroup(LAB)
        control.reset_server()
        assert lab.get(f"{server.url}/cfg/api/v1/disease-config").json() == CONFIG
        assert len(control.overrides()) == 1
    finally:
        server.stop()


def test_a_state_export_keeps_a_workgroups_disease_configuration(tmp_path: Path) -> None:
    server = start_server(cases=0, fixtures=lab_folder(tmp_path))
    try:
        control = MockControl(server.url)
        exported = control.export_state(LAB)
        control.delete_workgroup(LAB)
        control.import_state(exported)
        assert session(LAB).get(f"{server.url}/cfg/api/v1/disease-config").json() == CONFIG
    finally:
        server.stop()


def test_a_mock_server_takes_a_fixture_folder(tmp_path: Path) -> None:
    with MockServer(cases=0, fixtures=lab_folder(tmp_path)) as server:
        assert len(server.control.bound(LAB).cases()) == 5


@pytest.mark.parametrize(("change", "where", "reason"), [
    (lambda root: write(root / "fixtures.json", {"format": "other"}), "fixtures.json: format",
     "expected 'ici-mock-fixtures/1'"),
    (lambda root: write(root / "fixtures.json", {"format": "ici-mock-fixtures/1", "workgroups": [{"id": LAB, "size": 1}]}),
     "fixtures.json: workgroups[0]: size", "unknown field"),
    (lambda root: write(root / "fixtures.json", {"format": "ici-mock-fixtures/1", "workgroups": [{"id": "../x"}]}),
     "workgroups[0]: id", "not usable as a folder name"),
    (lambda root: write(root / "workgroups" / LAB / "cases" / "breast.json", {**BREAST, "status": "DONE"}),
     "breast.json: status", "Must be one of"),
    (lambda root: write(root / "workgroups" / LAB / "cases" / "breast.json", {**BREAST, "createdDate": "yesterday"}),
     "breast.json: createdDate", ""),
    (lambda root: (root / "workgroups" / LAB / "cases" / "breast.json").write_text("{not json"), "breast.json", "not JSON"),
    (lambda root: write(root / "workgroups" / LAB / "disease-config.json", {"name": "x"}), "disease-config.json",
     "expected a list of diseases"),
    (lambda root: write(root / "workgroups" / LAB / "cases" / "copy.json", BREAST), "copy.json: id",
     "is also the id of the case in"),
    (lambda root: write(root / "overrides" / "workgroups.json", [{"operation": "getCase", "response": {"status": 299}}]),
     "workgroups.json: 0.response", "getCase documents no 299 answer"),
])
def test_a_fixture_the_mock_cannot_serve_is_refused_naming_its_file_and_field(tmp_path: Path, change: Any,
                                                                             where: str, reason: str) -> None:
    change(lab_folder(tmp_path))
    with pytest.raises(FixtureError if "overrides" not in where and "workgroups.json: 0" not in where else ValueError) as refused:
        create_app(cases=0, fixtures=tmp_path)
    assert where in str(refused.value) and reason in str(refused.value)


def test_a_fixture_case_with_a_generated_cases_id_is_refused_naming_its_file(tmp_path: Path) -> None:
    with MockServer(cases=1) as server:  # the default workgroup's first generated case, seed 42
        generated = next(c for c in server.control.cases() if c["displayId"].startswith("ILM-"))
    lab_folder(tmp_path)
    write(tmp_path / "workgroups" / WG / "cases" / "generated.json", generated)
    with pytest.raises(FixtureError, match=r"generated\.json: id: .* is also the id of a case generated from seed 42"):
        create_app(cases=1, fixtures=tmp_path)
    assert create_app(cases=1, seed=43, fixtures=tmp_path)  # another seed, other ids


def test_serve_and_record_from_the_command_line(tmp_path: Path) -> None:
    """``mockserver record`` in front of a mock, then ``serve --fixtures`` (by variable) on what it wrote."""
    upstream = start_server(cases=3)
    out, url_file = tmp_path / "recorded", tmp_path / "url"
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "record", "--upstream", upstream.url, "--out", str(out),
                             "--port", "0", "--url-file", str(url_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not url_file.exists() or not url_file.read_text().strip():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.05)
        base = url_file.read_text().strip()
        cases = session(WG).get(f"{base}/crs/api/v1/cases/search").json()["content"]
        assert len(cases) == 5
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=10)[0]
        upstream.stop()
    assert proc.returncode == 0, output
    assert "identifying values replaced" in output
    port = free_port()
    served = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--cases", "0", "--port", str(port)],
                              env={"MOCKSERVER_FIXTURES": str(out), "PATH": ""}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                found = session(WG).get(f"http://127.0.0.1:{port}/crs/api/v1/cases/search", timeout=1).json()
                break
            except requests.ConnectionError:
                assert served.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        assert sorted(c["id"] for c in found["content"]) == sorted(c["id"] for c in cases)
    finally:
        served.send_signal(signal.SIGTERM)
        served.communicate(timeout=10)


@pytest.mark.parametrize(("flags", "message"), [
    (["--upstream", "ftp://x"], "--upstream must be an http:// or https:// URL"),
    (["--upstream", "http://127.0.0.1:9", "--workgroup-map", "nothing"], "--workgroup-map takes UPSTREAM=LOCAL"),
    (["--upstream", "http://127.0.0.1:9", "--api-key-env", "ICI_NO_SUCH_VARIABLE"], "is not set or empty"),
    (["--upstream", "http://127.0.0.1:9", "--upstream-timeout", "0"], "--upstream-timeout is out of range"),
])
def test_record_refuses_bad_flags_in_one_line(tmp_path: Path, flags: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "mockserver", "record", "--out", str(tmp_path), *flags],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and message in result.stderr
