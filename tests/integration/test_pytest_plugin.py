"""The pytest plugin, run on example test files with pytest's own pytester."""

from __future__ import annotations

import json

import pytest

from mockserver import MockServer

EXAMPLE = '''
import pytest

def test_fixture_gives_a_seeded_workgroup(ici_mock):
    page = ici_mock.get("/crs/api/v1/cases/search", params={"pageSize": 100}).json()
    assert page["totalElements"] == 20
    assert ici_mock.session.headers["X-ILMN-Workgroup"] == ici_mock.workgroup

@pytest.mark.ici_mock(cases=5, seed=3)
def test_marker_sets_size_and_seed(ici_mock):
    assert ici_mock.get("/crs/api/v1/cases/search").json()["totalElements"] == 5
    assert ici_mock.created["seed"] == 3

@pytest.mark.ici_mock(cases=0)
def test_control_is_bound_to_the_workgroup(ici_mock):
    ici_mock.control.add_cases({"displayId": "MINE"})
    assert [c["displayId"] for c in ici_mock.control.cases()] == ["MINE"]
    ici_mock.get("/crs/api/v1/cases/search")
    ici_mock.control.assert_requested(operation="searchCases", count=1)

def test_server_is_shared(ici_server, ici_mock):
    assert ici_mock.url == ici_server.url

NO_ROLES = {"workgroupRoles": []}

@pytest.mark.ici_mock(overrides=[{"operation": "listWorkgroups", "response": {"status": 200, "body": NO_ROLES}}])
def test_marker_overrides_answer_this_test_only(ici_mock):
    assert ici_mock.get("/crs/api/v1/session/workgroups").json() == NO_ROLES
    empty = {"content": [], "totalElements": 0}
    ici_mock.control.add_override(operation="searchCases", times=1, validate=False, response={"body": empty})
    assert ici_mock.get("/crs/api/v1/cases/search").json() == empty
    assert ici_mock.get("/crs/api/v1/cases/search").json()["totalElements"] == 20

def test_overrides_end_with_their_test(ici_server, ici_mock):
    assert ici_server.control.overrides() == []
    assert ici_mock.get("/crs/api/v1/session/workgroups").json()["workgroupRoles"] != []
'''


def test_plugin__fixtures_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=EXAMPLE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_plugin__same_test_same_data_on_every_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_data='''
import json, pathlib

def test_dump(ici_mock):
    cases = ici_mock.get("/crs/api/v1/cases/search", params={"pageSize": 100}).json()["content"]
    pathlib.Path("out.json").open("a").write(json.dumps([c["id"] for c in cases]) + "\\n")
''')
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    first, second = (pytester.path / "out.json").read_text().splitlines()
    assert first == second and len(json.loads(first)) == 20


def test_plugin__parallel_workers_never_share_data(pytester: pytest.Pytester) -> None:
    tests = "\n".join(f'''
@pytest.mark.ici_mock(cases=0)
def test_isolated_{n}(ici_mock):
    ici_mock.control.add_cases(*[{{"displayId": "W{n}-" + str(i)}} for i in range(3)])
    time.sleep(0.2)
    names = [c["displayId"] for c in ici_mock.get("/crs/api/v1/cases/search").json()["content"]]
    assert sorted(names) == ["W{n}-0", "W{n}-1", "W{n}-2"]
    pathlib.Path("workers.txt").open("a").write(os.environ.get("PYTEST_XDIST_WORKER", "-") + "\\n")
''' for n in range(8))
    pytester.makepyfile(test_parallel="import os, pathlib, time\nimport pytest\n" + tests)
    result = pytester.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=8)
    workers = set((pytester.path / "workers.txt").read_text().split())
    assert workers == {"gw0", "gw1"}


