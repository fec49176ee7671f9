"""waitress's worker threads: a small core that answers requests, and one more thread lent to a
request for as long as it holds its own (a simulated delay, ``/_mock/cases/{id}/wait``).

The core is the share of ``--threads`` that delays and waits may never hold; the rest exist only
while something is held. Holding then never takes a worker from the requests that answer at
once, and at rest only the core's threads take turns on the GIL: with all 32 of waitress's
threads serving, 16 connections kept 16 of them contending for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from waitress.task import ThreadedTaskDispatcher

#: In the WSGI environ of a request served under waitress: a context manager lending one more
#: worker thread for its block. Other servers set none, and a held request keeps its thread.
LEND_THREAD = "mockserver.lend_thread"


def core_threads(threads: int) -> int:
    """Workers never held by a delay or a wait: a quarter of them, at least two."""
    return min(threads, max(2, threads // 4))


class LendingDispatcher(ThreadedTaskDispatcher):
    def __init__(self, core: int) -> None:
        super().__init__()
        self._core = core
        self._lent = 0
        self._closed = False
        self._lending = threading.Lock()  # one resize at a time: each sets an absolute count
        self.set_thread_count(core)

    @property
    def lent(self) -> int:
        return self._lent

    @contextmanager
    def lend_thread(self) -> Iterator[None]:
        self._resize(+1)
        try:
            yield
        finally:
            self._resize(-1)

    def _resize(self, by: int) -> None:
        with self._lending:
            self._lent += by
            if not self._closed:  # a shutdown's count of 0 stands
                # Fewer threads: the next thread to come back for a task ends instead.
                self.set_thread_count(self._core + self._lent)

    def add_task(self, task: Any) -> None:
        # waitress's own warns "Task queue depth" whenever tasks outnumber idle threads: with a
        # small core under load, on every request.
        with self.lock:
            self.queue.append(task)
            self.queue_cv.notify()

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        with self._lending:
            self._closed = True
        return bool(super().shutdown(cancel_pending, timeout))
