"""A schema's ``dump`` worked out once per schema instead of once per field per call; and a
small schema's ``load`` of a valid body without marshmallow's machinery.

marshmallow's dump asks each field, on every call, how to read its value, whether it is
missing and how to write it: about 280 us a case (timeit), a third of PUT diseases. ``dumper(schema)``
reads the schema's dump fields once and returns a function that writes the same dict: for each
field, its attribute read with ``getattr`` and its own ``_serialize`` called, as
``Field.serialize`` does; strings, nested schemas, lists and enums (exact types, so a subclass
with its own ``_serialize`` is never mistaken for its base) are written inline. What it cannot
read that way goes through marshmallow: a field with its own ``serialize`` or ``get_value``, a
dotted attribute, an absent attribute (the field's ``dump_default`` decides), a mapping (read by
key first), and a schema with dump hooks or its own ``get_attribute``.
``tests/unit/test_compiled_dump.py`` holds the output equal to ``schema.dump``.

``loader(schema)`` answers only what it can tell is valid: a dict whose fields are all plain
strings that pass their validators, for a schema that ignores unknown keys and has no hooks but
``pre_load`` ones (called as marshmallow calls them). Anything else (a missing or odd value, a
failing validator or hook) goes to ``schema.load``, which returns or raises as ever.
marshmallow spends about 35 us loading a three-field PUT diseases body; this, about 4.
``tests/unit/test_compiled_load.py`` holds its answers equal to ``schema.load``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP, PRE_LOAD

#: Writes one value of a field that is not None.
Write = Callable[[Any], Any]
#: Dumps one field of an object into ``out``; leaves it out when marshmallow would.
FieldDump = Callable[[Any, dict[str, Any]], None]

_ABSENT = object()


#: Nested schemas whose objects are immutable records shared by many dumped objects.
Shared = tuple[type[Schema], ...]
#: Dumps kept of each shared schema's records: far more than a workgroup's test definitions and
#: diseases in use; past it, the kept ones are dropped at once.
SHARED_KEPT = 4096


def dumper(schema: Schema, shared: Shared = ()) -> Callable[[Any], Any]:
    """A function equal to ``schema.dump`` (with the schema's own ``many``).

    Records dumped by a nested schema in ``shared`` are dumped once each and the dict reused, by
    identity: one dict then appears in many dumps, so only a caller that never changes a dump
    (one that encodes it at once) may ask for it."""
    if _has_dump_hooks(schema):  # a hook may take the whole collection
        return schema.dump
    one = _dump_one(schema, shared)
    if schema.many:  # marshmallow dumps None as one object, even for many
        return lambda objs: one(objs) if objs is None else [one(obj) for obj in objs]
    return one


def _has_dump_hooks(schema: Schema) -> bool:
    return bool(schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP])


def _dump_one(schema: Schema, shared: Shared) -> Callable[[Any], dict[str, Any]]:
    def by_marshmallow(obj: Any) -> dict[str, Any]:
        return schema.dump(obj, many=False)

    if _has_dump_hooks(schema) or type(schema).get_attribute is not Schema.get_attribute:
        return by_marshmallow
    steps = [_field_dump(schema, name, field, shared) for name, field in schema.dump_fields.items()]
    new = schema.dict_class

    def dump(obj: Any) -> dict[str, Any]:
        if hasattr(obj, "__getitem__"):  # a mapping: marshmallow reads keys before attributes
            return by_marshmallow(obj)
        out = new()
        for step in steps:
            step(obj, out)
        return out

    return dump


def _field_dump(schema: Schema, name: str, field: fields.Field, shared: Shared) -> FieldDump:
    key = field.data_key if field.data_key is not None else name
    kind = type(field)
    attribute = field.attribute if field.attribute is not None else name
    if kind.serialize is not fields.Field.serialize or kind.get_value is not fields.Field.get_value or "." in attribute:
        return _by_marshmallow(schema, name, field, key)
    if kind is fields.Constant:
        constant = cast(fields.Constant, field).constant
        return lambda obj, out: out.__setitem__(key, constant)
    serialize = field._serialize
    if not field._CHECK_ATTRIBUTE:  # a method or function of the whole object
        def computed(obj: Any, out: dict[str, Any]) -> None:
            value = serialize(None, name, obj)
            if value is not missing:
                out[key] = value

        return computed
    write = _writer(field, shared)
    fallback = _by_marshmallow(schema, name, field, key)

    def read(obj: Any, out: dict[str, Any]) -> None:
        value = getattr(obj, attribute, _ABSENT)
        if value is _ABSENT:
            fallback(obj, out)
        elif write is None:
            out[key] = serialize(value, name, obj)
        else:
            out[key] = None if value is None else write(value)

    return read


def _by_marshmallow(schema: Schema, name: str, field: fields.Field, key: str) -> FieldDump:
    def dump(obj: Any, out: dict[str, Any]) -> None:
        value = field.serialize(name, obj, accessor=schema.get_attribute)
        if value is not missing:
            out[key] = value

    return dump


def _writer(field: fields.Field, shared: Shared) -> Write | None:
    """How the kinds written inline write a value that is not None (each writes None as None)."""
    build = _WRITERS.get(type(field))
    return build(field, shared) if build is not None else None


def _nested_writer(field: fields.Nested, shared: Shared) -> Write | None:
    if _has_dump_hooks(field.schema):  # a hook may take the whole collection
        return None
    nested = _dump_one(field.schema, shared)
    if type(field.schema) in shared:
        nested = _kept(nested)
    if field.schema.many or field.many:
        return lambda value: [nested(item) for item in value]
    return nested


def _kept(dump: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """``dump``, made once per record and found by the record's id: the record is kept with its
    dump, so no other record can take that id while it is kept."""
    kept: dict[int, tuple[Any, dict[str, Any]]] = {}

    def dump_kept(obj: Any) -> dict[str, Any]:
        hit = kept.get(id(obj))
        if hit is not None:
            return hit[1]
        out = dump(obj)
        if len(kept) >= SHARED_KEPT:
            kept.clear()
        kept[id(obj)] = (obj, out)
        return out

    return dump_kept


def _list_writer(field: fields.List, shared: Shared) -> Write | None:
    inner = _writer(field.inner, shared)
    if inner is None:
        return None
    return lambda value: [None if item is None else inner(item) for item in value]


def _enum_writer(field: fields.Enum, shared: Shared) -> Write | None:
    return None if field.by_value else lambda value: _text(value.name)


#: By exact type: a subclass may write otherwise.
_WRITERS: dict[type, Callable[[Any, Shared], Write | None]] = {
    fields.String: lambda _, __: _text, fields.Nested: _nested_writer, fields.List: _list_writer, fields.Enum: _enum_writer,
}


def _text(value: Any) -> str:
    """``fields.String``'s writing (``utils.ensure_text_type``)."""
    if type(value) is str:
        return value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def loader(schema: Schema) -> Callable[[Any], Any]:
    """A function equal to ``schema.load`` (one object, the schema's own settings)."""
    hooks = schema._hooks
    plain = (not schema.many and schema.unknown == EXCLUDE and not schema.partial
             and not any(hooks[tag] for tag in hooks if tag != PRE_LOAD)
             and all(not many and not kwargs.get("pass_original") for _, many, kwargs in hooks[PRE_LOAD])
             and all(type(field) is fields.String and not field.pre_load and not field.post_load
                     and "." not in (field.attribute or name) for name, field in schema.load_fields.items()))
    if not plain:
        return schema.load
    pre_loads = [getattr(schema, name) for name, _, _ in hooks[PRE_LOAD]]
    steps = [(field.data_key if field.data_key is not None else name, field.attribute or name, field.required,
              field.load_default, field.validators) for name, field in schema.load_fields.items()]
    new = schema.dict_class
    unknown = schema.unknown

    def load(data: Any) -> Any:
        if type(data) is not dict:
            return schema.load(data)
        given = data
        try:
            for pre_load in pre_loads:
                given = pre_load(given, many=False, partial=schema.partial, unknown=unknown)
        except ValidationError:
            return schema.load(data)
        if type(given) is not dict:
            return schema.load(data)
        out = new()
        for key, attribute, required, default, validators in steps:
            value = given.get(key, missing)
            if value is missing:
                if required or default is not missing:
                    return schema.load(data)
                continue
            if type(value) is not str:
                return schema.load(data)
            try:
                for validator in validators:
                    validator(value)
            except ValidationError:
                return schema.load(data)
            out[attribute] = value
        return out

    return load
