"""Bare Flask under waitress with waitress's defaults (4 threads), serving the mock's own
bodies (read from an in-process mock first): ``../shared/perf-peers/flask_reference.py`` as
the peers' run serves it, the reference that ``bench_servers.py`` takes its ratios against.

    python bench/bare_flask.py --port 8000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import waitress

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS  # noqa: E402
from bench_app_path import bare_app  # noqa: E402

from mockserver import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    client = create_app(cases=1000).test_client()
    page = client.get("/crs/api/v1/cases/search", headers=HEADERS, query_string={"pageSize": 20}).get_json()
    cases = [client.get(f"/crs/api/v2/cases/{case['id']}", headers=HEADERS).get_json() for case in page["content"]]
    app = bare_app(cases, page)
    # What the bench harness asks before it measures: is the server up?
    app.get("/crs/api/v1/session/workgroups")(lambda: {"content": []})
    waitress.serve(app, host="127.0.0.1", port=args.port, _quiet=True)


if __name__ == "__main__":
    main()
