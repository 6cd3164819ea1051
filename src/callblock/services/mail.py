"""Sending an email template to a lead over SMTP (`callblock send`, the Tasks screen).

The message is built with `email.message.EmailMessage` and the default policy from cleaned
one-line header values: a newline or a control character in a lead's (or a rep's) field can
never start a header of its own, and the envelope names exactly the lead's one address. The
sender is the rep's email (`team add-rep --email`). The password is read only here, when a
message goes: from the environment variable or the owner-only file the settings name.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid

from callblock.clock import iso
from callblock.config import Settings
from callblock.config.smtp import SmtpSettings
from callblock.domain.contacts import email_problem
from callblock.domain.models import Channel, Lead, LeadStatus, Template, TemplateChannel
from callblock.domain.text import NAME_MAX, TOUCH_NOTE_MAX, clean_block, clean_line
from callblock.services import ServiceError
from callblock.services.smtp_password import smtp_password
from callblock.store import Store

TIMEOUT = 30.0  # seconds: connecting, and each reply of the server
DEADLINE = 120.0  # seconds for the whole exchange (a tarpit answers a byte at a time)
SUBJECT_MAX = 900  # characters: one header line of at most 998 bytes, never cut


@dataclass(frozen=True)
class SentMail:
    """What was sent (or, on a dry run, would be): the touch that records it, None on a dry run."""

    message_id: str
    sender: str  # 'Alice Doe <alice@example.com>', as the From header says
    to: str
    subject: str
    body: str
    touch_id: int | None
    warnings: tuple[str, ...] = ()  # the render's (a first name that looks wrong, ...)


def send_template(
    store: Store,
    settings: Settings,
    *,
    lead_id: int,
    template_name: str,
    rep: str,
    now: datetime,
    dry_run: bool = False,
    confirmed: bool = False,
) -> SentMail:
    """Render the email template `template_name` for the lead and send it as `rep`, then
    record the touch (channel email, outcome sent, template, variant, Message-ID). Everything
    is checked before the server is contacted; a failure sends and records nothing. A render
    with warnings is sent only when `confirmed` (the rep has seen them); a dry run builds the
    message and contacts nobody."""
    template = _email_template(store, template_name)
    lead = store.leads.get_lead(lead_id)
    if lead is None:
        raise ServiceError(f"no lead {lead_id}")
    if lead.status is LeadStatus.DNC:
        raise ServiceError(f"lead {lead_id} is do-not-call: no email is sent to it")
    to = _recipient(lead)
    sender = _sender(store, rep)
    subject, body, warnings = _rendered(store, settings, template, lead, rep, now)
    message = build_message(sender, to, subject, body, now)
    sent = SentMail(
        message_id=str(message["Message-ID"]),
        sender=str(message["From"]),
        to=str(message["To"]),
        subject=subject,
        body=body,
        touch_id=None,
        warnings=warnings,
    )
    if dry_run:
        return sent
    if warnings and not confirmed:
        raise ServiceError(
            f"not sent: {'; '.join(warnings)}; check lead {lead_id}, then send again confirming "
            "(`send --confirm`)"
        )
    smtp = settings.smtp
    if smtp is None:
        raise ServiceError(
            "no mail server set up: a team lead sets smtp.host (`callblock team settings --set "
            "smtp.host=mail.example.com`; on a single-user database, [smtp] in the config file)"
        )
    deliver(smtp, message, sender, to)
    touch_id = _record(store, settings, lead, rep, now, template, subject, sent.message_id)
    return replace(sent, touch_id=touch_id)


def build_message(
    sender: Address, to: Address, subject: str, body: str, now: datetime
) -> EmailMessage:
    """The message: every header value one cleaned line, the body UTF-8 text."""
    message = EmailMessage(policy=default_policy)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = clean_line(subject, None)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.domain)
    text = clean_block(body, None)
    if text.isascii():
        message.set_content(text)
    else:  # 7-bit on the wire: no server can mangle it
        message.set_content(text, charset="utf-8", cte="quoted-printable")
    return message


def deliver(smtp: SmtpSettings, message: EmailMessage, sender: Address, to: Address) -> None:
    """Send `message` to `to` alone, over the connection the settings describe; any failure is
    one ServiceError saying nothing was sent."""
    password = smtp_password(smtp) if smtp.username else ""
    where = f"{smtp.host}:{smtp.port}"
    client: smtplib.SMTP | None = None
    step = "connect"
    late = threading.Event()  # set by the watchdog when DEADLINE passed
    watchdog: threading.Timer | None = None
    try:
        try:
            context = ssl.create_default_context()
            local = socket.gethostname() or "localhost"
            if smtp.security == "tls":
                client = smtplib.SMTP_SSL(local_hostname=local, timeout=TIMEOUT, context=context)
            else:
                client = smtplib.SMTP(local_hostname=local, timeout=TIMEOUT)
            watchdog = threading.Timer(DEADLINE, _cut, (client, late))
            watchdog.daemon = True
            watchdog.start()
            # What the constructor sets when it connects (it does not here, so the watchdog runs
            # first): STARTTLS and TLS check the server's certificate against it.
            client._host = smtp.host  # type: ignore[attr-defined]
            client.connect(smtp.host, smtp.port)
            step = "starttls"
            if smtp.security == "starttls":
                client.starttls(context=context)
            step = "login"
            if smtp.username:
                _login(client, smtp.username, password)
            step = "send"
            client.send_message(message, from_addr=sender.addr_spec, to_addrs=[to.addr_spec])
        except smtplib.SMTPNotSupportedError as error:
            if step == "starttls":
                problem = f"{where} does not offer STARTTLS (smtp.security: tls or none?)"
            elif step == "login":
                problem = f"{where} offers no login here (smtp.username: leave it out for a relay?)"
            else:
                problem = f"{where}: {error}"
            raise _not_sent(problem) from None
        except smtplib.SMTPAuthenticationError as error:
            raise _not_sent(
                f"{where} refused the login {smtp.username!r}: {_reply(error)}"
            ) from None
        except smtplib.SMTPRecipientsRefused as error:
            replies = "; ".join(_reply(e) for e in _refusals(error))
            raise _not_sent(f"{where} refused the recipient {to.addr_spec}: {replies}") from None
        except smtplib.SMTPSenderRefused as error:
            raise _not_sent(
                f"{where} refused the sender {sender.addr_spec}: {_reply(error)}"
            ) from None
        except smtplib.SMTPResponseException as error:
            raise _not_sent(f"{where} answered {_reply(error)}") from None
        except (smtplib.SMTPException, ssl.SSLError) as error:
            raise _not_sent(f"{where}: {error}") from None
        except OSError as error:  # refused, unreachable, unknown host, timed out
            reason = error.strerror or str(error) or type(error).__name__
            raise _not_sent(f"cannot reach the mail server {where}: {reason}") from None
    except ServiceError:
        if late.is_set():  # the watchdog cut the connection: say so, not what it caused
            raise _not_sent(f"{where} took over {DEADLINE:g} s to take the message") from None
        raise
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if client is not None:
            _close(client)


def _cut(client: smtplib.SMTP, late: threading.Event) -> None:
    """The deadline passed: shut the socket down, which ends a blocked read at once."""
    late.set()
    sock = getattr(client, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; smtplib encodes the credentials as ASCII (a 'Grüße' password raised
    UnicodeEncodeError), so non-ASCII ones go as AUTH PLAIN, which is UTF-8 (RFC 4616)."""
    if username.isascii() and password.isascii():
        client.login(username, password)
        return
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    plain = b"\0" + username.encode("utf-8") + b"\0" + password.encode("utf-8")
    code, reply = client.docmd("AUTH", "PLAIN " + base64.b64encode(plain).decode("ascii"))
    if code not in (235, 503):  # 503: already logged in
        raise smtplib.SMTPAuthenticationError(code, reply)


