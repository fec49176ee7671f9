"""A self-contained mock server of the Illumina Connected Insights (ICI) Case APIs."""

from __future__ import annotations

__version__ = "0.1.0"

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "__version__", "create_app"]
