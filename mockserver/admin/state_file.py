"""``serve --state-file PATH``: the state survives a restart.

Loaded at start if the file exists; saved periodically and on a clean shutdown. Every save
writes a temporary file in the same folder, syncs it, then renames it over the old one, so a
crash during a save leaves the previous state intact. A file that cannot be read as a state
stops the start with a clear error instead of being silently replaced.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from ..domain.errors import DomainError
from ..domain.mock_state import MockState
from ..http import limits
from ..http.errors import flatten
from .plane import ControlPlane
from .state_document import EncodedItems, EventTexts, StateSnapshot, import_state

log = logging.getLogger("mockserver")


def json_pieces(value: Any, depth: int = 0) -> Iterator[str]:
    """The JSON text of ``value`` in pieces, each from a small ``json.dumps``: the encoder is one
    C call that holds the GIL for the whole document (about 200 ms for 120,000 events, every
    request waiting), so the document is taken apart down to its workgroups' items."""
    if depth < 4 and isinstance(value, dict):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield (", " if n else "") + json.dumps(key) + ": "
            yield from json_pieces(item, depth + 1)
        yield "}"
    elif isinstance(value, EncodedItems):
        yield "["
        for n, text in enumerate(value):
            yield (", " if n else "") + text
        yield "]"
    elif depth < 4 and isinstance(value, list):
        yield "["
        for n, item in enumerate(value):
            if n:
                yield ", "
            yield from json_pieces(item, depth + 1)
        yield "]"
    else:
        yield json.dumps(value)


class StateFile:
    def __init__(self, path: Path, mock: MockState, plane: ControlPlane, interval_seconds: float) -> None:
        self.path = path
        self._mock = mock
        self._plane = plane
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._saver: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self._saved: StateSnapshot | None = None
        self._event_texts = EventTexts()

    def load(self) -> bool:
        """Import the file if there is one; raise ValueError, changing nothing, if it is unusable."""
        if not self.path.exists():
            return False
        try:
            doc = limits.parsed(lambda: json.loads(self.path.read_text(encoding="utf-8")))
        except limits.TooDeep:
            raise ValueError(f"the state file {self.path} nests more than {limits.MAX_JSON_DEPTH} levels; "
                             "it is not a state: fix or remove it, the server will not overwrite it") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"the state file {self.path} cannot be read as JSON ({exc}); "
                             "fix or remove it, the server will not overwrite it") from None
        try:
            import_state(doc, self._mock, self._plane)
        except ValidationError as exc:
            problems = "; ".join(f"{d['field']}: {d['message']}" for d in flatten(exc.messages)[:5])
            raise ValueError(f"the state file {self.path} is not a state this server can load ({problems}); "
                             "fix or remove it, the server will not overwrite it") from None
        except DomainError as exc:
            raise ValueError(f"the state file {self.path} is not usable: {exc.message}") from None
        return True

    def save(self, only_if_changed: bool = False) -> bool:
        """Write the state; with ``only_if_changed``, only when it differs from the last write.
        The snapshot holds each workgroup's lock only to copy references; turning it into JSON
        and writing it (seconds for a large event log) happen with no lock readers need.
        Whether it wrote."""
        with self._save_lock:
            snapshot = StateSnapshot.of(self._mock, self._plane)
            if only_if_changed and self._saved is not None and snapshot.same_as(self._saved):
                return False
            self._write(snapshot.document(self._event_texts))
            self._saved = snapshot  # kept: its records stay alive, so the next comparison is by identity
            return True

    def _write(self, doc: dict) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            out.writelines(json_pieces(doc))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def prepare(self) -> None:
        """Save once now, so that a path the server cannot write stops the start (ValueError)
        instead of failing at every interval."""
        blocker = next((p for p in (self.path.parent, *self.path.parent.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise ValueError(f"cannot write the state file {self.path}: {blocker} is a file, not a folder")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.save()
        except OSError as exc:
            raise ValueError(f"cannot write the state file {self.path}: {exc.strerror or exc}") from None

    def start(self) -> None:
        """Save every ``interval`` seconds on a background thread."""
        self._saver = threading.Thread(target=self._save_periodically, name="mockserver-state", daemon=True)
        self._saver.start()

    def _save_periodically(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.save(only_if_changed=True)
            except Exception:  # the saver must outlive any one failed save
                log.exception("could not save the state to %s", self.path)

    def stop(self) -> None:
        """Stop the periodic saves and save once more."""
        self._stop.set()
        if self._saver is not None:
            self._saver.join(timeout=30)
        try:
            self.save()
        except OSError as exc:
            log.error("could not save the state to %s on shutdown: %s", self.path, exc)
