"""Running ``python -m mockserver serve`` as a real subprocess on a free loopback port, and
watching sockets from the client's side."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

HEADERS = {"Authorization": "ApiKey k", "X-ILMN-Domain": "d", "X-ILMN-Workgroup": "3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    """Until the server ``proc`` started answers at ``url``; fails if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else f"the server exited ({proc.returncode})"
        try:
            requests.get(url + "/crs/api/v1/session/workgroups", headers=HEADERS, timeout=1)
            return
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    full_env.update(env or {})
    if "MOCKSERVER_PORT" not in full_env and "--port" not in args:
        args = (*args, "--port", str(port))
    else:
        port = int(full_env.get("MOCKSERVER_PORT") or args[args.index("--port") + 1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", *args],
        env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes ``sock`` within ``within`` seconds (reading what it sends)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            return False
        except ConnectionError:
            return True
    return False
