"""A self-contained mock server of the Illumina Connected Insights (ICI) Case APIs."""

from __future__ import annotations

__version__ = "0.1.0"

from .app import create_app  # noqa: E402  (the app reads __version__)
from .client import MockControl, MockControlError  # noqa: E402
from .embedded import MockServer  # noqa: E402
from .settings import Settings  # noqa: E402

__all__ = ["MockControl", "MockControlError", "MockServer", "Settings", "__version__", "create_app"]
