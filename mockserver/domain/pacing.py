"""Long work shares the interpreter with every request: pace it.

A thread that runs Python for seconds (a state save dumping 120,000 events, the first audit
query building the index of a million seeded cases) holds the GIL until the interpreter takes
it away, every 5 ms by default. A request that waits on the GIL at each of its system calls
(waitress hands it between threads several times) then waits up to 5 ms at each one: 50 ms
and more for a GET that takes 3. Long loops call ``Pacer.tick`` as they go; about every
millisecond of work it sleeps briefly, which hands the GIL over at once to whichever thread
wants it, so another request waits on the long one for about a millisecond at a time.
"""

from __future__ import annotations

import time

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
