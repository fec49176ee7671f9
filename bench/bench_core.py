"""Core figures for 1,000 / 10,000 / 100,000 seeded cases, in the default configuration.

For each size, ``--runs`` fresh servers (default 3), each measured after a warm-up: start-up
to the first answered vendor request; GET case at one connection (p50/p99) and at 16
connections (req/s), both for one case read over and over (the best case: its rendering is
cached) and for cases picked at random (``random_case.lua``); a 20-case page at 16 connections,
unfiltered and filtered; the median of a filtered search; peak RSS. Reports the median of the
runs with their range. Loopback only; every load run is bounded in time; asserts nothing.

    python bench/bench_core.py [--sizes 1000,10000,100000] [--seconds 3] [--runs 3] [--config default]

``--config quiet`` (``--no-access-log --journal-size 0``) is measured only when asked, and its
results file says so.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, median_ms, serve, write_results, wrk  # noqa: E402

CONFIGURATIONS = {
    "default": (),  # what `mockserver serve` does with no flags: access log and journal on
    "quiet": ("--no-access-log", "--journal-size", "0"),
}
FILTERED = {"status": "READY_FOR_INTERPRETATION", "diseaseName": "carcinoma", "pageSize": 20}
FILTERED_QUERY = "status=READY_FOR_INTERPRETATION&diseaseName=carcinoma&pageSize=20"
RANDOM_CASE_SCRIPT = str(Path(__file__).parent / "random_case.lua")
SAMPLED_IDS = 10_000


def sample_ids(session: requests.Session, url: str, total: int) -> list[str]:
    """Up to SAMPLED_IDS case ids from pages spread over the whole list (seeded choice)."""
    pages = max(1, -(-total // 2000))
    chosen = sorted(random.Random(7).sample(range(pages), min(pages, SAMPLED_IDS // 2000)))
    ids = []
    for number in chosen:
        page = session.get(f"{url}/crs/api/v1/cases/search", params={"pageSize": 2000, "pageNumber": number})
        page.raise_for_status()
        ids += [c["id"] for c in page.json()["content"]]
    return ids


def one_run(cases: int, seconds: int, flags: tuple[str, ...]) -> dict[str, float]:
    with serve("--cases", str(cases), *flags) as server, tempfile.NamedTemporaryFile("w", suffix=".ids") as ids_file:
        session = requests.Session()
        session.headers.update(HEADERS)
        first = session.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 1}).json()
        ids = sample_ids(session, server.url, first["totalElements"])
        ids_file.write("\n".join(ids) + "\n")
        ids_file.flush()
        cases_url = f"{server.url}/crs/api/v2/cases/"
        hot_url = cases_url + first["content"][0]["id"]
        page_url = f"{server.url}/crs/api/v1/cases/search?pageSize=20"
        filtered_url = f"{server.url}/crs/api/v1/cases/search?{FILTERED_QUERY}"
        random_case = (RANDOM_CASE_SCRIPT, ids_file.name)
        assert session.get(filtered_url).json()["content"], "the filtered page should not be empty"
        for url, script in ((hot_url, ()), (cases_url, random_case), (page_url, ()), (filtered_url, ())):
            wrk(url, connections=16, seconds=2, script_args=script)  # warm-up, not counted
        hot1 = wrk(hot_url, connections=1, seconds=seconds, threads=1)
        random1 = wrk(cases_url, connections=1, seconds=seconds, threads=1, script_args=random_case)
        hot16 = wrk(hot_url, connections=16, seconds=seconds)
        random16 = wrk(cases_url, connections=16, seconds=seconds, script_args=random_case)
        page16 = wrk(page_url, connections=16, seconds=seconds)
        filtered16 = wrk(filtered_url, connections=16, seconds=seconds)
        filtered = median_ms(lambda: session.get(f"{server.url}/crs/api/v1/cases/search", params=FILTERED).raise_for_status(),
                             runs=30)
        runs = (hot1, random1, hot16, random16, page16, filtered16)
        return {
            "startup_s": round(server.startup_seconds, 3),
            "get_hot_case_p50_ms": hot1.p50_ms, "get_hot_case_p99_ms": hot1.p99_ms,
            "get_random_case_p50_ms": random1.p50_ms, "get_random_case_p99_ms": random1.p99_ms,
            "get_hot_case_rps_16": round(hot16.requests_per_second),
            "get_random_case_rps_16": round(random16.requests_per_second),
            "page20_rps_16": round(page16.requests_per_second),
            "filtered_page20_rps_16": round(filtered16.requests_per_second),
            "filtered_search_median_ms": round(filtered, 2),
            "peak_rss_mb": round(server.peak_rss_mb(), 1),
            "non_2xx": sum(r.non_2xx for r in runs),
        }


def summarise(cases: int, runs: list[dict[str, float]]) -> dict:
    keys = [k for k in runs[0] if k != "non_2xx"]
    return {
        "cases": cases,
        "median": {k: statistics.median(r[k] for r in runs) for k in keys},
        "range": {k: [min(r[k] for r in runs), max(r[k] for r in runs)] for k in keys},
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--config", choices=sorted(CONFIGURATIONS), default="default")
    args = parser.parse_args()
    flags = CONFIGURATIONS[args.config]
    rows = []
    for size in (int(n) for n in args.sizes.split(",")):
        rows.append(summarise(size, [one_run(size, args.seconds, flags) for _ in range(args.runs)]))
        print(size, rows[-1]["median"], file=sys.stderr)
    configuration = f"mockserver serve {' '.join(flags) or '(defaults: access log and journal on)'}; " \
                    f"{args.runs} runs per size, {args.seconds} s per wrk phase after a 2 s warm-up"
    name = "core" if args.config == "default" else f"core-{args.config}"
    print(write_results(name, configuration, rows))


if __name__ == "__main__":
    main()
