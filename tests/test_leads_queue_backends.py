"""The leads and queue aggregates on both backends (issue 13): bulk writes, ids, chunked
reads, the plan's tallies, and the queue's order, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from callblock.cli import main
from callblock.clock import FixedClock, iso
from callblock.config import Settings
from callblock.services import ServiceError, dialing, queue
from callblock.services.leads import add_lead
from callblock.services.planning import CONTACT_CODES, DIAL_CODES
from callblock.store import Store
from tests.conftest import NOW, ZONE, LeadMaker
from tests.pg_server import PgServer

RECORD = {
    "name": "Ann Lee",
    "company": "Initech",
    "phone": "+14155550100",
    "phone_display": "",
    "phone_timezone": "America/Los_Angeles",
    "region": "US",
    "zone_spread": 0,
    "timezone": ZONE,
    "temperature": "warm",
    "status": "new",
    "created_at": iso(NOW),
    "next_due_at": iso(NOW),
    "fit": {"size": 2},
    "links": [],
    "other_phones": [],
    "other_emails": [],
    "extra": {},
}


def record(n: int) -> dict[str, Any]:
    return RECORD | {"name": f"Lead {n:06d}", "phone": f"+1415{n:07d}"}


def names_by_id(store: Store) -> dict[int, str]:
    return {row[0]: row[1] for row in store.conn.execute("SELECT id, name FROM leads ORDER BY id")}


def test_rep_dials_counts_the_contacts(
    store: Store, clock: FixedClock, settings: Settings, make_lead: LeadMaker
) -> None:
    """The plan's done dials and contacts (a comparison summed was a boolean on the server)."""
    for code in ("no-answer", "connected", "voicemail", "connected"):
        lead_id = make_lead()
        dialing.record_outcome(
            store, clock, rep="alice", lead_id=lead_id, code=code, settings=settings
        )
    start, end = iso(NOW - timedelta(hours=1)), iso(NOW + timedelta(hours=1))
    assert store.queue.rep_dials("alice", start, end, CONTACT_CODES, DIAL_CODES) == (4, 2)
    assert store.queue.rep_dials("bob", start, end, CONTACT_CODES, DIAL_CODES) == (0, 0)


def test_lead_places_come_in_key_order(store: Store, make_lead: LeadMaker) -> None:
    for zone in ("Europe/London", "America/Chicago", "", "America/Chicago", "Asia/Tokyo"):
        make_lead(tz=zone or None)
    places = store.queue.lead_places()
    assert places == sorted(places) and len(places) == len(set(places)) >= 4


def test_leads_by_ids_reads_past_the_bound_values_limit(store: Store, make_lead: LeadMaker) -> None:
    """A review asks for every arrival of a period: more ids than either backend binds."""
    first, second = make_lead(), make_lead()
    found = store.leads.leads_by_ids([*range(70_000, 0, -1), second])
    assert sorted(lead.id for lead in found) == [first, second]


def test_rows_with_their_own_ids_then_a_new_lead_takes_the_next_id(
    store: Store, clock: FixedClock, settings: Settings
) -> None:
    """insert_many writes the demo's own ids; the next lead added takes the id after them
    (the server's identity sequence is moved past them, as SQLite's rowid moves)."""
    with store.transaction():
        store.leads.insert_many("leads", (record(n) | {"id": n} for n in range(1, 31)))
    added = add_lead(
        store, clock, name="Next", company="", phone="+1 212 555 0199", settings=settings
    )
    assert added == 31
    with store.transaction():
        (imported,) = store.leads.insert_leads([record(99)])
    assert imported == 32
    assert names_by_id(store)[30] == "Lead 000030"


