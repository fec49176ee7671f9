"""Long work shares the interpreter with every request: pace it.

A thread that runs Python for seconds (a state save dumping 120,000 events, the first audit
query building the index of a million seeded cases) holds the GIL until the interpreter takes
it away, every 5 ms by default. A request that waits on the GIL at each of its system calls
(waitress hands it between threads several times) then waits up to 5 ms at each one: 50 ms
and more for a GET that takes 3. Long loops call ``Pacer.tick`` as they go; about every
millisecond of work it sleeps briefly, which hands the GIL over at once to whichever thread
wants it, so another request waits on the long one for about a millisecond at a time.

Work that makes hundreds of thousands of objects also sets the cyclic collector aside
(``collector_set_aside``): each of its passes would scan them all, holding the GIL throughout.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from typing import TypeVar

T = TypeVar("T")

#: Work between two pauses, and the pause: a sleep this short costs the long work about a
#: tenth of its time and is still long enough for a waiting thread to take the GIL.
WORK_SECONDS = 0.001
PAUSE_SECONDS = 0.0001


class Pacer:
    """Call ``tick`` between small steps of a long loop."""

    __slots__ = ("_next",)

    def __init__(self) -> None:
        self._next = time.perf_counter() + WORK_SECONDS

    def tick(self) -> None:
        if time.perf_counter() >= self._next:
            time.sleep(PAUSE_SECONDS)
            self._next = time.perf_counter() + WORK_SECONDS

    def slices(self, items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
        """``items`` ``size`` at a time, in order, with a tick before each slice."""
        for start in range(0, len(items), size):
            self.tick()
            yield items[start:start + size]


def free_for_a_while(parts: list[object], seconds: float = WORK_SECONDS) -> None:
    """Free parts of ``parts`` (holding their last references) for about ``seconds``, a record
    being replaced by its fields, so that each free is of one field's worth; what is left
    waits for the next call. An upload's worked-out job of 100,000 new cases, freed at once
    where it was published, held the GIL and the workgroup's lock for 19 ms."""
    until = time.perf_counter() + seconds
    while parts and time.perf_counter() < until:
        try:
            part = parts.pop()
        except IndexError:  # another thread took the last one meanwhile
            return
        if is_dataclass(part) and not isinstance(part, type):
            parts.extend(getattr(part, f.name) for f in fields(part))
        del part


_collector_lock = threading.Lock()
_collector_holders = 0


@contextmanager
def collector_set_aside(large: bool = True) -> Iterator[None]:
    """Work that makes hundreds of thousands of objects the collector tracks (an upload of
    100,000 new cases) would have each pass of the cyclic collector scan them all again,
    holding the GIL (and so every other request) for longer each time: 0.5 s pauses at 100,000
    new cases. What it makes holds no reference cycles, so it runs with the collector off, and
    what it made is then moved out of the collector's sight (``gc.freeze``); reference counting
    still frees it. ``large``: False runs the work as it is."""
    global _collector_holders
    if not large:
        yield
        return
    with _collector_lock:
        _collector_holders += 1
        gc.disable()
    try:
        yield
    finally:
        with _collector_lock:
            _collector_holders -= 1
            if not _collector_holders:
                gc.freeze()
                gc.enable()
