"""Connection-level faults, raised by a response body and carried out by the server.

A WSGI app cannot drop a connection by itself. The control plane answers a faulty request
with a body iterator that raises ``AbortConnection``; the runner's waitress task catches it and
closes the socket: before any byte (an empty response), with a TCP reset, or after part of the
body (a truncated body). Under another server the exception just ends the response.
"""

from __future__ import annotations

from collections.abc import Iterator


class AbortConnection(Exception):
    def __init__(self, reset: bool = False) -> None:
        super().__init__("connection aborted by an injected fault")
        self.reset = reset


def abort_after(prefix: bytes, reset: bool = False) -> Iterator[bytes]:
    """A response body that sends ``prefix`` (maybe nothing), then drops the connection."""
    if prefix:
        yield prefix
    raise AbortConnection(reset)
