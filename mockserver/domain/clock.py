"""The mock's clock: every timestamp the mock writes and every due time it checks comes from here."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from .errors import InvalidRequest

#: The clock stays within four-digit years with centuries to spare, so that every date the mock
#: derives from it (due times, case dates) can be written and read back.
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
#: Instants as whole microseconds since the epoch: ``(instant - EPOCH) // MICROSECOND``.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


#: What every instant the mock takes (vendor, control plane, state file, query) must satisfy.
RANGE = f"between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)"


def in_range(instant: datetime) -> datetime | None:
    """``instant`` in UTC (naive: taken as UTC) when the clock's range holds it, else None.
    The one check of every instant the mock takes: an instant near year 1 or 9999 may not even
    convert to UTC (OverflowError), and one before year 1000 would be written with fewer than
    four digits, so neither could be served or read back."""
    try:
        utc = instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)
    except OverflowError:
        return None
    return utc if EARLIEST <= utc <= LATEST else None


def check_in_range(instant: datetime, what: str = "The clock") -> datetime:
    """``instant``, or InvalidRequest (400) when it is outside the clock's range."""
    if in_range(instant) is None:
        raise InvalidRequest(f"{what} would show {instant.isoformat()}; the mock's clock stays {RANGE}.")
    return instant


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
        check_restorable(frozen_at, offset_seconds)
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
        """Move forward; InvalidRequest, changing nothing, past the clock's range."""
        with self._lock:
            if self._frozen_at is not None:
                if seconds > (LATEST - self._frozen_at).total_seconds():
                    raise InvalidRequest(f"Advancing {seconds:g} s would take the clock past {LATEST:%Y-%m-%d}.")
                self._frozen_at = self._frozen_at + timedelta(seconds=seconds)
            else:
                _check_offset(self._offset + seconds)
                self._offset += seconds
        return self.now()

    def freeze(self, at: datetime) -> None:
        check_in_range(at)
        with self._lock:
            self._frozen_at = at.astimezone(UTC).replace(microsecond=0)

    def unfreeze(self) -> None:
        """Back to real time; the offset is dropped so "real" means the wall clock."""
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0


def check_restorable(frozen_at: datetime | None, offset_seconds: float) -> None:
    """InvalidRequest unless ``Clock.restore`` may take these (an imported state checks first)."""
    if frozen_at is not None:
        check_in_range(frozen_at)
    else:
        _check_offset(offset_seconds)


def _check_offset(offset_seconds: float) -> None:
    """A real clock's offset keeps it inside the range (checked against the wall clock now)."""
    wall = time.time()
    if not EARLIEST.timestamp() <= wall + offset_seconds <= LATEST.timestamp():
        raise InvalidRequest(f"An offset of {offset_seconds:g} s would take the clock outside "
                             f"{EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}.")
