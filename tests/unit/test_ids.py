"""stable_uuid: the UUID the standard library makes of the same digest, and the same parts, the
same id."""

from __future__ import annotations

import hashlib
import uuid

from hypothesis import given
from hypothesis import strategies as st

from mockserver.domain.ids import stable_uuid


@given(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()), min_size=1, max_size=5))
def test_stable_uuid_is_the_standard_librarys_version_4_uuid_of_the_digest(parts: list[object]) -> None:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    assert stable_uuid(*parts) == str(uuid.UUID(bytes=digest[:16], version=4))


def test_the_parts_are_joined_by_colons() -> None:
    assert stable_uuid("7:wg:case", 3) == stable_uuid(7, "wg", "case", 3) != stable_uuid(7, "wg", "case", 4)
