"""The team's templates: saving (a team lead's act, every problem named, nothing half-saved),
rendering for a lead, the variant a lead gets for a step, and the plain-text files a team keeps
under version control (`templates export DIR` / `templates import DIR`)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from callblock.clock import iso
from callblock.config import Settings
from callblock.domain.models import Lead, Template, TemplateChannel
from callblock.domain.reps import Rep
from callblock.domain.templates import Rendered
from callblock.domain.text import clean_line
from callblock.services import ServiceError
from callblock.store import Store

FILES_MAX = 1000  # template files one import reads
FILE_BYTES_MAX = 256 * 1024  # one template file


def merge_values(
    lead: Lead, rep_record: Rep | None, now: datetime, settings: Settings
) -> dict[str, Any]:
    """The merge fields' values for `lead` worked by `rep_record` at `now` (keys of
    MERGE_FIELDS; "" where there is none: the render refuses it unless the template has a
    fallback). `weekday` is the lead's local weekday ("Thursday")."""
    from callblock.domain.calling import UnknownZoneError, local_time

    try:
        weekday = local_time(now, lead.zone(settings.team_zone)).strftime("%A")
    except UnknownZoneError:
        weekday = ""
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "company": lead.company,
        "title": lead.title,
        "interest": lead.interest,
        "pronunciation": lead.pronunciation,
        "rep.name": rep_record.name if rep_record else "",
        "rep.phone": rep_record.phone if rep_record else "",
        "rep.email": rep_record.email if rep_record else "",
        "weekday": weekday,
    }


def render_for_lead(
    store: Store, settings: Settings, template: Template, lead: Lead, rep: str, now: datetime
) -> Rendered:
    """`template` rendered for `lead` as `rep` (their registered phone and email when the team
    has them), or TemplateRefused listing every problem."""
    from callblock.domain.templates import render

    rep_record = store.admin.get_rep(rep) or Rep(name=rep)
    return render(template, merge_values(lead, rep_record, now, settings), lead_id=lead.id)


def step_template(store: Store, lead: Lead, channel: TemplateChannel, step: int) -> Template | None:
    """The template serving cadence `step` (1-based) on `channel` for this lead: with variants,
    the lead's own (even and stable, see TemplateStore.lead_variant); None when the team has
    none."""
    candidates = store.templates.step_templates(channel, step)
    if not candidates:
        return None
    variants = sorted({template.variant for template in candidates})
    if len(variants) == 1:  # nothing to assign: no write
        return candidates[0]
    chosen = store.templates.lead_variant(lead.id, channel, step, variants)
    return next(template for template in candidates if template.variant == chosen)


def checked_template(template: Template) -> Template:
    """The template as stored (body normalized, variant upper-case), or ServiceError naming
    every problem."""
    from callblock.domain.template_files import normalized_body, record_problems
    from callblock.domain.templates import template_problems

    template = replace(
        template,
        body=normalized_body(template.body),
        variant=template.variant.strip().upper(),
        subject=template.subject.strip(),
    )
    problems = record_problems(template) + template_problems(template.subject, template.body)
    if problems:
        raise ServiceError(f"template {template.name[:64]!r} not saved: " + "; ".join(problems))
    return template


def save_template(store: Store, template: Template, *, rep: str, now: datetime) -> None:
    """Add or replace one template: a team lead's act on a team database; ServiceError listing
    every problem and nothing saved otherwise."""
    from callblock.services.team import refuse_unless_lead

    refuse_unless_lead(store, rep, "changing the templates")
    store.templates.save_templates([checked_template(template)], at=iso(now), rep=rep)


def delete_template(store: Store, name: str, *, rep: str) -> None:
    from callblock.services.team import refuse_unless_lead

    refuse_unless_lead(store, rep, "changing the templates")
    if not store.templates.delete_template(name):
        raise ServiceError(f"no template named {name[:64]!r} (see `templates list`)")


def template_row(template: Template) -> dict[str, Any]:
    """A template as `templates list` shows it: name, channel, step, variant, subject, fields,
    updated."""
    from callblock.domain.templates import template_fields

    return {
        "name": template.name,
        "channel": template.channel.value,
        "step": template.step,
        "variant": template.variant,
        "subject": template.subject,
        "fields": template_fields(template.subject, template.body),
        "updated_at": iso(template.updated_at) if template.updated_at else None,
        "updated_by": template.updated_by,
    }


