"""Core figures for 1,000 / 10,000 / 100,000 seeded cases (issue: core vendor surface).

Start-up to the first 200, GET case latency at one connection, requests per second at 16
connections for GET case and a 20-case search page, the median of a filtered search, and peak
RSS. Loopback only; every load run is bounded in time. Prints medians; asserts nothing.

    python bench/bench_core.py [--sizes 1000,10000,100000] [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, median_ms, serve, wrk  # noqa: E402

FILTERED = {"status": "READY_FOR_INTERPRETATION", "diseaseName": "lung", "tags": "onc", "pageSize": 20}


def measure(cases: int, seconds: int) -> dict[str, float]:
    with serve("--cases", str(cases), "--no-access-log") as server:
        session = requests.Session()
        session.headers.update(HEADERS)
        first = session.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 1}).json()
        case_url = f"{server.url}/crs/api/v2/cases/{first['content'][0]['id']}"
        page_url = f"{server.url}/crs/api/v1/cases/search?pageSize=20"
        filtered_url = f"{server.url}/crs/api/v1/cases/search"
        assert session.get(case_url).status_code == 200
        single = wrk(case_url, connections=1, seconds=seconds, threads=1)
        get16 = wrk(case_url, connections=16, seconds=seconds)
        page16 = wrk(page_url, connections=16, seconds=seconds)
        filtered = median_ms(lambda: session.get(filtered_url, params=FILTERED).raise_for_status(), runs=30)
        return {
            "cases": cases,
            "startup_s": round(server.startup_seconds, 3),
            "get_case_p50_ms": single.p50_ms,
            "get_case_p99_ms": single.p99_ms,
            "get_case_rps_16": round(get16.requests_per_second),
            "search_page20_rps_16": round(page16.requests_per_second),
            "filtered_search_median_ms": round(filtered, 2),
            "peak_rss_mb": round(server.peak_rss_mb(), 1),
            "non_2xx": single.non_2xx + get16.non_2xx + page16.non_2xx,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seconds", type=int, default=3)
    args = parser.parse_args()
    rows = [measure(int(n), args.seconds) for n in args.sizes.split(",")]
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "core.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
