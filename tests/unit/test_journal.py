"""The journal keeps a request's raw facts and builds its entry when the entry is first read:
every field as the facts gave it, built once however many read it, in order and bounded, and
the same when readers race each other and the requests still arriving."""

from __future__ import annotations

import sys
import threading

from mockserver.admin.journal import CONTROL, VENDOR, Facts, Journal, PairedHeaders
from mockserver.http.answered import Noted, Page


def facts(n: int, workgroup: str | None = "wg", plane: str = VENDOR) -> Facts:
    return Facts(time=1000 + n, received=999 + n, plane=plane, method="GET", path=f"/crs/api/v2/cases/{n}",
                 query_string="a=1" if n % 2 else "", headers=PairedHeaders(("HTTP_HOST", "HTTP_X_N"), ("h", str(n))),
                 truncated=False, body_size=0, body_preview=None, operation="getCase", workgroup=workgroup,
                 client="key-0000abcd", status=200, duration_s=0.0123456, fault=None, override=None, delay_ms=0.0,
                 retry_after=None, noted=Noted(None, Page(n, 9), None, None, None))


def test_an_entry_shows_each_fact_in_its_readers_terms() -> None:
    journal = Journal(10)
    journal.record(facts(3))
    [entry] = journal.entries()
    assert entry == {
        "time": 1003, "received": 1002, "plane": VENDOR, "method": "GET", "path": "/crs/api/v2/cases/3",
        "queryString": "a=1", "headers": [("HTTP_HOST", "h"), ("HTTP_X_N", "3")], "truncated": False,
        "bodySize": 0, "bodyPreview": None, "operation": "getCase", "workgroup": "wg", "client": "key-0000abcd",
        "status": 200, "durationMs": 12.346, "fault": None, "override": None, "delayMs": 0.0, "retryAfter": None,
        "error": None, "page": Page(3, 9), "resource": None, "cause": None, "otherVersion": None, "seq": 1}


def test_an_entry_is_built_once_whoever_reads_it() -> None:
    journal = Journal(10)
    for n in range(4):
        journal.record(facts(n))
    first = journal.entries()
    assert [e["seq"] for e in first] == [1, 2, 3, 4]
    assert all(a is b for a, b in zip(first, journal.entries(), strict=True))
    assert all(a is b for a, b in zip(reversed(first), journal.newest(10), strict=True))


def test_past_its_size_the_oldest_drop_and_seq_keeps_counting() -> None:
    journal = Journal(3)
    for n in range(5):
        journal.record(facts(n))
    assert [e["seq"] for e in journal.entries()] == [3, 4, 5]
    assert [e["seq"] for e in journal.newest(2)] == [5, 4]


def test_clearing_a_workgroup_keeps_the_others_read_or_not() -> None:
    journal = Journal(10)
    for n in range(6):
        journal.record(facts(n, workgroup="a" if n % 2 else "b"))
    journal.newest(2)  # two of them built, the others still facts
    journal.clear("a")
    assert [(e["seq"], e["workgroup"]) for e in journal.entries()] == [(1, "b"), (3, "b"), (5, "b")]
    journal.record(facts(9, workgroup=None, plane=CONTROL))
    journal.clear("b")
    assert [e["plane"] for e in journal.entries()] == [CONTROL]


def test_readers_racing_each_other_and_the_writer_see_whole_entries_in_order() -> None:
    journal = Journal(500)
    problems: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                seqs = [e["seq"] for e in journal.entries()]
                newest = journal.newest(50)
            except Exception as failure:  # noqa: BLE001 (a thread's exception would go unseen)
                problems.append(repr(failure))
                return
            if seqs != sorted(seqs) or any(e["headers"][1] != ("HTTP_X_N", str(e["seq"] - 1)) for e in newest):
                problems.append(f"out of order or mixed up: {seqs[:5]}")

    readers = [threading.Thread(target=read) for _ in range(3)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch between almost any two steps
    try:
        for reader in readers:
            reader.start()
        for n in range(3000):
            journal.record(facts(n))
    finally:
        done.set()
        sys.setswitchinterval(interval)
    for reader in readers:
        reader.join(10)
    assert not problems
    assert [e["seq"] for e in journal.entries()] == list(range(2501, 3001))
