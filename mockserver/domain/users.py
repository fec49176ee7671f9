"""The people of a workgroup: who the audit log says made each change and who signed a report off.

A workgroup has a seeded set of named users. A vendor call acts as its API key's user (one of
them, the same for the same key); seeded history and automatic sign-offs name one drawn from the
case, so the same seed gives the same names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from .. import fidelity


@dataclass(frozen=True, slots=True)
class User:
    id: str
    #: The e-mail of the account: what the audit log's ``userDisplayId`` is.
    email: str
    name: str


class Users:
    def __init__(self, users: Iterable[User]) -> None:
        self.all = tuple(users)
        if not self.all:
            raise ValueError("a workgroup needs at least one user")
        self._by_email = {u.email.lower(): u for u in self.all}

    def by_email(self, email: str | None) -> User | None:
        return self._by_email.get(email.lower()) if email else None

    def name_of(self, email: str | None) -> str:
        """How the log and reports name whoever made a change: the user's name, else the e-mail
        as given, else the service itself."""
        user = self.by_email(email)
        return user.name if user else (email or fidelity.SYSTEM_USER_NAME)

    def drawn(self, *parts: object) -> User:
        """One of the users, the same for the same parts (a key, a case and a step)."""
        return self.all[self.drawn_index(*parts)]

    def drawn_index(self, *parts: object) -> int:
        digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
        return int.from_bytes(digest[:4], "big") % len(self.all)

    def for_key(self, api_key: str) -> User:
        """The user an API key belongs to."""
        return self.drawn("api-key", api_key)

