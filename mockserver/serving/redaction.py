"""What the mock keeps of a request (journal, access log) never holds a credential, and a log
line is one line whatever the request carried."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import unquote_plus

REDACTED = "<redacted>"
#: Headers whose value is a credential: Authorization keeps its scheme names only, the others
#: nothing. WSGI environ names.
SCHEME_ONLY_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION")
SECRET_HEADERS = ("HTTP_COOKIE", "HTTP_X_API_KEY", "HTTP_API_KEY", "HTTP_X_AUTH_TOKEN", "HTTP_X_ACCESS_TOKEN")
CREDENTIAL_HEADERS = frozenset(SCHEME_ONLY_HEADERS + SECRET_HEADERS)
#: Query parameters (compared in lower case, without - and _) that carry credentials.
SECRET_PARAMETERS = frozenset({"apikey", "key", "token", "accesstoken", "pstoken", "authorization", "auth",
                               "password", "secret", "clientsecret", "sessionid"})


def header_value(environ_key: str, value: str) -> str:
    if environ_key in SCHEME_ONLY_HEADERS:
        # Each credential (a repeated header arrives comma-joined) shows as its scheme, or
        # <token> when it is a bare token.
        if "," not in value:  # one credential: every request's case
            parts = value.split(None, 1)
            return parts[0] if len(parts) > 1 else "<token>"
        shown = []
        for credential in value.split(","):
            parts = credential.split()
            shown.append(parts[0] if len(parts) > 1 else "<token>")
        return ", ".join(shown)
    if environ_key in SECRET_HEADERS:
        return REDACTED
    return value


#: Names a key without keeping it: a keyed BLAKE2s (a MAC in one C call, a tenth of ``hmac``'s
#: cost on every request) under a secret drawn when the process starts, so a name cannot be
#: checked against a guessed key, and the same key has the same name until the server restarts.
_KEY_NAMING_SECRET = secrets.token_bytes(16)
#: Keyed once: a copy of the keyed state costs less than keying anew on every request.
_KEYED_NAMING = hashlib.blake2s(key=_KEY_NAMING_SECRET, digest_size=4)


def key_id(authorization: str) -> str | None:
    """``key-`` and 8 hex digits naming the credential of an Authorization header (its last
    word: the key after ``ApiKey``, or a bare token); None when there is none."""
    words = authorization.split()
    if not words:
        return None
    digest = _KEYED_NAMING.copy()
    digest.update(words[-1].encode("utf-8", "surrogateescape"))
    return "key-" + digest.hexdigest()


def is_secret_parameter(name: str) -> bool:
    return unquote_plus(name).lower().replace("-", "").replace("_", "") in SECRET_PARAMETERS


def query_string(raw: str) -> str:
    """The query string with the values of credential parameters replaced."""
    if not raw:
        return raw
    pairs = []
    for pair in raw.split("&"):
        name, sep, _ = pair.partition("=")
        if is_secret_parameter(name):
            pair = f"{name}{sep or '='}{REDACTED}"
        pairs.append(pair)
    return "&".join(pairs)


def one_line(text: str) -> str:
    """Control characters (a decoded %0a in a path, say) escaped, so a log line cannot be forged."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
