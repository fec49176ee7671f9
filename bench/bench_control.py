"""Control-plane figures: the median time of POST /_mock/reset at 1,000 and 100,000 cases
(with changes to undo before each reset), and the throughput cost of the request journal.

Loopback only, bounded loops. Prints medians and ratios; asserts nothing.

    python bench/bench_control.py [--sizes 1000,100000] [--seconds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, serve, write_results, wrk  # noqa: E402

RUNS = 30


def reset_median_ms(cases: int) -> dict[str, float]:
    with serve("--cases", str(cases), "--no-access-log") as server:
        session = requests.Session()
        session.headers.update(HEADERS)
        ids = [c["id"] for c in session.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 200}).json()["content"]]
        times = []
        for run in range(RUNS):
            # Something to undo each time: a deletion, a disease change, an injected case.
            session.delete(f"{server.url}/crs/api/v1/cases/{ids[run]}")
            session.put(f"{server.url}/crs/api/v1/cases/{ids[run + RUNS]}/diseases",
                        json={"externalid": "255032005", "ontologytype": "SNOMEDCT"})
            session.post(f"{server.url}/_mock/cases", json={"displayId": f"B-{run}"})
            started = time.perf_counter()
            session.post(f"{server.url}/_mock/reset", json={}).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
        total = session.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 1}).json()["totalElements"]
        assert total == cases + 2, total  # the reset really restored the seeded state
        return {"cases": cases, "reset_median_ms": round(statistics.median(times), 2)}


def journal_cost(seconds: int) -> dict[str, float]:
    results = {}
    for label, size in (("journal_on", "1000"), ("journal_off", "0")):
        with serve("--no-access-log", "--journal-size", size) as server:
            first = requests.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 1}, headers=HEADERS).json()
            case_url = f"{server.url}/crs/api/v2/cases/{first['content'][0]['id']}"
            runs = [wrk(case_url, connections=16, seconds=seconds).requests_per_second for _ in range(3)]
            results[f"{label}_rps"] = round(statistics.median(runs))
    results["journal_throughput_ratio"] = round(results["journal_on_rps"] / results["journal_off_rps"], 3)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--seconds", type=int, default=3)
    args = parser.parse_args()
    report = {"reset": [reset_median_ms(int(n)) for n in args.sizes.split(",")], "journal": journal_cost(args.seconds)}
    for row in report["reset"]:
        print(f"reset at {row['cases']} cases: median {row['reset_median_ms']} ms over {RUNS} runs")
    journal = report["journal"]
    print(f"GET case at 16 connections: journal on {journal['journal_on_rps']} req/s, off {journal['journal_off_rps']} req/s "
          f"(ratio {journal['journal_throughput_ratio']})")
    print(write_results("control", "mockserver serve --no-access-log (not the default: both settings of the journal are "
                        "compared on their own)", report))


if __name__ == "__main__":
    main()
