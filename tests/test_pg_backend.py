"""The PostgreSQL backend itself (issue 13): opening a server database, its schema checks,
`team init` and `migrate-db` on a server, faults as one line without the password, and a
dropped connection opened again."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from callblock.cli import main
from callblock.store import Store, StoreError, StoreFault
from callblock.store.location import ServerUrl, parse_location
from callblock.store.migrations import SCHEMA_VERSION
from callblock.store.pg import ServerUnreachable, placeholders
from tests.pg_server import PASSWORD, PgServer, free_port

NOW = "2026-11-23T19:00:00Z"


# pure -------------------------------------------------------------------------------------------
def test_placeholders_are_turned_outside_quotes_only() -> None:
    assert placeholders("SELECT ? FROM t WHERE a = ?") == "SELECT %s FROM t WHERE a = %s"
    assert placeholders("SELECT '?', \"a?\" WHERE x LIKE 'a%' AND y = ?") == (
        "SELECT '?', \"a?\" WHERE x LIKE 'a%' AND y = %s"
    )
    assert placeholders("SELECT 5 % 2, ?") == "SELECT 5 %% 2, %s"
    assert placeholders("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


def test_a_url_is_shown_without_its_user_or_password() -> None:
    url = ServerUrl.parse(f"postgresql://floor:{PASSWORD}@db.example.com:6543/sales")
    assert str(url) == "postgresql://db.example.com:6543/sales"
    assert url.address == "db.example.com:6543"
    assert url.without_password() == "postgresql://floor@db.example.com:6543/sales"
    assert ServerUrl.parse("postgres://h/x").address == "h:5432"
    assert parse_location("~/team.db") == Path("~/team.db").expanduser()
    assert isinstance(parse_location("postgresql://h/x"), ServerUrl)


# a server that is not there -----------------------------------------------------------------
def test_a_server_that_refuses_is_one_line_naming_host_and_port() -> None:
    port = free_port()
    with pytest.raises(ServerUnreachable) as raised:
        Store.open(f"postgresql://floor:{PASSWORD}@127.0.0.1:{port}/sales")
    assert str(raised.value) == (
        f"cannot reach the database at 127.0.0.1:{port}: connection refused"
    )


def test_the_command_line_says_so_in_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql://floor:{PASSWORD}@127.0.0.1:{port}/sales"
    done = subprocess.run(
        [sys.executable, "-m", "callblock", "--db", url, "--now", NOW, "queue", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"callblock: error: cannot reach the database at 127.0.0.1:{port}: connection refused\n"
    )
    assert PASSWORD not in done.stderr and "Traceback" not in done.stderr


def test_a_bad_url_is_refused_without_repeating_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--db", f"postgresql://floor:{PASSWORD}@db:notaport/x", "queue"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "--db" in err and PASSWORD not in err


# on the test server ---------------------------------------------------------------------------
def test_a_wrong_password_is_refused_and_never_printed(pg_server: PgServer) -> None:
    url = pg_server.url().replace(PASSWORD, "not-the-password")
    with pytest.raises(StoreFault) as raised:
        Store.open(url)
    message = str(raised.value)
    assert message.startswith(f"the database at 127.0.0.1:{pg_server.port} refused the login")
    assert "not-the-password" not in message and PASSWORD not in message


def test_a_missing_database_is_named(pg_server: PgServer) -> None:
    with pytest.raises(StoreFault, match="has no database 'nowhere'"):
        Store.open(pg_server.url("nowhere"))


def test_a_new_server_database_is_migrated_with_text_in_code_point_order(
    pg_server: PgServer,
) -> None:
    url = pg_server.new_database()
    store = Store.open(url)
    try:
        version = store.conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        assert version == SCHEMA_VERSION
        collations = {
            row[0]
            for row in store.conn.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type = 'text'"
            )
        }
        assert collations == {"C"}
        names = ["b", "B", "á", "a", "Z", "_x", "a b"]
        rows = store.conn.execute(
            "SELECT n FROM (VALUES " + ", ".join("(?)" for _ in names) + ") v(n) "
            'ORDER BY n COLLATE "C"',
            names,
        ).fetchall()
        in_sqlite = sqlite3.connect(":memory:").execute(
            "SELECT n FROM (SELECT ? AS n" + " UNION ALL SELECT ?" * (len(names) - 1) + ") "
            "ORDER BY n",
            names,
        )
        assert [row[0] for row in rows] == [row[0] for row in in_sqlite]
    finally:
        store.close()
    Store.open(url).close()  # again: nothing to do


def test_a_newer_schema_on_the_server_is_refused_untouched(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    store = Store.open(url)
    store.conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    store.close()
    with pytest.raises(StoreError, match="newer than this callblock knows"):
        Store.open(url)
    import psycopg  # the refusal wrote nothing: read it raw

    with psycopg.connect(url) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version")]
    assert versions == [*range(1, SCHEMA_VERSION + 1), SCHEMA_VERSION + 1]


def test_another_programs_database_on_the_server_is_refused(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id integer)")
    with pytest.raises(StoreError, match="not callblock's"):
        Store.open(url)


# team init and migrate-db ---------------------------------------------------------------------
def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--rep", "alice", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_team_init_sets_a_team_up_on_an_empty_server_database(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.new_database()
    code, out, err = cli(
        capsys, "--db", url, "team", "init", "--timezone", "America/Chicago", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["db"] == str(ServerUrl.parse(url)) and PASSWORD not in out
    assert data["timezone"] == "America/Chicago"
    code, out, err = cli(capsys, "--db", url, "team", "settings", "--json")
    assert code == 0, err
    assert json.loads(out)["timezone"] == "America/Chicago"
    code, _, err = cli(capsys, "--db", url, "team", "init", "--timezone", "America/Chicago")
    assert code == 1 and "is not empty" in err and "left it untouched" in err
    assert PASSWORD not in err
    code, _, err = cli(
        capsys,
        "--db",
        pg_server.new_database(),
        "team",
        "init",
        "--timezone",
        "UTC",
        "--group",
        "staff",
    )
    assert code == 1 and "--group is for a database file" in err


def _sqlite_team(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    db = tmp_path / "team.db"
    code, _, err = cli(capsys, "--db", str(db), "demo", "--leads", "300")
    assert code == 0, err
    return db


def test_migrate_db_copies_every_row_and_the_counts_match(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = _sqlite_team(capsys, tmp_path)
    before = db.read_bytes()
    url = pg_server.new_database()
    code, out, err = cli(capsys, "migrate-db", "--from", str(db), "--to", url, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["matched"] is True and data["to"] == str(ServerUrl.parse(url))
    assert PASSWORD not in out + err
    counts = {row["table"]: row for row in data["tables"]}
    assert counts["leads"]["source_rows"] == counts["leads"]["target_rows"] == 300
    assert counts["touches"]["source_rows"] > 0
    assert all(row["source_rows"] == row["target_rows"] for row in data["tables"])
    with sqlite3.connect(db) as conn:
        for table, row in counts.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == row["source_rows"]
    assert db.read_bytes() == before  # the file is only read
    # the server database works: a lead added there gets the next id
    code, out, err = cli(
        capsys,
        "--db",
        url,
        "add",
        "--json",
        "--name",
        "Ann Lee",
        "--company",
        "Acme",
        "--phone",
        "(212) 555-0143",
    )
    assert code == 0, err
    assert json.loads(out)["lead_id"] == 301
    # the same queue on both
    queues = []
    for where in (str(db), url):
        code, out, err = cli(capsys, "--db", where, "queue", "--json", "--limit", "40")
        assert code == 0, err
        queues.append(json.loads(out))
    on_server = [item["lead_id"] for item in queues[1] if item["lead_id"] != 301]
    assert len(on_server) >= 39  # the new lead took one place of the 40
    assert [item["lead_id"] for item in queues[0]][: len(on_server)] == on_server


def test_migrate_db_refuses_a_non_empty_target(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = _sqlite_team(capsys, tmp_path)
    url = pg_server.new_database()
    Store.open(url).close()
    code, out, err = cli(capsys, "migrate-db", "--from", str(db), "--to", url)
    assert code == 1 and out == ""
    assert "is not empty" in err and "left it untouched" in err


def test_a_copy_that_fails_part_way_leaves_the_server_database_empty(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = _sqlite_team(capsys, tmp_path)
    with sqlite3.connect(db) as conn:  # a NUL byte: SQLite keeps it, PostgreSQL's text cannot
        last = conn.execute("SELECT max(id) FROM touches").fetchone()[0]
        conn.execute("UPDATE touches SET note = 'a' || char(0) || 'b' WHERE id = ?", (last,))
    url = pg_server.new_database()
    code, _, err = cli(capsys, "migrate-db", "--from", str(db), "--to", url)
    assert code == 1 and err.count("\n") == 1 and PASSWORD not in err
    import psycopg

    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()[0]
    assert tables == 0


def test_migrate_db_wants_a_server_url(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["migrate-db", "--from", str(tmp_path / "a.db"), "--to", str(tmp_path / "b.db")])
    assert "must be a postgresql:// URL" in capsys.readouterr().err


# a dropped connection ------------------------------------------------------------------------
def _drop_connections(pg_server: PgServer, url: str) -> None:
    database = ServerUrl.parse(url).database
    pg_server.admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid != pg_backend_pid()"
    )


def test_a_dropped_connection_is_opened_again_for_the_next_statement(
    pg_server: PgServer,
) -> None:
    url = pg_server.new_database()
    store = Store.open(url)
    try:
        _drop_connections(pg_server, url)
        assert store.admin.count("leads") == 0  # reconnected, not failed
        _drop_connections(pg_server, url)
        with pytest.raises(ServerUnreachable), store.transaction():
            store.admin.set_meta("x", "1")  # BEGIN reconnects; this statement is fine…
            _drop_connections(pg_server, url)
            store.admin.set_meta("y", "2")  # …but the transaction is lost with the link
        with store.transaction():  # the retry (the busy screen's) goes through
            store.admin.set_meta("x", "1")
            store.admin.set_meta("y", "2")
        assert (store.admin.meta("x"), store.admin.meta("y")) == ("1", "2")
    finally:
        store.close()


async def test_an_outcome_pressed_while_the_server_is_unreachable_is_recorded_when_it_returns(
    pg_server: PgServer, clock, settings
) -> None:
    import psycopg

    from callblock.app import create_app
    from callblock.screens.busy import BusyScreen
    from callblock.screens.power_hour import PowerHourScreen
    from callblock.services.leads import add_lead
    from tests.conftest import ZONE
    from tests.pg_server import TEMPLATE, LinkProxy
    from tests.power_hour_helpers import SIZE, shown, status_line
    from tests.screen_text import screen_text
    from tests.test_app_faults import wait_for

    url = pg_server.new_database(template=TEMPLATE)
    proxy = LinkProxy(pg_server.port)
    store = Store.open(proxy.url(ServerUrl.parse(url).database))
    try:
        first, second = (
            add_lead(
                store,
                clock,
                name=name,
                company="Acme",
                phone=f"+1 212 555 01{n}",
                tz=ZONE,
                settings=settings,
            )
            for n, name in ((10, "Ann First"), (11, "Bob Second"))
        )
        app = create_app(settings=settings, store=store, clock=clock, rep="alice")
        async with app.run_test(size=SIZE) as pilot:
            assert shown(app) == first
            proxy.cut()
            app.screen._rebuild_ahead(first)  # the list behind the lead, due 50 ms after it
            await pilot.pause(1.6)  # idle: the next tick finds the server gone and says so
            assert app.is_running and app.fault is None
            assert f"reconnecting: cannot reach the database at 127.0.0.1:{proxy.port}" in (
                status_line(app)
            )
            proxy.restore()
            await pilot.pause(1.2)  # the next tick: it answers again, and says so
            assert "the database answers again" in status_line(app)
            proxy.cut()
            await pilot.press("n")
            assert isinstance(app.screen, BusyScreen)
            text = screen_text(app)
            assert "The database cannot be reached" in text
            assert f"cannot reach the database at 127.0.0.1:{proxy.port}: connection" in text
            assert "refused; reconnecting…" in text  # the message wraps in the box
            assert PASSWORD not in text
            await pilot.pause(1.2)  # a few retries against the dead link
            assert isinstance(app.screen, BusyScreen)
            proxy.restore()
            await wait_for(pilot, lambda: isinstance(app.screen, PowerHourScreen), 10)
            assert shown(app) == second
    finally:
        store.close()
        proxy.cut()
    with psycopg.connect(url) as conn:
        outcomes = conn.execute("SELECT outcome FROM touches WHERE lead_id = %s", (first,))
        assert [row[0] for row in outcomes] == ["no-answer"]


def test_doctor_on_a_server_reads_only_and_says_what_it_checked(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.new_database()
    Store.open(url).close()
    code, out, err = cli(capsys, "--db", url, "doctor")
    assert code == 0, err
    assert (
        out.splitlines()[0] == f"{ServerUrl.parse(url)}: reachable, schema version {SCHEMA_VERSION}"
    )
    assert "pg_amcheck" in out and PASSWORD not in out
    code, out, err = cli(capsys, "--db", pg_server.url("nowhere"), "doctor", "--json")
    assert code == 1 and out == "" and "has no database 'nowhere'" in err


class _LosesTheCommitsAnswer:
    """A psycopg connection whose COMMIT reaches the server, which commits, but whose answer
    the link loses (the connection is then closed, as psycopg leaves a broken one)."""

    def __init__(self, raw) -> None:
        self._raw = raw

    def __getattr__(self, name: str):
        return getattr(self._raw, name)

    def execute(self, sql, *args, **kwargs):
        import psycopg

        if sql == "COMMIT":
            self._raw.execute("COMMIT")
            self._raw.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return self._raw.execute(sql, *args, **kwargs)


def _audit_rows(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM audit").fetchone()[0])


def test_a_commit_whose_answer_was_lost_is_found_committed_and_not_retried(
    pg_server: PgServer,
) -> None:
    store = Store.open(pg_server.new_database())
    try:
        store.conn.raw = _LosesTheCommitsAnswer(store.conn.raw)
        with store.transaction():  # no error: the server is asked and it did commit
            store.touches.add_audit(NOW, "alice", "test", None, {})
        assert _audit_rows(store) == 1
    finally:
        store.close()


def test_a_retry_after_a_lost_commit_answer_is_refused_when_it_had_committed(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from callblock.store import pg
    from callblock.store.pg import SavedBeforeTheLinkDropped

    store = Store.open(pg_server.new_database())
    try:
        store.conn.raw = _LosesTheCommitsAnswer(store.conn.raw)
        real_open = pg._open_raw
        down = ServerUnreachable("cannot reach the database at 127.0.0.1:1: connection refused")

        def still_down(*args, **kwargs):
            raise down

        monkeypatch.setattr(pg, "_open_raw", still_down)

        def write() -> None:
            with store.transaction():
                store.touches.add_audit(NOW, "alice", "test", None, {})

        with pytest.raises(ServerUnreachable):
            write()  # committed on the server, but nobody can tell yet
        with pytest.raises(ServerUnreachable):
            write()  # the busy screen's retry: still away, nothing written
        monkeypatch.setattr(pg, "_open_raw", real_open)
        with pytest.raises(SavedBeforeTheLinkDropped, match="not recorded twice"):
            write()  # back: the first one had committed, so this one is not written
        assert _audit_rows(store) == 1
        write()  # and the next write is an ordinary one
        assert _audit_rows(store) == 2
    finally:
        store.close()
