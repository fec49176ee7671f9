"""Hostile settings and files, as a user starts the server: a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from processes import HEADERS, serving


def run_serve(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    return subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0", "--cases", "0", *args],
                          env=env, capture_output=True, text=True, timeout=60)


def test_api_key_with_an_empty_workgroup_list_is_refused() -> None:
    result = run_serve("--api-key", "KEY=")
    assert result.returncode == 2
    assert "api key 'KEY=' names no workgroup after '='" in result.stderr and "Traceback" not in result.stderr


def test_state_file_nested_too_deep_is_a_clean_refusal(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = run_serve("--state-file", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "nests more than 64 levels" in result.stderr
    assert path.read_text().startswith("[[[")  # never overwritten


@pytest.mark.parametrize("under", ["state.json", "deeper/state.json"])
def test_state_file_under_a_regular_file_is_a_clean_refusal(tmp_path: Path, under: str) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = run_serve("--state-file", str(blocker / under))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"cannot write the state file {blocker / under}: {blocker} is a file, not a folder" in result.stderr
    assert blocker.read_text() == "x"


def test_state_file_in_a_folder_that_cannot_be_written_refuses_to_start() -> None:
    result = run_serve("--state-file", "/proc/ici-mock-state.json")  # /proc refuses new files, even to root
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot write the state file /proc/ici-mock-state.json" in result.stderr


def test_access_log_lines_cannot_be_forged_and_hold_no_credentials() -> None:
    with serving() as (url, proc):
        requests.get(url + "/crs/api/v2/cases/x%0aFORGED 200 0.1ms", headers=HEADERS, timeout=10)
        requests.get(url + "/crs/api/v1/cases/search?apiKey=S3CRET&tags=a", headers=HEADERS, timeout=10)
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert not [line for line in output.splitlines() if line.startswith("FORGED")]
    assert "/crs/api/v2/cases/x\\nFORGED" in output
    assert "S3CRET" not in output and "apiKey=<redacted>&tags=a" in output
