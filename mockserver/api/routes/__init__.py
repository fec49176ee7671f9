"""Vendor routes; each Flask endpoint is named after the vendor operation (getCase, ...)."""
