"""Command line on a database that is not ready (one German line, exit 2) and `db backup` / `db restore`
with a restore drill: a backup taken while writers insert is restored and is complete and consistent."""
import sqlite3
import stat
import threading
import time

import pytest
from playhouse.migrations import Runner

from absolvent import create_app
from absolvent.backup import copy_online
from absolvent.db import MIGRATIONS_DIR, database, make_database, migrate, migration_names
from absolvent.models import AuditLog, Team, User
from tests.helpers import tiny_docx

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
UNREACHABLE = "postgresql://x@127.0.0.1:1/none"
PASSWORD_INPUT = "Sicheres-Passwort-1\nSicheres-Passwort-1\n"


@pytest.fixture(autouse=True)
def _keep_database_proxy():
    """These tests point the global proxy at their own databases; put the previous one back."""
    previous = database.obj
    yield
    if database.obj is not None and not database.is_closed():
        database.close()
    database.initialize(previous)


def make_app(url):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True, "ARGON2_PARAMS": FAST_ARGON2})


def invoke(app, args, input=None):
    return app.test_cli_runner().invoke(args=[str(a) for a in args], input=input)


def assert_one_german_line(result, *fragments):
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Fehler: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def migrated_file(path):
    """A SQLite database set up by make_database + migrate (every migration applied)."""
    db = make_database(f"sqlite:///{path}", pooled=False)
    migrate(db)
    db.close()
    return path


def sql(path, statement, *params):
    conn = sqlite3.connect(path)
    try:
        with conn:
            return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def data_commands(tmp_path):
    """Every command that uses the data (with valid arguments, so only the database can be wrong)."""
    template = tmp_path / "vorlage.docx"
    template.write_bytes(tiny_docx("Für {{ customer.last_name }}"))
    return [
        (["users", "create", "--username", "chefin", "--name", "Clara Chef", "--roles", "Admin"], PASSWORD_INPUT),
        (["demo", "load"], None),
        (["demo", "load", "--if-empty"], None),
        (["documents", "sample", "eingliederungsvereinbarung", "--format", "docx", "--output", tmp_path / "x.docx"],
         None),
        (["documents", "sample", "fachaufsicht-liste", "--format", "pdf", "--output", tmp_path / "x.pdf"], None),
        (["documents", "install-template", "eingliederungsvereinbarung", template], None),
        (["controlling", "report", "--month", "2026-05"], None),
        (["controlling", "report", "--month", "2026-05", "--format", "xlsx", "--output", tmp_path / "r.xlsx"], None),
        (["db", "optimize"], None),
    ]


# ------------------------------------------------------------------ finding 11: database not ready


def test_missing_sqlite_file_every_command_says_db_upgrade(tmp_path):
    path = tmp_path / "fehlt.sqlite3"
    app = make_app(f"sqlite:///{path}")
    for args, input in data_commands(tmp_path) + [(["db", "backup", tmp_path / "s.sqlite3"], None)]:
        assert_one_german_line(invoke(app, args, input), "noch nicht eingerichtet", "„flask --app app db upgrade“")
    assert not path.exists(), "no empty database file is left behind"
    assert not list(tmp_path.glob("x.*")) and not (tmp_path / "r.xlsx").exists()
    assert not (tmp_path / "s.sqlite3").exists()


@pytest.mark.parametrize("content", [b"", None], ids=["leere-datei", "sqlite-ohne-tabellen"])
def test_empty_sqlite_file_every_command_says_db_upgrade(tmp_path, content):
    path = tmp_path / "leer.sqlite3"
    if content is None:
        sql(path, "PRAGMA user_version = 1")  # a SQLite database, but no migrations
    else:
        path.write_bytes(content)
    app = make_app(f"sqlite:///{path}")
    for args, input in data_commands(tmp_path) + [(["db", "backup", tmp_path / "s.sqlite3"], None)]:
        assert_one_german_line(invoke(app, args, input), "noch nicht eingerichtet", "db upgrade")
    status = invoke(app, ["db", "status"])
    assert status.exit_code == 0 and status.output.splitlines() == [f"  {name}" for name in migration_names()]
    assert invoke(app, ["db", "upgrade"]).exit_code == 0
    assert invoke(app, ["db", "optimize"]).exit_code == 0


def test_pending_migrations_every_command_says_db_upgrade(tmp_path):
    path = migrated_file(tmp_path / "alt.sqlite3")
    last = migration_names()[-1]
    sql(path, "DELETE FROM schema_migration WHERE name = ?", last)  # the code is newer than the schema
    app = make_app(f"sqlite:///{path}")
    for args, input in data_commands(tmp_path):
        assert_one_german_line(invoke(app, args, input), "älter als das Programm", last, "db upgrade")


