"""The control plane under ``/_mock/``: state, clock, lifecycle, latency, faults, journal.

Imports the domain, the generator and the shared schemas. The vendor surface never imports
this package; what it adds to vendor requests (delays, faults, the journal) it adds through
request hooks installed by ``register``.
"""

from __future__ import annotations

from flask import Flask

from . import routes


def register(app: Flask) -> None:
    app.register_blueprint(routes.bp)
