"""Ordered schema migrations. A database newer than the code is refused, never touched."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from callblock.store.channel_migrations import cadence_tasks, channels
from callblock.store.filters import DNC_LIFTED, open_where
from callblock.store.migration_v1 import v1 as _v1
from callblock.store.name_backfill import backfill_name_parts

# The words the queue's partial indexes are built on (store/filters.py writes them from the
# domain's definitions; the queue's queries repeat them exactly so SQLite uses the indexes).
OPEN = open_where()


# The lead's zone as the queue's queries write it (they must match the index expressions).
LEAD_ZONE = "coalesce(timezone, phone_timezone, '')"
# The region whose calling rules apply: the record's (State/Country, the lead form), else the
# phone number's (column `region`); '' when neither is known. `Lead.region` in the domain.
LEAD_REGION = "coalesce(record_region, region, '')"
PLACE_TRIGGER = "leads_place_insert"  # lead_places as leads are added (see _place_triggers)
FOLLOW_UP = f"{OPEN} AND status != 'nurture' AND next_due_at IS NOT NULL"
NURTURE = f"{OPEN} AND status = 'nurture' AND next_due_at IS NOT NULL"


def _v2(conn: sqlite3.Connection) -> None:
    """The smart queue: cadence due times, fit score, calling region, leases, meta."""
    add_queue_columns(conn)
    # next_due_at is the cadence's: the queue service fills it (meta 'cadence' is unset).
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    conn.execute(
        "CREATE TABLE leases (lead_id INTEGER PRIMARY KEY REFERENCES leads(id), "
        "rep TEXT NOT NULL, expires_at TEXT NOT NULL)"
    )
    # The places (zone, region) leads are in, kept exact by triggers: the queue asks SQL only
    # for leads whose place is inside its calling window now.
    for name in ("insert", "update"):
        conn.execute(f"DROP TRIGGER leads_zone_{name}")
    conn.execute("DROP TABLE lead_zones")
    conn.execute(
        "CREATE TABLE lead_places (zone TEXT NOT NULL, region TEXT NOT NULL, "
        "PRIMARY KEY (zone, region)) WITHOUT ROWID"
    )
    conn.execute(
        f"INSERT OR IGNORE INTO lead_places SELECT DISTINCT {LEAD_ZONE}, coalesce(region, '') "
        "FROM leads"
    )
    _place_triggers(conn, "coalesce(NEW.region, '')", "timezone, phone_timezone, region")
    conn.execute("DROP INDEX idx_leads_followup")
    conn.execute("DROP INDEX idx_leads_nurture")
    queue_indexes(conn)


def add_queue_columns(conn: Any) -> None:
    """Migration 2's columns on leads, filled from the leads there are."""
    import json

    from callblock.domain.models import fit_score
    from callblock.domain.phones import PhoneError, normalize_phone

    for column in ("region TEXT", "first_call_at TEXT", "next_due_at TEXT"):
        conn.execute(f"ALTER TABLE leads ADD COLUMN {column}")
    conn.execute("ALTER TABLE leads ADD COLUMN fit_score REAL NOT NULL DEFAULT 0")
    regions: dict[str, str | None] = {}
    updates = []
    for lead_id, phone, fit in conn.execute("SELECT id, phone, fit FROM leads").fetchall():
        if phone and phone not in regions:
            try:
                regions[phone] = normalize_phone(phone).region
            except PhoneError:
                regions[phone] = None
        updates.append((regions.get(phone), fit_score(json.loads(fit or "{}")), lead_id))
    if updates:
        conn.executemany("UPDATE leads SET region = ?, fit_score = ? WHERE id = ?", updates)
    conn.execute(
        "UPDATE leads SET first_call_at = (SELECT min(at) FROM touches "
        "WHERE lead_id = leads.id AND undone = 0 AND channel = 'call')"
    )


def queue_indexes(conn: Any) -> None:
    """Indexes shaped exactly like the queue's queries (store/queue.py): each tier's candidates
    per zone, in the order the domain scores them. They cover every column the queries filter
    on, so the scan for the due ones never leaves the index (7 ms instead of 28 ms for a block's
    queue on 100,000 leads)."""
    filters = "next_due_at, owner, last_touch_at, attempts, created_at"
    conn.execute(
        f"CREATE INDEX idx_leads_due ON leads(temperature, {LEAD_ZONE}, fit_score DESC, id, "
        f"{filters}) WHERE {FOLLOW_UP}"
    )
    conn.execute(
        f"CREATE INDEX idx_leads_nurture_due ON leads({LEAD_ZONE}, fit_score DESC, id, "
        f"{filters}) WHERE {NURTURE}"
    )
    conn.execute("CREATE INDEX idx_callbacks_open ON callbacks(lead_id) WHERE state = 'open'")
    conn.execute(
        "CREATE INDEX idx_callbacks_rep_due ON callbacks(rep, due_at) WHERE state = 'open'"
    )


