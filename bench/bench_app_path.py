"""The app path alone: the mock's own work per request against a bare Flask app's, both called
as WSGI in this process (no server, no socket), for GET case, a search page and PUT diseases.

The bare app is what ``../shared/perf-peers/flask_reference.py`` is (a dict lookup and
``jsonify``), serving the very bodies the mock serves (read from the mock first), so the two
write the same bytes. The mock runs with its defaults (journal on, 1,000 cases). A third app,
Flask's floor, answers the same routes with those bodies already encoded: the time each app
spends above it is its own work (the mock's hooks, domain and journal; the bare app's ``jsonify``).
The mock answers a plain GET case in front of Flask (``mockserver.fast_path``): below the floor.
Rounds alternate the three apps; medians of the rounds, and the mock's ratio to the bare app
(issue 28's target: at most 1.15). Bounded loops; prints medians; asserts nothing.

    python bench/bench_app_path.py [--requests 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.test import EnvironBuilder

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, write_results  # noqa: E402

from mockserver import create_app  # noqa: E402

DISEASE = {"externalid": "254837009", "ontologytype": "SNOMEDCT"}


def bare_app(cases: list[dict[str, Any]], page: dict[str, Any]) -> Flask:
    """flask_reference.py's app, over the mock's own bodies."""
    app = Flask("bare")
    by_id = {case["id"]: case for case in cases}

    @app.get("/crs/api/v2/cases/<case_id>")
    def get_case(case_id: str) -> Any:
        return jsonify(by_id[case_id])

    @app.get("/crs/api/v1/cases/search")
    def search_cases() -> Any:
        request.args.get("pageSize", 20, type=int)
        return jsonify(page)

    @app.put("/crs/api/v1/cases/<case_id>/diseases")
    def put_diseases(case_id: str) -> Any:
        body = request.get_json()
        case = by_id[case_id]
        case["subjects"][0]["samples"][0]["tumorType"] = [{"externalid": body["externalid"]}]
        return jsonify(case)

    return app


def floor_app(cases: list[dict[str, Any]], page: dict[str, Any]) -> Flask:
    """Flask's own floor: the bare app's routes answering with the same bodies already encoded,
    so that neither a lookup beyond a dict nor any JSON encoding is left. What the mock and the
    bare app each spend above it is their own work."""
    app = Flask("floor")
    encoded = {case["id"]: app.json.dumps(case).encode() for case in cases}
    encoded_page = app.json.dumps(page).encode()

    @app.get("/crs/api/v2/cases/<case_id>")
    def get_case(case_id: str) -> Any:
        return Response(encoded[case_id], mimetype="application/json")

    @app.get("/crs/api/v1/cases/search")
    def search_cases() -> Any:
        request.args.get("pageSize", 20, type=int)
        return Response(encoded_page, mimetype="application/json")

    @app.put("/crs/api/v1/cases/<case_id>/diseases")
    def put_diseases(case_id: str) -> Any:
        request.get_json()
        return Response(encoded[case_id], mimetype="application/json")

    return app


def environs(method: str, paths: list[str], body: Any = None) -> list[dict[str, Any]]:
    return [EnvironBuilder(method=method, path=path, headers=HEADERS, json=body).get_environ() for path in paths]


def per_request_us(app: Callable[..., Any], prepared: list[dict[str, Any]], requests: int) -> float:
    def start(status: str, headers: list[Any], exc_info: Any = None) -> None:
        assert status.startswith("200"), status

    started = time.perf_counter()
    for i in range(requests):
        environ = dict(prepared[i % len(prepared)])
        environ["wsgi.input"].seek(0)
        body = app(environ, start)
        for _ in body:
            pass
        getattr(body, "close", lambda: None)()
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    mock = create_app(cases=1000)
    client = mock.test_client()
    found = client.get("/crs/api/v1/cases/search", headers=HEADERS, query_string={"pageSize": 20}).get_json()
    ids = [case["id"] for case in found["content"]]
    cases = [client.get(f"/crs/api/v2/cases/{case_id}", headers=HEADERS).get_json() for case_id in ids]
    bare = bare_app(cases, found)
    floor = floor_app(cases, found)
    calls = {
        "GET case": environs("GET", [f"/crs/api/v2/cases/{case_id}" for case_id in ids]),
        "search page (20)": environs("GET", ["/crs/api/v1/cases/search?pageSize=20"]),
        # A signed-off case refuses a new disease (400): the others take it again and again.
        "PUT diseases": environs("PUT", [f"/crs/api/v1/cases/{case['id']}/diseases" for case in cases
                                         if case["status"] != "REPORTS_SIGNED_OFF"], DISEASE),
    }
    results = {}
    apps = {"mock": mock, "bare": bare, "floor": floor}
    for name, prepared in calls.items():
        for app in apps.values():
            per_request_us(app, prepared, 200)  # warm each
        rounds: dict[str, list[float]] = {kind: [] for kind in apps}
        for _ in range(args.rounds):
            for kind, app in apps.items():
                rounds[kind].append(per_request_us(app, prepared, args.requests))
        mock_us, bare_us, floor_us = (statistics.median(rounds[kind]) for kind in apps)
        results[name] = {"mockUs": round(mock_us, 1), "bareUs": round(bare_us, 1), "ratio": round(mock_us / bare_us, 2),
                         "floorUs": round(floor_us, 1), "mockOwnUs": round(mock_us - floor_us, 1),
                         "bareOwnUs": round(bare_us - floor_us, 1)}
        print(f"{name}: mock {mock_us:.1f} us, bare Flask {bare_us:.1f} us, ratio {mock_us / bare_us:.2f}; "
              f"above Flask's floor ({floor_us:.1f} us): mock {mock_us - floor_us:.1f}, bare {bare_us - floor_us:.1f}")
    print("wrote", write_results("app_path", f"WSGI in process, no server; mock defaults (journal on, 1,000 cases); "
                                             f"{args.rounds} alternating rounds of {args.requests} requests", results))


if __name__ == "__main__":
    main()
