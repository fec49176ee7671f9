"""The seeded users of a workgroup: named people with e-mails at the lab's domain, the same for
the same seed and workgroup."""

from __future__ import annotations

import random

from .. import fidelity
from ..domain.users import User, Users
from .cases import _FEMALE, _LAST, _MALE, _uuid


def make_users(seed: int, workgroup_id: str) -> Users:
    rng = random.Random(f"{seed}:{workgroup_id}:users")
    users: dict[str, User] = {}
    while len(users) < fidelity.SEEDED_USERS:
        first = (_FEMALE if rng.random() < 0.5 else _MALE).pick(rng)
        last = _LAST.pick(rng)
        email = f"{first}.{last}@{fidelity.USER_EMAIL_DOMAIN}".lower()
        users.setdefault(email, User(_uuid(rng), email, f"{first} {last}"))
    return Users(users.values())