def test_unreadable_sqlite_file(tmp_path):
    path = tmp_path / "kaputt.sqlite3"
    path.write_bytes(b"keine Datenbank, nur Text " * 200)
    app = make_app(f"sqlite:///{path}")
    for args, input in data_commands(tmp_path)[:2] + [(["db", "upgrade"], None), (["db", "status"], None)]:
        assert_one_german_line(invoke(app, args, input), "Die Datenbank ist nicht lesbar", str(path))


def test_unreachable_postgresql_every_command(tmp_path):
    app = make_app(UNREACHABLE)
    for args, input in data_commands(tmp_path) + [(["db", "upgrade"], None), (["db", "status"], None)]:
        assert_one_german_line(invoke(app, args, input), "Die Datenbank ist nicht erreichbar (", "127.0.0.1")
    backup = invoke(app, ["db", "backup", tmp_path / "s.dump"])
    assert_one_german_line(backup, "pg_dump -Fc -h 127.0.0.1 -p 1 -U x -f", "s.dump none", "README")
    restore = invoke(app, ["db", "restore", tmp_path / "s.dump"])
    assert_one_german_line(restore, "pg_restore --clean --if-exists -h 127.0.0.1 -p 1 -U x -d none", "README")
    assert not list(tmp_path.glob("s.*")) and not list(tmp_path.glob("x.*"))


def test_bad_input_still_comes_first(tmp_path):
    """Usage errors need no database: they are reported as before, even when it is unreachable."""
    app = make_app(UNREACHABLE)
    result = invoke(app, ["controlling", "report", "--month", "2026-13"])
    assert_one_german_line(result, "ungültiger Monat")


# ------------------------------------------------------------------ finding 12: backup and restore


@pytest.fixture
def live(tmp_path):
    """A migrated SQLite database with one team, and an app configured for it."""
    path = migrated_file(tmp_path / "live" / "absolvent.sqlite3")
    sql(path, "INSERT INTO team (name) VALUES ('Team vorher')")
    return path, make_app(f"sqlite:///{path}")


def team_names(path):
    return {row[0] for row in sql(path, "SELECT name FROM team")}