# helpers ----------------------------------------------------------------------------------
def _email_template(store: Store, name: str) -> Template:
    template = store.templates.template(name)
    if template is None:
        raise ServiceError(f"no template named {name!r} (see `callblock templates list`)")
    if template.channel is not TemplateChannel.EMAIL:
        raise ServiceError(
            f"template {name!r} is a {template.channel.value} template: only email is sent"
        )
    return template


def _recipient(lead: Lead) -> Address:
    if not lead.email:
        raise ServiceError(f"lead {lead.id} has no email address: add one to the lead first")
    problem = email_problem(lead.email)
    if problem is None and lead.email != clean_line(lead.email, None):
        problem = f"{lead.email!r} holds a control character or a line break"
    address = None if problem else _address(clean_line(lead.name, NAME_MAX), lead.email)
    if address is None:
        raise ServiceError(
            f"lead {lead.id}'s email: {problem or repr(lead.email) + ' is not one address'}: "
            "fix it on the lead first"
        )
    return address


def _sender(store: Store, rep: str) -> Address:
    registered = store.admin.get_rep(rep)
    fix = f"a team lead sets it with `callblock team add-rep {rep} --email ADDRESS`"
    if registered is None or not registered.email:
        what = "is not a registered rep" if registered is None else "has no email address"
        raise ServiceError(f"{rep} {what}, and email goes out from the rep's address: {fix}")
    address = None
    if email_problem(registered.email) is None:
        address = _address(clean_line(registered.name, NAME_MAX), registered.email)
    if address is None:
        raise ServiceError(f"{rep}'s email {registered.email!r} is not one address: {fix}")
    return address