def test_plugin__parallel_workers_on_one_external_server(pytester: pytest.Pytester) -> None:
    with MockServer() as server:
        tests = "\n".join(f'''
@pytest.mark.ici_mock(cases=2)
def test_shared_{n}(ici_mock):
    ici_mock.control.add_cases({{"displayId": "X{n}"}})
    page = ici_mock.get("/crs/api/v1/cases/search").json()
    names = [c["displayId"] for c in page["content"]]
    assert page["totalElements"] == 3 and "X{n}" in names and not [x for x in names if x.startswith("X") and x != "X{n}"]
''' for n in range(6))
        pytester.makepyfile(test_shared="import pytest\n" + tests)
        result = pytester.runpytest_subprocess("-n", "2", f"--ici-mock-url={server.url}")
        result.assert_outcomes(passed=6)
        control = server.control
        assert [w for w in control.workgroups() if w["id"].startswith("pytest-")] == []  # cleaned up
        searches = control.requests(operation="searchCases", limit=1000)
        assert len(searches) == 6 and len({e["workgroup"] for e in searches}) == 6  # one workgroup per test


def test_plugin__external_server_from_environment(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    with MockServer() as server:
        monkeypatch.setenv("ICI_MOCK_URL", server.url)
        pytester.makepyfile(test_env='''
def test_uses_it(ici_mock, ici_server):
    assert ici_server.external
    assert ici_mock.get("/crs/api/v1/cases/search").status_code == 200
''')
        pytester.runpytest_subprocess().assert_outcomes(passed=1)
        assert server.control.count_requests(operation="searchCases") == 1


def test_plugin__unreachable_external_server_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(ici_mock):\n    pass\n")
    result = pytester.runpytest_subprocess("--ici-mock-url=http://127.0.0.1:9")
    assert result.ret == 3
    result.stdout.fnmatch_lines(["*ici-mock: no mock server answers at http://127.0.0.1:9*"])


def test_plugin__failure_report_has_journal_and_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_fails='''
import pytest

@pytest.mark.ici_mock(cases=3)
def test_client_bug(ici_mock):
    ici_mock.control.add_fault(operation="searchCases", status=503, times=1)
    first = ici_mock.get("/crs/api/v1/cases/search", params={"tags": "onc"})
    second = ici_mock.get("/crs/api/v2/cases/no-such-case")
    assert first.status_code == 200, "the client did not retry"
''')
    result = pytester.runpytest_subprocess("--ici-mock-report-dir=evidence")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*ici-mock requests*",
        "GET /crs/api/v1/cases/search?tags=onc -> 503 searchCases fault=error",
        "GET /crs/api/v2/cases/no-such-case -> 404 getCase",
        "*journal and state export in*evidence*",
        "*ici-mock client report*",
        "ICI mock client report: 1 client, 2 findings",
        "*INFO    no-retry-after-fault ×1*",
        "*WARNING client-errors ×1*",
    ])
    folder = next((pytester.path / "evidence").iterdir())
    clients = json.loads((folder / "client-report.json").read_text())["clients"]
    assert [f["rule"] for f in clients[0]["findings"]] == ["no-retry-after-fault", "client-errors"]
    assert (folder / "client-report.txt").read_text().startswith("ICI mock client report: 1 client, 2 findings")
    journal = json.loads((folder / "journal.json").read_text())
    state = json.loads((folder / "state.json").read_text())
    assert [e["status"] for e in journal] == [503, 404]
    assert len(state["workgroups"]) == 1 and state["workgroups"][0]["generatedCases"] == 3
    with MockServer() as replay:  # the export replays elsewhere
        replay.control.import_state(state)
        assert len(replay.control.cases(workgroup=state["workgroups"][0]["id"])) == 3


def test_plugin__failure_report_shows_only_this_runs_requests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_fails='''
def test_client_bug(ici_mock):
    ici_mock.get("/crs/api/v2/cases/no-such-case")
    assert False
''')
    with MockServer() as server:
        for _ in range(2):
            result = pytester.runpytest_subprocess(f"--ici-mock-url={server.url}", "--ici-mock-report-dir=evidence")
            result.assert_outcomes(failed=1)
    assert result.stdout.str().count("GET /crs/api/v2/cases/no-such-case -> 404 getCase") == 1
    folder = next((pytester.path / "evidence").iterdir())
    assert [e["path"] for e in json.loads((folder / "journal.json").read_text())] == ["/crs/api/v2/cases/no-such-case"]


