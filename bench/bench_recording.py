"""What recording costs: a client reads every case of an upstream mock (search pages of 100,
then GET case with direct identifiers and, for processed cases, the draft report) once
directly and once through ``mockserver record`` (with and without ``--overrides``), both
servers on threads of this process over loopback. Reports the time per case read in each
quarter of the walk, so a cost that grows with the recording (rewriting earlier files) shows
as a rising line; and the time to load the folder it wrote. Bounded loops; prints medians;
asserts nothing.

    python bench/bench_recording.py [--cases 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, write_results  # noqa: E402

from mockserver import create_app  # noqa: E402
from mockserver.recording.identifying import Pseudonyms  # noqa: E402
from mockserver.recording.proxy import Upstream, create_recorder_app  # noqa: E402
from mockserver.recording.writer import RecordedFixtures  # noqa: E402
from mockserver.serving.runner import ServerThread  # noqa: E402
from mockserver.settings import Settings  # noqa: E402

PROCESSED = ("READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF")


def walk(base: str) -> list[float]:
    """Seconds per case read (GET case, and its report when processed), in walk order."""
    session = requests.Session()
    session.headers.update(HEADERS)
    cases, page = [], 0
    while True:
        found = session.get(f"{base}/crs/api/v1/cases/search", params={"pageSize": 100, "pageNumber": page}, timeout=60).json()
        cases += [(c["id"], c["status"]) for c in found["content"]]
        if found["last"]:
            break
        page += 1
    times = []
    for case_id, status in cases:
        started = time.perf_counter()
        session.get(f"{base}/crs/api/v2/cases/{case_id}", params={"directIdentifiers": "true"}, timeout=60).raise_for_status()
        if status in PROCESSED:
            session.get(f"{base}/drs/v1/draftreport/case/{case_id}/reportjson", timeout=60).raise_for_status()
        times.append(time.perf_counter() - started)
    session.close()
    return times


def quarters_ms(times: list[float]) -> list[float]:
    size = max(1, len(times) // 4)
    return [round(statistics.median(times[i * size:(i + 1) * size]) * 1000, 2) for i in range(4)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    upstream = ServerThread(create_app(cases=args.cases, seed=11)).start()
    results = {"cases": args.cases + 2}
    try:
        direct = walk(upstream.url)
        results["direct"] = {"perCaseMsByQuarter": quarters_ms(direct), "totalSeconds": round(sum(direct), 2)}
        for name, overrides in (("recorded", False), ("recordedWithOverrides", True)):
            with tempfile.TemporaryDirectory() as out:
                recorded = RecordedFixtures(Path(out), Pseudonyms(b"bench"), overrides=overrides)
                proxy = ServerThread(create_recorder_app(Upstream.parse(upstream.url), recorded,
                                                         settings=Settings(threads=4))).start()
                try:
                    through = walk(proxy.url)
                finally:
                    proxy.stop()
                started = time.perf_counter()
                create_app(cases=0, seed=12, fixtures=Path(out))
                load = time.perf_counter() - started
                files = sum(1 for p in Path(out).rglob("*.json"))
                size = sum(p.stat().st_size for p in Path(out).rglob("*.json"))
            results[name] = {"perCaseMsByQuarter": quarters_ms(through), "totalSeconds": round(sum(through), 2),
                             "files": files, "megabytes": round(size / 1e6, 1), "loadSeconds": round(load, 2)}
    finally:
        upstream.stop()
    for name, figures in results.items():
        print(f"{name}: {figures}")
    print("wrote", write_results("recording", f"upstream mock of {args.cases} generated cases (seed 11); "
                                              "each case read once with direct identifiers, processed ones with their "
                                              "report; servers on threads of one process", results))


if __name__ == "__main__":
    main()
