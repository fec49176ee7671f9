"""pytest plugin (registered through the ``pytest11`` entry point): installing the package is enough.

- ``ici_server`` (session): the mock in this process on a free loopback port, started once;
  or, with ``--ici-mock-url`` / ``ICI_MOCK_URL``, a server that is already running.
- ``ici_mock`` (function): a fresh workgroup of its own for each test, seeded as the
  ``@pytest.mark.ici_mock(cases=20, seed=3)`` marker says, with a vendor session and a
  control-plane client bound to it; deleted after the test. Parallel workers (pytest-xdist)
  never see each other's data.
- What a test changes for the whole server (the clock's mode, the default plans, latency, the
  client rules' settings) is
  put back after it; fault rules and overrides scoped to its workgroup go with the workgroup.
  ``@pytest.mark.ici_mock(overrides=[...])`` adds overrides for the test's workgroup. With a shared
  external server, tests that change those server-wide settings must not run in parallel.
- A failing test gets its requests (the journal of its workgroup) and its client report in its
  report, and the journal, the client report and the state export written under
  ``--ici-mock-report-dir``, to replay the failure.
- The client report judges what the test's client did against the API's rules:
  ``ici_mock.assert_client_behaved(ignore=[...])`` fails a test on a broken rule,
  ``@pytest.mark.ici_mock(client_rules="strict")`` does so at teardown, and
  ``--ici-client-report`` prints each test's findings at the end of the session.

Imports of the mock itself happen inside the fixtures: a plugin loads in every pytest run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .clients import MockControl
    from .embedded import MockServer

MARKER_OPTIONS: dict[str, Any] = {"cases": 20, "seed": None, "name": None, "client_rules": None, "overrides": ()}
#: ``client_rules``: "strict" fails the test at teardown on a broken rule; None only reports.
CLIENT_RULES = (None, "strict")
_MOCK_KEY = pytest.StashKey["IciMock"]()
#: A test's user property holding its client report for ``--ici-client-report``: properties
#: travel with the teardown report, from pytest-xdist's workers too.
_REPORT_PROPERTY = "ici_client_report"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ici-mock", "ICI mock server")
    group.addoption("--ici-mock-url", default=None,
                    help="use the mock server already running at this URL (also ICI_MOCK_URL)")
    group.addoption("--ici-mock-admin-token", default=None,
                    help="admin token of that server's control plane (also ICI_MOCK_ADMIN_TOKEN)")
    group.addoption("--ici-mock-report-dir", default=None,
                    help="where failing tests' journal and state go (default ici-mock-reports; also ICI_MOCK_REPORT_DIR)")
    group.addoption("--ici-client-report", action="store_true", default=False,
                    help="print each ici_mock test's client report findings (the API's rules its client broke) "
                         "at the end of the session")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ici_mock(cases=20, seed=None, name=None, client_rules=None): how to seed the test's ici_mock "
                   "workgroup; client_rules='strict' fails the test at teardown when its client broke a rule"
    )
    if config.getoption("--ici-client-report", False):
        config.pluginmanager.register(_ClientReports(), "ici-client-reports")


@dataclass
class IciServer:
    """The server the session's tests use."""

    url: str
    control: MockControl
    external: bool
    embedded: MockServer | None = None
    #: Server-wide settings when the session's first test began; each test puts them back.
    baseline: dict[str, Any] | None = None
    #: Workgroup ids this session has created: only those can have requests in an embedded journal.
    opened: set[str] = field(default_factory=set)


class IciMock:
    """One test's view of the mock: its own workgroup, a vendor client (``get``, ``put``, ...,
    ``session``, ``url``) and ``control``, a control-plane client bound to the workgroup."""

    def __init__(self, server: IciServer, workgroup: str, control: MockControl, created: dict[str, Any]) -> None:
        from .clients import VendorClient

        self.server = server
        self.workgroup = workgroup
        self.control = control
        self.created = created
        self.vendor = VendorClient(server.url, control.vendor_session())
        self.url = self.vendor.url
        self.session = self.vendor.session
        self.request, self.get, self.put = self.vendor.request, self.vendor.get, self.vendor.put
        self.post, self.delete = self.vendor.post, self.vendor.delete

    def client_report(self) -> list[Any]:
        """This test's clients (requests to its workgroup), with their findings."""
        return self.control.client_report()

    def assert_client_behaved(self, ignore: Iterable[str] = ()) -> None:
        """Fail the test when its client broke a rule of the API (an error or a warning in the
        client report) other than those in ``ignore``; the message is the report."""
        self.control.assert_client_behaved(ignore)


