"""Hostile input: what another client sees while one client sends the worst requests we know of,
and how much memory those requests leave behind.

For items 1-4 of the "Hostile input" issue, a probe client sends GET case (same workgroup as the
attack) every 5 ms and the script reports the worst probe latency during the attack, beside the
probe's median before it. For items 5-6 it reports the server's RSS growth. The second round
("Hostile input, second round") adds the audit page of a busy case, the first audit query at
100,000 and 1,000,000 cases (its own duration too) and periodic state saves of 120,000 events,
each as the worst latency the probe saw. Loopback only, bounded loops; prints figures, asserts
nothing.

    python bench/bench_hostile.py [--runs 3] [--only-second-round]
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, Server, serve, write_results  # noqa: E402

CASE = "0f6b2a44-5c1d-4e7a-9b3f-2d8c6e1a7b90"
THYROID = "1a7c3b55-6d2e-4f8b-8c4a-3e9d7f2b8c01"


def rss_mb(server: Server) -> float:
    with open(f"/proc/{server.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _probe(url: str, stop: multiprocessing.synchronize.Event, out: multiprocessing.Queue) -> None:
    session = requests.Session()
    session.headers.update(HEADERS)
    latencies: list[float] = []
    while not stop.is_set() and len(latencies) < 100_000:
        started = time.perf_counter()
        session.get(f"{url}/crs/api/v2/cases/{CASE}", timeout=120)
        latencies.append((time.perf_counter() - started) * 1000)
        stop.wait(0.005)
    out.put(latencies)


@contextmanager
def probing(url: str) -> Iterator[list[float]]:
    """GET case every 5 ms from a process of its own (so that the attacking client's work never
    delays the probe's own measurements); the list fills with its latencies (ms) at the end."""
    latencies: list[float] = []
    stop = multiprocessing.Event()
    out: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_probe, args=(url, stop, out))
    process.start()
    try:
        time.sleep(0.5)
        yield latencies
    finally:
        time.sleep(0.3)
        stop.set()
        latencies.extend(out.get(timeout=150))
        process.join(timeout=30)


def baseline_ms(url: str) -> float:
    with probing(url) as latencies:
        time.sleep(1.0)
    return statistics.median(latencies)


def worst_stall(url: str, attack: Callable[[], None]) -> float:
    with probing(url) as latencies:
        attack()
    return max(latencies)


def csv_upload(url: str, name: str, data: bytes) -> str:
    files = [("files", (name, data, "text/csv"))]
    response = requests.post(f"{url}/crs/api/v2/custom-case-data/files", files=files, headers=HEADERS, timeout=300)
    response.raise_for_status()
    return response.json()[0]["id"]


