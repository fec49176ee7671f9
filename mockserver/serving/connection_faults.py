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
#: its first byte with a 500 of its own, has no way to reset a connection, and a body cut short
#: sometimes reached the client as no answer at all (1 time in 20; ending the body early
#: instead of raising, 1 in 2): only ``error`` is left.
_GRANIAN_DOES_INSTEAD = {"connectionReset": "answers 500 where the connection should be reset",
                         "emptyResponse": "answers 500 where the connection should close without a byte",
                         "truncatedBody": "sometimes drops the whole answer instead of cutting its body short"}
NOT_CARRIED_OUT = {
    "granian": {
        kind: f"the granian server cannot carry out {kind} (it {instead}); serve with --server waitress (the default) "
              f"for it; under granian only kind error is carried out"
        for kind, instead in _GRANIAN_DOES_INSTEAD.items()
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
