"""`callblock templates add|list|show|remove|export|import|check` and `callblock render`.

The parsers are added by `add_template_commands` (parser.py calls it); the bodies import the
services (and jinja2) only when run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from callblock.clock import Clock
from callblock.output import emit, print_json, print_text

Factory = Callable[[str, str], argparse.ArgumentParser]
CHANNELS = ("call-script", "voicemail", "email", "linkedin", "sms")
BODY_BYTES_MAX = 256 * 1024


def add_template_commands(
    command: Factory,
    common: Callable[[argparse.ArgumentParser], None],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    """`templates ...` (a group, like `team`) and `render`; `common` adds --db, --rep, ..."""
    group = command(
        "templates",
        "the team's call scripts, voicemails, emails, LinkedIn notes and SMS: `templates add`, "
        "`list`, `show`, `remove`, `export`, `import`, `check` (changing them is a team lead's)",
    )
    subs = group.add_subparsers(
        dest="templates_command", metavar="TEMPLATES_COMMAND", parser_class=parser_class
    )
    subs.required = True

    def sub(name: str, text: str) -> argparse.ArgumentParser:
        made = subs.add_parser(name, help=text, description=text)
        common(made)
        return made

    add = sub("add", "add a template, or replace the one of that name (every problem named)")
    add.add_argument("name", metavar="NAME", help="letters, digits, '.', '_', '-' (1-64)")
    add.add_argument("--channel", required=True, choices=CHANNELS, help="what it is for")
    add.add_argument(
        "--step",
        type=int,
        default=None,
        metavar="N",
        help="the cadence step it serves, 1-based (default: every step without its own)",
    )
    add.add_argument(
        "--variant", default="", metavar="V", help="A, B, ...: variants of one step are tested"
    )
    add.add_argument("--subject", default="", metavar="TEXT", help="an email's subject line")
    add.add_argument(
        "--file",
        required=True,
        type=Path,
        metavar="BODY",
        help="the body: Jinja text over the merge fields (- reads standard input)",
    )
    _json(add)
    _json(sub("list", "every template: name, channel, step, variant and the fields it uses"))
    show = sub("show", "one template as its file (what `templates export` writes)")
    show.add_argument("name", metavar="NAME", help="the template's name")
    _json(show)
    remove = sub("remove", "delete a template")
    remove.add_argument("name", metavar="NAME", help="the template's name")
    _json(remove)
    export = sub("export", "write every template to DIR/NAME.txt (for version control)")
    export.add_argument("output", type=Path, metavar="DIR", help="the folder (made if missing)")
    _json(export)
    imp = sub(
        "import",
        "read DIR/*.txt and add or replace those templates, all or nothing (each problem "
        "named by file and line)",
    )
    imp.add_argument("folder", type=Path, metavar="DIR", help="the folder of NAME.txt files")
    _json(imp)
    check = sub(
        "check",
        "flag weak templates: a voicemail without rep.name, company and rep.phone; a voicemail "
        "or email with no reference to the lead; two steps 90%% or more alike (exit 1 if any)",
    )
    _json(check)

    render = command(
        "render", "a template rendered for a lead (subject and body), or every problem (exit 1)"
    )
    render.add_argument("name", metavar="NAME", help="the template's name")
    render.add_argument("--lead", type=_lead_id, required=True, metavar="ID", help="the lead's id")
    _json(render)


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _lead_id(text: str) -> int:
    from callblock.domain.ranges import SQLITE_INT_MAX

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if not 1 <= value <= SQLITE_INT_MAX:
        raise argparse.ArgumentTypeError(f"{value} is outside 1..{SQLITE_INT_MAX}")
    return value


_lead_id.__name__ = "int"


# bodies -----------------------------------------------------------------------------------------
def _templates(args: argparse.Namespace, store: Any, settings: Any, clock: Clock) -> int:
    body = {
        "add": _add,
        "list": _list,
        "show": _show,
        "remove": _remove,
        "export": _export,
        "import": _import,
        "check": _check,
    }[args.templates_command]
    return body(args, store, clock)


def _add(args: argparse.Namespace, store: Any, clock: Clock) -> int:
    from callblock.domain.models import Template, TemplateChannel
    from callblock.services.templates import save_template

    template = Template(
        name=args.name,
        channel=TemplateChannel(args.channel),
        body=_read_body(args.file),
        step=args.step,
        variant=args.variant,
        subject=args.subject,
    )
    save_template(store, template, rep=args.rep, now=clock.now())
    saved = store.templates.template(args.name)
    return emit(args, _row(saved), f"template {args.name} saved ({_where(saved)})")


def _read_body(path: Path) -> str:
    from callblock.services import ServiceError

    if str(path) == "-":
        data = sys.stdin.buffer.read(BODY_BYTES_MAX + 1)
    else:
        if not path.is_file():
            raise ServiceError(f"--file {path}: not a plain file")
        with path.open("rb") as handle:
            data = handle.read(BODY_BYTES_MAX + 1)
    if len(data) > BODY_BYTES_MAX:
        raise ServiceError(f"--file {path}: over {BODY_BYTES_MAX // 1024} KB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ServiceError(f"--file {path}: line {line} is not UTF-8 text") from None


def _row(template: Any) -> dict[str, Any]:
    from callblock.services.templates import template_row

    return template_row(template)


def _where(template: Any) -> str:
    step = f"step {template.step}" if template.step is not None else "any step"
    variant = f", variant {template.variant}" if template.variant else ""
    return f"{template.channel.value}, {step}{variant}"


def _list(args: argparse.Namespace, store: Any, clock: Clock) -> int:
    from callblock.domain.text import cell

    rows = [_row(template) for template in store.templates.templates()]
    lines = [f"{'name':<20} {'channel':<11} {'step':>4} {'var':<3} fields"]
    for row in rows:
        step = "" if row["step"] is None else str(row["step"])
        lines.append(
            f"{cell(row['name'], 20)} {cell(row['channel'], 11)} {cell(step, 4, '>')} "
            f"{cell(row['variant'], 3)} {', '.join(row['fields'])}"
        )
    if not rows:
        lines.append("(no templates: `callblock templates add` or `templates import DIR`)")
    return emit(args, rows, "\n".join(lines))


def _named(store: Any, name: str) -> Any:
    from callblock.services import ServiceError

    template = store.templates.template(name)
    if template is None:
        raise ServiceError(f"no template named {name[:64]!r} (see `templates list`)")
    return template


def _show(args: argparse.Namespace, store: Any, clock: Clock) -> int:
    from callblock.domain.template_files import format_file

    template = _named(store, args.name)
    data = {**_row(template), "body": template.body}
    return emit(args, data, f"# {template.name}.txt\n{format_file(template)}".rstrip("\n"))


def _remove(args: argparse.Namespace, store: Any, clock: Clock) -> int:
    from callblock.services.templates import delete_template

    delete_template(store, args.name, rep=args.rep)
    return emit(args, {"removed": args.name}, f"template {args.name} removed")


def _export(args: argparse.Namespace, store: Any, clock: Clock) -> int:
    from callblock.services.templates import export_templates

    written = export_templates(store, args.output)
    data = {"folder": str(args.output), "files": [str(path) for path in written]}
    return emit(args, data, f"{len(written)} template files written to {args.output}")


def _import(args: argparse.Namespace, store: Any, clock: Clock) -> int:
    from callblock.services.templates import TemplatesRefused, import_templates

    try:
        result = import_templates(store, args.folder, rep=args.rep, now=clock.now())
    except TemplatesRefused as refused:
        if args.json:
            print_json({"imported": False, "problems": refused.problems})
        else:
            for problem in refused.problems:
                print_text(problem, file=sys.stderr)
        print_text(f"callblock: error: {refused}", file=sys.stderr)
        return 1
    data = {
        "imported": True,
        "added": result.added,
        "changed": result.changed,
        "unchanged": result.unchanged,
    }
    text = (
        f"{args.folder}: {len(result.added)} added, {len(result.changed)} changed, "
        f"{len(result.unchanged)} unchanged"
    )
    return emit(args, data, text)


def _check(args: argparse.Namespace, store: Any, clock: Clock) -> int:
    from dataclasses import asdict

    from callblock.domain.template_checks import check_templates

    templates = store.templates.templates()
    findings = check_templates(templates)
    if args.json:
        print_json([asdict(finding) for finding in findings])
    else:
        lines = [f"{f.template}: {f.check}: {f.message}" for f in findings]
        lines.append(f"{len(templates)} templates checked, {len(findings)} findings")
        print_text("\n".join(lines))
    return 1 if findings else 0


def _render(args: argparse.Namespace, store: Any, settings: Any, clock: Clock) -> int:
    from callblock.domain.templates import TemplateRefused
    from callblock.services import ServiceError
    from callblock.services.templates import render_for_lead

    template = _named(store, args.name)
    lead = store.leads.get_lead(args.lead)
    if lead is None:
        raise ServiceError(f"lead {args.lead} not found")
    try:
        rendered = render_for_lead(store, settings, template, lead, args.rep, clock.now())
    except TemplateRefused as refused:
        if args.json:
            print_json(
                {"template": template.name, "lead_id": lead.id, "problems": refused.problems}
            )
        raise ServiceError(
            f"template {template.name} not rendered for lead {lead.id}: {refused}"
        ) from None
    data = {
        "template": template.name,
        "lead_id": lead.id,
        "channel": template.channel.value,
        "variant": template.variant,
        "subject": rendered.subject,
        "body": rendered.body,
        "warnings": list(rendered.warnings),
    }
    if args.json:
        print_json(data)
        return 0
    head = f"Subject: {rendered.subject}\n\n" if rendered.subject else ""
    print_text(head + rendered.body)
    for warning in rendered.warnings:
        print_text(f"warning: {warning}", file=sys.stderr)
    return 0


HANDLERS = {"templates": _templates, "render": _render}