# files ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    changed: list[str]
    unchanged: list[str]


class TemplatesRefused(ServiceError):
    """An import refused whole: `problems` names each file and line."""

    def __init__(self, problems: list[str], folder: Path) -> None:
        super().__init__(f"nothing imported: {len(problems)} problems in {folder}")
        self.problems = problems


def export_templates(store: Store, folder: Path) -> list[Path]:
    """Write every template to `folder`/NAME.txt (the folder made if missing, its parent must
    exist); returns the files written."""
    from callblock.domain.template_files import FILE_SUFFIX, format_file, name_problem

    if folder.exists() and not folder.is_dir():
        raise ServiceError(f"{folder} is not a folder")
    templates = store.templates.templates()
    for template in templates:  # a row written past the checks ('../x'): never a path
        if problem := name_problem(template.name):
            raise ServiceError(f"{problem}: nothing exported (`callblock templates remove` it)")
    folder.mkdir(exist_ok=True)
    written = []
    for template in templates:
        path = folder / f"{template.name}{FILE_SUFFIX}"
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise ServiceError(f"{path} is not a plain file; not written over")
        path.write_text(format_file(template), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def import_templates(store: Store, folder: Path, *, rep: str, now: datetime) -> ImportResult:
    """Read every NAME.txt in `folder` and add or replace those templates, all or nothing: any
    problem (each named by file and line) and nothing is saved. Templates without a file stay."""
    from callblock.services.team import refuse_unless_lead

    refuse_unless_lead(store, rep, "changing the templates")
    templates, problems = _read_folder(folder)
    if problems:
        raise TemplatesRefused(problems, folder)
    if not templates:
        raise ServiceError(f"{folder}: no template files (NAME.txt) in it")
    old = {template.name: template for template in store.templates.templates()}
    added = [t.name for t in templates if t.name not in old]
    changed = [t.name for t in templates if t.name in old and _differs(t, old[t.name])]
    unchanged = [t.name for t in templates if t.name in old and not _differs(t, old[t.name])]
    fresh = [t for t in templates if t.name in added or t.name in changed]
    if fresh:
        store.templates.save_templates(fresh, at=iso(now), rep=rep)
    return ImportResult(added, changed, unchanged)


def _differs(new: Template, old: Template) -> bool:
    keys = ("channel", "step", "variant", "subject", "body")
    return any(getattr(new, key) != getattr(old, key) for key in keys)


def _read_folder(folder: Path) -> tuple[list[Template], list[str]]:
    from callblock.domain.template_files import FILE_SUFFIX, parse_file

    if not folder.is_dir():
        raise ServiceError(f"{folder}: no such folder")
    paths = sorted(entry for entry in folder.iterdir() if entry.name.endswith(FILE_SUFFIX))
    if len(paths) > FILES_MAX:
        raise ServiceError(f"{folder}: {len(paths)} template files (at most {FILES_MAX})")
    templates: list[Template] = []
    problems: list[str] = []
    for path in paths:
        name = path.name[: -len(FILE_SUFFIX)]
        shown = clean_line(path.name, 80)  # a newline in a file's name: still one line
        text, problem = _read_file(path)
        if problem:
            problems.append(f"{shown}: {problem}")
            continue
        template, found = parse_file(name, text)
        problems += [
            f"{shown} {problem}" if problem.startswith("line ") else f"{shown}: {problem}"
            for problem in found
        ]
        if template is not None:
            templates.append(template)
    return templates, problems


def _read_file(path: Path) -> tuple[str, str | None]:
    """A template file's text, or why it cannot be read (never a device or a FIFO, never
    through a symbolic link: a folder under version control may hold one to any file)."""
    if path.is_symlink():
        return "", "a symbolic link, not read"
    if not path.is_file():
        return "", "not a plain file"
    try:
        # O_NOFOLLOW and O_NONBLOCK: a link or a FIFO swapped in after the checks above
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "", "not a plain file"
            if info.st_size > FILE_BYTES_MAX:
                return "", f"over {FILE_BYTES_MAX // 1024} KB"
            data = handle.read(FILE_BYTES_MAX + 1)
    except OSError as error:
        return "", error.strerror or str(error)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return "", f"line {line}: not UTF-8 text"
