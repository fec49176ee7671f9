"""What the client report costs at the journal's size: 10,000 entries from a mix of clients
(pollers too fast and polite, pagers past the end, retries after injected faults with and
without Retry-After, refused requests, the other API version, keys in the URL), judged in the
server's process (``client_report.report`` on a copy of the journal) and asked for over HTTP
(``GET /_mock/client-report``, JSON and text), medians of ``--runs``.

The journal is filled through the app itself (Flask's test client: the same hooks and journal
entries as over a socket, in a fraction of the time), then served on a loopback port for the
HTTP measures. Bounded loops; prints medians; asserts nothing.

    python bench/bench_client_report.py [--entries 10000] [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, WORKGROUP, median_ms, write_results  # noqa: E402

from mockserver import create_app  # noqa: E402
from mockserver.admin import client_report  # noqa: E402
from mockserver.admin.plane import EXTENSION  # noqa: E402
from mockserver.serving.runner import ServerThread  # noqa: E402
from mockserver.settings import Settings  # noqa: E402

CSV = "Sample_ID,Case_ID\nS-1,CASE-BENCH-1\n"


def fill(app, entries: int) -> dict[str, int]:
    """Vendor traffic from six clients until the journal holds ``entries``; calls per client."""
    web = app.test_client()
    journal = app.extensions[EXTENSION].journal
    cases = web.get("/crs/api/v1/cases/search?pageSize=100", headers=HEADERS).get_json()["content"]
    case_ids = [c["id"] for c in cases]
    upload = web.post("/crs/api/v2/custom-case-data/files", headers=HEADERS,
                      data={"files": (__import__("io").BytesIO(CSV.encode()), "m.csv")}).get_json()[0]["id"]
    web.post("/_mock/faults", json={"operation": "searchAuditLogs", "status": 503, "retryAfter": 2,
                                    "probability": 0.2})
    web.post("/_mock/faults", json={"operation": "getCase", "status": 500, "probability": 0.05})
    clients = {
        "poller": lambda i: web.get(f"/crs/api/v1/custom-case-data/{upload}/status", headers=_as("poller")),
        "reader": lambda i: web.get(f"/crs/api/v2/cases/{case_ids[i % len(case_ids)]}", headers=_as("reader")),
        "pager": lambda i: web.get(f"/crs/api/v1/cases/search?pageSize=50&pageNumber={i % 25}", headers=_as("pager")),
        "auditor": lambda i: web.get(f"/als/api/v1/auditlogs/search?pageNumber={i % 3}", headers=_as("auditor")),
        "careless": lambda i: web.get(f"/crs/api/v1/cases/{case_ids[i % 7]}?apikey=x", headers=_as("careless")),
        "no-domain": lambda i: web.get(f"/crs/api/v2/cases/{case_ids[0]}", headers={**_as("no-domain"),
                                                                                     "X-ILMN-Domain": ""}),
    }
    calls = dict.fromkeys(clients, 0)
    i = 0
    while len(journal.entries()) < entries:
        name = list(clients)[i % len(clients)]
        clients[name](calls[name])
        calls[name] += 1
        i += 1
    return calls


def _as(client: str) -> dict[str, str]:
    return {**HEADERS, "Authorization": f"ApiKey bench-{client}", "User-Agent": f"bench-{client}/1.0"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    app = create_app(Settings(port=0, access_log=False, journal_size=args.entries))
    started = time.perf_counter()
    calls = fill(app, args.entries)
    fill_seconds = time.perf_counter() - started
    plane = app.extensions[EXTENSION]
    entries = plane.journal.entries()
    clients = client_report.report(entries, plane.client_rules)
    judge_ms = [median_ms(lambda: client_report.report(plane.journal.entries(), plane.client_rules), 1)
                for _ in range(args.runs)]
    server = ServerThread(app).start()
    try:
        url = server.url + "/_mock/client-report"
        session = requests.Session()
        http_json_ms = median_ms(lambda: session.get(url, timeout=60).raise_for_status(), args.runs)
        http_text_ms = median_ms(lambda: session.get(url, params={"format": "text"}, timeout=60).raise_for_status(),
                                 args.runs)
        one_workgroup_ms = median_ms(lambda: session.get(url, params={"workgroup": WORKGROUP}, timeout=60), args.runs)
    finally:
        server.stop()
    results = {
        "entries": len(entries),
        "clients": len(clients),
        "findings": {c["userAgent"]: [f["rule"] for f in c["findings"]] for c in clients},
        "callsPerClient": calls,
        "fillSeconds": round(fill_seconds, 1),
        "judgeMedianMs": round(statistics.median(judge_ms), 1),
        "judgeRangeMs": [round(min(judge_ms), 1), round(max(judge_ms), 1)],
        "httpJsonMedianMs": round(http_json_ms, 1),
        "httpTextMedianMs": round(http_text_ms, 1),
        "httpOneWorkgroupMedianMs": round(one_workgroup_ms, 1),
        "targetMs": 200,
    }
    for name, value in results.items():
        print(f"{name:26s} {value}")
    print(write_results("client_report", f"in process (judge) and over loopback (HTTP), journal of {args.entries}, "
                                          "access log off", results))


if __name__ == "__main__":
    main()
