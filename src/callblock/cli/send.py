"""`callblock send`: an email template rendered for a lead, sent over SMTP and recorded.

Imported by the CLI at start-up for its parser: the body imports the mail service when run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from callblock.output import emit

if TYPE_CHECKING:  # the parser is built at every start: nothing heavier is imported for it
    from callblock.clock import Clock
    from callblock.config import Settings
    from callblock.store import Store


def add_send_command(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    from callblock.cli.parser import LEAD_ID

    send = command(
        "send",
        "send an email template to a lead from your address (SMTP: the team settings' smtp.*); "
        "the touch records the template, variant and Message-ID",
    )
    send.add_argument("--lead", type=LEAD_ID, required=True, metavar="ID", help="the lead's id")
    send.add_argument("--template", required=True, metavar="NAME", help="the email template's name")
    send.add_argument(
        "--dry-run",
        action="store_true",
        help="show the message as it would go (headers and body); send and record nothing",
    )
    send.add_argument(
        "--confirm",
        action="store_true",
        help="send although the render warned (a first name that looks wrong for a greeting)",
    )
    send.add_argument(
        "--json",
        action="store_true",
        help="print machine-readable JSON: message_id, sender, to, subject, body, touch_id, "
        "dry_run, warnings",
    )


def _send(args: argparse.Namespace, store: Store, settings: Settings, clock: Clock) -> int:
    from callblock.services.mail import send_template

    sent = send_template(
        store,
        settings,
        lead_id=args.lead,
        template_name=args.template,
        rep=args.rep,
        now=clock.now(),
        dry_run=args.dry_run,
        confirmed=args.confirm,
    )
    data = {
        "message_id": sent.message_id,
        "sender": sent.sender,
        "to": sent.to,
        "subject": sent.subject,
        "body": sent.body,
        "touch_id": sent.touch_id,
        "dry_run": args.dry_run,
        "warnings": list(sent.warnings),
    }
    warned = [f"warning: {warning}" for warning in sent.warnings]
    if args.dry_run:
        lines = [
            f"From: {sent.sender}",
            f"To: {sent.to}",
            f"Subject: {sent.subject}",
            "",
            sent.body,
            "",
            *warned,
            "(dry run: nothing sent, nothing recorded)",
        ]
    else:
        lines = [
            *warned,
            f"sent to {sent.to}: {sent.subject}",
            f"Message-ID {sent.message_id}, touch {sent.touch_id}",
        ]
    return emit(args, data, "\n".join(lines))


HANDLERS = {"send": _send}
