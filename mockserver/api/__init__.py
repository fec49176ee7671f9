"""The vendor's HTTP surface: Flask routes and marshmallow, over the domain.

Never imports the control plane: faults and the journal reach these routes only through hooks
that the control plane installs on the app.
"""

from __future__ import annotations

from flask import Flask

from .routes import cases, config, uploads


def register(app: Flask) -> None:
    for module in (cases, uploads, config):
        app.register_blueprint(module.bp)
