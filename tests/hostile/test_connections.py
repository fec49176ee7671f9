"""Connections on a shared backend: idle keep-alive sockets and clients that trickle their
headers are closed, so they cannot lock anyone out; past the connection limit a new client
waits in the listen queue and is answered once a slot frees, never left hanging for good."""

from __future__ import annotations

import socket
from contextlib import ExitStack

import requests
from conftest import start_server
from processes import closed_by_server


def connect(server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=5)
    return sock


def test_300_idle_connections_do_not_keep_a_new_client_waiting() -> None:
    """waitress's own default (100 connections) let ~98 idle sockets stop every new client."""
    server = start_server()
    try:
        with ExitStack() as stack:
            idle = [stack.enter_context(connect(server)) for _ in range(300)]
            assert len(idle) == 300
            response = requests.get(server.url + "/_mock/health", timeout=1)
            assert response.status_code == 200
    finally:
        server.stop()


def test_an_idle_keep_alive_connection_is_closed_after_the_channel_timeout() -> None:
    server = start_server(channel_timeout=1)
    try:
        with connect(server) as sock:
            sock.sendall(f"GET /_mock/health HTTP/1.1\r\nHost: {server.host}\r\n\r\n".encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            assert closed_by_server(sock, within=5)
    finally:
        server.stop()


def test_a_client_trickling_its_headers_is_cut_off() -> None:
    """A header line every 0.2 s is never idle for waitress; the header deadline still ends it."""
    server = start_server(header_timeout=1, channel_timeout=60)
    try:
        with connect(server) as sock:
            sock.sendall(b"GET /_mock/health HTTP/1.1\r\n")
            cut_off = False
            for n in range(40):  # at most 8 s of trickling
                try:
                    sock.sendall(f"X-Trickle-{n}: 1\r\n".encode())
                except ConnectionError:
                    cut_off = True
                    break
                if closed_by_server(sock, within=0.2):
                    cut_off = True
                    break
            assert cut_off
        assert requests.get(server.url + "/_mock/health", timeout=5).status_code == 200
    finally:
        server.stop()


def test_past_the_connection_limit_a_new_client_is_queued_then_answered() -> None:
    server = start_server(connection_limit=5, channel_timeout=1)
    try:
        with ExitStack() as stack:
            for _ in range(5):
                stack.enter_context(connect(server))
            response = requests.get(server.url + "/_mock/health", timeout=15)
            assert response.status_code == 200  # accepted once the idle ones were closed
    finally:
        server.stop()
