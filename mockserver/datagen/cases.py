"""Deterministic case generation: case ``i`` of a seed depends on (seed, workgroup, i) only.

A case is made in two parts. What search, ordering and the seeded history read of it (its
summary: id, display id, status, dates, analysis id, sample ids, disease, tags) comes from one
keyed hash of its index and, for its creation time, from a ``Random`` per block of cases, so any
case's summary costs microseconds and start-up puts 100,000 cases in order from their creation
times alone. The rest (subject, names, samples' ids and metrics, custom fields, users) comes
from its own ``random.Random``, seeded with a string, when the case is first read. Case ids are
a keyed, reversible function of the index, so a GET finds a case's index from its id without a
table of ids.

Names come from Faker's en_US tables, sampled with their frequency weights (Faker's own
weighted pick rebuilds its cumulative weights on every call, which made 100,000 cases take half
a minute).
"""

from __future__ import annotations

import hashlib
import random
import struct
import uuid
from array import array
from bisect import bisect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from itertools import accumulate, combinations
from math import comb
from typing import TypedDict

from faker.providers.person.en_US import Provider as PersonNames

from .. import fidelity
from ..domain.clock import EPOCH, MICROSECOND
from ..domain.models import (
    SEPARATOR,
    Case,
    CustomField,
    Disease,
    Sample,
    Subject,
    SubjectReport,
    TestDefinition,
)
from ..domain.statuses import SEED_WEIGHTS, CaseStatus
from .catalog import (
    DISEASE_WEIGHTS,
    DISPLAY_PREFIXES,
    FEMALE_ONLY,
    MALE_ONLY,
    TAGS,
    WORKFLOWS,
    Workflow,
)

_STATUSES = tuple(SEED_WEIGHTS)
_STATUS_CUM_WEIGHTS = tuple(accumulate(SEED_WEIGHTS.values()))
_WINDOW_SECONDS = fidelity.SEED_WINDOW_DAYS * 86400
_UPDATE_SECONDS = 14 * 86400
#: Creation times are drawn a block of this many cases at a time.
_BLOCK = 4096


class _WeightedNames:
    def __init__(self, weighted: dict[str, float]) -> None:
        self.names = tuple(weighted)
        self.cum_weights = tuple(accumulate(weighted.values()))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cum_weights)[0]


_FEMALE = _WeightedNames(PersonNames.first_names_female)
_MALE = _WeightedNames(PersonNames.first_names_male)
_LAST = _WeightedNames(PersonNames.last_names)
_SAMPLE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_BORN_FROM = date(1935, 1, 1).toordinal()
_BORN_TO = date(2000, 12, 31).toordinal()


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_test_definitions(seed: int, workgroup_id: str) -> tuple[TestDefinition, ...]:
    rng = random.Random(f"{seed}:{workgroup_id}:test-definitions")
    names = dict.fromkeys(w.test_definition for w in WORKFLOWS)
    built = []
    for name in names:
        created = fidelity.SEED_WINDOW_END - timedelta(days=fidelity.SEED_WINDOW_DAYS + rng.randint(10, 90))
        built.append(
            TestDefinition(
                id=_uuid(rng),
                name=name,
                version=str(rng.randint(1, 4)),
                workflow_name="from_onc_analysis",
                workflow_version="5.0.1",
                reference_genome_build=rng.choice(("GRCh37", "GRCh38")),
                sample_classification="TUMOR",
                report_id=_uuid(rng),
                time_created=created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(10**6):06d}Z",
            )
        )
    return tuple(built)


@cache
def _users(seed: int, workgroup_id: str) -> tuple[str, ...]:
    rng = random.Random(f"{seed}:{workgroup_id}:users")
    return tuple(_uuid(rng) for _ in range(6))


