"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, a self-signed certificate
for its TLS, and a stand-in `render_for_lead` that passes lead values through uncleaned (so the
mail layer is proven to hold on its own) or refuses/warns on demand."""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "floor@example.com", "s3cret-pw"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool


@dataclass
class Inbox:
    """What the server was given: messages, and the logins it was asked for."""

    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or envelope.content,
                session.ssl is not None  # after STARTTLS
                or server.transport.get_extra_info("sslcontext") is not None,  # implicit TLS
            )
        )
        return "250 OK: queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        ok = (login, password) == (USER, PASSWORD)
        return AuthResult(success=ok, handled=False)  # refused: the server answers 535


@dataclass
class Server:
    port: int
    inbox: Inbox
    security: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), made with openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def run_server(security: str, cert: Path, key: Path, *, login: bool) -> Iterator[Server]:
    """A server speaking `security` (starttls | tls | none); with `login`, AUTH is required."""
    inbox, port = Inbox(), free_port()
    options: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
    if security == "tls":
        options["ssl_context"] = server_context(cert, key)
    elif security == "starttls":
        options |= {"tls_context": server_context(cert, key), "require_starttls": True}
    if login:
        options |= {"authenticator": inbox.authenticate, "auth_required": True}
        # aiosmtpd counts only STARTTLS as encryption for AUTH; implicit TLS is one too
        options["auth_require_tls"] = security == "starttls"
    controller = Controller(inbox, **options)
    controller.start()
    try:
        yield Server(port, inbox, security)
    finally:
        controller.stop()


# The stand-in for services.templates.render_for_lead -------------------------------------
_FIELD = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")


@dataclass(frozen=True)
class StandInRendered:
    subject: str
    body: str
    warnings: tuple[str, ...] = ()


class StandInRefused(ValueError):
    """As the interface's TemplateRefused: a ValueError with `.problems`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def stand_in_render(
    warnings: tuple[str, ...] = (), problems: tuple[str, ...] = ()
) -> types.ModuleType:
    """A module with the interface's `render_for_lead`: `{{ field }}` replaced by the lead's
    value AS STORED (nothing cleaned: the mail service must hold on its own); with `problems`,
    it refuses."""

    def render_for_lead(
        store: Any, settings: Any, template: Any, lead: Any, rep: str, now: Any
    ) -> StandInRendered:
        if problems:
            raise StandInRefused(list(problems))

        def value(match: re.Match[str]) -> str:
            return str(getattr(lead, match.group(1)))

        return StandInRendered(
            _FIELD.sub(value, template.subject), _FIELD.sub(value, template.body), warnings
        )

    module = types.ModuleType("callblock.services.templates")
    module.render_for_lead = render_for_lead  # type: ignore[attr-defined]
    return module


def use_render(monkeypatch: pytest.MonkeyPatch, *, stand_in: bool = False, **options: Any) -> None:
    """The real `render_for_lead`, or with `stand_in` the uncleaned stand-in above."""
    if stand_in:
        monkeypatch.setitem(sys.modules, "callblock.services.templates", stand_in_render(**options))
