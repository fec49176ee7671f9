"""A bounded share of the worker threads for requests that hold one while they sleep.

A simulated delay and ``/_mock/cases/{id}/wait`` each keep a waitress worker thread busy for
their whole duration. Only ``capacity`` of them may do so at once; the other workers always
remain for requests that answer at once, so waits and delays can never starve the vendor API.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.exceptions import ServiceUnavailable


def reserved_workers(threads: int) -> int:
    """Workers never held by a delay or a wait: a quarter of them, at least two."""
    return max(2, threads // 4)


class HoldingSlots:
    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.capacity = max(1, threads - reserved_workers(threads))
        self.held = 0
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, what: str) -> Iterator[None]:
        """Hold one slot for the block; 503 (Retry-After: 1) at once when all are taken."""
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
            yield
        finally:
            with self._lock:
                self.held -= 1