def test_insert_many_writes_what_sqlite_utils_writes(store: Store) -> None:
    """Records naming different columns (NULL where one is left out), JSON for lists and
    flags as 0/1."""
    with store.transaction():
        store.leads.insert_many("leads", [RECORD, RECORD | {"title": "CTO", "links": ["x"]}])
        lead_id = store.conn.execute("SELECT max(id) FROM leads").fetchone()[0]
        touches = [
            {"lead_id": lead_id, "rep": "alice", "at": iso(NOW), "channel": "call", "undone": 0},
            {"lead_id": lead_id, "rep": "bob", "at": iso(NOW), "channel": "email", "undone": True},
        ]
        store.leads.insert_many(
            "touches", ({**t, "outcome": "no-answer", "note": None} for t in touches)
        )
    rows = store.conn.execute("SELECT rep, channel, undone, note FROM touches ORDER BY id")
    assert [tuple(row) for row in rows] == [("alice", "call", 0, None), ("bob", "email", 1, None)]
    lead = store.leads.get_lead(lead_id)
    assert lead is not None and lead.title == "CTO" and lead.links == ("x",)


def test_imported_ids_follow_the_records_while_another_writer_adds_leads(
    store: Store, db_path: Path, clock: FixedClock, settings: Settings
) -> None:
    """insert_leads returns each record's id in order, in batches, and counts no lead another
    connection adds meanwhile (a server has other writers during an import)."""
    count = 12_000  # more than one batch
    other = Store.open(db_path)
    try:
        if store.dialect == "postgresql":
            with store.transaction():
                ids = store.leads.insert_leads(record(n) for n in range(count // 2))
                # another rep adds a lead while the import's transaction is open: no wait
                theirs = add_lead(other, clock, name="Theirs", company="", phone="+1 212 555 0100",
                                  settings=settings)  # fmt: skip
                ids += store.leads.insert_leads(record(n) for n in range(count // 2, count))
        else:  # one writer at a time: the other adds its lead before
            theirs = add_lead(other, clock, name="Theirs", company="", phone="+1 212 555 0100",
                              settings=settings)  # fmt: skip
            with store.transaction():
                ids = store.leads.insert_leads(record(n) for n in range(count))
    finally:
        other.close()
    assert len(set(ids)) == count and theirs not in ids and ids == sorted(ids)
    stored = names_by_id(store)
    assert [stored[lead_id] for lead_id in ids] == [f"Lead {n:06d}" for n in range(count)]
    assert stored[theirs] == "Theirs" and len(stored) == count + 1


def test_an_import_of_100000_leads_is_all_or_nothing(store: Store) -> None:
    """The import's write stays one transaction on both backends: a failure after the last of
    100,000 rows leaves no lead; the same rows then go in whole."""
    total = 100_000

    def failing() -> Iterator[dict[str, Any]]:
        yield from (record(n) for n in range(total))
        raise KeyboardInterrupt  # Ctrl+C after the last row was handed over

    with pytest.raises(KeyboardInterrupt), store.bulk_writes(), store.transaction():
        store.leads.insert_leads(failing())
    assert store.admin.count("leads") == 0
    started = time.perf_counter()
    with store.bulk_writes(), store.transaction():
        ids = store.leads.insert_leads(record(n) for n in range(total))
    seconds = time.perf_counter() - started
    assert len(ids) == total and store.admin.count("leads") == total
    assert seconds < 60, f"100,000 leads took {seconds:.1f} s on {store.dialect}"


# The queue's order on both backends -------------------------------------------------------


def _build_floor(store: Store, clock: FixedClock, settings: Settings) -> None:
    """One data set, built the same way on each backend: leads of every temperature, status,
    zone and region, old and fresh, owned and not, tied on every ranked value but their id;
    dials by two reps with every kind of outcome, callbacks and meetings due at various times."""
    rng = random.Random(13)
    zones = [ZONE, "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]
    for n in range(240):
        clock.set(
            NOW - timedelta(days=rng.choice([0, 0, 1, 3, 8, 20]), minutes=rng.randint(0, 900))
        )
        add_lead(
            store, clock, name=f"Lead {n % 40}", company=f"Co {n % 7}",
            phone=f"+1 {rng.choice(['212', '312', '415', '305', '605'])} 555 {n:04d}",
            tz=rng.choice([*zones, None, None]), region=rng.choice(["", "", "", "FL", "TX"]),
            temperature=rng.choice(["hot", "warm", "warm", "cold"]),
            owner=rng.choice([None, None, None, "alice", "bob"]), settings=settings,
        )  # fmt: skip
    codes = ["no-answer", "voicemail", "busy", "connected", "gatekeeper", "callback", "meeting"]
    for step in range(160):
        clock.set(NOW - timedelta(hours=rng.randint(1, 24 * 10)))
        lead_id = rng.randint(1, 240)
        code = rng.choice(codes)
        when = clock.now() + timedelta(hours=rng.choice([1, 3, 20, 50]))
        with suppress(ServiceError):  # a closed lead, as in life: refused the same way on both
            dialing.record_outcome(
                store, clock, rep=("alice", "bob")[step % 2], lead_id=lead_id, code=code,
                when=when if code in ("callback", "meeting") else None, settings=settings,
            )  # fmt: skip
    clock.set(NOW)


def _queue_rows(
    store: Store, settings: Settings, rep: str, when: Any, limit: int = 60
) -> list[dict[str, Any]]:
    """`callblock queue --json`'s rows, and each item whole."""
    items = queue.next_leads_for_rep(store, settings, rep=rep, now=when, limit=limit)
    return [
        {
            "lead_id": item.lead.id,
            "name": item.lead.name,
            "company": item.lead.company,
            "phone": item.lead.phone,
            "timezone": item.lead.zone(settings.timezone),
            "local_time": item.local_time.isoformat(timespec="seconds"),
            "score": item.score,
            "tier": item.tier,
            "reasons": list(item.reasons),
            "item": item,
        }
        for item in items
    ]


def test_the_queue_is_the_same_on_both_backends(
    tmp_path: Path, pg_server: PgServer, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """One data set built on each backend: every queue item the same, field by field, and
    `callblock queue --json` (given the server's URL as --db) the same byte for byte."""
    places = {"sqlite": str(tmp_path / "floor.db"), "postgresql": pg_server.new_database()}
    stores = {name: Store.open(place, create=True) for name, place in places.items()}
    try:
        queues: dict[str, list[list[dict[str, Any]]]] = {}
        for name, store in stores.items():
            clock = FixedClock(NOW)
            _build_floor(store, clock, settings)
            queues[name] = [  # short lists read most zones' groups once, long ones again
                _queue_rows(store, settings, rep, NOW + timedelta(hours=hours), limit)
                for rep in ("alice", "bob", "carol")
                for hours in (0, 2, 13, 26, 24 * 9)
                for limit in (3, 60)
            ]
        sqlite, server = queues["sqlite"], queues["postgresql"]
        assert sum(len(rows) for rows in sqlite) > 200
        assert any(len({r["tier"] for r in rows}) >= 3 for rows in sqlite)
        for mine, theirs in zip(sqlite, server, strict=True):
            assert [r["lead_id"] for r in mine] == [r["lead_id"] for r in theirs]
            for one, other in zip(mine, theirs, strict=True):
                for field in one:
                    assert one[field] == other[field], (one["lead_id"], field)
    finally:
        for store in stores.values():
            store.close()
    printed: dict[str, list[str]] = {}
    for name, place in places.items():
        printed[name] = []
        for rep in ("alice", "bob"):
            for hours in (0, 26):
                when = iso(NOW + timedelta(hours=hours))
                argv = ["--db", place, "--rep", rep, "--now", when, "queue", "--json"]
                assert main([*argv, "--limit", "60"]) == 0
                printed[name].append(capsys.readouterr().out)
    assert printed["sqlite"] == printed["postgresql"]
    assert all(len(json.loads(out)) > 10 for out in printed["sqlite"])


def test_a_servers_database_has_no_files_to_protect(store: Store) -> None:
    """An import's --skip-invalid keeps its rejects off the database's files: a server's
    database has none here (its path is the URL's printable parts, not a file)."""
    from callblock.services.files import database_files

    files = database_files(store.path)
    if store.dialect == "postgresql":
        assert files == []
    else:
        assert files[0] == store.path and len(files) >= 4


def test_a_search_with_no_hits_lists_no_leads(store: Store, make_lead: LeadMaker) -> None:
    """No ids is no leads (SQLite took `IN ()`; PostgreSQL does not)."""
    make_lead()
    assert store.leads.list_leads(30, []) == []
    assert store.leads.leads_by_ids([]) == [] and store.queue.slim_leads([]) == []