def _option(config: pytest.Config, name: str, env: str) -> str | None:
    return config.getoption(name) or os.environ.get(env) or None


@pytest.fixture(scope="session")
def ici_server(request: pytest.FixtureRequest) -> Iterator[IciServer]:
    from .clients import MockControl, MockControlError

    url = _option(request.config, "--ici-mock-url", "ICI_MOCK_URL")
    token = _option(request.config, "--ici-mock-admin-token", "ICI_MOCK_ADMIN_TOKEN")
    if url:
        control = MockControl(url, admin_token=token)
        try:
            control.health()
        except (MockControlError, OSError) as exc:
            pytest.exit(f"ici-mock: no mock server answers at {url}: {exc}", returncode=3)
        yield IciServer(url.rstrip("/"), control, external=True)
        return
    from .embedded import MockServer

    server = MockServer().start()
    try:
        yield IciServer(server.url, server.control, external=False, embedded=server)
    finally:
        server.stop()


def _workgroup_id(nodeid: str, attempt: int) -> str:
    """The same id for the same test, so its seeded data is the same on every run."""
    digest = hashlib.sha256(nodeid.encode()).hexdigest()[:16]
    return f"pytest-{digest}" + (f"-{attempt}" if attempt else "")


@pytest.fixture
def ici_mock(ici_server: IciServer, request: pytest.FixtureRequest) -> Iterator[IciMock]:
    options = dict(MARKER_OPTIONS)
    marker = request.node.get_closest_marker("ici_mock")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError("ici_mock marker: use keywords, e.g. @pytest.mark.ici_mock(cases=20, seed=3)")
        unknown = set(marker.kwargs) - set(MARKER_OPTIONS)
        if unknown:
            raise pytest.UsageError(f"ici_mock marker: unknown option(s) {sorted(unknown)}; known: {sorted(MARKER_OPTIONS)}")
        options.update(marker.kwargs)
    if options["client_rules"] not in CLIENT_RULES:
        raise pytest.UsageError(f"ici_mock marker: client_rules is 'strict' or None, not {options['client_rules']!r}")
    mock = open_test_workgroup(ici_server, request.node.nodeid, options, default_name=request.node.name[:200])
    request.node.stash[_MOCK_KEY] = mock
    clients: list[Any] | None = None
    try:
        yield mock
        if options["client_rules"] == "strict" or request.config.getoption("--ici-client-report"):
            clients = mock.client_report()
    finally:
        close_test_workgroup(mock)
    if clients is None:
        return
    if request.config.getoption("--ici-client-report"):
        request.node.user_properties.append((_REPORT_PROPERTY, clients))
    if options["client_rules"] == "strict":
        from .clients import broken_rules, render_report

        broken = broken_rules(clients)
        if broken:
            pytest.fail(f"ici-mock client_rules='strict': the client broke {', '.join(broken)}\n"
                        + render_report(clients), pytrace=False)


def open_test_workgroup(server: IciServer, nodeid: str, options: dict[str, Any],
                        default_name: str | None = None) -> IciMock:
    """The fixture's set-up: a workgroup for the test (id from its node id), and clients bound to it."""
    from .clients import MockControlError

    if server.baseline is None:
        server.baseline = _server_wide_settings(server)
    for attempt in range(20):  # the same test running elsewhere against a shared server
        workgroup_id = _workgroup_id(nodeid, attempt)
        try:
            created = server.control.create_workgroup(
                id=workgroup_id, name=options.get("name") or default_name or workgroup_id,
                cases=options.get("cases", MARKER_OPTIONS["cases"]), seed=options.get("seed"),
            )
        except MockControlError as exc:
            if exc.status != 409:
                raise
            continue
        control = server.control.bound(workgroup_id)
        # The id repeats on every run; a shared server's journal still holds the earlier runs' requests.
        if server.external or workgroup_id in server.opened:
            control.clear_requests()
        server.opened.add(workgroup_id)
        if options.get("overrides"):
            control.add_overrides(options["overrides"])
        return IciMock(server, workgroup_id, control, created)
    raise RuntimeError("ici-mock: could not create a workgroup for this test")


