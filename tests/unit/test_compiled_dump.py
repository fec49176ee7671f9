"""``schemas.compiled.dumper(schema)`` writes what ``schema.dump`` writes, key for key and in the
same order: for every case shape the mock serves, and for each kind of field and each way a
value can be absent, None or odd."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, fields, missing, post_dump, pre_dump

from mockserver.datagen.cases import make_case, make_test_definitions
from mockserver.datagen.catalog import load_diseases
from mockserver.datagen.fixture_folder import shipped_cases
from mockserver.domain.models import CustomField
from mockserver.schemas import cases as case_schemas
from mockserver.schemas import compiled
from mockserver.schemas.cases import CaseSchema
from mockserver.schemas.compiled import dumper

CASE_SCHEMAS = (CaseSchema(), CaseSchema(direct_identifiers=True))
SHARED = (case_schemas.TestDefinitionSchema, case_schemas.TumorTypeSchema)
#: Made once, as the app makes its own: its kept records outlive one example.
SHARED_DUMPERS = {id(schema): dumper(schema, shared=SHARED) for schema in CASE_SCHEMAS}


def same(schema: Schema, obj: Any) -> None:
    """Equal key for key and in order, or the same error raised; with shared records kept too."""
    expected = outcome(schema.dump, obj)
    assert outcome(dumper(schema), obj) == expected
    if id(schema) in SHARED_DUMPERS:
        assert outcome(SHARED_DUMPERS[id(schema)], obj) == expected


def outcome(dump: Callable[[Any], Any], obj: Any) -> Any:
    try:
        return in_order(dump(obj))
    except Exception as error:  # noqa: BLE001 (any error marshmallow raises, the dumper must raise too)
        return type(error)


def in_order(value: Any) -> Any:
    if isinstance(value, dict):
        return [(key, in_order(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [in_order(item) for item in value]
    return value


@cache
def catalog(seed: int) -> tuple[Any, Any]:
    return load_diseases(), make_test_definitions(seed, "wg-dump")


@given(st.integers(0, 3), st.integers(0, 100_000))
def test_a_generated_case_dumps_as_marshmallow_dumps_it(seed: int, index: int) -> None:
    case = make_case(seed, "wg-dump", index, *catalog(seed))
    for schema in CASE_SCHEMAS:
        same(schema, case)


@given(st.integers(0, 50), st.text(max_size=5) | st.none(), st.booleans(),
       st.lists(st.builds(CustomField, type=st.just("Text"), name=st.text(max_size=5), restricted=st.booleans(),
                          value=st.text(max_size=5), order=st.integers(0, 3)), max_size=2))
def test_a_changed_case_dumps_as_marshmallow_dumps_it(index: int, who: str | None, no_definition: bool,
                                                      custom: list[CustomField]) -> None:
    case = make_case(1, "wg-dump", index, *catalog(1))
    changed = replace(case, updated_by=who, created_by=who, custom_metadata=tuple(custom),
                      test_definition=None if no_definition else case.test_definition)
    for schema in CASE_SCHEMAS:
        same(schema, changed)


def test_the_shipped_fixture_cases_and_a_list_dump_as_marshmallow_dumps_them() -> None:
    cases = list(shipped_cases())
    assert cases
    for schema in CASE_SCHEMAS:
        for case in cases:
            same(schema, case)
    same(CaseSchema(many=True), cases)
    same(CaseSchema(many=True), None)


def test_a_shared_record_is_dumped_once_and_known_by_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    dump = dumper(CaseSchema(), shared=SHARED)
    first = make_case(1, "wg-dump", 0, *catalog(1))
    second = replace(first, id="another case")  # another case of the same test definition
    assert dump(first)["testDefinition"] is dump(second)["testDefinition"]
    twin = replace(second, test_definition=replace(second.test_definition))  # equal, not the same
    assert dump(twin)["testDefinition"] is not dump(first)["testDefinition"]
    assert dump(twin)["testDefinition"] == dump(first)["testDefinition"]
    monkeypatch.setattr(compiled, "SHARED_KEPT", 1)
    kept = dump(first)["testDefinition"]
    dump(replace(second, test_definition=replace(second.test_definition)))  # one more: the kept ones go
    again = dump(first)["testDefinition"]
    assert again is not kept and again == kept


class Colour(enum.Enum):
    RED = "r"


class Stamp(fields.Field):
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return {"stamped": value}  # None too: a custom field decides for itself


class Shout(fields.Field):
    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        return str(super().serialize(attr, obj, accessor, **kwargs)).upper()


class Twice(fields.Field):
    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        value = super().get_value(obj, attr, accessor, default)
        return missing if value is missing else [value, value]


class Leaf(Schema):
    name = fields.String()
    size = fields.Integer(dump_default=0)


class Hooked(Schema):
    name = fields.String()

    @post_dump(pass_collection=True)
    def _count(self, data: Any, many: bool, **_: Any) -> Any:
        return {"items": data, "count": len(data)} if many else {**data, "hooked": True}


class Everything(Schema):
    class Meta:
        ordered = True

    text = fields.String()
    renamed = fields.String(attribute="other", data_key="Renamed")
    number = fields.Integer()
    flag = fields.Boolean()
    when = fields.Raw(dump_default="never")
    colour = fields.Enum(Colour)
    colour_value = fields.Enum(Colour, by_value=True, attribute="colour", dump_only=True)
    leaf = fields.Nested(Leaf)
    leaves = fields.List(fields.Nested(Leaf))
    many_leaves = fields.Nested(Leaf, many=True, attribute="leaves", dump_only=True)
    leaf_list = fields.Nested(Leaf(many=True), attribute="leaves", dump_only=True)
    hooked = fields.Nested(Hooked, many=True, attribute="leaves", dump_only=True)
    texts = fields.List(fields.String())
    stamp = Stamp()
    shout = Shout(attribute="text", dump_only=True)
    twice = Twice(attribute="text", dump_only=True)
    deep = fields.String(attribute="leaf.name", dump_only=True)
    constant = fields.Constant([1])
    method = fields.Method("_method")
    function = fields.Function(lambda obj: getattr(obj, "text", None))

    def _method(self, obj: Any) -> Any:
        return missing if getattr(obj, "number", None) == 0 else "m"


VALUES = st.none() | st.text(max_size=3) | st.integers(-2, 2) | st.binary(max_size=2).filter(bytes.isascii)
LEAF = st.builds(SimpleNamespace, name=VALUES) | st.builds(SimpleNamespace, name=VALUES, size=st.integers(0, 3))
ATTRIBUTES = {
    "text": VALUES, "other": VALUES, "number": st.none() | st.integers(-2, 2), "flag": st.none() | st.booleans(),
    "when": VALUES, "colour": st.none() | st.just(Colour.RED), "leaf": st.none() | LEAF,
    "leaves": st.none() | st.lists(st.none() | LEAF, max_size=2).map(lambda items: [i for i in items if i]),
    "texts": st.none() | st.lists(VALUES, max_size=3), "stamp": VALUES,
}


@st.composite
def sparse_objects(draw: st.DrawFn) -> SimpleNamespace:
    """Any subset of the attributes present: an absent one takes the field's dump_default or is left out."""
    present = draw(st.lists(st.sampled_from(sorted(ATTRIBUTES)), unique=True))
    return SimpleNamespace(**{name: draw(ATTRIBUTES[name]) for name in present})


