"""Seeded cases made when read: summaries agree with the cases, ids and display ids lead back to
their case, the order is creation order, the cache is bounded, and nothing a client reads
depends on what was read before. Without HTTP."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.datagen.cases import CaseMaker, GeneratedCases, GeneratedSummary, make_case, make_test_definitions
from mockserver.datagen.catalog import load_diseases
from mockserver.datagen.fixture_folder import shipped_cases
from mockserver.datagen.world import build_workgroup
from mockserver.domain.case_table import _Without, merged_slice
from mockserver.domain.models import Case, Summary
from mockserver.domain.seeded_cases import SeededCases
from mockserver.schemas.cases import CaseSchema

WG = "wg-seeded"


def maker(seed: int = 11, count: int = 10_000) -> CaseMaker:
    return CaseMaker(seed, WG, load_diseases(), make_test_definitions(seed, WG), count)


def seeded(count: int, seed: int = 11, cache_size: int = 4096, fixtures: tuple[Case, ...] = ()) -> SeededCases:
    return SeededCases(fixtures, GeneratedCases(maker(seed, count)), cache_size=cache_size)


def facts(summary: Summary) -> tuple:
    keys = summary.search_keys
    return (summary.id, summary.display_id, summary.status, summary.created_date, summary.updated_date,
            summary.analysis_id, summary.sort_key, keys.display_id, keys.id, keys.external_sample_ids, keys.tags,
            keys.disease_names)


def test_a_summary_is_what_the_case_says() -> None:
    m = maker()
    for index in range(300):
        case = m.case(index)
        assert facts(m.summary(index)) == facts(case)
        assert case == make_case(11, WG, index, load_diseases(), make_test_definitions(11, WG))


@pytest.mark.parametrize("count", [1, 20, 4096, 4097, 5000])
def test_a_workgroup_of_any_size_has_the_first_cases_of_a_larger_one(count: int) -> None:
    """Creation times come from a block's draws; a smaller workgroup draws only a prefix of them."""
    sized, larger = maker(count=count), maker(count=3 * 4096)
    indexes = {0, count // 2, count - 1}
    assert [facts(sized.summary(i)) for i in sorted(indexes)] == [facts(larger.summary(i)) for i in sorted(indexes)]
    assert sized.created_offsets() == larger.created_offsets()[:count]


def test_a_walk_in_creation_order_draws_each_block_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeded history walks every case in creation order, which visits the blocks in random
    order: past the block cache's 64 blocks, each look-up drew a whole block again (quadratic)."""
    import mockserver.datagen.cases as generated

    monkeypatch.setattr(generated, "_BLOCK", 16)  # 200 blocks, cheaply
    drawn: list[int] = []

    class Counting(CaseMaker):
        def _created_block(self, block: int):  # type: ignore[no-untyped-def]
            drawn.append(block)
            return super()._created_block(block)

    walker = Counting(11, WG, load_diseases(), make_test_definitions(11, WG), 16 * 200)
    offsets = walker.created_offsets()
    in_creation_order = sorted(range(walker.count), key=offsets.__getitem__)
    assert [walker.created_offset(i) for i in in_creation_order] == [offsets[i] for i in in_creation_order]
    assert sorted(drawn) == list(range(200))


def test_every_id_and_display_id_leads_back_to_its_case() -> None:
    cases = seeded(500)
    for position in range(len(cases)):
        case = cases[position]
        assert cases.position_of(case.id) == position
        assert cases.positions_of_display_id(case.display_id) == (position,)
        assert cases.get(case.id) is case


@pytest.mark.parametrize("text", ["", "x", "0" * 36, "00000000-0000-4000-8000-000000000000", "ILM-ONC-000001x",
                                  "ILM-ONC-0000001", "ILM-ONC-00000١", "ILM-ONC-000000", "ILM-ONC-000501",
                                  "ILM-ONC-" + "1" * 5000])
def test_other_texts_find_no_case(text: str) -> None:
    cases = seeded(500)
    assert cases.position_of(text) is None and cases.get(text) is None
    assert cases.positions_of_display_id(text) == ()


def test_an_id_in_other_letters_or_of_a_case_beyond_the_count_is_not_found() -> None:
    few, many = seeded(10), seeded(20)
    beyond = many[many.position_of(maker().case_id(15))]  # type: ignore[index]
    assert few.position_of(beyond.id) is None and few.positions_of_display_id(beyond.display_id) == ()
    assert few.position_of(few[0].id.upper()) is None
    assert few.positions_of_display_id(few[0].display_id.lower()) == ()


def test_cases_are_in_creation_order_and_held_cases_fall_in_place() -> None:
    fixtures = tuple(shipped_cases())
    cases = seeded(2000, fixtures=fixtures)
    keys = [c.sort_key for c in cases]
    assert keys == sorted(keys) and len(cases) == 2002
    assert [cases.sort_key(p) for p in range(len(cases))] == keys
    assert {c.id for c in fixtures} <= {c.id for c in cases}
    first_breast = cases.position_of(fixtures[0].id)
    assert cases[first_breast] is fixtures[0] and facts(cases.summary(first_breast)) == facts(fixtures[0])


class TiedSource:
    """Cases created in the same second: their display ids and ids decide the order."""

    def __init__(self, cases: list[Case]) -> None:
        self.cases = cases

    def __len__(self) -> int:
        return len(self.cases)

    def created_seconds(self) -> list[int]:
        return [int(c.created_date.timestamp()) for c in self.cases]

    def sort_key(self, index: int) -> tuple:
        return self.cases[index].sort_key

    def summary(self, index: int) -> Summary:
        return self.cases[index]

    def case(self, index: int) -> Case:
        return self.cases[index]

    def index_of_id(self, case_id: str) -> int | None:
        return next((i for i, c in enumerate(self.cases) if c.id == case_id), None)

    def index_of_display_id(self, display_id: str) -> int | None:
        return next((i for i, c in enumerate(self.cases) if c.display_id == display_id), None)


def test_cases_created_in_the_same_second_are_ordered_by_display_id_then_id() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    base = maker().case(0)
    made = [replace(base, id=f"id-{n}", display_id=f"D-{d}", created_date=at + timedelta(seconds=s))
            for n, (d, s) in enumerate([(3, 0), (1, 0), (2, 5), (1, 5), (0, 9), (1, 0)])]
    cases = SeededCases((), TiedSource(made))
    assert [c.id for c in cases] == ["id-1", "id-5", "id-0", "id-3", "id-2", "id-4"]


def test_duplicate_ids_are_refused_between_held_and_generated_cases() -> None:
    clash = maker().case(3)
    with pytest.raises(ValueError, match="duplicate ids"):
        seeded(10, fixtures=(clash,))


def test_the_cache_is_bounded_and_a_case_made_again_is_equal() -> None:
    cases = seeded(300, cache_size=50)
    first = [cases[p] for p in range(300)]
    assert len(cases._cache) == 50
    assert [cases[p] for p in range(300)] == first


def test_start_up_makes_no_case_and_summarizes_only_cases_created_in_the_same_second() -> None:
    made: list[int] = []
    summarized: list[int] = []

    class Counting(CaseMaker):
        def case(self, index: int) -> Case:
            made.append(index)
            return super().case(index)

        def summary(self, index: int) -> GeneratedSummary:
            summarized.append(index)
            return super().summary(index)

    count = Counting(11, WG, load_diseases(), make_test_definitions(11, WG), 20_000)
    source = GeneratedCases(count)
    cases = SeededCases((), source)
    seconds = source.created_seconds()
    tied = _tied(seconds)
    assert len(cases) == 20_000 and made == []
    assert set(summarized) == tied and 0 < len(tied) < 40
    summarized.clear()
    assert cases.position_of(count.case_id(19_999)) is not None
    assert made == [] and summarized == []


def _tied(seconds: list[int]) -> set[int]:
    seen: dict[int, list[int]] = {}
    for index, second in enumerate(seconds):
        seen.setdefault(second, []).append(index)
    return {i for group in seen.values() if len(group) > 1 for i in group}


def test_what_is_read_does_not_depend_on_what_was_read_before() -> None:
    schema = CaseSchema(direct_identifiers=True)
    forward, scrambled = seeded(400, cache_size=64), seeded(400, cache_size=64)
    order = list(range(400))
    random.Random(3).shuffle(order)
    for p in order + order[::-1]:
        scrambled[p]
    assert [schema.dumps(forward[p]) for p in range(400)] == [schema.dumps(scrambled[p]) for p in range(400)]


def test_a_workgroup_of_100000_cases_pages_deep_and_finds_any_case() -> None:
    wg = build_workgroup(WG, "W", seed=2, cases=100_000)
    last = wg.cases.page(99_999, 100_005)
    assert len(last) == 1 and wg.cases.get(last[0].id) is last[0]
    assert wg.cases.page(0, 1, descending=True) == last
    assert wg.cases.find_by_display_id(last[0].display_id) == last[0]


@given(st.lists(st.integers(0, 10_000), unique=True), st.lists(st.integers(0, 10_000), unique=True),
       st.integers(0, 60), st.integers(0, 60), st.booleans())
def test_a_merged_slice_is_a_slice_of_the_merge(base: list[int], extra: list[int], start: int, size: int,
                                                descending: bool) -> None:
    extra = sorted(set(extra) - set(base))
    base.sort()
    merged = sorted([(k, True, i) for i, k in enumerate(base)] + [(k, False, i) for i, k in enumerate(extra)],
                    reverse=descending)
    expected = [(from_base, i) for _, from_base, i in merged[start : start + size]]
    assert merged_slice(len(base), base.__getitem__, extra, start, start + size, descending) == expected


@given(st.integers(0, 300), st.data())
def test_a_range_without_some_positions_reads_like_the_list(n: int, data: st.DataObject) -> None:
    removed = sorted(data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=n)) & set(range(n)))
    kept = [p for p in range(n) if p not in removed]
    without = _Without(n, removed)
    assert len(without) == len(kept) and [without[k] for k in range(len(without))] == kept
    with pytest.raises(IndexError):
        without[len(kept)]


def test_a_summarys_dates_in_microseconds_are_its_dates() -> None:
    """The seeded history reads them for every case, without a datetime each."""
    from mockserver.domain.clock import EPOCH, MICROSECOND

    m = maker(count=3000)
    for index in range(0, 3000, 7):
        summary, case = m.summary(index), m.case(index)
        expected = ((case.created_date - EPOCH) // MICROSECOND, (case.updated_date - EPOCH) // MICROSECOND)
        assert summary.dates_micros == case.dates_micros == expected
