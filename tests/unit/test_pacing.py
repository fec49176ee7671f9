"""The pacer of long loops: a pause after each stretch of work, none before."""

from __future__ import annotations

import pytest

from mockserver.domain import pacing


class FakeTime:
    """``perf_counter`` and ``sleep`` for the pacer: sleeping moves the clock and notes the pause."""

    def __init__(self) -> None:
        self.now = 100.0
        self.pauses: list[float] = []

    def perf_counter(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(pacing, "time", fake)
    return fake


def test_a_pacer_pauses_once_per_stretch_of_work(fake_time: FakeTime) -> None:
    pacer = pacing.Pacer()
    for _ in range(3):  # most of a stretch: no pause
        fake_time.now += pacing.WORK_SECONDS * 0.3
        pacer.tick()
    assert fake_time.pauses == []
    fake_time.now += pacing.WORK_SECONDS * 0.3
    pacer.tick()
    assert fake_time.pauses == [pacing.PAUSE_SECONDS]
    fake_time.now += pacing.WORK_SECONDS * 0.3  # a new stretch starts after the pause
    pacer.tick()
    assert fake_time.pauses == [pacing.PAUSE_SECONDS]
    fake_time.now += 10 * pacing.WORK_SECONDS  # one long step: one pause all the same
    pacer.tick()
    assert fake_time.pauses == [pacing.PAUSE_SECONDS] * 2


def test_the_collector_is_set_aside_until_the_last_large_work_ends() -> None:
    import gc

    assert gc.isenabled()
    with pacing.collector_set_aside(large=False):
        assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with pacing.collector_set_aside():
        assert not gc.isenabled()
        with pacing.collector_set_aside():
            kept = [[n] for n in range(1000)]  # what the work made
        assert not gc.isenabled()  # the outer work still runs
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(kept)  # moved out of the collector's sight
    gc.unfreeze()


def test_freeing_for_a_while_frees_a_record_apart_from_its_fields_and_stops(fake_time: FakeTime) -> None:
    """Each field on its own, after the record that held it; past the time given, the rest waits."""
    import weakref
    from dataclasses import dataclass

    @dataclass
    class Part:
        items: list

    @dataclass
    class Job:
        first: Part
        second: Part

    job = Job(Part([1]), Part([2]))
    fields_alive_when_job_freed: list[bool] = []
    first, second = weakref.ref(job.first), weakref.ref(job.second)
    weakref.finalize(job, lambda: fields_alive_when_job_freed.append(first() is not None and second() is not None))
    parts: list[object] = [job]
    del job
    pacing.free_for_a_while(parts, seconds=0)  # no time: nothing freed
    assert len(parts) == 1 and not fields_alive_when_job_freed
    pacing.free_for_a_while(parts)
    assert fields_alive_when_job_freed == [True]
    assert first() is None and second() is None and parts == []


def test_freeing_from_a_list_another_thread_empties_meanwhile_stops_quietly() -> None:
    class Emptied(list):
        """Says it holds a part, then has none: as when another thread took the last one."""

        def __bool__(self) -> bool:
            return True

    pacing.free_for_a_while(Emptied())


def test_a_pacer_hands_out_slices_in_order_with_a_tick_before_each(fake_time: FakeTime) -> None:
    pacer = pacing.Pacer()
    seen = []
    for part in pacer.slices(list(range(10)), 4):
        seen.append(list(part))
        fake_time.now += pacing.WORK_SECONDS  # each slice a stretch of work: the next one waits
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert fake_time.pauses == [pacing.PAUSE_SECONDS] * 2  # before the second and the third
