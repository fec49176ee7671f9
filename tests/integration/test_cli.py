"""``mockserver serve`` / ``python -m mockserver`` as a user runs them: a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests
from processes import HEADERS, free_port, serving

from mockserver import fidelity


def search_total(url: str) -> int:
    return requests.get(url + "/crs/api/v1/cases/search", headers=HEADERS, timeout=10).json()["totalElements"]


def test_serve__defaults_seed_data_and_logs_each_request() -> None:
    with serving() as (url, proc):
        assert search_total(url) == fidelity.DEFAULT_CASES + 2
        requests.get(url + "/crs/api/v2/cases/nope", headers=HEADERS, timeout=10)
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=10)[0]
    assert proc.returncode == 0
    assert "serving the ICI Case APIs on http://127.0.0.1:" in output
    assert "GET /crs/api/v1/cases/search 200" in output
    assert "GET /crs/api/v2/cases/nope 404" in output
    assert "waitress" not in output.lower() or "development server" not in output.lower()


def test_serve__flags_set_seed_cases_and_keys() -> None:
    with serving("--seed", "9", "--cases", "15", "--api-key", "secret", "--no-access-log") as (url, _):
        assert requests.get(url + "/crs/api/v1/cases/search", headers=HEADERS, timeout=10).status_code == 401
        good = {**HEADERS, "Authorization": "ApiKey secret"}
        page = requests.get(url + "/crs/api/v1/cases/search", headers=good, timeout=10).json()
        assert page["totalElements"] == 17


def test_serve__environment_variables_configure_it() -> None:
    port = free_port()
    env = {"MOCKSERVER_PORT": str(port), "MOCKSERVER_SEED": "9", "MOCKSERVER_CASES": "15"}
    with serving(env=env) as (url, _):
        assert url.endswith(str(port))
        assert search_total(url) == 17


def test_serve__same_seed_same_data_across_processes() -> None:
    def snapshot() -> list[dict]:
        with serving("--seed", "3", "--cases", "40") as (url, _):
            return requests.get(url + "/crs/api/v1/cases/search", params={"pageSize": 100},
                                headers=HEADERS, timeout=10).json()["content"]
    assert snapshot() == snapshot()


def test_serve__flag_beats_environment() -> None:
    with serving("--cases", "5", env={"MOCKSERVER_CASES": "50"}) as (url, _):
        assert search_total(url) == 7


def test_serve__bad_environment_value_is_a_clear_error() -> None:
    env = {**os.environ, "MOCKSERVER_CASES": "many"}
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "MOCKSERVER_CASES must be a whole number" in result.stderr


def test_serve__bad_flag_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--cases", "-3"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "out of range" in result.stderr


def test_serve__missing_fixture_folder_is_a_clear_error(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--fixtures", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_serve__own_fixture_folder(tmp_path) -> None:
    from mockserver.datagen.catalog import fixtures_dir

    (tmp_path / "one.json").write_text((fixtures_dir() / "cases" / "fixture_001_breast.json").read_text())
    with serving("--fixtures", str(tmp_path), "--cases", "3") as (url, _):
        assert search_total(url) == 4


def test_serve__invalid_fixture_file_is_a_clear_error(tmp_path) -> None:
    (tmp_path / "bad.json").write_text('{"id": "x"}')
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--fixtures", str(tmp_path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "bad.json is not a valid case" in result.stderr and "displayId" in result.stderr


def test_serve__runtime_settings_from_config_file_env_and_flags(tmp_path) -> None:
    config = tmp_path / "mock.yaml"
    config.write_text(
        "seed: 5\n"
        "cases: 12\n"
        "clock: {mode: frozen, now: '2026-01-01T00:00:00Z'}\n"
        "lifecycle: {processing: {mode: manual}}\n"
        "faults: [{operation: listWorkgroups, status: 503, times: 1}]\n"
        "workgroups: [{id: lab-2, name: Lab Two, cases: 4}]\n"
        "journalSize: 50\n"
    )
    env = {"MOCKSERVER_LATENCY": '{"default": {"fixedMs": 1}}'}
    with serving("--config", str(config), "--cases", "3", env=env) as (url, _):
        get = lambda path: requests.get(url + path, timeout=10).json()  # noqa: E731
        assert search_total(url) == 5  # the flag beat the file
        assert get("/_mock/clock") == {"mode": "frozen", "now": "2026-01-01T00:00:00Z"}
        assert get("/_mock/lifecycle")["processing"]["mode"] == "manual"
        assert get("/_mock/latency")["default"] == {"fixedMs": 1.0}
        assert {w["id"] for w in get("/_mock/workgroups")} == {fidelity.DEFAULT_WORKGROUP_ID, "lab-2"}
        count = requests.post(url + "/_mock/requests/count", json={"operation": "listWorkgroups", "status": 503}, timeout=10)
        assert count.json()["count"] == 1  # the readiness probe met the configured one-time fault
        assert get("/_mock/faults") == []


def test_serve__admin_token_flag() -> None:
    with serving("--admin-token", "t0k") as (url, _):
        assert requests.get(url + "/_mock/clock", timeout=10).status_code == 401
        assert requests.get(url + "/_mock/clock", headers={"Authorization": "Bearer t0k"}, timeout=10).status_code == 200


def test_serve__invalid_runtime_setting_is_a_clear_error(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--lifecycle", '{"processing": {"mode": "later"}}'],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "invalid lifecycle setting: processing.mode" in result.stderr
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--faults", "not json"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--faults must be JSON" in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("seeds: 3\n")
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--config", str(bad)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "unknown setting 'seeds'" in result.stderr
