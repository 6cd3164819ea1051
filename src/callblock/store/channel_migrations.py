"""Migrations 13 and 15 (issue 11, every channel): the tables and columns of templates, merge
fields and the multi-channel cadence."""

from __future__ import annotations

import sqlite3


def channels(conn: sqlite3.Connection) -> None:
    """Every channel (issue 11): the lead's name parts, pronunciation and interest for merge
    fields; the cadence's progress over all channels (`steps_done`) and the non-call step
    waiting as a task; each touch's template, variant and sent message; the team's templates
    and which variant each lead got for a step (kept, so a lead keeps its variant)."""
    for column in ("first_name", "last_name", "pronunciation", "interest"):
        conn.execute(f"ALTER TABLE leads ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE leads ADD COLUMN steps_done INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE leads SET steps_done = attempts")
    conn.execute("ALTER TABLE leads ADD COLUMN task_due_at TEXT")
    conn.execute("ALTER TABLE leads ADD COLUMN task_step INTEGER")
    conn.execute("ALTER TABLE leads ADD COLUMN task_channel TEXT")
    conn.execute(
        "CREATE INDEX idx_leads_task_due ON leads(task_due_at) WHERE task_due_at IS NOT NULL"
    )
    for column in ("template", "variant", "message_id"):
        conn.execute(f"ALTER TABLE touches ADD COLUMN {column} TEXT")
    conn.execute(
        "CREATE INDEX idx_touches_template ON touches(template) WHERE template IS NOT NULL"
    )
    conn.execute(
        "CREATE TABLE templates (name TEXT PRIMARY KEY, channel TEXT NOT NULL, step INTEGER, "
        "variant TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '', body TEXT NOT NULL, "
        "updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '')"
    )
    conn.execute("CREATE INDEX idx_templates_step ON templates(channel, step)")
    conn.execute(
        "CREATE TABLE template_variants (lead_id INTEGER NOT NULL REFERENCES leads(id), "
        "channel TEXT NOT NULL, step INTEGER NOT NULL, variant TEXT NOT NULL, "
        "PRIMARY KEY (lead_id, channel, step)) WITHOUT ROWID"
    )


def cadence_tasks(conn: sqlite3.Connection) -> None:
    """The multi-channel cadence (issue 11): a touch that completes a task records the step it
    completed (1-based; a dial always advances the cadence, so calls leave it NULL), and the
    two lookups the due times need per lead: when its cadence began on a task channel, and
    whether it replied (a reply ends the sequence)."""
    conn.execute("ALTER TABLE touches ADD COLUMN step INTEGER")
    conn.execute(
        "CREATE INDEX idx_touches_task_steps ON touches(lead_id, at) "
        "WHERE step IS NOT NULL AND undone = 0 AND channel != 'call'"
    )
    conn.execute(
        "CREATE INDEX idx_touches_replied ON touches(lead_id, at) "
        "WHERE outcome = 'replied' AND undone = 0"
    )
