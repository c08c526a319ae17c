"""No log line carries a NIK or KK number: messages, arguments, tracebacks, access lines."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from sinergi.core.middleware import PersonalNumberLogFilter, scrub

NIK = "3273011203700001"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handler writes (the one every logger ends in)."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PersonalNumberLogFilter) for f in h.filters)
    ]
    assert handlers, "the root handler must carry the scrubbing filter"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    # Swapped without setStream(): that flushes the old stream, and the stream the handler was
    # configured with (a worker's captured stderr under pytest-xdist) may be closed by now.
    with handler.lock or contextlib.nullcontext():
        old, handler.stream = handler.stream, buffer
    try:
        yield buffer
    finally:
        handler.stream = old


def test_numbers_in_message_arguments_and_traceback_are_scrubbed(log_output: io.StringIO) -> None:
    logger = logging.getLogger("sinergi.anything")
    logger.warning("NIK %s, KK %s", NIK, "3273-0101-0120-0001")
    logger.warning(f"typed as {NIK[:4]} {NIK[4:8]} {NIK[8:12]} {NIK[12:]} or {NIK[:6]}.{NIK[6:]}")
    try:
        raise ValueError(f"row with {NIK}")
    except ValueError:
        logger.exception("import failed for %s", NIK)
    logger.warning("stack", stack_info=True, extra={"nik_is_not_here": True})
    text = log_output.getvalue()
    assert NIK not in text and "0120" not in text and NIK[:6] not in text
    assert text.count("[NIK/KK]") == 6
    assert "ValueError: row with [NIK/KK]" in text  # the traceback is kept, scrubbed


def test_runserver_access_lines_are_scrubbed(log_output: io.StringIO) -> None:
    """Django's development server logs the request line, query string included."""
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None  # type: ignore[assignment]
    handler.log_message(  # a 404 is a warning, logged in every mode
        '"%s" %s %s', f"GET /registri/?q={NIK[:8]}+{NIK[8:]}&page=2 HTTP/1.1", "404", "179"
    )
    text = log_output.getvalue()
    assert '"GET /registri/?q=[NIK/KK]&page=2 HTTP/1.1" 404 179' in text
    assert NIK[:8] not in text


def test_what_is_not_a_number_stays() -> None:
    kept = [
        "request r1234567890123456",  # a request id: letters around it
        "12345678901234567 rows",  # seventeen digits
        "2026-03-31 12:00:00",
        "village 32.73.01.1001",
    ]
    assert [scrub(line) for line in kept] == kept
    assert scrub(f"nik={NIK}&x") == "nik=[NIK/KK]&x"
    assert scrub(f"{NIK[:4]}%20{NIK[4:]}") == "[NIK/KK]"
