"""Who a vendor call acts as: the same user for the same key, on every run and every server,
so an audit log written in one run reads the same in the next."""

from __future__ import annotations

import pytest

from mockserver.domain.users import User, Users

TEN = Users([User(str(i), f"u{i}@lab", f"U {i}") for i in range(10)])


def test_a_key_acts_as_the_same_user_on_every_run() -> None:
    # Pinned: a change to how keys draw users changes every recorded audit log's names.
    assert [TEN.for_key(k).email for k in ("test-key", "alpha", "beta", "gamma")] == [
        "u4@lab", "u8@lab", "u9@lab", "u7@lab"]


def test_a_workgroup_without_users_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="^a workgroup needs at least one user$"):
        Users([])
