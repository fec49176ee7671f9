"""The Report and Audit Log APIs over HTTP, `mockserver serve` in its default configuration
(access log and journal on) with 100,000 seeded cases.

- Audit search as a sign-off poller asks it: ``eventName=case.status.updated`` and a 30-day
  ``fromDate``/``toDate`` window, page 0 of 20 and of 1,000 (a production client's page); the
  1,000 page read again (its entries' JSON is kept while their events are unchanged), and 2-day
  windows each read once (every entry rendered anew); then the 30-day page after 200 sign-offs
  through the control plane.
- GET reportjson of random processed cases (each a different case: no cached best case) and of
  one case read again, and the PDF; beside them GET case of random cases on the same client
  (Python ``requests``, which alone takes a few milliseconds a call), the floor of any figure here;
  and the report JSON rendered in this process through Flask's test client (no socket, no client).

Each figure is the median of ``--runs`` requests after a warm-up; the first audit query, which
derives the seeded cases' whole history once, is reported apart. Prints medians; asserts nothing.

    python bench/bench_reports.py [--cases 100000] [--runs 50]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, median_ms, serve, write_results  # noqa: E402

from mockserver import create_app  # noqa: E402

WINDOW = {"fromDate": "2026-10-01T00:00:00Z", "toDate": "2026-10-31T23:59:59Z"}


def timed(call: Callable[[], requests.Response], runs: int) -> float:
    """The median of ``runs`` answered calls after a warm-up, in ms."""
    def answered() -> None:
        response = call()
        assert response.status_code == 200, response.text
    answered()  # warm-up
    return round(median_ms(answered, runs), 2)


def in_process(runs: int) -> float:
    """The report JSON's own cost: the route in this process, without a socket or an HTTP client."""
    client = create_app(cases=1000).test_client()
    processed = [c["id"] for c in client.get("/crs/api/v1/cases/search", headers=HEADERS, query_string={
        "status": "REPORTS_SIGNED_OFF", "pageSize": 1000}).json["content"]]
    cases = iter(random.Random(7).sample(processed, runs + 1))
    return timed(lambda: client.get(f"/drs/v1/draftreport/case/{next(cases)}/reportjson", headers=HEADERS), runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    with serve("--cases", str(args.cases)) as server, requests.Session() as http:
        http.headers.update(HEADERS)
        audit = f"{server.url}/als/api/v1/auditlogs/search"
        started = time.perf_counter()
        first = http.get(audit, params={"eventName": "case.status.updated", **WINDOW})
        first_ms = (time.perf_counter() - started) * 1000
        processed = []
        for status in ("READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF"):
            page = http.get(f"{server.url}/crs/api/v1/cases/search", params={"status": status, "pageSize": 2000})
            processed += [c["id"] for c in page.json()["content"]]
        # Windows of two days, each read once: entries rendered for the first time.
        fresh = iter({"fromDate": f"{day:%Y-%m-%d}T00:00:00Z", "toDate": f"{day + timedelta(days=1):%Y-%m-%d}T23:59:59Z"}
                     for day in (datetime(2026, 10, 1) - timedelta(days=2 * n) for n in range(args.runs + 1)))
        rng = random.Random(7)
        sample = iter(rng.sample(processed, args.runs * 3 + 3))
        one = processed[0]
        body = http.get(f"{server.url}/drs/v1/draftreport/case/{one}/reportjson").json()
        report_id = body["subjects"][0]["reports"][0]["subjectReportId"]
        medians = {
            "audit: status changes in a 30-day window, page 0 of 20": timed(
                lambda: http.get(audit, params={"eventName": "case.status.updated", **WINDOW}), args.runs),
            "audit: status changes in a 30-day window, page 0 of 1000, read again": timed(
                lambda: http.get(audit, params={"eventName": "case.status.updated", "pageSize": 1000, **WINDOW}), args.runs),
            "audit: status changes in a 2-day window never read before, page 0 of 1000": timed(
                lambda: http.get(audit, params={"eventName": "case.status.updated", "pageSize": 1000, **next(fresh)}),
                args.runs),
            "report JSON: a different random processed case each time": timed(
                lambda: http.get(f"{server.url}/drs/v1/draftreport/case/{next(sample)}/reportjson"), args.runs),
            "report JSON: one case read again": timed(
                lambda: http.get(f"{server.url}/drs/v1/draftreport/case/{one}/reportjson"), args.runs),
            "report PDF: one case": timed(
                lambda: http.get(f"{server.url}/drs/v1/draftreport/case/{one}/reports/{report_id}/pdf"), args.runs),
            "GET case, random processed cases (this client's floor)": timed(
                lambda: http.get(f"{server.url}/crs/api/v2/cases/{next(sample)}"), args.runs),
        }
        ready = http.get(f"{server.url}/crs/api/v1/cases/search",
                         params={"status": "READY_FOR_INTERPRETATION", "pageSize": 200}).json()["content"]
        for case in ready:
            http.post(f"{server.url}/_mock/cases/{case['id']}/sign-off", json={"at": "2026-10-31T23:30:00Z"})
        medians["audit: the 30-day window after 200 sign-offs, page 0 of 1000"] = timed(
            lambda: http.get(audit, params={"eventName": "case.status.updated", "pageSize": 1000, **WINDOW}), args.runs)
        total = http.get(audit, params={"eventName": "case.status.updated", **WINDOW}).json()["totalElements"]
    medians["report JSON rendered in process (Flask test client, no socket; 1,000 cases)"] = in_process(args.runs)
    for name, median in medians.items():
        print(f"{name:62s} {median:8.2f} ms")
    print(f"first audit query (derives the seeded history): {first_ms:.0f} ms; start-up {server.startup_seconds:.1f} s")
    print(write_results("reports", f"mockserver serve --cases {args.cases} (defaults: access log and journal on), "
                                   f"HTTP over loopback, median of {args.runs} requests after a warm-up", {
        "cases": args.cases, "status changes in the window": total, "first audit query (ms)": round(first_ms),
        "first query status": first.status_code, "medians (ms)": medians,
    }))


if __name__ == "__main__":
    main()