def _address(name: str, addr_spec: str) -> Address | None:
    """The address as a header writes it, or None when `addr_spec` is not exactly one
    address (a comma, angle brackets, quotes that would make it more or other)."""
    try:
        address = Address(display_name=name, addr_spec=addr_spec)
    except (ValueError, IndexError, TypeError):
        return None
    return address if address.addr_spec == addr_spec and address.domain else None


def _rendered(
    store: Store, settings: Settings, template: Template, lead: Lead, rep: str, now: datetime
) -> tuple[str, str, tuple[str, ...]]:
    from callblock.services.templates import render_for_lead  # the templates track's

    try:
        rendered = render_for_lead(store, settings, template, lead, rep, now)
    except ServiceError:
        raise
    except ValueError as error:  # TemplateRefused: every problem, each naming the field
        problems = getattr(error, "problems", None) or [str(error)]
        raise ServiceError(f"template {template.name!r}: {'; '.join(problems)}") from None
    subject = clean_line(rendered.subject, None)
    if not subject:
        raise ServiceError(f"{template.name} renders an empty subject for lead {lead.id}")
    if len(subject) > SUBJECT_MAX:
        raise ServiceError(
            f"{template.name} renders a subject of {len(subject)} characters for lead "
            f"{lead.id} (at most {SUBJECT_MAX})"
        )
    return subject, clean_block(rendered.body, None), tuple(rendered.warnings)


def _record(
    store: Store,
    settings: Settings,
    lead: Lead,
    rep: str,
    now: datetime,
    template: Template,
    subject: str,
    message_id: str,
) -> int:
    """The touch of the message sent: when it is the lead's pending email task, the cadence
    track's `complete_task` records it and moves the cadence on; otherwise one email touch."""
    variant = template.variant or None
    state = {"status": lead.status.value, "bad_number": lead.bad_number}
    try:
        if completes_task(lead, template):
            from callblock.services.tasks import complete_task  # the cadence track's

            return complete_task(
                store,
                settings,
                lead_id=lead.id,
                rep=rep,
                outcome="sent",
                now=now,
                template=template.name,
                variant=variant,
                message_id=message_id,
            )
        with store.transaction():
            touch_id = store.touches.insert_touch(
                lead_id=lead.id,
                rep=rep,
                at=iso(now),
                channel=Channel.EMAIL.value,
                outcome="sent",
                note=clean_line(subject, TOUCH_NOTE_MAX),
                session_id=None,
                lead_before={**state, "after": state},
                template=template.name,
                variant=variant,
                message_id=message_id,
            )
            store.leads.refresh_lead_counters(lead.id)
    except Exception as error:
        raise ServiceError(
            f"sent to lead {lead.id} ({message_id}) but not recorded ({error}): record it with "
            f"`callblock log --lead {lead.id} --channel email --outcome sent`"
        ) from None
    return touch_id


def completes_task(lead: Lead, template: Template) -> bool:
    """Whether sending `template` does the lead's pending task: an email step, and the
    template serves that step (or any step)."""
    if lead.task_channel != Channel.EMAIL.value or lead.task_step is None:
        return False
    return template.step is None or template.step == lead.task_step + 1


def _not_sent(problem: str) -> ServiceError:
    return ServiceError(f"not sent, nothing recorded: {problem}")


def _reply(error: smtplib.SMTPResponseException | tuple[int, bytes]) -> str:
    code, text = (error.smtp_code, error.smtp_error) if isinstance(error, BaseException) else error
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {clean_line(shown, 300)}"


def _refusals(error: smtplib.SMTPRecipientsRefused) -> list[tuple[int, bytes]]:
    return [tuple(reply) for reply in error.recipients.values()]  # type: ignore[misc]


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
