"""The dashboard at ``/_mock/ui``: one static page (HTML, CSS and plain JavaScript shipped in
the package, no build step, no CDN) that reads and steers the mock through the documented
control plane and vendor calls, the same calls a test makes.

The page carries no data, so it needs no admin token; the calls it makes do. Its content
security policy allows only its own scripts and styles, so nothing the server echoes into it
can run, even if it slipped past the page's text-only rendering.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, send_from_directory

PAGE_PATH = "/_mock/ui"
ASSETS = Path(__file__).parent / "assets"
#: What the page and its assets may load and run: only themselves, and calls to this server.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

bp = Blueprint("ui", __name__)


def _guarded(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-cache"  # a new version of the mock serves its new page
    return response


@bp.get(PAGE_PATH, endpoint="dashboard")
def dashboard() -> Response:
    return _guarded(send_from_directory(ASSETS, "dashboard.html", mimetype="text/html"))


@bp.get(PAGE_PATH + "/assets/<any('dashboard.js', 'dashboard.css'):name>", endpoint="dashboard_asset")
def asset(name: str) -> Response:
    return _guarded(send_from_directory(ASSETS, name))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