def close_test_workgroup(mock: IciMock) -> None:
    """The fixture's clean-up: server-wide settings back as they were, the workgroup (and the
    fault rules and overrides scoped to it) gone."""
    from .clients import MockControlError

    mock.session.close()
    if mock.server.baseline is not None:
        _restore(mock.server, mock.server.baseline)
    try:
        mock.server.control.delete_workgroup(mock.workgroup)
    except MockControlError as exc:
        if exc.status != 404:
            raise


def _server_wide_settings(server: IciServer) -> dict[str, Any]:
    if server.embedded is not None:  # the same answers, without three round trips per test
        return server.embedded.server_wide_settings()
    control = server.control
    return {"clock": control.clock(), "lifecycle": control.lifecycle(), "latency": control.latency(),
            "clientRules": control.client_rules()}


def _restore(server: IciServer, before: dict[str, Any]) -> None:
    """Put back what a test changed for the whole server: clock mode, default plans, latency,
    the client rules' settings."""
    control = server.control
    now = _server_wide_settings(server)
    if now["clock"]["mode"] != before["clock"]["mode"]:
        if before["clock"]["mode"] == "real":
            control.unfreeze()
        else:
            control.freeze(before["clock"]["now"])
    if now["lifecycle"] != before["lifecycle"]:
        control.call("PUT", "/lifecycle", before["lifecycle"])
    if now["latency"] != before["latency"]:
        control.set_latency(**before["latency"])
    if now["clientRules"] != before["clientRules"]:
        control.call("PUT", "/client-rules", {k: v for k, v in before["clientRules"].items() if k != "rules"})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                               call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    mock = item.stash.get(_MOCK_KEY, None)
    if mock is not None and report.when == "call" and report.failed:
        _attach_evidence(item, report, mock)
    return report


def _attach_evidence(item: pytest.Item, report: pytest.TestReport, mock: IciMock) -> None:
    """Add the test's requests and client report to its report; write journal, client report
    and state files for a replay."""
    from .clients import render_report

    try:
        entries = mock.control.requests(limit=1000)
        clients = mock.client_report()
        state = mock.control.export_state(mock.workgroup)
    except Exception as exc:  # the evidence must never hide the test's own failure
        report.sections.append(("ici-mock", f"could not read the mock's journal: {exc}"))
        return
    base = _option(item.config, "--ici-mock-report-dir", "ICI_MOCK_REPORT_DIR") or "ici-mock-reports"
    folder = Path(item.config.rootpath, base) / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[:150]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "journal.json").write_text(json.dumps(entries, indent=1))
    (folder / "state.json").write_text(json.dumps(state, indent=1))
    (folder / "client-report.json").write_text(json.dumps({"clients": clients}, indent=1))
    rendered = render_report(clients)
    (folder / "client-report.txt").write_text(rendered)
    lines = [f"{e['method']} {e['path']}{'?' + _query(e['query']) if e['query'] else ''} -> "
             f"{e['status']} {e['operation'] or ''}{' fault=' + e['fault'] if e['fault'] else ''}"
             for e in entries]
    lines.append(f"(workgroup {mock.workgroup}; journal and state export in {folder};"
                 f" replay with PUT /_mock/state)")
    report.sections.append(("ici-mock requests", "\n".join(lines)))
    report.sections.append(("ici-mock client report", rendered))


class _ClientReports:
    """``--ici-client-report``: gathers each test's client report, prints them at the end."""

    def __init__(self) -> None:
        self.reports: list[tuple[str, list[Any]]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            for name, value in report.user_properties:
                if name == _REPORT_PROPERTY and isinstance(value, list):
                    self.reports.append((report.nodeid, value))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        from .clients import FAILING, render_report

        terminalreporter.section("ici-mock client report")
        with_findings = [(test, clients) for test, clients in self.reports if any(c["findings"] for c in clients)]
        for test, clients in with_findings:
            terminalreporter.write_line(test)
            for line in render_report(clients).splitlines():
                terminalreporter.write_line("  " + line)
        failing = sum(1 for _, clients in with_findings
                      if any(f["severity"] in FAILING for c in clients for f in c["findings"]))
        terminalreporter.write_line(f"{len(self.reports)} tests reported; {len(with_findings)} with findings, "
                                    f"{failing} with errors or warnings")


def _query(query: dict[str, list[str]]) -> str:
    return "&".join(f"{k}={v}" for k, values in query.items() for v in values)
