"""The aggregates made only of existing query mixins (each mixin module keeps its SQL); the
leads, touches and admin aggregates have modules of their own (leads.py, touches.py,
admin.py)."""

from __future__ import annotations

from callblock.store.aggregate import Aggregate
from callblock.store.call_numbers import CallNumberQueries
from callblock.store.dial_slots import SlotQueries
from callblock.store.queue import QueueQueries
from callblock.store.reports import ReportQueries
from callblock.store.schedule import ScheduleQueries
from callblock.store.sessions import SessionQueries
from callblock.store.tasks import TaskQueries
from callblock.store.template_reports import TemplateReportQueries
from callblock.store.templates import TemplateQueries


class QueueStore(Aggregate, QueueQueries, ScheduleQueries, TaskQueries):
    """The queue's candidates, the cadence's due times and plans, and the tasks due."""


class SessionStore(Aggregate, SessionQueries):
    """Power-hour sessions and the leases on the leads they show."""


class ReportStore(Aggregate, ReportQueries, TemplateReportQueries, SlotQueries, CallNumberQueries):
    """The review's reads: reports, logs, exports and the aggregates the triggers keep."""


class TemplateStore(Aggregate, TemplateQueries):
    """The team's templates and the variant each lead got for a step."""