def test_backup_writes_private_consistent_file_and_refuses_to_overwrite(live, tmp_path):
    path, app = live
    target = tmp_path / "sicherung.sqlite3"
    result = invoke(app, ["db", "backup", target])
    assert result.exit_code == 0, result.output
    tables = sql(target, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")[0][0]
    assert result.output.strip().startswith(f"Sicherung „{target}“ geschrieben: ")
    assert f"{target.stat().st_size:,}".replace(",", ".") + f" Bytes, {tables} Tabellen." in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sql(target, "PRAGMA integrity_check") == [("ok",)] and sql(target, "PRAGMA journal_mode") == [("delete",)]
    assert team_names(target) == {"Team vorher"}
    before = target.read_bytes()
    again = invoke(app, ["db", "backup", target])
    assert_one_german_line(again, "gibt es schon", "--force")
    assert target.read_bytes() == before
    sql(path, "INSERT INTO team (name) VALUES ('Team nachher')")
    forced = invoke(app, ["db", "backup", target, "--force"])
    assert forced.exit_code == 0, forced.output
    assert team_names(target) == {"Team vorher", "Team nachher"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live", "sicherung.sqlite3"]  # no partial file left


@pytest.mark.parametrize("args, fragment", [
    (lambda t, db: [t / "gibt" / "es" / "nicht.sqlite3"], "kann nicht geschrieben werden"),
    (lambda t, db: [t], "ist ein Ordner"),
    (lambda t, db: [db, "--force"], "die Datenbank selbst"),
])
def test_backup_bad_target(live, tmp_path, args, fragment):
    path, app = live
    assert_one_german_line(invoke(app, ["db", "backup", *args(tmp_path, path)]), fragment)
    assert team_names(path) == {"Team vorher"}


def test_restore_keeps_previous_database(live, tmp_path):
    path, app = live
    backup = tmp_path / "sicherung.sqlite3"
    assert invoke(app, ["db", "backup", backup]).exit_code == 0
    sql(path, "INSERT INTO team (name) VALUES ('Team nachher')")
    result = invoke(app, ["db", "restore", backup])
    assert result.exit_code == 0, result.output
    assert "die Anwendung muss gestoppt sein" in result.output and "wieder gestartet werden" in result.output
    assert team_names(path) == {"Team vorher"}
    assert sql(path, "PRAGMA journal_mode") == [("wal",)] and sql(path, "PRAGMA integrity_check") == [("ok",)]
    (previous,) = path.parent.glob("absolvent.sqlite3.vor-wiederherstellung-*")
    assert f"„{previous}“" in result.output
    assert team_names(previous) == {"Team vorher", "Team nachher"}
    assert stat.S_IMODE(previous.stat().st_mode) == 0o600
    assert invoke(app, ["db", "optimize"]).exit_code == 0  # the app works on the restored database


def test_backup_before_upgrade_and_its_restore_asks_for_db_upgrade(live, tmp_path):
    path, app = live
    *earlier, last = migration_names()
    installed = make_database(f"sqlite:///{tmp_path / 'vorher.sqlite3'}", pooled=False)
    Runner(installed, str(MIGRATIONS_DIR)).up(target=earlier[-1])  # the installation before an update
    installed.close()
    old_app = make_app(f"sqlite:///{tmp_path / 'vorher.sqlite3'}")
    old = tmp_path / "alt.sqlite3"
    assert invoke(old_app, ["db", "backup", old]).exit_code == 0  # allowed with migrations pending
    result = invoke(app, ["db", "restore", old])
    assert result.exit_code == 0, result.output
    assert f"„flask --app app db upgrade“ ausführen (ausstehende Migrationen: {last})" in result.output
    assert_one_german_line(invoke(app, ["db", "optimize"]), "älter als das Programm")
    assert invoke(app, ["db", "upgrade"]).exit_code == 0
    assert invoke(app, ["db", "optimize"]).exit_code == 0


def _garbage(tmp_path, backup):
    path = tmp_path / "text.sqlite3"
    path.write_bytes(b"Das ist keine Sicherung. " * 400)
    return path


def _truncated(tmp_path, backup):
    path = tmp_path / "halb.sqlite3"
    path.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return path


def _foreign(tmp_path, backup):
    path = tmp_path / "fremd.sqlite3"
    sql(path, "CREATE TABLE kunden (id INTEGER PRIMARY KEY)")
    return path


def _newer(tmp_path, backup):
    sql(backup, "INSERT INTO schema_migration (name, applied) VALUES ('9999_zukunft', '2030-01-01')")
    return backup


@pytest.mark.parametrize("make_file, fragment", [
    (lambda t, b: t / "fehlt.sqlite3", "gibt es nicht"),
    (lambda t, b: t, "keine Datei"),
    (_garbage, "keine Absolvent-Sicherung"),
    (_truncated, "Sicherung"),
    (_foreign, "ohne Tabelle schema_migration"),
    (_newer, "neueren Programmversion"),
], ids=["fehlt", "ordner", "text", "abgeschnitten", "fremd", "neuer"])
def test_restore_refuses_what_is_not_a_valid_backup(live, tmp_path, make_file, fragment):
    path, app = live
    backup = tmp_path / "sicherung.sqlite3"
    assert invoke(app, ["db", "backup", backup]).exit_code == 0
    sql(path, "INSERT INTO team (name) VALUES ('Team nachher')")
    before = path.read_bytes()
    assert_one_german_line(invoke(app, ["db", "restore", make_file(tmp_path, backup)]), fragment)
    assert team_names(path) == {"Team vorher", "Team nachher"} and path.read_bytes() == before
    assert not list(path.parent.glob("*.vor-wiederherstellung-*"))


def test_restore_refuses_while_the_database_is_in_use(live, tmp_path):
    path, app = live
    backup = tmp_path / "sicherung.sqlite3"
    assert invoke(app, ["db", "backup", backup]).exit_code == 0
    other = sqlite3.connect(path)  # the running application
    try:
        other.execute("SELECT count(*) FROM team").fetchone()
        assert_one_german_line(invoke(app, ["db", "restore", backup]), "wird noch benutzt", "Anwendung stoppen")
    finally:
        other.close()
    assert not list(path.parent.glob("*.vor-wiederherstellung-*"))


# ------------------------------------------------------------------ the restore drill

WRITERS = 3
DRILL_SECONDS = 6  # writers stop by themselves at the latest after this


def _writer(number, committed, stop, errors):
    """Insert pairs (a team and its user) in one transaction each, through peewee, own connection."""
    deadline = time.monotonic() + DRILL_SECONDS
    try:
        with database.connection_context():
            while not stop.is_set() and time.monotonic() < deadline:
                i = committed[number]
                with database.atomic():
                    team = Team.create(name=f"drill-{number}-{i}")
                    User.create(username=f"drill-{number}-{i}", name="Drill", password_hash="-", team=team)
                committed[number] = i + 1
                time.sleep(0.001)  # like requests: the others get the write lock in between
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def _wait_for(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    return condition()


def test_restore_drill_backup_while_writing(tmp_path, monkeypatch):
    live_path = tmp_path / "live.sqlite3"
    app = make_app(f"sqlite:///{live_path}")
    with database.connection_context():
        migrate()
        with database.atomic():  # ballast: the copy has something to do
            AuditLog.insert_many([{"action": "read", "entity": "ballast", "detail": "x" * 400}] * 8000).execute()
    committed, stop, errors = [0] * WRITERS, threading.Event(), []
    seen = {}

    def copy_while_writing(source, target):
        """The command's copy, once the writers have committed more since the command started."""
        _wait_for(lambda: sum(committed) >= sum(seen["start"]) + WRITERS or errors)
        seen["copy"] = list(committed)  # committed before the copy began: must all be in the backup
        copy_online(source, target)
        _wait_for(lambda: sum(committed) >= sum(seen["copy"]) + 2 * WRITERS or errors)
        seen["end"] = list(committed)

    monkeypatch.setattr("absolvent.backup.copy_online", copy_while_writing)
    threads = [threading.Thread(target=_writer, args=(n, committed, stop, errors), daemon=True)
               for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        assert _wait_for(lambda: sum(committed) >= 10 or errors), "writers did not start"
        seen["start"] = list(committed)
        backup = tmp_path / "sicherung.sqlite3"
        result = invoke(app, ["db", "backup", backup])
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=DRILL_SECONDS + 5)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert result.exit_code == 0, result.output
    final = list(committed)
    assert sum(seen["start"]) < sum(seen["copy"]) < sum(seen["end"]) <= sum(final), "writers went on throughout"

    restored_path = tmp_path / "neu" / "absolvent.sqlite3"
    restored_app = make_app(f"sqlite:///{restored_path}")
    restore = invoke(restored_app, ["db", "restore", backup])
    assert restore.exit_code == 0, restore.output
    assert "es gab keine bisherige Datenbank" in restore.output
    assert stat.S_IMODE(restored_path.stat().st_mode) == 0o600

    assert sql(restored_path, "PRAGMA integrity_check") == [("ok",)]
    assert sql(restored_path, "PRAGMA foreign_key_check") == []
    assert sql(restored_path, "SELECT count(*) FROM audit_log WHERE entity = 'ballast'") == [(8000,)]
    teams = {name: id_ for id_, name in sql(restored_path, "SELECT id, name FROM team WHERE name LIKE 'drill-%'")}
    users = dict(sql(restored_path, "SELECT username, team_id FROM user WHERE username LIKE 'drill-%'"))
    assert users == teams, "every pair is complete: a user for each team, pointing at it"
    for number in range(WRITERS):
        present = sorted(int(name.rsplit("-", 1)[1]) for name in teams if name.startswith(f"drill-{number}-"))
        # one snapshot: each writer's pairs are exactly its first k, with every pair committed before the start
        assert present == list(range(len(present)))
        assert seen["copy"][number] <= len(present) <= final[number]
    assert invoke(restored_app, ["db", "optimize"]).exit_code == 0


def test_copy_online_rollback_journal_page_by_page_under_writes(tmp_path):
    """Outside WAL (never Absolvent's own mode) the copy goes page by page and still finishes when writers
    keep it starting over."""
    path = tmp_path / "journal.sqlite3"
    source = sqlite3.connect(path, isolation_level=None)
    source.execute("PRAGMA journal_mode=DELETE")
    source.execute("CREATE TABLE pair (writer INTEGER, i INTEGER, half TEXT, pad TEXT)")
    with source:  # one transaction: 6000 commits of a rollback journal would take seconds
        source.execute("BEGIN")
        source.executemany("INSERT INTO pair VALUES (-1, ?, 'a', ?)", [(i, "x" * 400) for i in range(6000)])
    stop, errors = threading.Event(), []

    def write():
        conn = sqlite3.connect(path, isolation_level=None, timeout=5)
        try:
            i, deadline = 0, time.monotonic() + DRILL_SECONDS
            while not stop.is_set() and time.monotonic() < deadline:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT INTO pair VALUES (0, ?, ?, '')", [(i, "a"), (i, "b")])
                conn.execute("COMMIT")
                i += 1
                time.sleep(0.001)  # a tight loop would starve every reader of a rollback journal
        except sqlite3.Error as exc:
            errors.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    copy = sqlite3.connect(tmp_path / "kopie.sqlite3")
    try:
        time.sleep(0.02)
        copy_online(source, copy)
    finally:
        stop.set()
        thread.join(timeout=DRILL_SECONDS + 5)
        source.close()
    assert not errors, errors
    assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    halves = dict(copy.execute("SELECT half, count(*) FROM pair WHERE writer = 0 GROUP BY half").fetchall())
    assert halves.get("a") == halves.get("b")
    assert copy.execute("SELECT count(*) FROM pair WHERE writer = -1").fetchone() == (6000,)
    copy.close()