def _review_indexes(conn: sqlite3.Connection) -> None:
    """Indexes for the team lead's review (store/reports.py): partial indexes over the calls
    that count, shaped like the report queries, so a day's report reads only index pages."""
    live = "WHERE undone = 0 AND channel = 'call'"
    conn.execute(f"CREATE INDEX idx_touches_live_calls ON touches(lead_id, at) {live}")
    covering = "at, rep, outcome, lead_id, session_id"
    conn.execute(f"CREATE INDEX idx_touches_calls_at ON touches({covering}) {live}")
    conn.execute("CREATE INDEX idx_callbacks_due ON callbacks(due_at)")
    conn.execute("CREATE INDEX idx_sessions_started ON sessions(started_at)")
    conn.execute("CREATE INDEX idx_leads_created ON leads(created_at)")


def _import_extra_and_merges(conn: sqlite3.Connection) -> None:
    """Imports keep unknown CSV columns (`extra`, a JSON object); a merged lead points at its
    survivor (`merged_into`) and is closed, so the queue and search leave it out."""
    conn.execute("ALTER TABLE leads ADD COLUMN extra TEXT NOT NULL DEFAULT '{}'")
    conn.execute("ALTER TABLE leads ADD COLUMN merged_into INTEGER REFERENCES leads(id)")


def _zone_spread(conn: sqlite3.Connection) -> None:
    """Numbers whose area spans zones (+1 605: Central and Mountain) had no zone: they get the
    easternmost and how far the westernmost lags it, so the calling window holds in both."""
    from callblock.domain.phones import PhoneError, normalize_phone

    conn.execute("ALTER TABLE leads ADD COLUMN zone_spread INTEGER NOT NULL DEFAULT 0")
    updates = []
    rows = conn.execute(
        "SELECT id, phone FROM leads WHERE phone != '' AND phone_timezone IS NULL"
    ).fetchall()
    for lead_id, phone in rows:
        try:
            parsed = normalize_phone(phone)
        except PhoneError:
            continue
        updates.append((parsed.timezone, parsed.zone_spread, lead_id))
    conn.executemany("UPDATE leads SET phone_timezone = ?, zone_spread = ? WHERE id = ?", updates)


def _other_contacts(conn: sqlite3.Connection) -> None:
    """A lead keeps every phone and email it was given: a merge that keeps one number or
    address keeps the other ones here (JSON lists; E.164 numbers)."""
    conn.execute("ALTER TABLE leads ADD COLUMN other_phones TEXT NOT NULL DEFAULT '[]'")
    conn.execute("ALTER TABLE leads ADD COLUMN other_emails TEXT NOT NULL DEFAULT '[]'")


def _session_leases(conn: sqlite3.Connection) -> None:
    """A lease belongs to a session (one running app), not to a rep name: two windows of one
    rep never show the same lead. A session knows which process runs it (`owner`, a random
    token; NULL once suspended), when that process was last alive, and what a reconnect needs
    to resume the block (`state`, JSON)."""
    conn.execute("DROP TABLE leases")  # leases live for minutes: none is worth keeping
    conn.execute(
        "CREATE TABLE leases (lead_id INTEGER PRIMARY KEY REFERENCES leads(id), "
        "session_id INTEGER NOT NULL REFERENCES sessions(id), rep TEXT NOT NULL, "
        "expires_at TEXT NOT NULL)"
    )
    conn.execute("CREATE INDEX idx_leases_session ON leases(session_id)")
    conn.execute("ALTER TABLE sessions ADD COLUMN owner TEXT")
    conn.execute("ALTER TABLE sessions ADD COLUMN heartbeat_at TEXT")
    conn.execute("ALTER TABLE sessions ADD COLUMN state TEXT NOT NULL DEFAULT '{}'")
    conn.execute("CREATE INDEX idx_sessions_open ON sessions(rep) WHERE ended_at IS NULL")


def _reps(conn: sqlite3.Connection) -> None:
    """The team: registered reps (a removed rep keeps its row, its history keeps its name) and
    the SSH keys that open a session as one of them, each with the authorized_keys file and the
    exact line written there (so removing the rep takes out that line)."""
    conn.execute(
        "CREATE TABLE reps (name TEXT PRIMARY KEY, "
        "role TEXT NOT NULL DEFAULT 'rep' CHECK (role IN ('rep', 'lead')), timezone TEXT, "
        "email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', "
        "added_at TEXT NOT NULL, removed_at TEXT)"
    )
    conn.execute(
        "CREATE TABLE rep_keys (id INTEGER PRIMARY KEY, "
        "rep TEXT NOT NULL REFERENCES reps(name), fingerprint TEXT NOT NULL, "
        "key TEXT NOT NULL, authorized_keys TEXT NOT NULL, line TEXT NOT NULL, "
        "added_at TEXT NOT NULL, removed_at TEXT)"
    )
    # A key opens at most one rep's session: one current registration per key.
    conn.execute(
        "CREATE UNIQUE INDEX idx_rep_keys_current ON rep_keys(fingerprint) WHERE removed_at IS NULL"
    )
    conn.execute("CREATE INDEX idx_rep_keys_rep ON rep_keys(rep)")


