"""What a journal entry keeps of the request headers: in the environ's order, credentials
redacted, each value and all of them within their bounds, the same for an environ whose keys
were seen before (a kept plan) as for a new one."""

from __future__ import annotations

from mockserver.admin import journal
from mockserver.admin.journal import MAX_HEADER_CHARS, MAX_HEADERS_CHARS, kept_request

BASE = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "QUERY_STRING": "", "wsgi.url_scheme": "http"}


def headers_of(environ: dict[str, str]) -> tuple[list[tuple[str, str]], bool]:
    kept = kept_request(environ, environ["PATH_INFO"])
    return list(kept["headers"]), kept["truncated"]


def test_headers_in_order_with_credentials_redacted_and_the_same_from_a_kept_plan() -> None:
    environ = {**BASE, "HTTP_HOST": "h", "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": "ApiKey s3cret",
               "HTTP_COOKIE": "session=s3cret", "HTTP_X_ILMN_WORKGROUP": "wg"}
    expected = [("HTTP_HOST", "h"), ("CONTENT_TYPE", "application/json"), ("HTTP_AUTHORIZATION", "ApiKey"),
                ("HTTP_COOKIE", "<redacted>"), ("HTTP_X_ILMN_WORKGROUP", "wg")]
    assert headers_of(environ) == (expected, False)
    assert tuple(environ) in journal._plans
    again = {**environ, "HTTP_AUTHORIZATION": "ApiKey other", "HTTP_HOST": "h2"}
    assert headers_of(again) == ([("HTTP_HOST", "h2"), *expected[1:]], False)


def test_one_header_and_none() -> None:
    assert headers_of({**BASE, "HTTP_X_ONE": "1"}) == ([("HTTP_X_ONE", "1")], False)
    assert headers_of(dict(BASE)) == ([], False)


def test_a_long_value_is_cut_and_so_are_headers_past_their_total() -> None:
    long_value = {**BASE, "HTTP_X_BIG": "b" * (MAX_HEADER_CHARS + 10), "HTTP_X_AFTER": "a"}
    headers, truncated = headers_of(long_value)
    assert truncated and headers == [("HTTP_X_BIG", "b" * MAX_HEADER_CHARS + "…"), ("HTTP_X_AFTER", "a")]
    many = {**BASE, **{f"HTTP_X_PAD_{n}": "p" * 1000 for n in range(12)}}
    headers, truncated = headers_of(many)
    assert truncated and 0 < len(headers) < 12
    assert sum(len(k) + len(v) for k, v in headers) <= MAX_HEADERS_CHARS
    assert [k for k, _ in headers] == [f"HTTP_X_PAD_{n}" for n in range(len(headers))]


def test_header_names_count_towards_the_bound() -> None:
    named = {**BASE, **{f"HTTP_X_{'N' * 40}_{n:03}": "v" for n in range(200)}}  # 10 KB of names, 200 B of values
    headers, truncated = headers_of(named)
    assert truncated and sum(len(k) + len(v) for k, v in headers) <= MAX_HEADERS_CHARS < sum(
        len(k) + 1 for k in named if k.startswith("HTTP_"))


def test_new_key_sets_past_the_bound_are_served_without_being_kept() -> None:
    for n in range(journal._MAX_PLANS + 50):
        environ = {**BASE, f"HTTP_X_RANDOM_{n}": str(n), "HTTP_AUTHORIZATION": "ApiKey k"}
        assert headers_of(environ) == ([(f"HTTP_X_RANDOM_{n}", str(n)), ("HTTP_AUTHORIZATION", "ApiKey")], False)
    assert len(journal._plans) <= journal._MAX_PLANS
