"""Shared by the bench scripts: start `mockserver serve` on a free loopback port, run wrk."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

WORKGROUP = "3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11"
HEADERS = {"Authorization": "ApiKey bench", "X-ILMN-Domain": "bench", "X-ILMN-Workgroup": WORKGROUP}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    pid: int
    startup_seconds: float

    def peak_rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def serve(*args: str, timeout: float = 300, program: tuple[str, ...] = ("-m", "mockserver", "serve")) -> Iterator[Server]:
    """``mockserver serve`` (or another ``program`` taking ``--port``) on a free loopback port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *program, "--port", str(port), *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(url + "/crs/api/v1/session/workgroups", headers=HEADERS, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.005)
        yield Server(url, proc.pid, time.perf_counter() - started)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    max_ms: float = float("nan")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * _UNITS[unit]


def wrk(url: str, connections: int, seconds: int, threads: int = 2, script_args: tuple[str, ...] = ()) -> WrkResult:
    """One bounded wrk run; ``script_args`` (a Lua script and its arguments) pick the paths."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    cmd = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in HEADERS.items():
        cmd += ["-H", f"{name}: {value}"]
    if script_args:
        cmd += ["-s", script_args[0], url, "--", *script_args[1:]]
    else:
        cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    slowest = _ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out).group(1))
    return WrkResult(rps, p50, p99, int(bad.group(1)) if bad else 0, slowest)


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


RESULTS = Path(__file__).parent / "results"


def commit() -> str:
    """The commit measured, with ``+changes`` when the work tree differs from it (results files
    aside: a script writes some before it asks)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
                           capture_output=True, text=True).stdout
    return head + ("+changes" if dirty.strip() else "")


def write_results(name: str, configuration: str, results: object) -> Path:
    """``bench/results/<name>.json``: what was measured, on which commit, machine and command."""
    RESULTS.mkdir(exist_ok=True)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    document = {
        "commit": commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}",
        "command": "python " + " ".join(sys.argv),
        "configuration": configuration,
        "results": results,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(document, indent=1) + "\n")
    return path
