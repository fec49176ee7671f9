"""100,000 cases, as the "Performance" issue asks: start-up, a filtered search, a full page walk
at ``pageSize=1000``, 10,000 GETs of random cases and resets, on one server started with its
defaults; the server's RSS after each phase and its peak (VmHWM) through all of them.

Loopback only, bounded loops. Prints figures, asserts nothing.

    python bench/bench_scale.py [--cases 100000] [--gets 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, Server, median_ms, serve, write_results  # noqa: E402

FILTERED = {"status": "READY_FOR_INTERPRETATION", "tags": "urgent", "pageSize": 20}


def rss_mb(server: Server, field: str = "VmRSS") -> float:
    with open(f"/proc/{server.pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def timed_ms(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return round((time.perf_counter() - started) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--gets", type=int, default=10_000)
    args = parser.parse_args()
    report: dict[str, float] = {}
    with serve("--cases", str(args.cases)) as server:
        session = requests.Session()
        session.headers.update(HEADERS)
        base = server.url + "/crs/api/v1/cases/search"
        report["startup_s"] = round(server.startup_seconds, 3)
        report["rss_after_startup_mb"] = rss_mb(server)

        report["first_filtered_search_ms"] = timed_ms(lambda: session.get(base, params=FILTERED).raise_for_status())
        report["filtered_search_median_ms"] = round(
            median_ms(lambda: session.get(base, params=FILTERED).raise_for_status(), runs=30), 2)
        report["rss_after_filtered_search_mb"] = rss_mb(server)

        ids: list[str] = []
        started = time.perf_counter()
        for number in range(-(-(args.cases + 2) // 1000)):
            page = session.get(base, params={"pageSize": 1000, "pageNumber": number})
            page.raise_for_status()
            ids += [c["id"] for c in page.json()["content"]]
        report["page_walk_1000_s"] = round(time.perf_counter() - started, 2)
        report["page_walk_cases"] = len(ids)
        report["rss_after_page_walk_mb"] = rss_mb(server)

        picked = random.Random(7).choices(ids, k=args.gets)
        times = []
        for case_id in picked:
            started = time.perf_counter()
            session.get(f"{server.url}/crs/api/v2/cases/{case_id}").raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
        report["random_get_median_ms"] = round(statistics.median(times), 2)
        report["rss_after_random_gets_mb"] = rss_mb(server)

        def change_and_reset() -> float:
            session.delete(f"{server.url}/crs/api/v1/cases/{random.choice(ids)}")
            return timed_ms(lambda: session.post(server.url + "/_mock/reset").raise_for_status())

        report["reset_median_ms"] = statistics.median(change_and_reset() for _ in range(30))
        report["peak_rss_mb"] = rss_mb(server, "VmHWM")
    for name, value in report.items():
        print(f"{name}: {value}")
    configuration = (f"mockserver serve --cases {args.cases} (defaults: access log and journal on); one server, "
                     f"phases in this order; {args.gets} GETs of random cases, one client, HTTP over loopback")
    print(write_results("scale", configuration, report))


if __name__ == "__main__":
    main()
