"""Control-plane endpoints."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .. import __version__

bp = Blueprint("admin", __name__, url_prefix="/_mock")


@bp.get("/health", endpoint="health")
def health() -> Response:
    return jsonify({"status": "ok", "version": __version__})
