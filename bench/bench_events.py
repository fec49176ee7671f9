"""Event-log queries at 100,000 seeded cases, in process (no HTTP: the audit-log API that will
serve them does not exist yet): the median of each query over ``--runs`` runs after a warm-up,
and, apart, the first query that needs the seeded cases' whole history (derived once, lazily).

Before measuring, the workgroup gets a life of its own on the mock's clock: a 20,000-row upload
creating cases, 2,000 disease changes (each with a processing step that completes) and 500
deletions. Prints medians; asserts nothing.

    python bench/bench_events.py [--cases 100000] [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import write_results  # noqa: E402

from mockserver import fidelity  # noqa: E402
from mockserver.datagen.world import build_workgroup  # noqa: E402
from mockserver.domain import operations  # noqa: E402
from mockserver.domain.event_search import search_events  # noqa: E402
from mockserver.domain.events import EventQuery  # noqa: E402
from mockserver.domain.ingestion.csv_file import parse_csv  # noqa: E402
from mockserver.domain.statuses import status_after_disease_set  # noqa: E402

START = datetime(2026, 11, 1, tzinfo=UTC)


def live(wg, at: datetime) -> datetime:  # noqa: ANN001 - a Workgroup
    rows = "".join(f"S-{i},BENCH-{i}\n" for i in range(20_000))
    [upload] = operations.upload_custom_case_data(wg, [parse_csv("bench.csv", f"Sample_ID,Case_ID\n{rows}".encode())], at)
    at += timedelta(seconds=5)
    operations.get_custom_case_data_status(wg, upload.id, at)
    disease = next(iter(wg.diseases))
    changeable = [c for c in wg.cases.seeded if c.samples and status_after_disease_set(c.status) is not None]
    for case in changeable[:2000]:
        at += timedelta(seconds=1)
        operations.update_case_diseases(wg, case.id, disease, "SNOMEDCT", at)
    for case in changeable[2000:2500]:
        at += timedelta(seconds=1)
        operations.delete_case(wg, case.id, at)
    return at + timedelta(seconds=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    wg = build_workgroup("bench", "Bench", seed=1, cases=args.cases)
    now = live(wg, START)
    changed = wg.cases.seeded[0].id
    window_end = fidelity.SEED_WINDOW_END
    queries = {
        "one case (seeded, then changed)": EventQuery(case_id=changed),
        "status changes in a 30-day window, page 0 of 20": EventQuery(
            names=(fidelity.EVENT_CASE_STATUS_UPDATED,), since=window_end - timedelta(days=30), until=window_end),
        "status changes, 1,000 a page (a sign-off poller)": EventQuery(
            names=(fidelity.EVENT_CASE_STATUS_UPDATED,), page_size=1000),
        "case events since the server started, page 0 of 20": EventQuery(entity_type=fidelity.ENTITY_CASE, since=START),
        "upload events": EventQuery(entity_type=fidelity.ENTITY_UPLOAD),
        "everything, page 0 of 20": EventQuery(),
        "everything, page 5,000 of 20": EventQuery(page_number=5000),
    }
    started = time.perf_counter()
    first = search_events(wg, EventQuery(), now)
    first_ms = (time.perf_counter() - started) * 1000
    results: dict[str, object] = {
        "cases": args.cases, "events since seeding": len(wg.events), "events in all": first.total_elements,
        "first query deriving the seeded history (ms)": round(first_ms, 1), "medians (ms)": {},
    }
    for name, query in queries.items():
        search_events(wg, query, now)  # warm-up
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            page = search_events(wg, query, now)
            times.append((time.perf_counter() - began) * 1000)
        results["medians (ms)"][name] = {"median": round(statistics.median(times), 3), "total": page.total_elements}  # type: ignore[index]
        print(f"{name:55s} {statistics.median(times):8.3f} ms  ({page.total_elements} events)")
    print(f"first query deriving the seeded history: {first_ms:.0f} ms; {first.total_elements} events in all")
    print(write_results("events", f"in process, {args.cases} seeded cases, {args.runs} runs after a warm-up", results))


if __name__ == "__main__":
    main()