@given(sparse_objects())
def test_each_kind_of_field_dumps_as_marshmallow_dumps_it(obj: SimpleNamespace) -> None:
    same(Everything(), obj)
    same(Everything(exclude=("leaf.size",)), obj)
    same(Everything(only=("text", "leaf.name")), obj)


class DictWords(Schema):
    """Fields named as a dict's methods: read from a mapping, they are its keys."""

    copy = fields.String()
    items = fields.String()


@given(st.dictionaries(st.sampled_from(["text", "other", "number", "leaf"]), VALUES))
def test_a_mapping_is_read_by_key_as_marshmallow_reads_it(data: dict[str, Any]) -> None:
    same(Everything(), data)


def test_a_mapping_is_read_by_key_even_where_a_dict_has_a_method_of_that_name() -> None:
    same(DictWords(), {"copy": "c", "items": "i"})
    same(DictWords(), {"copy": "c"})


@dataclass
class Named:
    name: str


class WithHooks(Schema):
    name = fields.String()

    @pre_dump
    def _upper(self, obj: Named, **_: Any) -> Named:
        return Named(obj.name.upper())


def test_a_schema_with_dump_hooks_is_dumped_by_marshmallow() -> None:
    same(WithHooks(), Named("x"))
    same(WithHooks(many=True), [Named("x"), Named("y")])
    same(Hooked(many=True), [Named("x")])
    same(Hooked(), Named("x"))


class ReadsUpperCase(Schema):
    name = fields.String()

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return super().get_attribute(obj, attr.upper(), default)


def test_a_schema_that_reads_attributes_its_own_way_is_dumped_by_marshmallow() -> None:
    same(ReadsUpperCase(), SimpleNamespace(name="lower", NAME="upper"))
