"""The store's shape (issue 13): a facade owning the connection and its transactions, one
object per aggregate, and one way a lead record becomes a row."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from callblock.store import Store
from callblock.store.aggregate import Aggregate

# The contract other work builds on: each aggregate's public methods, exactly.
AGGREGATES = {
    "leads": "insert_lead insert_many get_lead leads_by_ids set_lead_state refresh_lead_counters "
    "set_notes search_entries insert_leads update_lead_fields lead_extra merged_into list_leads "
    "move_lead_records mark_merged",
    "queue": "reading lead_places inbound_candidates due_groups due_candidates due_promises "
    "slim_leads calls_since "
    "schedule_rows set_due_times set_schedules planned_promises planned_follow_ups rep_dials "
    "dial_tallies waiting_counts due_task_leads set_task_due last_sent_touch",
    "touches": "insert_touch get_touch touch_lead_before touches_for_lead last_live_touch "
    "mark_touch_undone set_touch_note session_outcomes insert_callback close_promises "
    "replace_promises revert_promises_of_touch open_promises add_audit dnc_lifts audit_entries",
    "sessions": "insert_session end_session get_session open_sessions live_sessions "
    "session_owner adopt_session heartbeat save_session_state lock_lead first_free claim release "
    "lease_holder "
    "lease_holders",
    "reports": "touches_between live_calls_between lead_baselines promises_due_between "
    "callbacks_before_reschedules rep_has_record team_roster open_promises_due_before "
    "sessions_overlapping log_entries log_choices arrivals_between warm_untouched_leads "
    "stopped_leads calls_outside_window all_touches_for_lead iter_touches iter_leads "
    "template_counts slot_counts slot_counts_from_touches dial_counts_by_rep "
    "dial_counts_from_touches dials_by_rep_per_range dials_by_rep_between period_dials "
    "first_calls reschedule_candidates",
    "admin": "get_rep rep_spelled_like current_reps has_reps save_rep key_owner add_rep_key "
    "rep_keys release_owned_leads remove_rep team_settings is_team_database "
    "write_team_settings meta set_meta count damage refuse_if_damaged",
    "templates": "templates template save_templates delete_template step_templates lead_variant",
}
FACADE = {
    *("open", "close", "transaction", "patience", "writable_now", "bulk_writes"),
    *("checkpoint_in_background", "stop_checkpoints"),  # a session's WAL (store/checkpoints.py)
}


def _public_methods(cls: type) -> set[str]:
    return {
        name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")
    }


def test_the_store_is_a_facade_with_one_object_per_aggregate(store: Store) -> None:
    assert _public_methods(Store) | {"open"} == FACADE
    shared = _public_methods(Aggregate)  # transaction(), the facade's
    seen: dict[str, str] = {}
    for name, methods in AGGREGATES.items():
        aggregate = getattr(store, name)
        assert isinstance(aggregate, Aggregate)
        assert aggregate.store is store and aggregate.conn is store.conn
        assert _public_methods(type(aggregate)) - shared == set(methods.split()), name
        for method in methods.split():
            assert method not in seen, f"{method} in {seen.get(method)} and {name}"
            seen[method] = name
    assert not hasattr(store, "get_lead") and not hasattr(store, "insert_touch")


def test_writes_through_several_aggregates_are_one_transaction(
    store: Store, make_lead: Any
) -> None:
    lead_id = make_lead(name="Ada Lovelace")
    with pytest.raises(RuntimeError), store.transaction():
        store.leads.set_notes(lead_id, "called")  # its own transaction joins the facade's
        store.admin.set_meta("split", "yes")
        raise RuntimeError("undone together")
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.notes == ""
    assert store.admin.meta("split") is None


# A record as the importer makes it (the name parts left out: never NULL, stored empty).
RECORD = {
    "name": "Grace Hopper",
    "title": "Rear Admiral",
    "company": "Navy",
    "phone": "+14165550100",
    "phone_display": "+1 416-555-0100",
    "phone_timezone": "America/Toronto",
    "region": "CA-ON",
    "zone_spread": 0,
    "email": "grace@example.com",
    "timezone": None,
    "record_region": None,
    "owner": None,
    "notes": "",
    "next_due_at": "2026-11-20T14:00:00+00:00",
    "other_emails": [],
    "links": ("https://example.com/gh",),
    "fit": {"title": 2},
    "status": "new",
    "temperature": "warm",
    "created_at": "2026-11-20T14:00:00+00:00",
    "extra": {"CRM id": "42"},
    "other_phones": ["+14165550101"],
}


def _stored(store: Store, lead_id: int) -> dict[str, Any]:
    row = store.conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,)).fetchone()
    return {key: value for key, value in dict(row).items() if key != "id"}


def test_an_add_an_import_and_a_bulk_insert_store_a_record_alike(store: Store) -> None:
    """One lead encoder: the same record is the same row whichever way it is written."""
    added = store.leads.insert_lead(RECORD)
    with store.transaction():
        (imported,) = store.leads.insert_leads([RECORD])
        store.leads.insert_many("leads", [RECORD])
    bulk = store.conn.execute("SELECT max(id) FROM leads").fetchone()[0]
    assert bulk not in (added, imported)
    first = _stored(store, added)
    assert first["links"] == '["https://example.com/gh"]' and first["fit_score"] > 0
    assert first["extra"] == '{"CRM id": "42"}'
    assert _stored(store, imported) == first
    assert _stored(store, bulk) == first


def test_an_edit_stores_its_values_as_an_add_does(store: Store) -> None:
    lead_id = store.leads.insert_lead({**RECORD, "fit": {}, "links": ()})
    with store.transaction():
        store.leads.update_lead_fields(lead_id, {"fit": RECORD["fit"], "links": RECORD["links"]})
    assert _stored(store, lead_id) == _stored(store, store.leads.insert_lead(RECORD))