@cache
def _disease_table(known: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    ids = tuple(d for d in DISEASE_WEIGHTS if d in known) or known
    return ids, tuple(accumulate(DISEASE_WEIGHTS.get(d, 1) for d in ids))


def _tag_sets() -> tuple[tuple[tuple[str, ...], ...], tuple[float, ...]]:
    """Every set of 0 to 3 tags, weighted so that a case has 0, 1, 2 or 3 tags 25, 40, 25 and
    10 times in 100, any set of a size as likely as another."""
    sets, weights = [], []
    for size, share in enumerate((25, 40, 25, 10)):
        for chosen in combinations(TAGS, size):
            sets.append(chosen)
            weights.append(share / comb(len(TAGS), size))
    return tuple(sets), tuple(accumulate(weights))


_TAG_SETS, _TAG_CUM_WEIGHTS = _tag_sets()


def _pick(cum_weights: tuple[float, ...], word: int) -> int:
    """An index drawn by ``cum_weights`` with a 64-bit word of the case's hash (the last index
    at most, should rounding carry the product up to the total)."""
    return min(bisect(cum_weights, (word >> 11) * 2.0**-53 * cum_weights[-1]), len(cum_weights) - 1)


@cache
def _keys(seed: int, workgroup_id: str) -> tuple[bytes, bytes]:
    """The hash keys of a workgroup's case draws and of its case ids."""
    def key(purpose: str) -> bytes:
        return hashlib.blake2b(f"{seed}:{workgroup_id}:{purpose}".encode(), digest_size=32).digest()
    return key("case-draws"), key("case-ids")


class _Metrics(TypedDict, total=False):
    """A sample's analysis metrics, as ``Sample`` keywords."""

    tmb: str
    msi: str
    gis: str
    purity: str
    ploidy: str


class _Hash:
    """A keyed BLAKE2b of a given size; copying the keyed state is cheaper than keying anew."""

    def __init__(self, key: bytes, size: int) -> None:
        self._keyed = hashlib.blake2b(key=key, digest_size=size)

    def __call__(self, data: bytes | bytearray) -> bytes:
        h = self._keyed.copy()
        h.update(data)
        return h.digest()


class _CaseIds:
    """Version-4 UUIDs that hide the case's index: 12 bytes hashed from it, then the index
    masked by a hash of those 12 bytes, so ``index_of`` reads it back."""

    #: Ids read back lately, kept: a client polls the same few cases, and reading an id back
    #: hashes twice (about 20 us of a 300 us GET case).
    RECENT = 2048

    def __init__(self, key: bytes) -> None:
        self._tag, self._mask = _Hash(key, 12), _Hash(key, 4)
        self.index_of: Callable[[str], int | None] = lru_cache(maxsize=self.RECENT)(self._read_index)

    def of(self, index: int) -> str:
        tag = self._tagged(index)
        masked = index ^ int.from_bytes(self._mask(tag), "big")
        h = (tag + masked.to_bytes(4, "big")).hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _tagged(self, index: int) -> bytes:
        tag = bytearray(self._tag(index.to_bytes(4, "big")))
        tag[6] = (tag[6] & 0x0F) | 0x40  # version 4
        tag[8] = (tag[8] & 0x3F) | 0x80  # RFC 4122 variant
        return bytes(tag)

    def _read_index(self, case_id: str) -> int | None:
        """The index whose case has id ``case_id`` (exactly as served), if any."""
        # As served: lower-case hex, dashes at 8, 13, 18 and 23. Then the index read back is
        # the one when its tag is the id's first 12 bytes (the mask is a hash of the tag).
        if (len(case_id) != 36 or not case_id.isascii() or case_id != case_id.lower()
                or case_id[8] + case_id[13] + case_id[18] + case_id[23] != "----"):
            return None
        try:
            raw = bytes.fromhex(case_id.replace("-", ""))
        except ValueError:
            return None
        if len(raw) != 16:
            return None
        index = int.from_bytes(raw[12:], "big") ^ int.from_bytes(self._mask(raw[:12]), "big")
        return index if self._tagged(index) == raw[:12] else None


class CaseMaker:
    """Cases 0 to ``count - 1`` of one workgroup and seed, made one at a time from their index."""

    def __init__(self, seed: int, workgroup_id: str, diseases: dict[str, Disease],
                 test_definitions: tuple[TestDefinition, ...], count: int,
                 window_end: datetime = fidelity.SEED_WINDOW_END) -> None:
        self.seed, self.workgroup_id = seed, workgroup_id
        self.count = count
        draws_key, ids_key = _keys(seed, workgroup_id)
        self._draws = _Hash(draws_key, 64)
        self._ids = _CaseIds(ids_key)
        self._created_blocks = lru_cache(maxsize=64)(self._created_block)
        self._all_offsets: array | None = None
        self._diseases = diseases
        self._disease_ids, self._disease_cum_weights = _disease_table(tuple(diseases))
        self._test_definitions = {w.test_definition: next((t for t in test_definitions if t.name == w.test_definition), None)
                                  for w in WORKFLOWS}
        self.window_end = window_end
        self.window_end_micros = (window_end - EPOCH) // MICROSECOND

    def disease(self, word: int) -> Disease:
        return self._diseases[self._disease_ids[_pick(self._disease_cum_weights, word)]]

    def _words(self, index: int) -> tuple[int, ...]:
        """Eight 64-bit words, drawn for case ``index`` alone (the first is spare: creation
        times are drawn per block, so that start-up needs no hash per case)."""
        return struct.unpack("<8Q", self._draws(index.to_bytes(4, "big")))

    def _created_block(self, block: int) -> array:
        """How long before the window's end each case of a block of ``_BLOCK`` was created, in
        seconds: one ``Random`` per block, so start-up draws 100,000 of them in milliseconds and
        one case's costs a cached look-up. A block is a prefix of the same draws however many
        of its cases there are, so a 20-case workgroup draws 20, not 4,096."""
        size = min(_BLOCK, self.count - block * _BLOCK)
        rng = random.Random(f"{self.seed}:{self.workgroup_id}:created:{block}")
        return array("l", [int(rng.random() * _WINDOW_SECONDS) for _ in range(size)])

    def created_offset(self, index: int) -> int:
        if self._all_offsets is not None:
            return self._all_offsets[index]
        return self._created_blocks(index // _BLOCK)[index % _BLOCK]

    def created_offsets(self) -> array:
        """``created_offset`` of every case, by index. Kept once drawn (8 bytes a case): a walk
        of every case in creation order (the seeded history, built on the first audit query)
        visits the blocks in random order, and past 64 blocks (262,144 cases) the block cache
        made each look-up draw a whole block again."""
        if self._all_offsets is None:
            offsets = array("l")
            for block in range(-(-self.count // _BLOCK)):
                offsets.extend(self._created_blocks(block))
            self._all_offsets = offsets
            self._created_blocks.cache_clear()
        return self._all_offsets

    def case_id(self, index: int) -> str:
        return self._ids.of(index)

    def index_of_id(self, case_id: str) -> int | None:
        return self._ids.index_of(case_id)

    def display_id(self, index: int) -> str:
        return GeneratedSummary(self, index).display_id

    def summary(self, index: int) -> GeneratedSummary:
        return GeneratedSummary(self, index)

    def case(self, index: int) -> Case:
        d = GeneratedSummary(self, index)
        rng = random.Random(f"{self.seed}:{self.workgroup_id}:case:{index}")
        users = _users(self.seed, self.workgroup_id)
        disease = d.disease
        if disease.externalid in FEMALE_ONLY:
            gender = "FEMALE"
        elif disease.externalid in MALE_ONLY:
            gender = "MALE"
        else:
            gender = rng.choices(("FEMALE", "MALE", "UNKNOWN"), (48, 48, 4))[0]
        analysis_id, workflow, pair_id, sample_ids = d.analysis_id, d.workflow, d.pair_id, d.sample_ids
        has_analysis = analysis_id is not None
        has_disease = d.has_disease
        test_definition = self._test_definitions[workflow.test_definition]
        first = (_FEMALE if gender == "FEMALE" else _MALE).pick(rng)
        last = _LAST.pick(rng)
        born = date.fromordinal(rng.randint(_BORN_FROM, _BORN_TO))
        metrics: _Metrics = {
            "tmb": f"{rng.lognormvariate(1.6, 1.1):.2f}",
            "msi": f"{rng.lognormvariate(0.7, 0.9):.2f}",
            "gis": str(rng.randint(0, 80)),
            "purity": f"{rng.uniform(0.2, 0.95):.3f}",
            "ploidy": f"{rng.uniform(1.7, 4.2):.2f}",
        } if has_analysis else {}
        samples = tuple(
            Sample(
                id=_uuid(rng),
                external_sample_id=sample_id,
                external_sample_name=sample_id,
                sample_type=sample_type,
                pair_id=pair_id if has_analysis else None,
                tumor_type=(disease,) if has_disease else (),
                **metrics,
            )
            for sample_type, sample_id in zip(workflow.sample_types, sample_ids, strict=True)
        )
        subject_custom = (
            (CustomField("Sample Name(s)", f"SP-{rng.randrange(10**7):07d}", 5),) if rng.random() < 0.5 else ()
        )
        subject = Subject(
            id=_uuid(rng),
            gender=gender,
            samples=samples,
            first_name=first,
            last_name=last,
            date_of_birth=born.isoformat(),
            mrn=f"MRN{rng.randrange(10**8):08d}",
            reports=(SubjectReport(_uuid(rng), test_definition.report_id if test_definition else None),)
            if has_analysis else (),
            custom_metadata=subject_custom,
        )
        case_custom = (
            (CustomField("Primary analyst", "".join(rng.choices("ABCDEFGHJKLMNPRSTW", k=3)), 1),)
            if rng.random() < 0.4 else ()
        )
        return Case(
            id=d.id,
            display_id=d.display_id,
            status=d.status,
            created_date=d.created_date,
            updated_date=d.updated_date,
            subjects=(subject,),
            tags=d.tags,
            analysis_id=analysis_id,
            workflow_name=workflow.name if has_analysis else None,
            test_definition=test_definition,
            created_by=rng.choice(users),
            updated_by=rng.choice(users),
            custom_metadata=case_custom,
        )


class GeneratedSummary:
    """A generated case's summary (``models.Summary``), each field worked out from the case's
    hash when it is read: a search column of one field over 100,000 cases costs that field's
    work alone, and the case itself is made from the same fields."""

    __slots__ = ("_maker", "_index", "_w", "_created", "_id", "_status", "_updated")

    def __init__(self, maker: CaseMaker, index: int) -> None:
        self._maker, self._index = maker, index
        self._w: tuple[int, ...] | None = None
        self._created: datetime | None = None
        self._id: str | None = None
        self._status: CaseStatus | None = None
        self._updated: datetime | None = None

    @property
    def _words(self) -> tuple[int, ...]:
        if self._w is None:
            self._w = self._maker._words(self._index)
        return self._w

    @property
    def id(self) -> str:
        if self._id is None:
            self._id = self._maker.case_id(self._index)
        return self._id

    @property
    def display_id(self) -> str:
        return f"{DISPLAY_PREFIXES[self._words[5] % len(DISPLAY_PREFIXES)]}-{self._index + 1:06d}"

    @property
    def status(self) -> CaseStatus:
        if self._status is None:
            self._status = _STATUSES[_pick(_STATUS_CUM_WEIGHTS, self._words[2])]
        return self._status

    @property
    def created_date(self) -> datetime:
        if self._created is None:
            self._created = self._maker.window_end - timedelta(seconds=self._maker.created_offset(self._index))
        return self._created

    @property
    def dates_micros(self) -> tuple[int, int]:
        """``created_date`` and ``updated_date`` in whole microseconds since the epoch, from the
        same draws without a datetime (the seeded history reads them for every case)."""
        end = self._maker.window_end_micros
        created = end - self._maker.created_offset(self._index) * 10**6
        return created, min(created + self._words[1] % _UPDATE_SECONDS * 10**6, end)

    @property
    def updated_date(self) -> datetime:
        if self._updated is None:
            self._updated = min(self.created_date + timedelta(seconds=self._words[1] % _UPDATE_SECONDS),
                                self._maker.window_end)
        return self._updated

    @property
    def workflow(self) -> Workflow:
        return WORKFLOWS[self._words[3] % len(WORKFLOWS)]

    @property
    def disease(self) -> Disease:
        return self._maker.disease(self._words[4])

    @property
    def has_disease(self) -> bool:
        return self.status is not CaseStatus.MISSING_REQUIRED_DATA

    @property
    def _sample_base(self) -> str:
        w = self._words[5]
        letters = _SAMPLE_LETTERS[(w >> 16) % len(_SAMPLE_LETTERS)] + _SAMPLE_LETTERS[(w >> 24) % len(_SAMPLE_LETTERS)]
        return f"{letters}{(w >> 32) % 10**5:05d}"

    @property
    def sample_ids(self) -> tuple[str, ...]:
        base = self._sample_base
        return tuple(f"{base}_{t}" for t in self.workflow.sample_types)

    @property
    def pair_id(self) -> str:
        workflow = self.workflow
        return f"{self._sample_base}_{'_'.join(workflow.sample_types)}_{workflow.pair_suffix}"

    @property
    def analysis_id(self) -> str | None:
        if self.status is CaseStatus.AWAITING_MOLECULAR_DATA:
            return None
        run = self.created_date - timedelta(hours=6 + self._words[6] % 67)
        return f"{self.workflow.run_prefix}_{run:%Y%m%d_%H%M%S}_{self.pair_id}"

    @property
    def tags(self) -> tuple[str, ...]:
        return _TAG_SETS[_pick(_TAG_CUM_WEIGHTS, self._words[7])]

    @property
    def search_keys(self) -> _GeneratedKeys:
        return _GeneratedKeys(self)

    @property
    def sort_key(self) -> tuple[datetime, str, str]:
        return (self.created_date, self.display_id, self.id)


class _GeneratedKeys:
    """``models.SearchKeys`` of a generated summary, each worked out when read."""

    __slots__ = ("_summary",)

    def __init__(self, summary: GeneratedSummary) -> None:
        self._summary = summary

    @property
    def display_id(self) -> str:
        return self._summary.display_id.lower()

    @property
    def id(self) -> str:
        return self._summary.id.lower()

    @property
    def external_sample_ids(self) -> str:
        return SEPARATOR.join(self._summary.sample_ids).lower()

    @property
    def tags(self) -> str:
        return SEPARATOR.join(self._summary.tags).lower()

    @property
    def disease_names(self) -> str:
        return self._summary.disease.name.lower() if self._summary.has_disease else ""


class GeneratedCases:
    """The cases of a ``CaseMaker``: a ``seeded_cases.CaseSource``."""

    def __init__(self, maker: CaseMaker) -> None:
        self._maker = maker

    def __len__(self) -> int:
        return self._maker.count

    def created_seconds(self) -> list[int]:
        return [-offset for offset in self._maker.created_offsets()]

    def sort_key(self, index: int) -> tuple[datetime, str, str]:
        return self._maker.summary(index).sort_key

    def summary(self, index: int) -> GeneratedSummary:
        return self._maker.summary(index)

    def case(self, index: int) -> Case:
        return self._maker.case(index)

    def index_of_id(self, case_id: str) -> int | None:
        index = self._maker.index_of_id(case_id)
        return index if index is not None and index < self._maker.count else None

    def index_of_display_id(self, display_id: str) -> int | None:
        _, dash, number = display_id.rpartition("-")
        # A generated display number has at most 7 digits; a longer one is no case's (and
        # int() of thousands of digits would raise).
        if not (dash and number.isascii() and number.isdigit() and len(number) <= 7):
            return None
        index = int(number) - 1
        if not 0 <= index < self._maker.count or self._maker.display_id(index) != display_id:
            return None
        return index


def make_case(
    seed: int,
    workgroup_id: str,
    index: int,
    diseases: dict[str, Disease],
    test_definitions: tuple[TestDefinition, ...],
    window_end: datetime = fidelity.SEED_WINDOW_END,
) -> Case:
    """Case ``index`` of a workgroup, created in the seed window's days before ``window_end``."""
    return CaseMaker(seed, workgroup_id, diseases, test_definitions, index + 1, window_end).case(index)
