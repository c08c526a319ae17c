"""Real servers for the notification tests: an SMTP server (aiosmtpd) and a WhatsApp/SMS
gateway (http.server), each on a free local port in a thread of the test process."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from sinergi.notifications.email_url import email_settings


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def bodies(self) -> list[str]:
        out = []
        for m in self.messages:
            payload: Any = m.get_payload(decode=True)
            text = payload.decode(m.get_content_charset() or "utf-8") if payload else ""
            out.append(f"{m['Subject']}\n{text}")
        return out


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server; Django's mail goes to it (SINERGI_EMAIL_URL smtp://…)."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in email_settings(f"smtp://127.0.0.1:{port}", timeout=5).items():
        setattr(settings, name, value)
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Gateway:
    received: list[dict[str, Any]] = field(default_factory=list)
    answer: int = 200
    url: str = ""


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[Gateway]:
    """A real HTTP gateway taking JSON {to, text}; ``answer`` sets the status it replies."""
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if gateway.answer < 300:
                gateway.received.append(body)
            self.send_response(gateway.answer)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.SINERGI_SMS_URL = gateway.url
    settings.SINERGI_SMS_TIMEOUT = 5
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
