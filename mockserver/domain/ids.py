"""Stable ids: the same parts, the same id, on every server and every run."""

from __future__ import annotations

import hashlib


def stable_uuid(*parts: object) -> str:
    """A version-4 UUID from the SHA-256 of the parts joined by ``:``: what
    ``uuid.UUID(bytes=digest[:16], version=4)`` gives, without building the object (audit pages
    make a thousand at a time)."""
    h = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"
