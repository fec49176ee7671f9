"""A self-contained mock server of the Illumina Connected Insights (ICI) Case APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .app import create_app
from .settings import Settings
from .version import __version__

if TYPE_CHECKING:
    from .testing.clients import MockControl, MockControlError, VendorClient
    from .testing.embedded import MockServer

#: Imported on first use: the clients need requests, which serving does not.
_LAZY = {"MockControl": "testing.clients", "MockControlError": "testing.clients", "VendorClient": "testing.clients",
         "MockServer": "testing.embedded"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")

__all__ = ["MockControl", "MockControlError", "MockServer", "Settings", "VendorClient", "__version__", "create_app"]
