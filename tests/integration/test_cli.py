"""``mockserver serve`` / ``python -m mockserver`` as a user runs them: a real subprocess."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests
from processes import HEADERS, closed_by_server, free_port, serving, wait_until_up


def search_total(url: str) -> int:
    return requests.get(url + "/crs/api/v1/cases/search", headers=HEADERS, timeout=10).json()["totalElements"]


def test_serve__defaults_seed_data_and_logs_each_request() -> None:
    with serving() as (url, proc):
        assert search_total(url) == 102
        requests.get(url + "/crs/api/v2/cases/nope", headers=HEADERS, timeout=10)
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=10)[0]
    assert proc.returncode == 0
    assert "serving the ICI Case, Report and Audit Log APIs on http://127.0.0.1:" in output
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


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    return subprocess.run([sys.executable, "-m", "mockserver", *args], env=env, capture_output=True, text=True, timeout=30)


def test_serve__out_of_range_flags_name_the_allowed_range() -> None:
    result = run_cli("serve", "--cases", "-1")
    assert result.returncode == 2
    assert result.stderr.strip() == "mockserver: --cases -1 is out of range: use 0 to 1000000"
    result = run_cli("serve", "--port", "99999")
    assert result.returncode == 2
    assert result.stderr.strip() == "mockserver: --port 99999 is out of range: use 0 to 65535"


def test_serve__connection_bounds_from_flags_and_variables() -> None:
    """--header-timeout (a flag) and MOCKSERVER_CHANNEL_TIMEOUT (a variable) reach waitress."""
    with serving("--header-timeout", "1", env={"MOCKSERVER_CHANNEL_TIMEOUT": "1"}) as (url, _):
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as idle:
            idle.sendall(f"GET /_mock/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            assert idle.recv(65536).startswith(b"HTTP/1.1 200") and closed_by_server(idle, within=5)
        with socket.create_connection((host, int(port)), timeout=5) as slow:
            slow.sendall(b"GET /_mock/health HTTP/1.1\r\nX-Slow: 1")  # never finishes its headers
            assert closed_by_server(slow, within=5)
    result = run_cli("serve", "--connection-limit", "0")
    assert result.stderr.strip() == "mockserver: --connection-limit 0 is out of range: use 1 to 100000"


def test_serve__raises_its_open_files_limit_to_what_the_connection_limit_needs() -> None:
    import resource

    def low_soft_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (512, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    port = free_port()
    with subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--connection-limit", "2000"],
                          env=env, preexec_fn=low_soft_limit, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        try:
            wait_until_up(f"http://127.0.0.1:{port}", proc)
            limits = Path(f"/proc/{proc.pid}/limits").read_text()
            soft = int(next(line for line in limits.splitlines() if line.startswith("Max open files")).split()[3])
            assert soft == min(2256, hard)
        finally:
            proc.terminate()


def test_serve__port_in_use_is_one_clear_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--cases", "0")
    assert result.returncode == 2
    assert result.stderr.strip() == f"mockserver: port {port} is in use; pass --port N, or --port 0 for any free port"
    assert "Traceback" not in result.stderr + result.stdout


def test_serve__address_not_on_this_machine_is_one_clear_line() -> None:
    result = run_cli("serve", "--host", "192.0.2.1", "--port", "0", "--cases", "0")  # TEST-NET-1: never local
    assert result.returncode == 2
    assert result.stderr.strip() == ("mockserver: 192.0.2.1 is not an address of this machine; "
                                     "pass --host 127.0.0.1, or 0.0.0.0 for every interface")


def test_serve__unknown_flag_prints_serves_usage() -> None:
    result = run_cli("serve", "--seeds", "3")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: mockserver serve [-h]")
    assert "mockserver serve: error: unrecognized arguments: --seeds 3" in result.stderr


def test_serve__help_names_each_settings_method() -> None:
    help_text = " ".join(run_cli("serve", "--help").stdout.split())
    for call in ("PUT /_mock/clock", "PUT /_mock/lifecycle", "PUT /_mock/latency", "POST /_mock/faults",
                 "POST /_mock/workgroups"):
        assert call in help_text
    assert "PUT /_mock/faults" not in help_text and "PUT /_mock/workgroups" not in help_text


def test_serve__banner_names_the_dashboard_the_api_page_and_document(tmp_path) -> None:
    url_file = tmp_path / "url"
    with serving("--url-file", str(url_file), "--cases", "0") as (url, proc):
        assert url_file.read_text().strip() == url
        assert run_cli("health", "--url-file", str(url_file)).returncode == 0
        assert run_cli("health", "--url", url).returncode == 0
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=10)[0]
    assert f"dashboard {url}/_mock/ui, API page {url}/api-docs, OpenAPI document {url}/openapi.json" in output
    assert run_cli("health", "--url", url).returncode == 1


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
    assert re.search(r"bad\.json: \w+: Missing data for required field", result.stderr), result.stderr


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
        assert {w["id"] for w in get("/_mock/workgroups")} == {"3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11", "lab-2"}
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


def test_serve__the_client_poll_interval_from_a_flag_or_a_variable() -> None:
    with serving(env={"MOCKSERVER_CLIENT_POLL_INTERVAL": "0.25"}) as (url, _):
        assert requests.get(url + "/_mock/client-rules", timeout=10).json()["pollIntervalSeconds"] == 0.25
    result = run_cli("serve", "--client-poll-interval", "5000")
    assert result.returncode == 2
    assert result.stderr.strip() == "mockserver: --client-poll-interval 5000.0 is out of range: use 0 to 3600"
    result = run_cli("serve", "--client-poll-interval", "soon")
    assert result.returncode == 2 and "invalid float value: 'soon'" in result.stderr
