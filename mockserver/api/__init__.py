"""The vendor's HTTP surface: Flask routes and marshmallow, over the domain.

Never imports the control plane: faults and the journal reach these routes only through hooks
that the control plane installs on the app.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

from . import rendering
from .routes import audit, cases, config, reports, uploads


class NotSearch(BaseConverter):
    """A path segment other than ``search``: /cases/search is the search route, whatever the method."""

    regex = r"(?!search(?:/|$))[^/]+"


def register(app: Flask) -> None:
    rendering.install(app)
    app.url_map.converters["not_search"] = NotSearch
    for module in (cases, uploads, config, reports, audit):
        app.register_blueprint(module.bp)
