"""The team: registering reps and their SSH keys, listing who is online, removing a rep.

A key is registered by appending one line to an authorized_keys file that gives it exactly one
thing, a callblock session as its rep (see domain/sshkeys.py); removing the rep takes that line
out again. The database rows and the file change together: the file is written (atomically,
through a staged file) inside the write transaction that records the key, so a failed write
records nothing and two `team` commands on one database never interleave their edits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from callblock.clock import Clock, iso
from callblock.domain.calling import UnknownZoneError, zone_info
from callblock.domain.reps import ROLES, Rep, RepKey, rep_name_problem
from callblock.domain.sshkeys import (
    KEY_FILE_MAX,
    PublicKey,
    SshKeyError,
    authorized_line,
    forced_command,
    key_of_line,
    parse_public_key,
    with_line,
    without_key_lines,
)
from callblock.services import ServiceError, checked_email, checked_line
from callblock.services.files import StagedFile, check_output, database_files
from callblock.store import Store
from callblock.store.location import ServerUrl

# authorized_keys is read and written as bytes kept exactly (latin-1 maps each byte to one
# character and back): a line we did not write is never changed, whatever it holds.
_BYTES = "latin-1"


@dataclass(frozen=True)
class KeyRequest:
    """A public key file to register and the authorized_keys file to write its line to."""

    key_file: Path
    authorized_keys: Path
    program: str  # the absolute path of the callblock program sshd will run


def checked_rep_name(name: str, field: str = "rep") -> str:
    if problem := rep_name_problem(name):
        raise ServiceError(f"{field}: {problem}")
    return name


def add_rep(
    store: Store,
    clock: Clock,
    name: str,
    *,
    role: str | None = None,
    timezone: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    key: KeyRequest | None = None,
) -> dict[str, Any]:
    """Register a rep (or bring a removed one back), with an SSH key when `key` is given. A
    current rep may be given another key (then only the key: no other detail)."""
    checked_rep_name(name)
    if role is not None and role not in ROLES:
        raise ServiceError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    zone = _checked_zone(timezone)
    mail = checked_email(email) if email is not None else None
    number = _checked_phone(phone)
    public = _read_key(key.key_file) if key else None
    now = iso(clock.now())
    with store.transaction():
        existing = store.admin.get_rep(name)
        if existing is not None and existing.current:
            contact_only = role is None and timezone is None and bool(mail or number)
            if key is None and not contact_only:
                raise ServiceError(f"{name} is already a rep of this team (see `team list`)")
            if key is not None and any(v is not None for v in (role, timezone, email, phone)):
                raise ServiceError(
                    f"{name} is already a rep; to add a key give only --key-file and "
                    "--authorized-keys"
                )
            rep = existing
            if key is None:  # a current rep's email or phone: set (the sender of their email)
                rep = replace(existing, email=mail or existing.email, phone=number or rep.phone)
                store.admin.save_rep(rep, iso(existing.added_at) if existing.added_at else now)
        else:
            if similar := store.admin.rep_spelled_like(name):
                raise ServiceError(f"{name}: the team already has {similar.name}; use one spelling")
            rep = Rep(name, role or "rep", zone, mail or "", number or "")
            store.admin.save_rep(rep, now)
        written = None
        if key is not None and public is not None:
            written = _register_key(store, rep.name, public, key, now)
    return {
        "rep": rep.name,
        "role": rep.role,
        "timezone": rep.timezone,
        "email": rep.email,
        "phone": rep.phone,
        "key": written.fingerprint if written else None,
        "authorized_keys": written.authorized_keys if written else None,
        "line": written.line if written else None,
    }


def remove_rep(store: Store, clock: Clock, name: str) -> dict[str, Any]:
    """The rep stops being one: its key lines leave their authorized_keys files, its open
    sessions end (their leads are let go); its touches, callbacks and sessions stay."""
    checked_rep_name(name)
    now = clock.now()
    files: list[dict[str, Any]] = []
    with store.transaction():
        rep = store.admin.get_rep(name)
        if rep is None or not rep.current:
            raise ServiceError(f"{name} is not a current rep of this team (see `team list`)")
        for key in store.admin.rep_keys(name):
            removed = _remove_line(key)
            files.append({"authorized_keys": key.authorized_keys, "lines_removed": removed})
        sessions = store.sessions.open_sessions(name)
        for open_session in sessions:
            store.sessions.end_session(open_session.session.id, iso(now))
        released = store.admin.release_owned_leads(name)  # back to the team's pool, not lost
        store.admin.remove_rep(name, iso(now))
    return {
        "rep": name,
        "removed_at": iso(now),
        "keys": files,
        "sessions_ended": len(sessions),
        "leads_released": released,
    }


def team_list(store: Store, clock: Clock) -> list[dict[str, Any]]:
    """Every current rep: role, zone, and whether a session of theirs is alive now."""
    from callblock.services.leases import LEASE

    now = clock.now()
    started: dict[str, str] = {}
    for live in store.sessions.live_sessions(iso(now - LEASE)):
        at = iso(live.session.started_at)
        started[live.session.rep] = max(started.get(live.session.rep, at), at)
    return [
        {
            "rep": rep.name,
            "role": rep.role,
            "timezone": rep.timezone,
            "online": rep.name in started,
            "session_started": started.get(rep.name),
        }
        for rep in store.admin.current_reps()
    ]


def session_rep(store: Store, name: str) -> Rep:
    """The registered, current rep an SSH key opens a session for; refused otherwise."""
    rep = store.admin.get_rep(name) if rep_name_problem(name) is None else None
    if rep is None or not rep.current:
        raise ServiceError(f"{name[:40]!r} is not a registered rep of this team")
    return rep


def rep_profile(store: Store, name: str, team_zone: str) -> tuple[str, str | None]:
    """(zone, role) of the rep: a registered rep's own zone (else the team's) and role; on a
    database without that rep registered, the team's zone and no role (a single rep, who may
    do everything)."""
    rep = store.admin.get_rep(name)
    if rep is None or not rep.current:
        return team_zone, None
    zone = rep.timezone or team_zone
    try:
        zone_info(zone)
    except UnknownZoneError:  # gone from this host's tzdata: the team's zone instead
        zone = team_zone
    return zone, rep.role


def account_name() -> str:
    """The Unix account running this process, from the system (never the environment, which
    its user can set to anything)."""
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def is_floor_admin(store: Store) -> bool:
    """Root, or the account that owns the database file (the one that ran `team init`; the
    account whose authorized_keys serve the floor over SSH). A server database has no file:
    there it is the account that ran `team init` or `migrate-db` (kept in meta)."""
    uid = os.geteuid()
    if uid == 0:
        return True
    database = store.path
    if isinstance(database, ServerUrl):
        return store.admin.meta(FLOOR_ADMIN) == account_name()
    try:
        return uid == database.stat().st_uid
    except OSError:
        return False


FLOOR_ADMIN = "floor_admin"  # meta key: the account that set up a team on a server


def refuse_other_identity(store: Store, rep: str) -> None:
    """On a team database, a rep with a Unix account of their own is that account: `--rep`
    (or LOGNAME) may not make them someone else. The floor's admin account may act for any rep
    (`ssh-session` runs there, its identity fixed by the rep's key)."""
    if not store.admin.has_reps() or is_floor_admin(store):
        return
    account = account_name()
    if rep != account:
        raise ServiceError(
            f"on this team's database you are {account} (your login): you may not act as {rep}"
        )


def refuse_unless_lead(store: Store, rep: str, what: str) -> None:
    """Changing the team is a team lead's (or the floor admin's); a team just set up, with no
    reps yet, is whoever set it up."""
    if not store.admin.has_reps() or is_floor_admin(store):
        return
    refuse_other_identity(store, rep)
    registered = store.admin.get_rep(rep)
    if registered is None or not registered.current or registered.role != "lead":
        raise ServiceError(f"{what} is for a team lead; {rep} is not one")


def refuse_removed(store: Store, name: str) -> None:
    """A removed rep is used no more (`--rep` included); names never registered are fine (a
    single rep who never set up a team)."""
    rep = store.admin.get_rep(name)
    if rep is not None and not rep.current and rep.removed_at is not None:
        raise ServiceError(
            f"rep {name} was removed from the team on {rep.removed_at:%Y-%m-%d}; "
            "`team add-rep` brings them back"
        )


# helpers ----------------------------------------------------------------------------------------
def _checked_zone(timezone: str | None) -> str | None:
    if timezone is None:
        return None
    zone = checked_line(timezone, "timezone")
    try:
        zone_info(zone)
    except UnknownZoneError as error:
        raise ServiceError(f"timezone: {error} (an IANA name like America/Chicago)") from None
    return zone


def _checked_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    from callblock.domain.phones import PhoneError, normalize_phone

    text = checked_line(phone, "phone")
    try:
        return normalize_phone(text).e164
    except PhoneError as error:
        raise ServiceError(f"phone: {error}") from None


def _read_key(path: Path) -> PublicKey:
    try:
        if not path.is_file():
            raise ServiceError(f"--key-file: {path} is not a file")
        with path.open("rb") as handle:
            data = handle.read(KEY_FILE_MAX + 1)
    except OSError as error:
        raise ServiceError(f"--key-file: cannot read {path} ({error.strerror})") from None
    try:
        return parse_public_key(data.decode(_BYTES))
    except SshKeyError as error:
        raise ServiceError(f"--key-file {path}: {error}") from None


def _register_key(store: Store, rep: str, public: PublicKey, key: KeyRequest, now: str) -> RepKey:
    owner = store.admin.key_owner(public.fingerprint)
    if owner is not None:
        raise ServiceError(
            f"--key-file: the key {public.fingerprint} is already registered for {owner}; "
            "a key opens one rep's session"
        )
    target = Path(os.path.abspath(key.authorized_keys))
    check_output(target, option="--authorized-keys", protected=database_files(store.path))
    database = store.path
    if isinstance(database, ServerUrl) and database.has_password:
        raise ServiceError(
            "--authorized-keys: the database URL holds a password, which authorized_keys would "
            "carry: give it in the floor account's ~/.pgpass and the URL without it"
        )
    where = database.url if isinstance(database, ServerUrl) else os.path.abspath(database)
    try:
        command = forced_command(key.program, where, rep)
    except SshKeyError as error:
        raise ServiceError(f"--authorized-keys: {error}") from None
    line = authorized_line(command, public)
    text = _read_keys(target)
    for number, existing in enumerate(text.splitlines(), start=1):
        if key_of_line(existing) == public:
            raise ServiceError(
                f"--authorized-keys: {target} line {number} already holds this key; sshd "
                "would use that line, not a callblock one: remove it first"
            )
    registered = RepKey(rep, public.fingerprint, public.text, str(target), line)
    store.admin.add_rep_key(registered, now)
    _write_keys(target, with_line(text, line))
    return registered


def _remove_line(key: RepKey) -> int:
    """Take the key's callblock lines out of its file; how many went (0: already gone)."""
    path = Path(key.authorized_keys)
    if not path.exists():
        return 0
    public = PublicKey(*key.key.split(" ", 1))
    text, removed = without_key_lines(_read_keys(path), key.line, public)
    if removed:
        _write_keys(path, text)
    return removed


def _read_keys(path: Path) -> str:
    try:
        return path.read_bytes().decode(_BYTES) if path.exists() else ""
    except OSError as error:
        raise ServiceError(f"--authorized-keys: cannot read {path} ({error.strerror})") from None


def _write_keys(path: Path, text: str) -> None:
    """Replace the file at once (a reader sees the old or the new file, never half), keeping
    its mode and owner; a new file is 0600 (sshd refuses keys others may write)."""
    staged = StagedFile(path, option="--authorized-keys", new_mode=0o600, keep_owner=True)
    try:
        staged.stream.flush()
        staged.stream.buffer.write(text.encode(_BYTES))
        staged.commit()
    except OSError as error:
        staged.discard()
        raise ServiceError(f"--authorized-keys: cannot write {path} ({error.strerror})") from None
    except BaseException:
        staged.discard()
        raise
