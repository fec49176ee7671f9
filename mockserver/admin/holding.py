"""A bounded share of the worker threads for requests that hold one while they sleep.

A simulated delay and ``/_mock/cases/{id}/wait`` each keep a worker thread busy for their whole
duration. Only ``capacity`` of them may do so at once; the other workers always remain for
requests that answer at once, so waits and delays can never starve the vendor API. Under
waitress each held request is lent a thread of its own for the time (``serving.lending``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.exceptions import ServiceUnavailable

from ..serving.lending import LEND_THREAD, core_threads


class HoldingSlots:
    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.capacity = max(1, threads - core_threads(threads))
        self.held = 0
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, what: str, environ: dict[str, Any]) -> Iterator[None]:
        """Hold one slot for the block (with a thread lent by the server, when it lends one);
        503 (Retry-After: 1) at once when all are taken."""
        with self._lock:
            if self.held >= self.capacity:
                raise ServiceUnavailable(
                    f"The mock cannot hold one more worker for {what}: {self.capacity} of its {self.threads} "
                    f"threads already wait on delays or waits, and the rest stay free for other requests. "
                    f"Raise --threads, or send fewer delayed requests at once.",
                    retry_after=1,
                )
            self.held += 1
        try:
            lend = environ.get(LEND_THREAD)
            if lend is None:
                yield
            else:
                with lend():
                    yield
        finally:
            with self._lock:
                self.held -= 1
