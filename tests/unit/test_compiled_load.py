"""``schemas.compiled.loader(schema)`` answers what ``schema.load`` answers: the same dict, key
for key and in order, or the same ValidationError; and leaves to marshmallow every schema it
cannot load the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate

from mockserver.schemas.cases import UpdateCaseDiseasesSchema
from mockserver.schemas.compiled import loader


def outcome(load: Callable[[Any], Any], data: Any) -> Any:
    try:
        return list(load(data).items())
    except ValidationError as error:
        return error.normalized_messages()


def same(schema: Schema, data: Any) -> None:
    assert outcome(loader(schema), data) == outcome(schema.load, data)


KEYS = ["externalid", "ontologytype", "name", "externalId", "ONTOLOGY_TYPE", "Name", "other", "", 7]
#: Valid strings of both schemas below, often: a valid body must come up, not only odd ones.
valid = st.sampled_from(["254837009", "SNOMEDCT", "snomedct", "a", "b"])
values = valid | valid | st.none() | st.text(max_size=3) | st.just("") | st.integers() | st.binary(max_size=2) \
    | st.lists(st.text(max_size=1), max_size=2)
bodies = st.dictionaries(st.sampled_from(KEYS), values, max_size=5) | values


@given(bodies)
@example({"externalid": "254837009", "ontologytype": "SNOMEDCT", "Name": "misspelt"})
def test_a_disease_body_loads_as_marshmallow_loads_it(data: Any) -> None:
    same(UpdateCaseDiseasesSchema(), data)


class Plain(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, data_key="Code", validate=validate.OneOf(["a", "b"]))
    label = fields.String(attribute="title")
    note = fields.String(load_default="none given")


@given(st.dictionaries(st.sampled_from(["Code", "code", "label", "note", "x"]), values, max_size=4))
@example({"Code": "a"})
@example({"Code": "b", "label": "L", "note": "N", "x": 1})
@example({"code": "a", "label": "L"})
def test_data_keys_attributes_and_defaults_load_as_marshmallow_loads_them(data: Any) -> None:
    same(Plain(), data)


class Unwrapped(Plain):
    @pre_load
    def _unwrap(self, data: Any, **_: Any) -> Any:
        return data.get("wrapped", data) if isinstance(data, dict) else data


def test_what_a_pre_load_hook_makes_of_the_body_is_loaded() -> None:
    for data in ({"wrapped": {"Code": "a"}}, {"wrapped": ["Code"]}, {"wrapped": None}, {"Code": "b"},
                 {"Code": "a", "wrapped": {"Code": "b"}}):
        same(Unwrapped(), data)


class Included(Plain):
    class Meta:
        unknown = INCLUDE


class Numbered(Schema):
    class Meta:
        unknown = EXCLUDE

    count = fields.Integer()


class Finished(Plain):
    @post_load
    def _finish(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "finished": True}


class Collected(Plain):
    @pre_load(pass_collection=True)
    def _collect(self, data: Any, **_: Any) -> Any:
        return data


def test_schemas_it_cannot_load_alike_are_left_to_marshmallow() -> None:
    for schema in (Included(), Numbered(), Finished(), Collected(), Plain(many=True), Plain(partial=True)):
        assert loader(schema) == schema.load, type(schema).__name__
    assert loader(Plain()) != Plain().load
    assert loader(UpdateCaseDiseasesSchema()) != UpdateCaseDiseasesSchema().load
