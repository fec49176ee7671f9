"""What the recorder keeps of the answers passing through: a fixture folder the mock serves
(``datagen.fixture_folder``), every identifying value replaced before anything is written.

Cases come from GET case and search pages (the latest answer for a case wins, but a search
item never replaces a GET case answer of the same moment, which has more), the disease
configuration and the workgroups from their calls, draft reports from GET reportjson. With
``overrides``, every JSON answer to a GET is also written as an override for that path and
query, for payloads the domain cannot represent. Each file is rewritten whole, through a
temporary file, as soon as an answer changes it, so a recorder stopped at any moment leaves
a folder the mock can load. When an answer brings an identifying value not seen before, the
earlier files whose text holds it (found through an index of their words) are written again
from the answers as received (held in memory only), so a display id in an earlier query is
replaced there too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datagen import fixture_folder as layout
from .identifying import WORD, Pseudonyms

log = logging.getLogger("mockserver.record")
REDACTIONS_FORMAT = "ici-mock-redactions/1"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_CASE = re.compile(r"^/crs/api/v2/cases/([^/]+)$")
_SEARCH = "/crs/api/v1/cases/search"
_WORKGROUPS = "/crs/api/v1/session/workgroups"
_DISEASE_CONFIG = "/cfg/api/v1/disease-config"
_REPORT = re.compile(r"^/drs/v1/draftreport/case/([^/]+)/reportjson$")
#: The vendor's GETs whose JSON answers ``--overrides`` keeps (a path that is none of them
#: would be refused by the mock when it loads the override).
_VENDOR_GETS = re.compile(r"^/(crs/api/v2/cases/[^/\s]+|crs/api/v1/cases/search|crs/api/v1/session/workgroups"
                          r"|crs/api/v1/custom-case-data/[^/\s]+/status|cfg/api/v1/disease-config"
                          r"|drs/v1/draftreport/case/[^/\s]+/reportjson|als/api/v1/auditlogs/search)$")


@dataclass(frozen=True)
class _ReceivedOverride:
    path: str
    query: dict[str, str]
    workgroup: str | None
    status: int
    body: Any


class RecordedFixtures:
    def __init__(self, out: Path, pseudonyms: Pseudonyms, workgroup_map: dict[str, str] | None = None,
                 overrides: bool = False, key_source: str = "drawn for this recording") -> None:
        self.out = out
        self.pseudonyms = pseudonyms
        self.workgroup_map = workgroup_map or {}
        self.overrides = overrides
        self.key_source = key_source
        self._lock = threading.Lock()
        #: Each file's content as received, before redaction: what it is written from.
        self._received: dict[Path, Any] = {}
        #: Each file's replaced values by field, as last written, and their sum.
        self._counts: dict[Path, Counter[tuple[str, str]]] = {}
        self._totals: Counter[tuple[str, str]] = Counter()
        #: Each file's answer as JSON text, and the files each word of them is in.
        self._text: dict[Path, str] = {}
        self._by_word: dict[str, set[Path]] = {}
        #: Fields of recorded cases the mock's case shape does not serve, left out of case files:
        #: each case file's, and their sum.
        self._dropped: dict[Path, Counter[str]] = {}
        self._not_served: Counter[str] = Counter()
        self._workgroups: dict[str, str] = {}
        #: (workgroup, case id) -> (updatedDate, rank): which answer a case file holds.
        self._case_rank: dict[tuple[str, str], tuple[str, int]] = {}

    def capture(self, method: str, path: str, query: list[tuple[str, str]], workgroup: str | None, status: int,
                body: Any) -> None:
        """Keep what an upstream JSON answer holds (redacted); other answers are not fixtures."""
        wg = self.workgroup_map.get(workgroup, workgroup) if workgroup else None
        with self._lock:
            known = self.pseudonyms.known
            changed: list[Path] = []
            if method == "GET" and status == 200:
                changed += self._fixtures(path, wg, body)
            if self.overrides and method == "GET" and _VENDOR_GETS.match(path):
                changed.append(self._override(path, query, wg, status, body))
            for file in changed:
                self._write(file, self._redacted(file))
            for file in self._holding(self.pseudonyms.since(known)) - set(changed):
                self._write(file, self._redacted(file))  # an earlier file holds a value found identifying since
            self._write_manifest()

    def _holding(self, values: list[str]) -> set[Path]:
        """The files whose answers hold any of ``values`` in their text: candidates by each
        value's longest word (an index, so a recording costs in proportion to its size), then
        checked whole."""
        found: set[Path] = set()
        for value in values:
            words = WORD.findall(value)
            for file in self._by_word.get(max(words, key=len), ()) if words else ():
                if json.dumps(value, ensure_ascii=False)[1:-1] in self._text[file]:  # as the JSON text writes it
                    found.add(file)
        return found

    def _fixtures(self, path: str, wg: str | None, body: Any) -> list[Path]:
        """The files this answer changes (their new content kept as received)."""
        if path == _WORKGROUPS and isinstance(body, dict):
            for role in body.get("workgroupRoles") or []:
                orgid = role.get("orgid") if isinstance(role, dict) else None
                if isinstance(orgid, str):
                    self._workgroup(self.workgroup_map.get(orgid, orgid), role.get("orgName"))
            return []
        if wg is None or not self._workgroup(wg, None):
            return []
        home = self.out / layout.WORKGROUPS / wg
        found = _CASE.match(path)
        if found and isinstance(body, dict):
            return self._case(home, wg, body, rank=2)
        if path == _SEARCH and isinstance(body, dict):
            return [f for item in body.get("content") or [] if isinstance(item, dict)
                    for f in self._case(home, wg, item, rank=1)]
        if path == _DISEASE_CONFIG and isinstance(body, list):
            return [self._keep(home / layout.DISEASE_CONFIG, body)]
        if (found := _REPORT.match(path)) and isinstance(body, dict) and self._safe(found.group(1)):
            return [self._keep(home / layout.REPORTS / f"{found.group(1)}.json", body)]
        return []

    def _workgroup(self, wg: str, name: Any) -> bool:
        if not self._safe(wg):
            return False
        if isinstance(name, str) and name:
            self._workgroups[wg] = name
        else:
            self._workgroups.setdefault(wg, wg)
        return True

    def _case(self, home: Path, wg: str, case: dict[str, Any], rank: int) -> list[Path]:
        case_id = case.get("id")
        if not isinstance(case_id, str) or not self._safe(case_id):
            return []
        moment = (str(case.get("updatedDate") or ""), rank)
        kept = self._case_rank.get((wg, case_id))
        if kept is not None and moment < kept:
            return []
        self._case_rank[(wg, case_id)] = moment
        fitted, dropped = layout.fitted_case(case)
        file = home / layout.CASES / f"{case_id}.json"
        self._not_served.subtract(self._dropped.get(file, Counter()))
        self._dropped[file] = Counter(dropped)
        self._not_served.update(dropped)
        return [self._keep(file, fitted)]

    def _override(self, path: str, query: list[tuple[str, str]], wg: str | None, status: int, body: Any) -> Path:
        params: dict[str, str] = {}
        for name, value in query:
            params.setdefault(name, value)  # the first of a repeated parameter
        file_name = hashlib.sha256(json.dumps([path, sorted(params.items()), wg]).encode()).hexdigest()[:16]
        return self._keep(self.out / layout.OVERRIDES / f"{file_name}.json",
                          _ReceivedOverride(path, params, wg, status, body))

    def _keep(self, file: Path, received: Any) -> Path:
        self._received[file] = received
        text = json.dumps(received.__dict__ if isinstance(received, _ReceivedOverride) else received, ensure_ascii=False)
        self._text[file] = text
        for word in set(WORD.findall(text)):
            self._by_word.setdefault(word, set()).add(file)  # a word gone from a file stays: only a wasted check
        return file

    def _redacted(self, file: Path) -> Any:
        """The file's content, redacted; the running totals of what was replaced follow it."""
        received = self._received[file]
        counts: Counter[tuple[str, str]] = Counter()
        if not isinstance(received, _ReceivedOverride):
            redacted = self.pseudonyms.document(received, counts)
        else:
            body = self.pseudonyms.document(received.body, counts)  # first: it may bring values the text pass needs
            query = {name: self.pseudonyms.text(value) for name, value in received.query.items()}
            redacted = [{"method": "GET", "path": self.pseudonyms.text(received.path), "workgroup": received.workgroup,
                         "match": {"query": query} if query else {}, "response": {"status": received.status, "body": body},
                         # The real service's answer is the authority, whatever the mock's document says.
                         "validate": False}]
        self._totals.subtract(self._counts.get(file, Counter()))
        self._totals.update(counts)
        self._counts[file] = counts
        return redacted

    def _write_manifest(self) -> None:
        self._write(self.out / layout.MANIFEST, {
            "format": layout.FORMAT,
            "workgroups": [{"id": wg, "name": name} for wg, name in sorted(self._workgroups.items())],
            # Read by people, not by the loader: what case files lack that the answers had.
            "fieldsNotServed": [{"field": field, "times": times} for field, times in sorted((+self._not_served).items())],
        })
        counts = +self._totals  # without the fields no file holds any more
        self._write(self.out / layout.REDACTIONS, {
            "format": REDACTIONS_FORMAT,
            "key": self.key_source,
            "replaced": [{"field": field, "kind": kind, "times": times} for (field, kind), times in sorted(counts.items())],
        })

    def _safe(self, name: str) -> bool:
        if _SAFE_NAME.match(name) and name not in (".", ".."):
            return True
        log.warning("not recorded: an id of %d characters is not usable as a file name", len(name))
        return False

    @staticmethod
    def _write(path: Path, doc: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(partial, path)