def test_plugin__bad_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad='''
import pytest

@pytest.mark.ici_mock(size=3)
def test_x(ici_mock):
    pass
''')
    result = pytester.runpytest_subprocess()
    assert "ici_mock marker: unknown option(s) ['size']" in result.stdout.str()
    result.assert_outcomes(errors=1)


SERVER_WIDE_CHANGES = '''
def test_a_changes_things(ici_mock):
    ici_mock.control.freeze("2026-01-01T00:00:00Z")
    ici_mock.control.set_lifecycle(processing={"mode": "manual"})
    ici_mock.control.set_latency(default={"fixedMs": 1})
    ici_mock.control.add_fault(operation="getCase", status=500)
    ici_mock.control.set_client_rules(poll_interval_seconds=5, storm_retries=2)

def test_b_sees_a_clean_server(ici_mock, ici_server):
    assert ici_mock.control.clock()["mode"] == "real"
    assert ici_mock.control.lifecycle()["processing"]["mode"] == "time"
    assert ici_mock.control.latency()["default"] is None
    assert ici_server.control.faults() == []
    rules = ici_mock.control.client_rules()
    assert (rules["pollIntervalSeconds"], rules["stormRetries"]) == (1.0, 5)
'''


def test_plugin__server_wide_changes_are_put_back(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_order=SERVER_WIDE_CHANGES)
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=2)


def test_plugin__server_wide_changes_are_put_back_on_an_external_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_order=SERVER_WIDE_CHANGES)
    with MockServer() as server:
        pytester.runpytest_subprocess("-p", "no:randomly", f"--ici-mock-url={server.url}").assert_outcomes(passed=2)
        assert server.control.clock()["mode"] == "real" and server.control.latency()["default"] is None


def test_plugin__a_test_run_twice_in_one_session_sees_only_its_own_requests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_twice='''
def test_counts(ici_mock):
    ici_mock.get("/crs/api/v1/cases/search")
    ici_mock.control.assert_requested(operation="searchCases", count=1)
''')
    result = pytester.runpytest_subprocess("--keep-duplicates", "test_twice.py", "test_twice.py")
    result.assert_outcomes(passed=2)


CLIENT_RULES = """
import pytest

CASES = "/crs/api/v1/cases/search"


def poll(ici_mock):
    case = ici_mock.get(CASES).json()["content"][0]["id"]
    for _ in range(3):
        ici_mock.get(f"/crs/api/v2/cases/{case}")


@pytest.mark.ici_mock(cases=2, client_rules="strict")
def test_strict_fails_at_teardown(ici_mock):
    poll(ici_mock)


def test_assert_client_behaved_fails_with_the_report(ici_mock):
    poll(ici_mock)
    ici_mock.assert_client_behaved()


def test_ignored_rules_and_info_findings_pass(ici_mock):
    poll(ici_mock)
    ici_mock.control.add_fault(operation="searchCases", kind="connectionReset", times=1)
    with pytest.raises(Exception):
        ici_mock.get(CASES)
    ici_mock.assert_client_behaved(ignore=["poll-too-fast"])
    with pytest.raises(ValueError, match="unknown client rule"):
        ici_mock.assert_client_behaved(ignore=["poll-to-fast"])


@pytest.mark.ici_mock(client_rules="strict")
def test_a_well_behaved_client_passes_strict(ici_mock):
    ici_mock.get(CASES)
"""


def test_plugin__client_rules_fail_tests_and_the_report_prints_at_the_end(pytester: pytest.Pytester) -> None:
    """Across pytest-xdist workers: each test's report reaches the session's summary."""
    pytester.makepyfile(test_clients=CLIENT_RULES)
    result = pytester.runpytest_subprocess("-n", "2", "--ici-client-report", "-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1, errors=1)
    result.stdout.fnmatch_lines_random([
        "*ERROR at teardown of test_strict_fails_at_teardown*",
        "*client_rules='strict': the client broke poll-too-fast",
        "*ClientBehaviourError: the client broke poll-too-fast",
        "*= ici-mock client report =*",
        "test_clients.py::test_ignored_rules_and_info_findings_pass",
        "*WARNING poll-too-fast ×2 (first *",
        "*INFO    no-retry-after-fault ×1 *",
        "4 tests reported; 3 with findings, 3 with errors or warnings",
    ])
