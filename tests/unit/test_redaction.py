"""An Authorization header keeps only its schemes; a key is named, never kept. Both run on every
journaled request, so each has a fast form; these pin the fast forms to the plain ones."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from mockserver.serving import redaction

#: Credentials as clients send them, and the separators that make them awkward.
CREDENTIAL_TEXT = st.text(st.sampled_from("ApiKey Bearer k3y, \t\u00a0\u2003é"), max_size=40)


def schemes_only(value: str) -> str:
    """Each comma-separated credential as its scheme, or ``<token>`` when it is a bare token."""
    shown = []
    for credential in value.split(","):
        parts = credential.split()
        shown.append(parts[0] if len(parts) > 1 else "<token>")
    return ", ".join(shown)


@given(CREDENTIAL_TEXT)
def test_authorization_keeps_each_credentials_scheme_only(value: str) -> None:
    for key in redaction.SCHEME_ONLY_HEADERS:
        assert redaction.header_value(key, value) == schemes_only(value)


def test_what_each_credential_shows() -> None:
    shown = redaction.header_value
    assert shown("HTTP_AUTHORIZATION", "ApiKey s3cret") == "ApiKey"
    assert shown("HTTP_AUTHORIZATION", "s3cret") == "<token>"
    assert shown("HTTP_AUTHORIZATION", "ApiKey a, b") == "ApiKey, <token>"
    assert shown("HTTP_COOKIE", "session=s3cret") == redaction.REDACTED
    assert shown("HTTP_ACCEPT", "*/*") == "*/*"


@given(CREDENTIAL_TEXT)
def test_a_key_is_named_by_its_keyed_hash(authorization: str) -> None:
    words = authorization.split()
    expected = None
    if words:
        digest = hashlib.blake2s(words[-1].encode("utf-8", "surrogateescape"), key=redaction._KEY_NAMING_SECRET,
                                 digest_size=4)
        expected = "key-" + digest.hexdigest()
    assert redaction.key_id(authorization) == expected
    assert redaction.key_id(authorization) == expected  # the keyed state is copied, never updated


def test_the_key_is_not_in_its_name() -> None:
    assert redaction.key_id("ApiKey s3cret") != redaction.key_id("ApiKey other")
    assert "s3cret" not in (redaction.key_id("ApiKey s3cret") or "")
