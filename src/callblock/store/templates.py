"""SQL for the team's templates and each lead's variant per step (a mixin of TemplateStore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from callblock.clock import parse_iso
from callblock.domain.models import Template, TemplateChannel
from callblock.store.db import Connection, write_transaction

TEMPLATE_COLUMNS = "name, channel, step, variant, subject, body, updated_at, updated_by"
# A saved template replaces the one of its name (an upsert both backends take).
_REPLACE = ", ".join(
    f"{column} = excluded.{column}" for column in TEMPLATE_COLUMNS.split(", ") if column != "name"
)


def template_from_row(row: sqlite3.Row | tuple) -> Template:
    name, channel, step, variant, subject, body, updated_at, updated_by = row
    return Template(
        name=name,
        channel=TemplateChannel(channel),
        body=body,
        step=step,
        variant=variant or "",
        subject=subject or "",
        updated_at=parse_iso(updated_at) if updated_at else None,
        updated_by=updated_by or "",
    )


class TemplateQueries:
    conn: Connection

    def templates(self) -> list[Template]:
        """Every template, by channel, step, variant and name."""
        rows = self.conn.execute(
            f"SELECT {TEMPLATE_COLUMNS} FROM templates "
            "ORDER BY channel, step IS NULL, step, variant, name"
        ).fetchall()
        return [template_from_row(tuple(row)) for row in rows]

    def template(self, name: str) -> Template | None:
        row = self.conn.execute(
            f"SELECT {TEMPLATE_COLUMNS} FROM templates WHERE name = ?", (name,)
        ).fetchone()
        return template_from_row(tuple(row)) if row else None

    def save_templates(self, templates: Sequence[Template], *, at: str, rep: str) -> None:
        """Add or replace templates by name, all or none."""
        with write_transaction(self.conn):
            self.conn.executemany(
                f"INSERT INTO templates ({TEMPLATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                f"ON CONFLICT (name) DO UPDATE SET {_REPLACE}",
                [
                    (t.name, t.channel.value, t.step, t.variant, t.subject, t.body, at, rep)
                    for t in templates
                ],
            )

    def delete_template(self, name: str) -> bool:
        with write_transaction(self.conn):
            cursor = self.conn.execute("DELETE FROM templates WHERE name = ?", (name,))
        return cursor.rowcount > 0

    def step_templates(self, channel: TemplateChannel, step: int) -> list[Template]:
        """The variants serving one cadence step on one channel (a template without a step
        serves every step that has none of its own)."""
        rows = self.conn.execute(
            f"SELECT {TEMPLATE_COLUMNS} FROM templates WHERE channel = ? AND step = ? "
            "ORDER BY variant, name",
            (channel.value, step),
        ).fetchall()
        if not rows:
            rows = self.conn.execute(
                f"SELECT {TEMPLATE_COLUMNS} FROM templates WHERE channel = ? AND step IS NULL "
                "ORDER BY variant, name",
                (channel.value,),
            ).fetchall()
        return [template_from_row(tuple(row)) for row in rows]

    def lead_variant(
        self, lead_id: int, channel: TemplateChannel, step: int, variants: Sequence[str]
    ) -> str:
        """The variant a lead gets for a step: the one it got before if that still exists,
        else the least used so far (first by letter on a tie), kept from then on. Evenly
        spread over the leads, and stable per lead."""
        if not variants:
            return ""
        kept = self._kept_variant(lead_id, channel, step)
        if kept in variants:  # the usual case: read only, no write lock taken
            return str(kept)
        with write_transaction(self.conn):
            kept = self._kept_variant(lead_id, channel, step)
            if kept in variants:
                return str(kept)
            marks = ", ".join("?" for _ in variants)
            used = dict(
                self.conn.execute(
                    "SELECT variant, count(*) FROM template_variants WHERE channel = ? "
                    f"AND step = ? AND variant IN ({marks}) GROUP BY variant",
                    (channel.value, step, *variants),
                ).fetchall()
            )
            chosen = min(sorted(variants), key=lambda v: used.get(v, 0))
            self.conn.execute(
                "INSERT INTO template_variants (lead_id, channel, step, variant) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (lead_id, channel, step) "
                "DO UPDATE SET variant = excluded.variant",
                (lead_id, channel.value, step, chosen),
            )
        return chosen

    def _kept_variant(self, lead_id: int, channel: TemplateChannel, step: int) -> str | None:
        row = self.conn.execute(
            "SELECT variant FROM template_variants WHERE lead_id = ? AND channel = ? AND step = ?",
            (lead_id, channel.value, step),
        ).fetchone()
        return None if row is None else str(row[0])
