"""Migration 1: the first schema (leads, touches, callbacks, sessions, audit, zones), kept as
it shipped; later migrations (migrations.py) change it. Its PostgreSQL form is pg_migrations.v1."""

from __future__ import annotations

import sqlite3

from callblock.store.filters import open_where

OPEN = open_where()  # the words the queue's partial indexes are built on (see migrations.py)
# The lead's zone as stored ('' = none known: the team default applies).
ZONE_EXPR = "coalesce(NEW.timezone, NEW.phone_timezone, '')"


def v1(conn: sqlite3.Connection) -> None:
    import sqlite_utils  # lazy: ~100 ms at import, only needed when the schema changes

    db = sqlite_utils.Database(conn)
    db.table("leads").create(
        {
            "id": int,
            "name": str,
            "title": str,
            "company": str,
            "phone": str,
            "phone_display": str,
            "email": str,
            "links": str,
            "timezone": str,
            "phone_timezone": str,
            "temperature": str,
            "fit": str,
            "owner": str,
            "status": str,
            "created_at": str,
            "notes": str,
            "attempts": int,
            "last_touch_at": str,
            "bad_number": int,
        },
        pk="id",
        not_null={"name", "status", "temperature", "created_at", "attempts", "bad_number"},
        defaults={
            "attempts": 0,
            "bad_number": 0,
            "notes": "",
            "title": "",
            "company": "",
            "email": "",
            "links": "[]",
            "fit": "{}",
            "phone": "",
            "phone_display": "",
        },
    )
    db.table("sessions").create(
        {
            "id": int,
            "rep": str,
            "block_name": str,
            "started_at": str,
            "ended_at": str,
            "target_per_hour": int,
        },
        pk="id",
        not_null={"rep", "block_name", "started_at"},
    )
    db.table("touches").create(
        {
            "id": int,
            "lead_id": int,
            "rep": str,
            "at": str,
            "channel": str,
            "outcome": str,
            "note": str,
            "session_id": int,
            "undone": int,
            "lead_before": str,
        },
        pk="id",
        not_null={"lead_id", "rep", "at", "channel", "outcome", "undone"},
        defaults={"undone": 0, "note": ""},
        foreign_keys=[("lead_id", "leads", "id"), ("session_id", "sessions", "id")],
    )
    db.table("callbacks").create(
        {
            "id": int,
            "lead_id": int,
            "rep": str,
            "due_at": str,
            "kind": str,
            "state": str,
            "created_by_touch": int,
            "closed_by_touch": int,
        },
        pk="id",
        not_null={"lead_id", "rep", "due_at", "kind", "state"},
        defaults={"state": "open"},
        foreign_keys=[
            ("lead_id", "leads", "id"),
            ("created_by_touch", "touches", "id"),
            ("closed_by_touch", "touches", "id"),
        ],
    )
    db.table("audit").create(
        {"id": int, "at": str, "rep": str, "action": str, "touch_id": int, "detail": str},
        pk="id",
        not_null={"at", "rep", "action"},
    )
    # Partial indexes shaped exactly like the queue's candidate queries (see Store).
    conn.execute(f"CREATE INDEX idx_leads_fresh ON leads(created_at) WHERE attempts = 0 AND {OPEN}")
    conn.execute(
        "CREATE INDEX idx_leads_followup ON leads(temperature, last_touch_at) "
        f"WHERE attempts >= 1 AND {OPEN} AND status != 'nurture'"
    )
    conn.execute(
        "CREATE INDEX idx_leads_nurture ON leads(last_touch_at) "
        f"WHERE attempts >= 1 AND {OPEN} AND status = 'nurture'"
    )
    # The set of zones leads are in, kept exact by triggers, so the queue can ask SQL for the
    # leads whose local time is inside their calling window without scanning every lead.
    conn.execute("CREATE TABLE lead_zones (zone TEXT PRIMARY KEY) WITHOUT ROWID")
    for event in ("INSERT", "UPDATE OF timezone, phone_timezone"):
        name = event.split()[0].lower()
        conn.execute(
            f"CREATE TRIGGER leads_zone_{name} AFTER {event} ON leads BEGIN "
            f"INSERT OR IGNORE INTO lead_zones (zone) VALUES ({ZONE_EXPR}); END"
        )
    db.table("touches").create_index(["lead_id", "at"])
    db.table("touches").create_index(["at"])
    db.table("touches").create_index(["session_id"])
    db.table("callbacks").create_index(["state", "due_at"])
    db.table("callbacks").create_index(["lead_id"])
