"""The fast mode (``serve --server granian``): what differs from waitress, over HTTP. The rest of
its behaviour is the HTTP suites' own, which CI runs under it (``MOCKSERVER_SERVER=granian``)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import BREAST_CASE, WG, Api
from processes import serving

from mockserver import create_app
from mockserver.serving.runner import ServerThread


@pytest.fixture
def granian() -> Iterator[Api]:
    server = ServerThread(create_app(cases=5, server="granian")).start()
    client = Api(server)
    yield client
    client.close()
    server.stop()


@pytest.mark.parametrize("kind", ["connectionReset", "emptyResponse", "truncatedBody"])
def test_a_fault_granian_cannot_carry_out_is_refused_naming_the_server_and_the_alternative(granian: Api,
                                                                                           kind: str) -> None:
    refused = granian.admin("POST", "/faults", {"operation": "getCase", "kind": kind}, expect=400)
    assert refused["details"][0]["field"] == "kind"
    assert f"granian server cannot carry out {kind}" in refused["message"]
    assert "--server waitress" in refused["message"]
    listed = granian.admin("POST", "/faults", [{"kind": "error"}, {"kind": kind}], expect=400)
    assert listed["details"][0]["field"] == "1.kind"
    assert granian.admin("GET", "/faults") == []  # all or nothing
    assert granian.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 200


def test_granian_carries_out_an_error_fault(granian: Api) -> None:
    granian.admin("POST", "/faults", {"operation": "getCase", "kind": "error", "status": 502, "times": 1}, expect=201)
    assert granian.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 502
    assert granian.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 200


def test_a_state_with_a_fault_granian_refuses_is_not_imported(granian: Api) -> None:
    state = granian.admin("GET", "/state")
    state["faults"] = [{"operation": "*", "kind": "emptyResponse", "status": 503, "times": None, "probability": 1.0,
                        "workgroup": None, "retryAfter": None, "message": None}]
    refused = granian.admin("PUT", "/state", state, expect=400)
    assert refused["details"][0]["field"] == "faults.0.kind"
    assert granian.admin("GET", "/faults") == []


def test_the_dashboard_offers_only_the_faults_the_server_carries_out(granian: Api) -> None:
    kinds = granian.admin("GET", "/overview")["faultKinds"]
    assert kinds == ["error"]


def test_a_start_up_fault_granian_cannot_carry_out_stops_the_start() -> None:
    with pytest.raises(ValueError, match="invalid faults setting: 0.kind: the granian server cannot carry out"):
        create_app(cases=0, server="granian", faults=[{"kind": "connectionReset"}])


def test_the_process_environment_never_reaches_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """granian's own WSGI wrapper starts each environ from os.environ: HTTP_PROXY would be a header."""
    monkeypatch.setenv("HTTP_X_PLANTED", "from the environment")
    server = ServerThread(create_app(cases=0, server="granian")).start()
    try:
        client = Api(server)
        client.get(f"/crs/api/v2/cases/{BREAST_CASE}", headers={"X-Sent": "by the client"})
        (entry,) = client.admin("GET", "/requests", params={"limit": 1})
    finally:
        server.stop()
    assert entry["workgroup"] == WG and entry["headers"]["X-Sent"] == "by the client"
    assert "X-Planted" not in entry["headers"]


def test_asyncio_code_in_the_same_process_still_lists_its_tasks(granian: Api) -> None:
    """granian's default scheduler puts a half-made task in asyncio's registry, and
    asyncio.all_tasks() (Playwright calls it on exit) then raised RuntimeError."""
    assert granian.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 200

    async def tasks() -> int:
        return len(asyncio.all_tasks())

    with ThreadPoolExecutor(1) as pool:  # a thread of its own: this one may run a loop already (Playwright's)
        assert pool.submit(lambda: asyncio.run(tasks())).result(timeout=30) == 1


def test_a_config_file_chooses_the_server_and_its_threads(tmp_path: Path) -> None:
    config = tmp_path / "mock.yaml"
    config.write_text("server: granian\nthreads: 4\n")
    with serving("--config", str(config), "--cases", "0") as (url, proc):
        assert requests.get(url + "/_mock/health", timeout=10).status_code == 200
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0 and "(granian, 4 threads;" in output


def test_an_unknown_server_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="server must be one of waitress, granian, not 'tomcat'"):
        create_app(cases=0, server="tomcat")
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--cases", "0"], capture_output=True,
                            text=True, timeout=60, env={"MOCKSERVER_SERVER": "tomcat", "PATH": ""})
    assert result.returncode == 2
    assert "MOCKSERVER_SERVER must be one of waitress, granian, not 'tomcat'" in result.stderr
