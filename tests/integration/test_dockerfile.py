"""What can be checked of the Docker image without a Docker engine: the Dockerfile's default base
image is pinned, it exposes the port the server listens on, and its entrypoint and health check
work with the image's environment. tests/integration/test_docker.py builds and runs the image
itself where an engine runs (in CI)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from processes import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", joined, re.MULTILINE)]


def image_env() -> dict[str, str]:
    env = {}
    for line in instructions("ENV"):
        env.update((k, v) for k, v in re.findall(r"(\w+)=(\S+)", line) if k != "PATH")
    return env


def test_default_base_image_is_pinned_and_slim() -> None:
    assert instructions("FROM") == ["${BASE}"]
    (base,) = [arg.split("=", 1)[1] for arg in instructions("ARG") if arg.startswith("BASE=")]
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base


def test_exposes_the_port_the_server_listens_on() -> None:
    assert instructions("EXPOSE") == [image_env()["MOCKSERVER_PORT"]]


def start_entrypoint(python_bin: Path | None = None, *flags: str, env: dict[str, str] | None = None,
                     port: int | None = None) -> tuple[subprocess.Popen, str]:
    """The image's entrypoint with the image's environment (plus ``env``), serve's ``flags``
    after it as ``docker run IMAGE --flag`` would pass them, on loopback."""
    command = json.loads(instructions("ENTRYPOINT")[0])
    if python_bin is not None:
        command[0] = str(python_bin / command[0])
    else:
        command = [sys.executable, "-m", "mockserver", *command[1:]]
    port = port or free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    full_env.update(image_env())
    full_env.update({"MOCKSERVER_HOST": "127.0.0.1", "MOCKSERVER_PORT": str(port)})  # loopback only in tests
    full_env.update(env or {})
    proc = subprocess.Popen([*command, *flags], env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if "--port" in flags:
        port = int(flags[flags.index("--port") + 1])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/_mock/health", timeout=1)
            return proc, url
        except requests.ConnectionError:
            assert proc.poll() is None, "the entrypoint exited"
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the entrypoint did not start the server")


def run_health_check(url_file: Path) -> int:
    """The image's HEALTHCHECK command, run with the image's environment."""
    (health,) = instructions("HEALTHCHECK")
    command = json.loads(health[health.index("CMD") + 3:].strip())
    assert command[:2] == ["mockserver", "health"], command
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    env.update({**image_env(), "MOCKSERVER_URL_FILE": str(url_file)})
    return subprocess.run([sys.executable, "-m", "mockserver", *command[1:]], env=env, timeout=30,
                          capture_output=True).returncode


@pytest.mark.parametrize("port_from", ["variable", "flag"])
def test_health_check_follows_the_port_the_server_listens_on(tmp_path, port_from) -> None:
    """``docker run -e MOCKSERVER_PORT=N`` and ``docker run IMAGE --port N`` both stay healthy."""
    url_file = tmp_path / "mockserver.url"
    assert image_env()["MOCKSERVER_URL_FILE"]  # the image tells serve and health where the URL goes
    port = free_port()
    flags = ("--port", str(port)) if port_from == "flag" else ()
    # With the flag, the variable names another port: the flag wins, and the check must follow it.
    proc, url = start_entrypoint(None, *flags, env={"MOCKSERVER_URL_FILE": str(url_file)},
                                 port=free_port() if port_from == "flag" else port)
    try:
        assert url.endswith(f":{port}")
        assert url_file.read_text().strip() == url
        assert run_health_check(url_file) == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert run_health_check(url_file) != 0  # nothing answers there any more
