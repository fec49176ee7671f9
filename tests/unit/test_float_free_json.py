"""``rendering.float_free_json`` writes what the app's JSON provider writes (``compact_json``),
byte for byte, for any value without floats; and no case the mock serves holds a float."""

from __future__ import annotations

import enum
from functools import cache
from typing import Any

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, fields

from mockserver import create_app
from mockserver.api.rendering import compact_json, float_free_json
from mockserver.datagen.cases import make_case, make_test_definitions
from mockserver.datagen.catalog import load_diseases
from mockserver.datagen.fixture_folder import shipped_cases
from mockserver.schemas.cases import CaseSchema
from mockserver.schemas.compiled import dumper


class Colour(enum.StrEnum):
    RED = "red"


@cache
def app() -> Flask:
    """The mock's provider settings (key order kept, compact)."""
    return create_app(cases=1)


leaves = (st.none() | st.booleans() | st.integers() | st.text() | st.datetimes() | st.dates() | st.uuids()
          | st.just(Colour.RED) | st.just("\x7f") | st.just("caf\u00e9"))
values = st.recursive(leaves, lambda children: st.lists(children, max_size=4) | st.tuples(children)
                      | st.dictionaries(st.text() | st.integers(), children, max_size=4), max_leaves=25)


@given(values)
def test_a_value_without_floats_is_written_as_the_provider_writes_it(value: Any) -> None:
    assert float_free_json(value, app()) == compact_json(value, app())


def test_odd_texts_and_numbers_go_to_the_provider() -> None:
    for value in ({"a": "\x7f"}, ["caf\u00e9"], 2**64, {1: "one"}, Colour.RED):
        assert float_free_json(value, app()) == compact_json(value, app())


def float_fields(schema: Schema, seen: frozenset[int] = frozenset()) -> list[str]:
    """The fields that could write a float, nested schemas included."""
    found = []
    for name, field in schema.dump_fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Number) and not isinstance(inner, fields.Integer):
            found.append(name)
        if isinstance(inner, (fields.Raw, fields.Dict)) and type(inner) in (fields.Raw, fields.Dict):
            found.append(name)  # anything at all
        if isinstance(inner, fields.Nested) and id(inner.schema) not in seen:
            found += [f"{name}.{n}" for n in float_fields(inner.schema, seen | {id(inner.schema)})]
    return found


def floats_in(value: Any) -> int:
    if isinstance(value, dict):
        return sum(floats_in(v) for v in value.values())
    if isinstance(value, list):
        return sum(floats_in(v) for v in value)
    return int(isinstance(value, float))


def test_no_field_of_a_served_case_writes_a_float() -> None:
    assert float_fields(CaseSchema()) == []


@given(st.integers(0, 3), st.integers(0, 100_000))
def test_no_generated_case_holds_a_float(seed: int, index: int) -> None:
    """The computed fields too (those the schema walk cannot see into)."""
    case = make_case(seed, "wg-json", index, load_diseases(), make_test_definitions(seed, "wg-json"))
    assert floats_in(dumper(CaseSchema())(case)) == 0


def test_no_shipped_case_holds_a_float() -> None:
    dump = dumper(CaseSchema())
    assert [case.id for case in shipped_cases() if floats_in(dump(case))] == []
