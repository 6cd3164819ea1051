"""A team database: making one (`team init`), its settings (`team settings`), and the one
place where a rep's Settings are made from the team's and their own config file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from callblock.clock import Clock, iso
from callblock.config import ConfigError, Settings
from callblock.services import ServiceError
from callblock.store import Store
from callblock.store.location import ServerUrl

Change = tuple[str, Any, Any]  # dotted key, old value, new value (None: absent)


def settings_for(store: Store, personal: Settings) -> Settings:
    """The Settings to run with on `store`: on a single-user database the config file's, as
    they are; on a team database the team's from the database with the user's personal keys,
    and a team key in the user's config file is an error naming it."""
    data = store.admin.team_settings()
    if not data:
        from callblock.services.cadence import with_database_schedule

        return with_database_schedule(store, personal)  # the demo's multi-channel schedule
    from callblock.config.team import refuse_team_keys, with_personal

    if personal.source is not None:
        refuse_team_keys(personal.source, store.path)
    return with_personal(_team(store, data), personal)


def _team(store: Store, flat: dict[str, Any]) -> Settings:
    from callblock.config.team import team_settings, unflatten

    return team_settings(unflatten(flat), f"{store.path} (team settings)")


@dataclass(frozen=True)
class TeamInit:
    path: Path | ServerUrl
    timezone: str
    group: str | None
    created_folder: bool
    hint: str | None  # what to run so the group can use the folder, when it cannot yet


def init_team(
    path: Path | ServerUrl, *, timezone: str, group: str | None, rep: str, clock: Clock
) -> TeamInit:
    """Create a team database at `path` holding the default team settings in `timezone`;
    refuse (creating nothing) an unknown zone or group or an existing non-empty file. On a
    server the database must exist and be empty; it is set up in one transaction."""
    from callblock.config.team import changes, team_data, team_settings
    from callblock.services import team_files
    from callblock.services.cadence import ensure_due_times

    data = team_data(Settings(timezone=timezone))
    try:
        settings = team_settings(data, "--timezone")
    except ConfigError as error:
        raise ServiceError(str(error).replace("key 'timezone': ", "")) from None
    if isinstance(path, ServerUrl):
        if group is not None:
            raise ServiceError("--group is for a database file; a server has its own logins")
        _init_on_server(path, data, settings, rep, clock)
        return TeamInit(path, timezone, None, False, None)
    gid = team_files.group_id(group) if group is not None else None
    _refuse_existing(path)
    folder = path.parent
    created_folder = team_files.make_folder(folder, gid)
    made_file = not path.exists()
    try:
        if made_file:
            team_files.make_file(path, gid)
        store = Store.open(path, create=True)
        try:
            if gid is not None:
                team_files.share(path, gid)  # -wal and -shm exist while it is open
            store.admin.write_team_settings(changes({}, data), at=iso(clock.now()), rep=rep)
            team = replace(settings, team_timezone=settings.timezone)
            ensure_due_times(store, team, team.weights)
        finally:
            store.close()
    except BaseException:
        if made_file:
            team_files.remove_created(path, folder if created_folder else None)
        raise
    hint = None
    if group is not None and gid is not None and not created_folder:
        hint = team_files.folder_hint(folder, gid, group)
    return TeamInit(path, timezone, group, created_folder, hint)


def _init_on_server(
    server: ServerUrl, data: dict[str, Any], settings: Settings, rep: str, clock: Clock
) -> None:
    from callblock.config.team import changes
    from callblock.services.cadence import ensure_due_times
    from callblock.services.team import FLOOR_ADMIN, account_name
    from callblock.store.server import set_up

    def fill(store: Store) -> None:
        store.admin.write_team_settings(changes({}, data), at=iso(clock.now()), rep=rep)
        store.admin.set_meta(FLOOR_ADMIN, account_name())
        team = replace(settings, team_timezone=settings.timezone)
        ensure_due_times(store, team, team.weights)

    set_up(server, "`team init`", fill)


def _refuse_existing(path: Path) -> None:
    if path.is_dir():
        raise ServiceError(f"{path} is a directory; give the database file's path")
    if path.is_symlink() or (path.exists() and (not path.is_file() or path.stat().st_size)):
        raise ServiceError(
            f"{path} already exists; `team init` makes a new database and leaves existing "
            "files untouched"
        )


def show_team_settings(store: Store) -> dict[str, Any]:
    """The team settings as tables (the config file's team part)."""
    from callblock.config.team import in_order, unflatten

    flat = store.admin.team_settings()
    if not flat:
        raise _not_team(store)
    return in_order(unflatten(flat))


def change_team_settings(
    store: Store, clock: Clock, *, rep: str, sets: list[str], file: Path | None
) -> list[Change]:
    """Apply `--file` then `--set`s, all or nothing, each change kept in the audit table; the
    stored due times follow at once (not at some rep's next start). What is stored is every
    key as read (a block's default minutes written out; `max_attempts` cuts the schedule)."""
    from callblock.config.team import (
        changes,
        parse_assignment,
        read_team_file,
        team_data,
        team_settings,
        unflatten,
        with_file,
        with_sets,
    )
    from callblock.services.cadence import ensure_due_times
    from callblock.services.learning import current_weights
    from callblock.services.team import refuse_unless_lead

    refuse_unless_lead(store, rep, "changing the team settings")
    assignments = [parse_assignment(text) for text in sets]
    from_file = read_team_file(file) if file is not None else None
    with store.transaction():
        flat = store.admin.team_settings()
        if not flat:
            raise _not_team(store)
        old = unflatten(flat)
        new = with_file(old, from_file) if from_file is not None else old
        new = with_sets(new, assignments)
        label = "team settings --set" if assignments else f"team settings after {file}"
        settings = team_settings(new, label)
        diff = changes(old, team_data(settings))  # stored complete, as the reader read it
        if diff:
            store.admin.write_team_settings(diff, at=iso(clock.now()), rep=rep)
    if diff:
        team = replace(settings, team_timezone=settings.timezone)
        ensure_due_times(store, team, current_weights(store, team))
    return diff


def _not_team(store: Store) -> ServiceError:
    return ServiceError(
        f"{store.path} is not a team database (its settings come from each user's config "
        "file); `callblock team init --db PATH --timezone ZONE` makes one"
    )
