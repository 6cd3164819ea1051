"""Sending email (services/mail.py) through a real SMTP server (aiosmtpd) on 127.0.0.1: the
message received (headers, UTF-8 body, Message-ID recorded on the touch), header injection,
starttls / tls / none, a server that is down, and the password's sources."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path

import pytest

from callblock.clock import iso
from callblock.config import Settings
from callblock.config.smtp import SmtpSettings
from callblock.domain.models import Channel, Template, TemplateChannel
from callblock.domain.reps import Rep
from callblock.services import ServiceError
from callblock.services.mail import send_template
from callblock.store import Store
from tests.conftest import NOW, ZONE, LeadMaker
from tests.mail_helpers import PASSWORD, USER, Server, free_port, make_certificate, run_server
from tests.mail_helpers import use_render as use_render

# The implicit-TLS test server logs in without STARTTLS, which aiosmtpd warns about: TLS it is.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
SUBJECT = "Ideas for {{ company }}"
BODY = "Hi {{ first_name }},\n\nthe café guide you asked for — Grüße ☕.\n.\nBye\n"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The client trusts the test certificate (OpenSSL reads SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


def server(request: pytest.FixtureRequest, certificate: tuple[Path, Path]) -> Iterator[Server]:
    security, login = request.param
    yield from run_server(security, *certificate, login=login)


starttls_server = pytest.fixture(params=[("starttls", True)])(server)
any_server = pytest.fixture(params=[("starttls", True), ("tls", True), ("none", False)])(server)


@pytest.fixture
def world(store: Store, make_lead: LeadMaker, monkeypatch: pytest.MonkeyPatch) -> int:
    """Rep alice with an address, lead Zoë with one, an email template (variant A)."""
    use_render(monkeypatch)
    store.admin.save_rep(Rep("alice", "lead", None, "alice@example.com"), iso(NOW))
    lead = make_lead(name="Zoë Brodo", company="Ærø Designs", email="zoe@example.org", tz=ZONE)
    with store.transaction():
        store.conn.execute("UPDATE leads SET first_name = 'Zoë' WHERE id = ?", (lead,))
    template = Template(
        "follow-up-1", TemplateChannel.EMAIL, BODY, step=2, variant="A", subject=SUBJECT
    )
    store.templates.save_templates([template], at=iso(NOW), rep="alice")
    return lead


def smtp_for(srv: Server, security: str, **extra: str) -> Settings:
    login = {"username": USER, "password_env": "CB_TEST_SMTP_PW"} if security != "none" else {}
    smtp = SmtpSettings("127.0.0.1", srv.port, security, **(login | extra))
    return Settings(timezone=ZONE, smtp=smtp)


def send(store: Store, settings: Settings, lead: int, **options: bool):  # type: ignore[no-untyped-def]
    return send_template(
        store,
        settings,
        lead_id=lead,
        template_name="follow-up-1",
        rep="alice",
        now=NOW,
        **options,
    )


def email_touches(store: Store, lead: int) -> list:  # type: ignore[type-arg]
    return [t for t in store.touches.touches_for_lead(lead) if t.channel is Channel.EMAIL]


@pytest.mark.usefixtures("trusted")
def test_the_message_received_is_the_one_rendered_and_recorded(
    store: Store, world: int, any_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = any_server.security
    monkeypatch.setenv("CB_TEST_SMTP_PW", PASSWORD)
    sent = send(store, smtp_for(any_server, security), world)

    [received] = any_server.inbox.messages
    assert received.mail_from == "alice@example.com"
    assert received.rcpt_tos == ["zoe@example.org"]
    assert received.tls is (security != "none")
    assert any_server.inbox.logins == ([(USER, PASSWORD)] if security != "none" else [])
    message = email.message_from_bytes(received.data, policy=default_policy)
    assert message["From"] == "alice <alice@example.com>"
    assert message["To"] == "Zoë Brodo <zoe@example.org>"
    assert message["Subject"] == "Ideas for Ærø Designs"
    assert message["Date"] == "Mon, 23 Nov 2026 19:00:00 +0000"
    assert message["Message-ID"] == sent.message_id
    assert sent.message_id.startswith("<") and sent.message_id.endswith("@example.com>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content().replace("\r\n", "\n")  # lines end in CRLF on the wire
    assert body == "Hi Zoë,\n\nthe café guide you asked for — Grüße ☕.\n.\nBye\n"  # a lone "."
    assert max(len(line) for line in received.data.split(b"\r\n")) <= 998
    assert all(byte < 128 for byte in received.data)  # 7-bit on the wire (quoted-printable)

    [touch] = email_touches(store, world)
    assert touch.id == sent.touch_id
    assert (touch.outcome, touch.rep, touch.at) == ("sent", "alice", NOW)
    assert (touch.template, touch.variant, touch.message_id) == (
        "follow-up-1",
        "A",
        sent.message_id,
    )
    assert touch.note == "Ideas for Ærø Designs"


def _dirty(store: Store, lead: int, **fields: str) -> None:
    """Write fields as an old database or another program could have: nothing cleaned."""
    with store.transaction():
        for column, value in fields.items():
            store.conn.execute(f"UPDATE leads SET {column} = ? WHERE id = ?", (value, lead))


@pytest.mark.usefixtures("trusted")
def test_a_line_break_in_a_lead_field_never_adds_a_header(
    store: Store, world: int, starttls_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_render(monkeypatch, stand_in=True)  # the values as stored reach the subject and body
    monkeypatch.setenv("CB_TEST_SMTP_PW", PASSWORD)
    attack = "\r\nBcc: evil@attacker.example\r\nX-Injected: 1\n\nbody"
    _dirty(store, world, name=f"Zoë{attack}", company=f"Acme{attack}", first_name=f"Zoë{attack}")
    sent = send(store, smtp_for(starttls_server, "starttls"), world)

    [received] = starttls_server.inbox.messages
    assert received.rcpt_tos == ["zoe@example.org"]  # the envelope: the lead's one address
    message = email.message_from_bytes(received.data, policy=default_policy)
    names = sorted(name.lower() for name in message)
    headers = ["from", "to", "subject", "date", "message-id", "content-type", "mime-version"]
    assert names == sorted([*headers, "content-transfer-encoding"])
    assert "bcc" not in names and "x-injected" not in names
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Subject"].startswith("Ideas for Acme") and "Bcc" in message["Subject"]
    assert len(message["To"].addresses) == 1
    assert message["To"].addresses[0].addr_spec == "zoe@example.org"
    assert "Bcc: evil@attacker.example" in message.get_content()  # text of the body
    assert email_touches(store, world)[0].message_id == sent.message_id


@pytest.mark.parametrize(
    "name",
    [
        "Brodo, Jim",
        'Jim "The Closer" Brodo',
        "Jim <evil@attacker.example>",
        "=?utf-8?q?evil=40attacker=2Eexample?= <x@y.z>",
        "Jim\\ Brodo; evil@attacker.example",
        "Zoë\u202eBrodo",
    ],
)
def test_any_lead_name_is_the_display_name_of_one_address(
    store: Store, world: int, name: str
) -> None:
    _dirty(store, world, name=name)
    sent = send(store, Settings(timezone=ZONE), world, dry_run=True)
    message = email.message_from_string(f"To: {sent.to}\n\n", policy=default_policy)
    [address] = message["To"].addresses
    assert address.addr_spec == "zoe@example.org"
    if "=?" not in name:  # (an encoded word is decoded by Python's parser: still one address)
        assert address.display_name == name.replace("\u202e", "\ufffd")


def test_a_subject_too_long_for_one_header_line_is_refused_not_cut(
    store: Store, world: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_render(monkeypatch, stand_in=True)
    _dirty(store, world, company="A" * 1000)
    with pytest.raises(ServiceError, match="renders a subject of 1010 characters"):
        send(store, Settings(timezone=ZONE), world, dry_run=True)


@pytest.mark.parametrize(
    "address",
    [
        "zoe@example.org\r\nBcc: evil@attacker.example",
        "zoe@example.org\nbcc: x@y.z",
        "zoe@example.org,evil@attacker.example",  # one @ too many: not an address
        "zoe@example.org>,<evil@attacker.example.com",
        "zoe\x00@example.org",
        "",
    ],
)
@pytest.mark.usefixtures("trusted")
def test_a_lead_address_that_is_not_one_address_is_refused_before_sending(
    store: Store,
    world: int,
    starttls_server: Server,
    monkeypatch: pytest.MonkeyPatch,
    address: str,
) -> None:
    monkeypatch.setenv("CB_TEST_SMTP_PW", PASSWORD)
    _dirty(store, world, email=address)
    with pytest.raises(ServiceError, match=f"lead {world}") as refused:
        send(store, smtp_for(starttls_server, "starttls"), world)
    assert "\n" not in str(refused.value).replace(address, "")
    assert starttls_server.inbox.messages == []
    assert email_touches(store, world) == []


def test_a_server_that_is_down_is_one_line_and_nothing_is_recorded(
    store: Store, world: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CB_TEST_SMTP_PW", PASSWORD)
    down = Settings(timezone=ZONE, smtp=SmtpSettings("127.0.0.1", free_port(), "none"))
    with pytest.raises(ServiceError) as refused:
        send(store, down, world)
    message = str(refused.value)
    assert message.startswith("not sent, nothing recorded: cannot reach the mail server 127.0.0.1:")
    assert "refused" in message.lower() and "\n" not in message
    assert email_touches(store, world) == []


def test_a_certificate_the_client_does_not_trust_is_refused(
    store: Store, world: int, starttls_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CB_TEST_SMTP_PW", PASSWORD)  # and no SSL_CERT_FILE: self-signed
    with pytest.raises(ServiceError, match=r"not sent, nothing recorded: .*certificate"):
        send(store, smtp_for(starttls_server, "starttls"), world)
    assert starttls_server.inbox.messages == [] and starttls_server.inbox.logins == []
    assert email_touches(store, world) == []


@pytest.mark.usefixtures("trusted")
def test_starttls_against_a_server_without_it_is_refused(
    store: Store, world: int, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CB_TEST_SMTP_PW", PASSWORD)
    for plain in run_server("none", *certificate, login=False):
        with pytest.raises(ServiceError, match="does not offer STARTTLS"):
            send(store, smtp_for(plain, "starttls"), world)
        assert plain.inbox.messages == []  # the password never went out in the clear
    assert email_touches(store, world) == []


@pytest.mark.usefixtures("trusted")
def test_a_wrong_password_is_one_line(
    store: Store, world: int, starttls_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CB_TEST_SMTP_PW", "wrong")
    with pytest.raises(ServiceError, match=f"refused the login '{USER}': 535"):
        send(store, smtp_for(starttls_server, "starttls"), world)
    assert starttls_server.inbox.messages == [] and email_touches(store, world) == []


def test_a_missing_password_variable_is_named_in_one_line(
    store: Store, world: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CB_TEST_SMTP_PW", raising=False)
    settings = Settings(
        timezone=ZONE,
        smtp=SmtpSettings("127.0.0.1", free_port(), "starttls", USER, "CB_TEST_SMTP_PW"),
    )
    with pytest.raises(ServiceError) as refused:
        send(store, settings, world)
    assert str(refused.value).startswith(
        "smtp.password_env names CB_TEST_SMTP_PW, which is not set in this environment"
    )
    assert email_touches(store, world) == []


def _password_file(tmp_path: Path, mode: int, text: str = PASSWORD + "\n") -> Path:
    path = tmp_path / "smtp-password"
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o602, 0o644])
def test_a_password_file_others_can_read_is_refused_before_connecting(
    store: Store, world: int, starttls_server: Server, tmp_path: Path, mode: int
) -> None:
    path = _password_file(tmp_path, mode)
    settings = smtp_for(starttls_server, "starttls", password_env="", password_file=str(path))
    with pytest.raises(ServiceError) as refused:
        send(store, settings, world)
    assert str(refused.value).startswith(f"smtp.password_file: {path} can be read or written")
    assert f"chmod 600 {path}" in str(refused.value)
    assert starttls_server.inbox.logins == [] and starttls_server.inbox.messages == []
    assert email_touches(store, world) == []


@pytest.mark.usefixtures("trusted")
def test_a_password_file_of_its_owner_alone_logs_in(
    store: Store, world: int, starttls_server: Server, tmp_path: Path
) -> None:
    path = _password_file(tmp_path, 0o600)
    settings = smtp_for(starttls_server, "starttls", password_env="", password_file=str(path))
    sent = send(store, settings, world)
    assert starttls_server.inbox.logins == [(USER, PASSWORD)]
    assert email_touches(store, world)[0].message_id == sent.message_id


@pytest.mark.parametrize(
    ("setup", "says"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "not a regular file"),
        (lambda p: (p.write_text("\n"), p.chmod(0o600)), "is empty"),
    ],
)
def test_a_password_file_that_holds_no_password_is_refused(
    store: Store, world: int, tmp_path: Path, setup, says: str
) -> None:
    path = tmp_path / "pw"
    setup(path)
    smtp = SmtpSettings("127.0.0.1", free_port(), "tls", USER, password_file=str(path))
    with pytest.raises(ServiceError, match=says):
        send(store, Settings(timezone=ZONE, smtp=smtp), world)
    assert email_touches(store, world) == []


def test_a_dry_run_builds_the_message_and_contacts_nobody(store: Store, world: int) -> None:
    sent = send(store, Settings(timezone=ZONE), world, dry_run=True)  # no [smtp] needed
    assert sent.touch_id is None
    assert sent.to == "Zoë Brodo <zoe@example.org>" and sent.sender == "alice <alice@example.com>"
    assert sent.subject == "Ideas for Ærø Designs" and sent.body.startswith("Hi Zoë,")
    assert email_touches(store, world) == []


def test_without_smtp_settings_a_send_says_how_to_set_them(store: Store, world: int) -> None:
    with pytest.raises(ServiceError, match=r"smtp\.host") as refused:
        send(store, Settings(timezone=ZONE), world)
    assert "team settings --set" in str(refused.value)
    assert email_touches(store, world) == []


@pytest.mark.usefixtures("trusted")
def test_a_render_warning_is_sent_only_once_the_rep_confirms(
    store: Store, world: int, starttls_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    warning = "the first name 'ZOË' is all capitals"
    use_render(monkeypatch, stand_in=True, warnings=(warning,))
    monkeypatch.setenv("CB_TEST_SMTP_PW", PASSWORD)
    settings = smtp_for(starttls_server, "starttls")
    with pytest.raises(ServiceError, match=f"not sent: {warning}.*--confirm"):
        send(store, settings, world)
    assert starttls_server.inbox.messages == [] and email_touches(store, world) == []
    assert send(store, settings, world, dry_run=True).warnings == (warning,)
    sent = send(store, settings, world, confirmed=True)
    assert len(starttls_server.inbox.messages) == 1 and sent.touch_id is not None


@pytest.mark.parametrize(
    ("rep", "says"),
    [
        (Rep("alice", "lead", None, ""), "alice has no email address"),
        (None, "alice is not a registered rep"),
    ],
)
def test_a_rep_without_an_address_is_refused_naming_the_fix(
    store: Store, make_lead: LeadMaker, monkeypatch: pytest.MonkeyPatch, rep, says: str
) -> None:
    use_render(monkeypatch)
    if rep is not None:
        store.admin.save_rep(rep, iso(NOW))
    lead = make_lead(email="x@example.org")
    template = Template("e", TemplateChannel.EMAIL, "Hello", subject="Hi")
    store.templates.save_templates([template], at=iso(NOW), rep="alice")
    with pytest.raises(ServiceError, match=says) as refused:
        send_template(
            store, Settings(), lead_id=lead, template_name="e", rep="alice", now=NOW, dry_run=True
        )
    assert "`callblock team add-rep alice --email ADDRESS`" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "says"),
    [("nope", "no template named 'nope'"), ("script", "is a call-script template")],
)
def test_only_an_email_template_is_sent(store: Store, world: int, name: str, says: str) -> None:
    script = Template("script", TemplateChannel.CALL_SCRIPT, "Hi, this is {{ rep.name }}")
    store.templates.save_templates([script], at=iso(NOW), rep="alice")
    with pytest.raises(ServiceError, match=says):
        send_template(store, Settings(), lead_id=world, template_name=name, rep="alice", now=NOW)


def test_a_do_not_call_lead_gets_no_email(store: Store, world: int) -> None:
    _dirty(store, world, status="do-not-call")
    with pytest.raises(ServiceError, match="do-not-call"):
        send(store, Settings(timezone=ZONE), world, dry_run=True)


@pytest.mark.usefixtures("trusted")
def test_a_password_with_non_ascii_letters_logs_in(
    store: Store, world: int, starttls_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """smtplib's login encodes the password as ASCII: 'Grüße-2024' raised UnicodeEncodeError,
    an internal error in `send` and a Tasks screen stuck at "sending…". AUTH PLAIN is UTF-8."""
    from tests import mail_helpers

    monkeypatch.setattr(mail_helpers, "PASSWORD", "Grüße-2024")
    monkeypatch.setenv("CB_TEST_SMTP_PW", "Grüße-2024")
    sent = send(store, smtp_for(starttls_server, "starttls"), world)
    assert starttls_server.inbox.logins == [(USER, "Grüße-2024")]
    assert len(starttls_server.inbox.messages) == 1
    assert [t.id for t in email_touches(store, world)] == [sent.touch_id]
    monkeypatch.setenv("CB_TEST_SMTP_PW", "Grüße-wrong")
    with pytest.raises(ServiceError, match=f"refused the login '{USER}': 535"):
        send(store, smtp_for(starttls_server, "starttls"), world)
    assert len(starttls_server.inbox.messages) == 1


def test_a_server_that_answers_too_slowly_is_given_up_after_the_deadline(
    store: Store, world: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tarpit sends its greeting a byte at a time, each under the 30 s timeout: the send
    (and the Tasks screen's "sending…") waited as long as the server liked."""
    import socket
    import threading
    import time

    from callblock.services import mail

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def tarpit() -> None:
        conn, _ = listener.accept()
        with conn:
            for byte in b"220 slow.example ESMTP\r\n":
                if stop.wait(0.3):
                    return
                try:
                    conn.send(bytes([byte]))
                except OSError:
                    return

    threading.Thread(target=tarpit, daemon=True).start()
    monkeypatch.setattr(mail, "DEADLINE", 1.5)
    slow = Settings(timezone=ZONE, smtp=SmtpSettings("127.0.0.1", port, "none"))
    began = time.monotonic()
    try:
        with pytest.raises(ServiceError) as refused:
            send(store, slow, world)
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - began < 5
    assert str(refused.value) == (
        f"not sent, nothing recorded: 127.0.0.1:{port} took over 1.5 s to take the message"
    )
    assert email_touches(store, world) == []
