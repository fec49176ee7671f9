"""What identifies a person in an ICI payload, and how the recorder replaces it.

``IDENTIFYING`` is the one table: each row names a field (a JSON key, or the end of a path of
keys where ``[]`` stands for any array item), what kind of value it holds, and why it
identifies someone. ``Pseudonyms`` replaces every such value with a stand-in of the same
kind (an invented name, a date of the same year, an MRN) drawn from a keyed hash of the
value, so the same value gets the same stand-in in every file of a recording (links between
cases, reports and overrides hold) and the stand-in cannot be checked against a guessed value
without the key. A value found inside other text (a display id inside an analysis id, a name
in an audit message) is replaced there too. No flag keeps real values.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

GIVEN_NAME = "given name"
FAMILY_NAME = "family name"
PERSON_NAME = "person's name"
DATE_OF_BIRTH = "date of birth"
MRN = "medical record number"
EMAIL = "e-mail address"
ACCESSION = "accession-like identifier"
FREE_TEXT = "free text"


@dataclass(frozen=True)
class Identifying:
    #: The path's end: ``("firstName",)`` anywhere, ``("notes", "[]", "value")`` a note's value.
    path: tuple[str, ...]
    kind: str
    why: str
    #: Only where the object holding the field says so (``{"type": "Text"}``).
    when: Callable[[dict[str, Any]], bool] | None = None

    @property
    def name(self) -> str:
        return path_name(self.path)


def path_name(path: tuple[str, ...]) -> str:
    """``("subjects", "[]", "firstName")`` as ``subjects[].firstName``."""
    return ".".join(path).replace(".[]", "[]") or "(document)"


def _text_field(item: dict[str, Any]) -> bool:
    return item.get("type") == "Text"


IDENTIFYING: tuple[Identifying, ...] = (
    Identifying(("firstName",), GIVEN_NAME, "a subject's name (direct identifier)"),
    Identifying(("lastName",), FAMILY_NAME, "a subject's name (direct identifier)"),
    Identifying(("dateOfBirth",), DATE_OF_BIRTH, "a subject's date of birth (direct identifier)"),
    Identifying(("mrn",), MRN, "a subject's medical record number (direct identifier)"),
    Identifying(("displayId",), ACCESSION, "a case's display id: labs use their accession numbers"),
    Identifying(("caseDisplayId",), ACCESSION, "a case's display id, where a report or audit entry repeats it"),
    Identifying(("externalSampleId",), ACCESSION, "a sample's id in the lab's own system"),
    Identifying(("externalSampleName",), ACCESSION, "a sample's name in the lab's own system"),
    Identifying(("userName",), PERSON_NAME, "a user's name (audit log)"),
    Identifying(("userDisplayId",), EMAIL, "a user's e-mail (audit log)"),
    Identifying(("approvedByName",), PERSON_NAME, "the user who signed a report off"),
    Identifying(("updatedByName",), PERSON_NAME, "the user who last changed a report"),
    Identifying(("modifiedByUserName",), PERSON_NAME, "the user who last changed a test definition"),
    Identifying(("assignedToName",), PERSON_NAME, "the user a variant's assessment is assigned to"),
    Identifying(("assignedByName",), PERSON_NAME, "the user who assigned a variant's assessment"),
    Identifying(("configData", "[]", "value"), FREE_TEXT, "custom case data typed Text: whatever a lab wrote",
                _text_field),
    Identifying(("notes", "[]", "value"), FREE_TEXT, "a report note"),
    Identifying(("summaries", "[]", "value"), FREE_TEXT, "a report summary"),
    Identifying(("reportHistory", "[]", "notes"), FREE_TEXT, "why a report was changed"),
    Identifying(("editNotes",), FREE_TEXT, "why a report was changed"),
    Identifying(("interpretationSummaryBegin",), FREE_TEXT, "a report's interpretation summary"),
    Identifying(("interpretationSummaryEnd",), FREE_TEXT, "a report's interpretation summary"),
    Identifying(("curatorNotes",), FREE_TEXT, "a curator's notes on an assertion"),
    Identifying(("curatorSummary",), FREE_TEXT, "a curator's summary of an assertion (it may name its curator)"),
    Identifying(("curatorSummaries",), FREE_TEXT, "the same, as a list"),
    Identifying(("associations", "[]", "summary"), FREE_TEXT, "the same, where a variant's association repeats it"),
)
#: Beside the table: any string shaped like an e-mail address, wherever it is, is an e-mail address.
EMAIL_SHAPE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
#: A replaced name, date, MRN, e-mail or accession of this many characters is also replaced
#: inside other text where it stands alone (not inside a longer word): ``DEMO_002`` in
#: ``DEMO_002_DNA``, a name in an audit message. Free text is replaced in its own field only,
#: and so is a shorter value: ``HAS`` or ``DNA`` as a lab's custom data must not turn
#: ``HAS_ISSUE`` or a sample type into something the API never answers.
MIN_IN_TEXT, MAX_IN_TEXT = 4, 80
#: A word: a run of letters and digits (``_`` and ``-`` divide words, as they divide ids).
WORD = re.compile(r"[^\W_]+")


class Pseudonyms:
    """Replaces identifying values in JSON documents, the same value always the same way under
    one key, and counts what it replaced by field (never keeping a value it was given in any
    output)."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._lock = threading.Lock()
        #: Each value replaced so far and its stand-in, and those the text pass looks for.
        self._replaced: dict[str, str] = {}
        self._in_text_values: dict[str, str] = {}
        #: The first word of each: a text without any of them holds none (most texts).
        self._first_words: set[str] = set()
        self._stand_ins: set[str] = set()
        self._order: list[str] = []

    @property
    def known(self) -> int:
        """How many values the text pass looks for so far."""
        return len(self._order)

    def since(self, known: int) -> list[str]:
        """The values the text pass looks for, after the first ``known``."""
        return self._order[known:]

    def document(self, doc: Any, counts: Counter[tuple[str, str]] | None = None) -> Any:
        """A copy of ``doc`` with every identifying value replaced; ``counts`` gets how many
        values it replaced by field path (``subjects[].firstName``) and kind."""
        with self._lock:
            fields = self._fields(doc, (), Counter() if counts is None else counts)
            return self._text(fields)

    def text(self, value: str) -> str:
        """``value`` with every value replaced so far replaced in it (a path, a query value)."""
        with self._lock:
            return self._in_text(value)

    # --- the field pass -------------------------------------------------------------------------
    def _fields(self, value: Any, path: tuple[str, ...], counts: Counter[tuple[str, str]]) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                here = (*path, key)
                row = _row_for(here, value)
                if row is not None and item not in (None, "") and not isinstance(item, dict | list):
                    out[key] = self._replace(str(item), row.kind)
                    counts[(path_name(here), row.kind)] += 1
                elif row is not None and isinstance(item, list) and not any(isinstance(i, dict | list) for i in item):
                    out[key] = [self._replace(str(i), row.kind) if i not in (None, "") else i for i in item]
                    counts[(path_name((*here, "[]")), row.kind)] += sum(1 for i in item if i not in (None, ""))
                else:
                    out[key] = self._fields(item, here, counts)
            return out
        if isinstance(value, list):
            return [self._fields(item, (*path, "[]"), counts) for item in value]
        if isinstance(value, str) and EMAIL_SHAPE.fullmatch(value):
            counts[(path_name(path), EMAIL)] += 1
            return self._replace(value, EMAIL)
        return value

    def _replace(self, value: str, kind: str) -> str:
        stand_in = self._replaced.get(value)
        if stand_in is None:
            stand_in = self._new_stand_in(value, kind)
        if value not in self._in_text_values and kind != FREE_TEXT and MIN_IN_TEXT <= len(value) <= MAX_IN_TEXT:
            first_word = WORD.search(value)  # (seen as free text before, it was not looked for in text)
            if first_word is not None:
                self._in_text_values[value] = stand_in
                self._first_words.add(first_word.group())
                self._order.append(value)
        return stand_in

    def _new_stand_in(self, value: str, kind: str) -> str:
        stand_in = _STAND_INS[kind](self, value)
        for attempt in range(1, 100):
            if stand_in != value and stand_in not in self._stand_ins and stand_in not in self._replaced:
                break
            stand_in = _STAND_INS[kind](self, f"{value}\x00{attempt}")
        self._replaced[value] = stand_in
        self._stand_ins.add(stand_in)
        return stand_in

    # --- the text pass ----------------------------------------------------------------------------
    def _text(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self._text(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._text(item) for item in value]
        if isinstance(value, str):
            return self._in_text(value)
        return value

    def _in_text(self, value: str) -> str:
        """Each replaced value the text pass looks for (``MIN_IN_TEXT``) found standing alone in
        ``value`` replaced, the longest first: one pass over the text's word boundaries with a
        dictionary lookup at each, so the cost is linear in the text, whatever was replaced."""
        if not self._in_text_values or len(value) < MIN_IN_TEXT or value in self._stand_ins:
            return value
        if not any(word in self._first_words for word in WORD.findall(value)):
            return value
        ends = [j for j in range(1, len(value) + 1) if j == len(value) or not value[j].isalnum()]
        pieces, done = [], 0
        for i in range(len(value)):
            if i < done or (i > 0 and value[i - 1].isalnum()):
                continue
            first, last = bisect_right(ends, i), bisect_right(ends, i + MAX_IN_TEXT)
            for j in reversed(ends[first:last]):
                stand_in = self._in_text_values.get(value[i:j])
                if stand_in is not None:
                    pieces += [value[done:i], stand_in]
                    done = j
                    break
        return "".join(pieces) + value[done:] if pieces else value

    # --- stand-ins ------------------------------------------------------------------------------
    def _digest(self, kind: str, value: str) -> bytes:
        return hmac.new(self._key, f"{kind}\x00{value}".encode("utf-8", "surrogateescape"), hashlib.sha256).digest()

    def _invented_name(self, kind: str, value: str, syllables: int) -> str:
        """A pronounceable name no one is likely to have (``Kavorin``), so a stand-in is never
        mistaken for a real value, nor a real value for a stand-in."""
        digest = self._digest(kind, value)
        parts = [_ONSETS[digest[2 * i] % len(_ONSETS)] + _VOWELS[digest[2 * i + 1] % len(_VOWELS)] for i in range(syllables)]
        return ("".join(parts) + _CODAS[digest[-1] % len(_CODAS)]).capitalize()

    def given_name(self, value: str) -> str:
        return self._invented_name(GIVEN_NAME, value, 3)

    def family_name(self, value: str) -> str:
        return self._invented_name(FAMILY_NAME, value, 3)

    def person_name(self, value: str) -> str:
        return f"{self._invented_name(GIVEN_NAME, value, 3)} {self._invented_name(FAMILY_NAME, value, 3)}"

    def email(self, value: str) -> str:
        given, family = self._invented_name(GIVEN_NAME, value, 3), self._invented_name(FAMILY_NAME, value, 3)
        return f"{given.lower()}.{family.lower()}@example.org"

    def date_of_birth(self, value: str) -> str:
        """Another day of the same year (the year alone identifies no one); a value that is not
        a date becomes one in 1970."""
        try:
            year = date.fromisoformat(value[:10]).year
        except ValueError:
            year = 1970
        day = int.from_bytes(self._digest(DATE_OF_BIRTH, value)[:4], "big") % 365
        return (date(year, 1, 1) + timedelta(days=day)).isoformat()

    def mrn(self, value: str) -> str:
        return "MRN" + str(int.from_bytes(self._digest(MRN, value)[:8], "big") % 10**8).zfill(8)

    def accession(self, value: str) -> str:
        return "ACC-" + self._digest(ACCESSION, value)[:5].hex().upper()

    def free_text(self, value: str) -> str:
        return "Redacted text " + self._digest(FREE_TEXT, value)[:4].hex()


_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u")
_CODAS = ("", "n", "r", "l", "s", "th")
_STAND_INS: dict[str, Callable[[Pseudonyms, str], str]] = {
    GIVEN_NAME: Pseudonyms.given_name, FAMILY_NAME: Pseudonyms.family_name, PERSON_NAME: Pseudonyms.person_name,
    EMAIL: Pseudonyms.email, DATE_OF_BIRTH: Pseudonyms.date_of_birth, MRN: Pseudonyms.mrn,
    ACCESSION: Pseudonyms.accession, FREE_TEXT: Pseudonyms.free_text,
}


_ROWS_BY_KEY: dict[str, list[Identifying]] = {}
for _row in IDENTIFYING:
    _ROWS_BY_KEY.setdefault(_row.path[-1], []).append(_row)


def _row_for(path: tuple[str, ...], holder: dict[str, Any]) -> Identifying | None:
    for row in _ROWS_BY_KEY.get(path[-1], ()):
        if path[-len(row.path):] == row.path and (row.when is None or row.when(holder)):
            return row
    return None
