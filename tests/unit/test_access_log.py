"""The access log's writer: requests only queue their lines; the writer logs them later, in
order, redacted, and writes every queued line when it is closed."""

from __future__ import annotations

import io
import logging

import pytest

from mockserver.serving.access_log import AccessLog, AccessLogWriter


def test_lines_are_written_later_in_order_and_all_of_them_on_close(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockserver.access")
    writer = AccessLogWriter(interval=3600)  # nothing is written until close
    for n in range(500):
        writer.put(("GET", f"/crs/api/v2/cases/{n}", "apiKey=S3CRET&tags=a" if n == 7 else "", "200", 1.25))
    assert [r for r in caplog.records if r.name == "mockserver.access"] == []
    writer.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "mockserver.access"]
    assert len(lines) == 500 and lines[0] == "GET /crs/api/v2/cases/0 200 1.2ms"
    assert lines[7] == "GET /crs/api/v2/cases/7?apiKey=<redacted>&tags=a 200 1.2ms"
    assert lines[-1].startswith("GET /crs/api/v2/cases/499 ")


def test_the_middleware_queues_the_status_and_a_forged_line_stays_one_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockserver.access")
    writer = AccessLogWriter(interval=3600)

    def app(environ: dict, start_response: object) -> list[bytes]:
        start_response("404 NOT FOUND", [])  # type: ignore[operator]
        return [b""]

    AccessLog(app, writer)({"REQUEST_METHOD": "GET", "PATH_INFO": "/x\nFORGED 200 0.1ms"}, lambda *a: None)
    writer.close()
    (line,) = [r.getMessage() for r in caplog.records if r.name == "mockserver.access"]
    assert line.startswith("GET /x\\nFORGED 200 0.1ms 404 ") and "\n" not in line


def test_given_the_handler_a_batch_is_written_as_the_handler_formats_each_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockserver.access")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(name)s: %(message)s <"))
    writer = AccessLogWriter(interval=3600, handler=handler)
    writer.put(("GET", "/crs/api/v2/cases/1", "", "200", 1.25))
    writer.put(("GET", "/x\nFORGED", "token=S3CRET", "-", 0.04))
    assert stream.getvalue() == ""
    writer.close()
    assert stream.getvalue().splitlines() == [
        "[INFO] mockserver.access: GET /crs/api/v2/cases/1 200 1.2ms <",
        "[INFO] mockserver.access: GET /x\\nFORGED?token=<redacted> - 0.0ms <",
    ]
    assert [r for r in caplog.records if r.name == "mockserver.access"] == []  # no record a line
