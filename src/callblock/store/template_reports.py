"""The template report's query (issue 11), mixed into ReportStore: touches that record a template,
counted by template, variant and the lead's temperature (see domain/template_figures.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from callblock.store.db import Connection
from callblock.store.reports import CONTACT_CODES

if TYPE_CHECKING:
    from callblock.domain.template_figures import TemplateCounts

_CONTACTS = ", ".join(f"'{code}'" for code in CONTACT_CODES)


class TemplateReportQueries:
    conn: Connection

    def template_counts(
        self, start: str | None = None, end: str | None = None, rep: str | None = None
    ) -> list[TemplateCounts]:
        """Live touches with a template in [start, end) (open ends: no bound), of `rep` or
        everyone, counted per template, variant and segment. The channel is the template's as
        stored, else (a deleted template) that of the touches that sent it."""
        # Imported here, not with the store: only the report reads them (start-up, issue 14).
        from callblock.domain.template_figures import NOT_SENT, TemplateCounts

        not_sent = ", ".join(f"'{code}'" for code in NOT_SENT)
        where, params = ["t.template IS NOT NULL", "t.undone = 0"], []
        for clause, value in (("t.at >= ?", start), ("t.at < ?", end), ("t.rep = ?", rep)):
            if value is not None:
                where.append(clause)
                params.append(value)
        # count(*) FILTER, not sum(<comparison>): PostgreSQL's comparisons are booleans; the
        # template's channel is one value per group (max() says so to PostgreSQL).
        rows = self.conn.execute(
            "SELECT t.template, coalesce(t.variant, ''), "
            "coalesce(max(p.channel), max(CASE WHEN t.outcome NOT IN "
            f"({not_sent}) THEN t.channel END), max(t.channel)), l.temperature, "
            f"count(*) FILTER (WHERE t.outcome NOT IN ({not_sent})), "
            "count(*) FILTER (WHERE t.outcome = 'replied'), "
            f"count(*) FILTER (WHERE t.outcome IN ({_CONTACTS})), "
            "count(*) FILTER (WHERE t.outcome = 'meeting') "
            "FROM touches t JOIN leads l ON l.id = t.lead_id "
            "LEFT JOIN templates p ON p.name = t.template "
            f"WHERE {' AND '.join(where)} "
            "GROUP BY t.template, coalesce(t.variant, ''), l.temperature "
            "ORDER BY t.template, coalesce(t.variant, ''), l.temperature",
            params,
        )
        return [TemplateCounts(*row) for row in rows]
