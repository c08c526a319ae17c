"""``sinergi demo --port P``: the links in the demo's mails lead to the server it starts."""

from __future__ import annotations

import pytest

from sinergi.cli import demo_base_url


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104
        ("192.168.1.20", 9000, "http://192.168.1.20:9000"),
        ("::1", 8124, "http://[::1]:8124"),
        ("::", 8125, "http://127.0.0.1:8125"),
    ],
)
def test_the_demo_address_is_the_one_a_person_opens(host: str, port: int, url: str) -> None:
    assert demo_base_url(host, port) == url
