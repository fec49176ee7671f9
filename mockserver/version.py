"""The package's version: a leaf module, so anything may import it without importing the app."""

__version__ = "0.1.0"
