"""The mock's clock: every timestamp the mock writes and every due time it checks comes from here."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall time plus an offset ("real" mode), or a fixed instant ("frozen" mode).

    Advancing moves either mode forward, so a test can complete time-based steps at once.
    Timestamps are whole seconds in UTC, because that is all the vendor's formats carry.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at = frozen_at

    @property
    def mode(self) -> str:
        return "real" if self._frozen_at is None else "frozen"

    def now(self) -> datetime:
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return datetime.fromtimestamp(time.time() + self._offset, tz=UTC).replace(
            microsecond=0
        )

    @property
    def offset_seconds(self) -> float:
        return self._offset

    def restore(self, frozen_at: datetime | None, offset_seconds: float) -> None:
        """Set the clock as exported: frozen at an instant, or real with an offset."""
        with self._lock:
            self._frozen_at = frozen_at
            self._offset = offset_seconds

    def seconds_until(self, instant: datetime) -> float | None:
        """Wall seconds until the clock shows ``instant``; None when frozen (it never will
        by itself)."""
        if self._frozen_at is not None:
            return None
        return instant.timestamp() - (time.time() + self._offset)

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = self._frozen_at + timedelta(seconds=seconds)
            else:
                self._offset += seconds
        return self.now()

    def freeze(self, at: datetime) -> None:
        with self._lock:
            self._frozen_at = at.astimezone(UTC).replace(microsecond=0)

    def unfreeze(self) -> None:
        """Back to real time; the offset is dropped so "real" means the wall clock."""
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0
