"""waitress's dispatcher with lent threads: a core runs at rest, each lent thread runs while
its block lasts, and a shutdown is final."""

from __future__ import annotations

import threading
import time

from mockserver.serving.lending import LendingDispatcher, core_threads


def running(dispatcher: LendingDispatcher) -> int:
    return len(dispatcher.threads) - dispatcher.stop_count


def settle(dispatcher: LendingDispatcher, threads: int) -> int:
    """The dispatcher's thread count once ended threads have left, or after 5 s."""
    deadline = time.monotonic() + 5
    while len(dispatcher.threads) != threads and time.monotonic() < deadline:
        time.sleep(0.01)
    return len(dispatcher.threads)


def test_the_core_is_a_quarter_of_the_threads_at_least_two_and_never_more_than_all() -> None:
    assert [core_threads(n) for n in (1, 2, 4, 8, 9, 32, 100)] == [1, 2, 2, 2, 2, 8, 25]


def test_a_thread_is_lent_for_each_block_and_ends_after_it() -> None:
    dispatcher = LendingDispatcher(2)
    try:
        assert settle(dispatcher, 2) == 2
        with dispatcher.lend_thread():
            with dispatcher.lend_thread():
                assert running(dispatcher) == 4 and dispatcher.lent == 2
            assert running(dispatcher) == 3
        assert dispatcher.lent == 0 and settle(dispatcher, 2) == 2
    finally:
        dispatcher.shutdown()


def test_a_task_queued_beyond_the_core_still_runs() -> None:
    dispatcher = LendingDispatcher(1)
    done = threading.Event()

    class Task:
        def __init__(self, action: object) -> None:
            self.service = action

    release = threading.Event()
    try:
        dispatcher.add_task(Task(lambda: release.wait(5)))  # the only core thread is busy
        dispatcher.add_task(Task(done.set))
        assert not done.wait(0.1)
        release.set()
        assert done.wait(5)
    finally:
        release.set()
        dispatcher.shutdown()


def test_a_thread_given_back_after_a_shutdown_starts_none() -> None:
    dispatcher = LendingDispatcher(2)
    with dispatcher.lend_thread():
        dispatcher.shutdown()
    assert settle(dispatcher, 0) == 0 and running(dispatcher) == 0