def _team_settings(conn: sqlite3.Connection) -> None:
    """A team database keeps the settings every rep must share (the config file's team part)
    here, one row per dotted key (`queue.spacing_minutes`), the value as JSON. A database with
    rows here is a team database; a single-user one leaves it empty."""
    conn.execute(
        "CREATE TABLE team_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
    )


def _review_aggregates(conn: sqlite3.Connection) -> None:
    """The review over a million touches: dials counted per 15-minute UTC slot, rep and lead
    zone (dial_slots.py), and each call's attempt number and the next dial on its lead
    (call_numbers.py), kept exact by triggers on every write that changes what a touch counts
    for (insert, undo, delete, a merge moving touches, a lead's zone changing), and filled from
    the touches here."""
    from callblock.store import call_numbers, dial_slots

    for module in (dial_slots, call_numbers):
        for statement in module.create_sql():
            conn.execute(statement)
        conn.execute(module.backfill_sql())


def _place_triggers(conn: sqlite3.Connection, region: str, columns: str) -> None:
    """Keep lead_places (zone, region) exact as leads are added and changed."""
    place = f"coalesce(NEW.timezone, NEW.phone_timezone, ''), {region}"
    for event in ("INSERT", f"UPDATE OF {columns}"):
        name = event.split()[0].lower()
        conn.execute(
            f"CREATE TRIGGER leads_place_{name} AFTER {event} ON leads BEGIN "
            f"INSERT OR IGNORE INTO lead_places (zone, region) VALUES ({place}); END"
        )


def _record_region(conn: sqlite3.Connection) -> None:
    """A lead's calling region from its record (an import's State/Country, the lead form): it
    wins over the phone number's (a Florida resident with a New York number is called under
    Florida's rules). lead_places holds each lead's effective region (LEAD_REGION)."""
    conn.execute("ALTER TABLE leads ADD COLUMN record_region TEXT")
    for name in ("insert", "update"):
        conn.execute(f"DROP TRIGGER leads_place_{name}")
    region = "coalesce(NEW.record_region, NEW.region, '')"
    _place_triggers(conn, region, "timezone, phone_timezone, region, record_region")
    regions_from_extra(conn)


def regions_from_extra(conn: Any) -> None:
    """Earlier imports kept State/Country cells among the extra fields: read them now (the
    trigger adds the leads' new places)."""
    from callblock.domain.regions import region_from_extra

    rows = conn.execute("SELECT id, extra FROM leads WHERE extra != '{}'").fetchall()
    found = [(code, lead) for lead, extra in rows if (code := region_from_extra(extra))]
    if found:
        conn.executemany("UPDATE leads SET record_region = ? WHERE id = ?", found)


def _outside_window(conn: sqlite3.Connection) -> None:
    """A call logged outside the lead's calling hours (`callblock log --outside-window`: a
    callback the lead asked for) is flagged as it is recorded: Review lists it among the cracks
    as "called outside calling hours". Kept as a flag, not worked out later from the touch's
    time: the lead's region and the team's windows may change since, what the rep confirmed
    may not. Taking a lead off do-not-call is kept in the audit table, indexed per lead."""
    conn.execute("ALTER TABLE touches ADD COLUMN outside_window INTEGER NOT NULL DEFAULT 0")
    conn.execute("CREATE INDEX idx_touches_outside ON touches(at) WHERE outside_window = 1")
    # A lead's lifts off do-not-call (services/dnc.py), read with every lead the power hour shows.
    conn.execute(
        "CREATE INDEX idx_audit_dnc_lifted ON audit(json_extract(detail, '$.lead_id')) "
        f"WHERE {DNC_LIFTED}"
    )


class Migration:
    """One version of the schema: its SQLite form, and its PostgreSQL form where the two differ
    (pg_migrations.py; otherwise the SQLite form runs there through `PgDdl`)."""

    def __init__(
        self, sqlite: Callable[[Any], None], postgresql: Callable[[Any], None] | None = None
    ):
        self.sqlite = sqlite
        self.postgresql = postgresql
        self.__doc__ = sqlite.__doc__

    def __call__(self, conn: Any) -> None:
        if getattr(conn, "dialect", "sqlite") == "sqlite":
            self.sqlite(conn)
        elif self.postgresql is not None:
            self.postgresql(conn)
        else:
            from callblock.store.pg_migrations import PgDdl

            self.sqlite(PgDdl(conn))


def _migrations() -> list[Migration]:
    from callblock.store import pg_migrations as pg

    return [
        Migration(_v1, pg.v1),
        Migration(_v2, pg.v2),
        Migration(_review_indexes),
        Migration(_import_extra_and_merges),
        Migration(_zone_spread),
        Migration(_other_contacts),
        Migration(_session_leases),
        Migration(_reps),
        Migration(_team_settings),
        Migration(_review_aggregates, pg.review_aggregates),  # 10
        Migration(_record_region, pg.record_region),  # 11
        Migration(_outside_window, pg.outside_window),  # 12
        Migration(channels),  # 13
        Migration(backfill_name_parts),  # 14
        Migration(cadence_tasks),  # 15
    ]


MIGRATIONS: list[Migration] = _migrations()
SCHEMA_VERSION = len(MIGRATIONS)
