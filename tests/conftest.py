"""Live servers on free loopback ports, a requests session with the vendor's headers, and
headless Chromium for the pages a person opens."""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver import create_app
from mockserver.datagen.world import build_workgroup
from mockserver.domain.mock_state import MockState
from mockserver.domain.workgroup import Workgroup
from mockserver.serving.connection_faults import NOT_CARRIED_OUT
from mockserver.serving.runner import ServerThread
from mockserver.testing.clients import VendorClient

pytest_plugins = ["pytester"]

WG = "3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11"  # the default workgroup (README)
BREAST_CASE = "0f6b2a44-5c1d-4e7a-9b3f-2d8c6e1a7b90"  # fixtures/cases/fixture_001_breast.json
THYROID_CASE = "1a7c3b55-6d2e-4f8b-8c4a-3e9d7f2b8c01"  # fixtures/cases/fixture_002_thyroid.json


class Api(VendorClient):
    """A client of one live server: ``api.get("/crs/...", params=...)`` with auth headers."""

    def __init__(self, server: ServerThread, workgroup: str = WG, key: str = "test-key") -> None:
        session = requests.Session()
        session.headers.update(
            {"Authorization": f"ApiKey {key}", "X-ILMN-Domain": "test-domain", "X-ILMN-Workgroup": workgroup}
        )
        super().__init__(server.url, session)
        self.server = server

    @property
    def state(self) -> MockState:
        return self.server.app.extensions["mockserver"]

    def admin(self, method: str, path: str, json: Any = None, expect: int | None = 200, **kwargs: Any) -> Any:
        """Call the control plane; check the status (unless expect is None) and return the JSON."""
        response = self.request(method, "/_mock" + path, json=json, **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def case(self, case_id: str) -> dict[str, Any]:
        response = self.get(f"/crs/api/v2/cases/{case_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def search(self, **params: Any) -> dict[str, Any]:
        response = self.get("/crs/api/v1/cases/search", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def upload_status(self, upload_id: str) -> dict[str, Any]:
        response = self.get(f"/crs/api/v1/custom-case-data/{upload_id}/status")
        assert response.status_code == 200, response.text
        return response.json()

    def upload(self, text: str | bytes, name: str = "m.csv") -> str:
        """Upload one CSV file (custom case data); its upload id."""
        data = text.encode() if isinstance(text, str) else text
        response = self.post("/crs/api/v2/custom-case-data/files", files=[("files", (name, data, "text/csv"))],
                             timeout=60)
        assert response.status_code == 200, response.text
        return response.json()[0]["id"]

    def advance_clock(self, seconds: float) -> None:
        """Move the mock's clock forward through the control plane."""
        self.admin("POST", "/clock/advance", {"seconds": seconds})

    def all_cases(self, **params: Any) -> list[dict[str, Any]]:
        return self.search(pageSize=2000, **params)["content"]


#: The server the HTTP suites run under; CI runs them under each (``MOCKSERVER_SERVER=granian``).
SERVER = os.environ.get("MOCKSERVER_SERVER") or "waitress"
#: The faults that server refuses, each with its reason.
REFUSED_FAULTS = NOT_CARRIED_OUT.get(SERVER, {})


def carried_out(kind: str) -> pytest.MarkDecorator:
    """Skips a test of a ``kind`` fault under a server that refuses that kind, giving its reason."""
    return pytest.mark.skipif(kind in REFUSED_FAULTS, reason=REFUSED_FAULTS.get(kind, ""))


def start_server(**settings: Any) -> ServerThread:
    """A live server. Its responses are checked against its OpenAPI document only where a test
    asks (``validate_responses=True``): the contract tests do, once per operation."""
    return ServerThread(create_app(**{"server": SERVER, **settings})).start()


@pytest.fixture(scope="session")
def shared_server() -> Iterator[ServerThread]:
    """One server for tests that only read."""
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def api(shared_server: ServerThread) -> Iterator[Api]:
    client = Api(shared_server)
    yield client
    client.close()


@pytest.fixture
def fresh_api() -> Iterator[Api]:
    """A server of its own, for tests that change data."""
    server = start_server()
    client = Api(server)
    yield client
    client.close()
    server.stop()


#: Installed plugins the suite's own inner pytest runs never use: loading them costs each run
#: about a second of start-up. The ici_mock plugin still loads from its entry point.
UNUSED_IN_INNER_RUNS = "-p no:schemathesis -p no:hypothesispytest -p no:anyio"


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_ADDOPTS", UNUSED_IN_INNER_RUNS)
    return pytester


FROZEN_AT = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
#: Where the domain's unit tests start their explicit times: after every seeded case's dates.
T0 = datetime(2026, 11, 10, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """``seconds`` after ``T0``."""
    return T0 + timedelta(seconds=seconds)


def import_layers() -> list[str]:
    """The layers of the package, top to bottom, as ``[tool.importlinter]`` states them."""
    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["tool"]["importlinter"]
    [layers] = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    return layers


def workgroup(seed: int, cases: int) -> Workgroup:
    """A workgroup seeded as a server's would be, for the domain's unit tests (no HTTP)."""
    return build_workgroup("wg", "Workgroup", seed=seed, cases=cases)


@pytest.fixture
def frozen_api(fresh_api: Api) -> Api:
    """A server of its own whose clock stands still until the test advances it."""
    fresh_api.state.clock.freeze(FROZEN_AT)
    return fresh_api


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Screenshots of the pages, for a person to look at (CI keeps them).
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped outside CI when it is not installed (in CI,
    .ci/run installs it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run should have installed Debian's chromium package")
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def screenshot(target: Any, name: str, full_page: bool = False) -> Path:
    """Save a screenshot of a page (or an element) under ``test-artifacts/``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if full_page:
        target.screenshot(path=str(path), full_page=True)
    else:
        target.screenshot(path=str(path))
    return path