def until_ingested(url: str, upload_id: str) -> None:
    """Poll the upload until it is done (the job runs in whichever request comes after its due time)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = requests.get(f"{url}/crs/api/v1/custom-case-data/{upload_id}/status", headers=HEADERS, timeout=300).json()
        if status["status"] not in ("QUEUED", "IN_PROGRESS"):
            return
        time.sleep(0.1)
    raise RuntimeError("ingestion did not finish")


def one_case_many_samples(rows: int) -> bytes:
    return ("Sample_ID,Case_ID\n" + "".join(f"S{n},ONE-CASE\n" for n in range(rows))).encode()


def many_new_cases(rows: int) -> bytes:
    return ("Sample_ID,Case_ID\n" + "".join(f"S{n},NEW-{n}\n" for n in range(rows))).encode()


def short_cells(size: int) -> bytes:
    """About ``size`` bytes of rows of one-character cells (a few cases, many columns)."""
    columns = 200
    header = "Sample_ID,Case_ID," + ",".join(f"C{n}" for n in range(columns)) + "\n"
    row = ",".join(["x"] * (columns + 2)) + "\n"
    return (header + row * ((size - len(header)) // len(row))).encode()


def attacks(url: str, threads: int) -> dict[str, Callable[[], None]]:
    def wildcard() -> None:
        requests.get(f"{url}/crs/api/v1/cases/search", params={"displayId": "a%" * 20 + "!"}, headers=HEADERS, timeout=300)

    def csv_one_case() -> None:
        until_ingested(url, csv_upload(url, "one.csv", one_case_many_samples(8000)))

    def csv_new_cases() -> None:
        until_ingested(url, csv_upload(url, "many.csv", many_new_cases(100_000)))

    def unauthenticated_delays() -> None:
        def one() -> None:
            requests.get(f"{url}/crs/api/v2/cases/{CASE}", headers={"X-Mock-Delay-Ms": "5000"}, timeout=60)
        run_parallel(one, threads)

    def waits() -> None:
        def one() -> None:
            requests.get(f"{url}/_mock/cases/{THYROID}/wait", params={"status": "HAS_ISSUE", "timeout": 3}, timeout=60)
        run_parallel(one, threads)

    return {"1 wildcard search": wildcard, "2a CSV, 8,000 samples on one case": csv_one_case,
            "2b CSV, 100,000 new cases": csv_new_cases, "3 unauthenticated delayed requests": unauthenticated_delays,
            "4 waits, as many as threads": waits}


def run_parallel(action: Callable[[], None], count: int) -> None:
    workers = [threading.Thread(target=action) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)


def stalls(runs: int) -> dict[str, dict[str, float]]:
    threads = 4  # as the issue measured: a small pool is the easiest to starve
    results: dict[str, list[float]] = {}
    baselines = []
    for _ in range(runs):
        with serve("--threads", str(threads)) as server:
            requests.post(f"{server.url}/_mock/cases", json={"displayId": "a" * 300}, timeout=30).raise_for_status()
            baselines.append(baseline_ms(server.url))
            for name, attack in attacks(server.url, threads).items():
                results.setdefault(name, []).append(worst_stall(server.url, attack))
    median_baseline = statistics.median(baselines)
    return {name: {"worstProbeMs": round(statistics.median(values), 1), "probeMedianBeforeMs": round(median_baseline, 2)}
            for name, values in results.items()}


def memory() -> dict[str, dict[str, float]]:
    out = {}
    with serve() as server:
        before = rss_mb(server)
        data = short_cells(9_900_000)
        upload_id = csv_upload(server.url, "short.csv", data)
        during = rss_mb(server)
        until_ingested(server.url, upload_id)
        after = rss_mb(server)
        out["5 10 MB CSV of short cells"] = {"fileMb": round(len(data) / 1e6, 1), "rssBeforeMb": round(before, 1),
                                            "rssAfterUploadMb": round(during, 1), "rssAfterIngestionMb": round(after, 1),
                                            "growthPerFileByte": round((max(during, after) - before) * 1e6 / len(data), 2)}
    with serve() as server:
        before = rss_mb(server)
        session = requests.Session()
        for _ in range(500):
            session.get(f"{server.url}/crs/api/v2/cases/{CASE}", headers={"X-Padding": "x" * 200_000}, timeout=30)
        out["6 journal, 500 requests with a 200 KB header"] = {"rssBeforeMb": round(before, 1),
                                                               "rssAfterMb": round(rss_mb(server), 1)}
    return out


def put_diseases(url: str, case_id: str, times: int) -> None:
    session = requests.Session()
    session.headers.update(HEADERS)
    for _ in range(times):
        session.put(f"{url}/crs/api/v1/cases/{case_id}/diseases", timeout=30,
                    json={"externalid": "255032005", "ontologytype": "SNOMEDCT"}).raise_for_status()


def audit_page(url: str, **params: object) -> None:
    requests.get(f"{url}/als/api/v1/auditlogs/search", params=params, headers=HEADERS, timeout=1200).raise_for_status()


def state_with_events(url: str, count: int) -> dict:
    """The server's own export with ``count`` events of its default workgroup (copies of the
    status changes a PUT diseases records, at successive seconds)."""
    put_diseases(url, THYROID, 1)
    doc = requests.get(f"{url}/_mock/state", timeout=60).json()
    workgroup = doc["workgroups"][0]
    template = next(e for e in workgroup["events"] if e["name"] == "case.status.updated")
    workgroup["events"] = [{**template, "at": f"2026-01-{1 + n // 86400 % 28:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"}
                           for n in range(count)]
    return doc


def second_round(runs: int) -> dict[str, dict[str, float]]:
    results: dict[str, list[dict[str, float]]] = {}
    for _ in range(runs):
        with serve() as server:
            put_diseases(server.url, THYROID, 3000)
            stall = worst_stall(server.url, lambda: [audit_page(server.url, caseId=THYROID, pageSize=2000) for _ in range(5)])
            results.setdefault("7 audit page of a busy case (3,000 PUT diseases, pageSize 2000, x5)", []).append(
                {"worstProbeMs": stall})
        for cases in (100_000, 1_000_000):
            with serve("--cases", str(cases)) as server:
                took: list[float] = []

                def first_query(url: str = server.url, took: list[float] = took) -> None:
                    started = time.perf_counter()
                    audit_page(url, eventName="case.status.updated", pageSize=20)
                    took.append((time.perf_counter() - started) * 1000)

                stall = worst_stall(server.url, first_query)
                results.setdefault(f"8 first audit query, {cases:,} cases", []).append(
                    {"queryMs": took[0], "worstProbeMs": stall})
        with tempfile.TemporaryDirectory() as folder:
            with serve("--state-file", f"{folder}/state.json", "--state-save-seconds", "1") as server:
                doc = state_with_events(server.url, 120_000)
                requests.put(f"{server.url}/_mock/state", json=doc, timeout=300).raise_for_status()
                stall = worst_stall(server.url, lambda: [put_diseases(server.url, THYROID, 1) or time.sleep(1)
                                                         for _ in range(6)])  # a change, then a save, six times
                results.setdefault("9 state saves every second, 120,000 events, a change before each", []).append(
                    {"worstProbeMs": stall, "fileMb": round(Path(folder, "state.json").stat().st_size / 1e6, 1)})
    return {name: {key: round(statistics.median(run[key] for run in runs_), 1) for key in runs_[0]}
            for name, runs_ in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per attack; the median is reported")
    parser.add_argument("--only-second-round", action="store_true", help="measure the second round's stalls only")
    args = parser.parse_args()
    report = {} if args.only_second_round else {"stalls": stalls(args.runs), "memory": memory()}
    report["secondRound"] = second_round(args.runs)
    for name, figures in {**report.get("stalls", {}), **report.get("memory", {}), **report["secondRound"]}.items():
        print(f"{name:45s} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    print(write_results("hostile", f"mockserver serve, access log and journal on: stalls on --threads 4 (median of {args.runs} "
                        "runs per attack), memory and the second round on the default 32 threads"
                        + (" (second round only)" if args.only_second_round else ""), report))


if __name__ == "__main__":
    main()
