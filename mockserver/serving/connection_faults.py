"""Connection-level faults, raised by a response body and carried out by the server.

A WSGI app cannot drop a connection by itself. The control plane answers a faulty request
with a body iterator that raises ``AbortConnection``; the runner's waitress task catches it and
closes the socket: before any byte (an empty response), with a TCP reset, or after part of the
body (a truncated body). Under another server the exception just ends the response.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: The faults each server cannot carry out, and why. granian answers a body that fails before
#: its first byte with a 500 of its own, and has no way to reset a connection; it cuts a body
#: short (truncatedBody) as waitress does.
NOT_CARRIED_OUT = {
    "granian": {
        kind: f"the granian server cannot carry out {kind} (it would answer 500 where the connection should drop); "
              f"serve with --server waitress (the default) for it, or use truncatedBody or error under granian"
        for kind in ("connectionReset", "emptyResponse")
    },
}

#: Set in the WSGI environ of a request whose connection is dropped before its status line:
#: the access log and the journal record no status for it, since the client saw none.
NO_STATUS = "mockserver.no_status"


class AbortConnection(Exception):
    def __init__(self, reset: bool = False) -> None:
        super().__init__("connection aborted by an injected fault")
        self.reset = reset


def abort_after(prefix: bytes, reset: bool = False) -> Iterator[bytes]:
    """A response body that sends ``prefix`` (maybe nothing), then drops the connection."""
    if prefix:
        yield prefix
    raise AbortConnection(reset)


def drop_before_status(environ: dict[str, Any], reset: bool) -> Iterator[bytes]:
    """A response body that drops the connection before a byte is sent, marking ``environ``."""
    environ[NO_STATUS] = True
    return abort_after(b"", reset)
