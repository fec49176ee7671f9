"""What can be checked of the Docker image without a Docker engine: the Dockerfile's base image
is pinned, its user is not root, its entrypoint starts the server, its health check answers, and
its install command works in a clean virtual environment."""

from __future__ import annotations

import json
import os
import re
import shutil
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
        env.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    return env


def test_base_image_is_pinned_and_slim() -> None:
    (base,) = instructions("FROM")
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base


def test_runs_as_a_non_root_user_after_installing() -> None:
    users = instructions("USER")
    assert users and users[-1] not in ("root", "0")
    assert DOCKERFILE.index("USER ") > DOCKERFILE.index("pip install")


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


def test_install_command_works_from_what_the_image_copies(tmp_path) -> None:
    """Copy only what the Dockerfile copies, build the wheel its ``pip install .`` builds, and
    serve from that wheel alone. No package index: the build uses this environment's hatchling
    (no build isolation) and the wheel goes in without its dependencies, which this environment
    already has at the versions of constraints.txt (the same file the image installs with)."""
    source = tmp_path / "src"
    for line in instructions("COPY"):
        *items, _target = line.split()
        for item in items:
            origin = ROOT / item
            if origin.is_dir():
                shutil.copytree(origin, source / item, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                source.mkdir(exist_ok=True)
                shutil.copy(origin, source / item)
    (install,) = [r for r in instructions("RUN") if "pip install" in r]
    assert install.startswith("pip install -c constraints.txt .")  # the locked versions CI tested
    offline = ["--quiet", "--disable-pip-version-check", "--no-index", "--no-deps"]
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", *offline, "--no-build-isolation",
                            "--wheel-dir", str(tmp_path / "dist"), "."],
                           cwd=source, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("ici_mockserver-*.whl")
    target = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", *offline, "--target", str(target), str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-2000:]
    where = subprocess.run([sys.executable, "-c", "import mockserver; print(mockserver.__file__)"],
                           cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(target)}, capture_output=True, text=True, timeout=60)
    assert where.stdout.strip().startswith(str(target)), where  # the wheel's copy, not the source tree
    proc, url = start_entrypoint(target / "bin", env={"PYTHONPATH": str(target)})
    try:
        headers = {"Authorization": "ApiKey k", "X-ILMN-Domain": "d", "X-ILMN-Workgroup": "3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11"}
        response = requests.get(url + "/crs/api/v1/cases/search", headers=headers, timeout=10)
        assert response.status_code == 200
        assert response.json()["totalElements"] == 102  # the fixtures shipped inside the wheel were found
        assert requests.get(url + "/api-docs/", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
