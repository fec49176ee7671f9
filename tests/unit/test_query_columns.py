"""The column search (seeded base) and the per-case predicates (overlay) must agree.

Random queries over generated cases, with some cases changed, deleted and added, are answered
by run_query and by a plain filter over every current case; both must give the same page.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from mockserver.datagen.world import build_workgroup
from mockserver.domain.query import CaseQuery, predicates, run_query
from mockserver.domain.statuses import CaseStatus


def brute_force(table, query: CaseQuery) -> tuple[list[str], int]:
    preds = predicates(query)
    matched = [c for c in table.ordered(query.descending) if all(p(c) for p in preds)]
    start = query.page_number * query.page_size
    return [c.id for c in matched[start : start + query.page_size]], len(matched)


def random_query(rng: random.Random, cases: list) -> CaseQuery:
    pick = rng.choice(cases)
    fields: dict = {}
    if rng.random() < 0.4:
        fields["statuses"] = tuple(rng.sample(list(CaseStatus), rng.randint(1, 3)))
    if rng.random() < 0.3:
        fields["display_id"] = rng.choice([pick.display_id[-4:], pick.display_id, "ilm%0", "%", "zz"])
        fields["is_exact_match"] = fields["display_id"] == pick.display_id and rng.random() < 0.5
    if rng.random() < 0.2:
        fields["id"] = pick.id[9:13].upper()
    if rng.random() < 0.3 and pick.samples:
        fields["external_sample_id"] = pick.samples[0].external_sample_id[:3]
    if rng.random() < 0.2:
        fields["analysis_id"] = pick.analysis_id
    if rng.random() < 0.4:
        fields["tags"] = tuple(rng.sample(["onc", "urgent", "TEST", "re%n", "zzz"], rng.randint(1, 2)))
    if rng.random() < 0.4:
        fields["disease_name"] = rng.choice(["lung", "MALIGNANT", "breast", "of%o", "nothing"])
    if rng.random() < 0.3:
        fields["created_after"] = pick.created_date - timedelta(days=rng.randint(0, 60))
    if rng.random() < 0.3:
        fields["created_before"] = pick.created_date + timedelta(days=rng.randint(0, 60))
    return CaseQuery(page_number=rng.randint(0, 3), page_size=rng.choice([5, 20, 100]),
                     descending=rng.random() < 0.5, **fields)


@pytest.mark.parametrize("with_overlay", [False, True])
def test_column_search_agrees_with_predicates(with_overlay: bool) -> None:
    wg = build_workgroup("wg-columns", "t", seed=11, cases=600)
    table = wg.cases
    rng = random.Random(5)
    cases = list(table.ordered())
    if with_overlay:
        for case in rng.sample(cases, 40):
            table.put(replace(case, status=rng.choice(list(CaseStatus)), tags=("oncology", "changed")))
        for case in rng.sample(cases, 20):
            table.delete(case.id)
        for n, case in enumerate(rng.sample(cases, 15)):
            table.put(replace(case, id=f"added-{n}", display_id=f"ADDED-{n}",
                              created_date=case.created_date + timedelta(seconds=1)))
    for _ in range(300):
        query = random_query(rng, cases)
        page = run_query(table, query)
        expected_ids, expected_total = brute_force(table, query)
        assert [c.id for c in page.content] == expected_ids, query
        assert page.total_elements == expected_total, query


def test_query_date_pattern_agrees_with_the_parser_on_every_day_of_four_centuries() -> None:
    """Every day from 1900 to 2299 (three non-leap century years, one leap), and every day-number
    1..31 of every month: the documented pattern accepts exactly what the server parses."""
    import re
    from datetime import date

    from marshmallow import ValidationError

    from mockserver.schemas.cases import QueryDate

    pattern = re.compile(QueryDate.OPENAPI["pattern"])
    field = QueryDate()
    for year in range(1900, 2300):
        for month in range(1, 13):
            for day in range(1, 32):
                text = f"{year:04d}-{month:02d}-{day:02d}T12:00:00Z"
                try:
                    date(year, month, day)
                    real = True
                except ValueError:
                    real = False
                try:
                    field.deserialize(text)
                    parsed = True
                except ValidationError:
                    parsed = False
                assert parsed == real == bool(pattern.match(text)), text
