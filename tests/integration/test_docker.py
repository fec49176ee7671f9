"""The Docker image, built from the repository's own Dockerfile and run by a real engine.

Two substitutions, because CI's machine reaches only the package registries: the base image is a
stand-in made by debootstrap from the machine's own Debian mirror (``docker import``), and the
image installs offline from wheels that the host's pip puts in the build context
(``PIP_INSTALL_FLAGS``). Everything else is the Dockerfile as a user builds it. The engine
(``dockerd --storage-driver vfs --iptables=false --bridge=none``, which ``.ci/run`` starts) has
no bridge network, so containers use ``--network host`` and listen on 127.0.0.1.

Outside CI, without a Docker engine, these tests are skipped with a reason; in CI they must run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from processes import HEADERS, free_port

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
STAND_IN_BASE = "ici-mock-stand-in-base:bookworm"
BUILD_TIMEOUT = 1200


def engine_problem() -> str | None:
    if shutil.which("docker") is None:
        return "no docker client"
    try:
        info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                              timeout=30)
    except subprocess.TimeoutExpired:
        return "the Docker engine does not answer"
    return None if info.returncode == 0 else f"no Docker engine: {info.stderr.strip()[:200]}"


_problem = engine_problem()
pytestmark = pytest.mark.skipif(
    _problem is not None and not os.environ.get("CI"),
    reason=f"{_problem}; .ci/run starts one (dockerd --storage-driver vfs --iptables=false --bridge=none)",
)


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "DOCKER_BUILDKIT": "0"})
    if check:
        assert result.returncode == 0, f"docker {' '.join(args[:3])}: {result.stderr[-3000:]}"
    return result


def readme_docker_lines() -> list[str]:
    block = README[README.index("### Docker"):]
    block = block[block.index("```sh\n") + 6:]
    return [line.split("#")[0].strip() for line in block[:block.index("```")].splitlines()]


def debian_mirror() -> tuple[str, str]:
    """The Debian mirror and suite this machine's apt uses, for debootstrap."""
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for stanza in sources.read_text().split("\n\n"):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.+)$", stanza, re.MULTILINE))
            if fields.get("URIs", "").rstrip("/").endswith("/debian"):
                return fields["URIs"].split()[0], fields["Suites"].split()[0]
    for line in Path("/etc/apt/sources.list").read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["deb"] and parts[1].rstrip("/").endswith("/debian"):
            return parts[1], parts[2]
    raise AssertionError("no Debian mirror in apt's sources")


def build_stand_in_base(work: Path) -> None:
    """A minimal Debian with python3 and its venv module, imported as an image (once per engine)."""
    if docker("image", "inspect", STAND_IN_BASE, check=False).returncode == 0:
        return
    assert shutil.which("debootstrap"), "debootstrap is not installed (.ci/run installs it)"
    mirror, suite = debian_mirror()
    rootfs = work / "rootfs"
    made = subprocess.run(["debootstrap", "--variant=minbase", "--include=python3,python3-venv", suite,
                           str(rootfs), mirror], capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    with subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE) as tar:
        imported = subprocess.run(["docker", "import", "-", STAND_IN_BASE], stdin=tar.stdout, capture_output=True,
                                  text=True, timeout=BUILD_TIMEOUT)
    assert imported.returncode == 0, imported.stderr
    shutil.rmtree(rootfs, ignore_errors=True)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The README's image, built from the repository's Dockerfile on the stand-in base."""
    (build,) = [line for line in readme_docker_lines() if line.startswith("docker build")]
    tag = re.search(r"-t (\S+)", build).group(1)
    work = tmp_path_factory.mktemp("docker")
    build_stand_in_base(work)
    context = work / "context"
    shutil.copytree(ROOT, context, ignore=shutil.ignore_patterns(".git", ".venv", "mutants", "__pycache__", "*.egg-info"))
    wheels = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(context / "wheels"),
                             "-c", str(ROOT / "constraints.txt"), str(ROOT), "hatchling"],
                            capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert wheels.returncode == 0, wheels.stderr[-3000:]
    docker("build", "--build-arg", f"BASE={STAND_IN_BASE}", "--build-arg", "PIP_INSTALL_FLAGS=--no-index --find-links wheels",
           "-t", tag, str(context), timeout=BUILD_TIMEOUT)
    return tag


def readme_variable(name: str) -> str:
    """``NAME=value`` as the README's ``docker run`` line that sets it gives it."""
    (line,) = [line for line in readme_docker_lines() if name in line]
    return re.search(rf"-e ({name}=\w+)", line).group(1)


@pytest.fixture(params=["waitress", "granian"])
def container(image: str, request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    """The README's ``docker run`` with MOCKSERVER_CASES, on the host network instead of ``-p``:
    variables (address, cases) and flags after the image name (port, state file on a named
    volume at /data, as the README shows); then again with the README's MOCKSERVER_SERVER."""
    variables = ["-e", readme_variable("MOCKSERVER_CASES")]
    if request.param == "granian":
        variables += ["-e", readme_variable("MOCKSERVER_SERVER")]
    port = free_port()
    name = f"ici-mock-test-{port}"
    docker("volume", "create", name)
    try:
        docker("run", "-d", "--name", name, "--network", "host", "-e", "MOCKSERVER_HOST=127.0.0.1", *variables,
               "-v", f"{name}:/data", image, "--port", str(port), "--state-file", "/data/state.json")
        yield name, f"http://127.0.0.1:{port}", request.param
    finally:
        docker("rm", "-f", name, check=False)
        docker("volume", "rm", "-f", name, check=False)


def health(name: str) -> str:
    return json.loads(docker("inspect", "--format", "{{json .State.Health.Status}}", name).stdout)


@pytest.mark.timeout(BUILD_TIMEOUT * 2)  # a fresh machine builds the base and the image first
def test_the_image_serves_healthy_as_configured_and_stops_on_sigterm(container: tuple[str, str, str],
                                                                    tmp_path: Path) -> None:
    name, url, server = container
    deadline = time.monotonic() + 90  # the image's health check first runs 10 s after the start
    while health(name) != "healthy":
        assert health(name) in ("starting", "healthy") and time.monotonic() < deadline, docker("logs", name).stderr
        time.sleep(1)

    search = requests.get(url + "/crs/api/v1/cases/search", headers=HEADERS, timeout=10)
    assert search.json()["totalElements"] == 1002  # MOCKSERVER_CASES=1000 and the 2 fixture cases
    assert requests.get(url + "/_mock/health", timeout=10).json()["status"] == "ok"
    assert requests.get(url + "/api-docs/", timeout=10).status_code == 200
    status = docker("exec", name, "cat", "/proc/1/status").stdout
    assert re.search(r"^Uid:\s+10001\s", status, re.MULTILINE), status  # the server, not just exec, is non-root
    assert "mockserver" in docker("exec", name, "cat", "/proc/1/cmdline").stdout
    assert f"({server}, " in docker("logs", name).stderr  # the banner names the server serving

    started = time.monotonic()
    docker("kill", "--signal", "TERM", name)
    code = docker("wait", name, timeout=30).stdout.strip()
    assert (code, time.monotonic() - started < 10) == ("0", True)
    docker("cp", f"{name}:/data/state.json", str(tmp_path))  # from the volume, of the stopped container
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["format"] == "ici-mock-state/3"
