"""Database: one peewee proxy, connected per request, closed at teardown.

SQLite is the embedded default (WAL, foreign keys, busy timeout); a
``postgresql://`` DATABASE_URL switches to PostgreSQL with the same models and
migrations. The app keeps its connections in a pool (``DATABASE_POOLED``): a
request checks one out and gives it back at teardown, so the PRAGMAs run once per
connection and SQLite does not checkpoint and delete its WAL file whenever the
last connection closes (that close cost ~10 ms per request). Static files need no
connection at all. Schema changes happen only through the numbered files in
``migrations/`` (playhouse.migrations).

Commands open it with ``cli_database()``: unreachable, not set up or older than
the code ends them with exit status 2 and one German line on stderr. ``db backup``
/ ``db restore`` for SQLite (PostgreSQL: pg_dump / pg_restore, see README).
"""
import datetime
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import click
from flask import g, request

from .config import private_file
from flask.cli import AppGroup
from peewee import DatabaseError, DatabaseProxy, InterfaceError, Model, PostgresqlDatabase, SqliteDatabase
from playhouse.migrations import Migration, Runner
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

database = DatabaseProxy()
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    # statement journals in memory: a table with triggers (follow_up, 0025) makes SQLite journal
    # every INSERT of a bulk write to a temporary file (a 20,000-row import: 45 s instead of 36 s)
    "temp_store": "memory",
}


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def make_database(url, pooled=True):
    """Return an unconnected peewee database for a sqlite:/// or postgresql:// URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # write transactions take the write lock up front (BEGIN IMMEDIATE) and wait within the
        # busy timeout, instead of failing with "database is locked" when they upgrade a read lock
        kwargs = dict(pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
        if pooled and path and path != ":memory:":
            # a pooled connection serves one request (one thread) at a time, but not always the same
            # thread; a thread beyond max_connections waits up to 10 s for one to come back
            return PooledSqliteDatabase(path, max_connections=32, stale_timeout=3600, timeout=10,
                                        check_same_thread=False, **kwargs)
        return SqliteDatabase(path or ":memory:", **kwargs)
    if parsed.scheme in {"postgres", "postgresql"}:
        kwargs = dict(
            database=parsed.path.lstrip("/"),
            user=parsed.username,
            password=parsed.password,
            host=parsed.hostname,
            port=parsed.port or 5432,
            connect_timeout=10,  # a server that does not answer is reported, not waited for minutes
        )
        if pooled:
            return PooledPostgresqlDatabase(max_connections=32, stale_timeout=300, **kwargs)
        return PostgresqlDatabase(**kwargs)
    raise ValueError(f"DATABASE_URL mit unbekanntem Schema: {parsed.scheme!r}")


def raw_rows(query):
    """The rows of a peewee ``query`` as the driver gives them (tuples in select order), without
    peewee's conversion per value: for reads of thousands of rows (peewee parses each SQLite
    date with strptime; converting 50,000 dates took longer than their query). Dates: ``raw_date``."""
    return database.execute(query)


def raw_date(value):
    """A date of ``raw_rows``: SQLite gives the ISO text, PostgreSQL a date (None stays None)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def snapshot():
    """A read transaction in which several queries see one state of the database (counts that
    are subtracted from each other). PostgreSQL's default READ COMMITTED takes a new snapshot
    per statement, hence REPEATABLE READ; SQLite's deferred read transaction is a snapshot (WAL)
    and takes no write lock. Inside a transaction already begun: a savepoint of it."""
    if is_postgres():
        return database.atomic(isolation_level="REPEATABLE READ")
    return database.atomic(lock_type="DEFERRED")


def is_postgres(db=None):
    """Whether ``db`` (a DatabaseProxy or a database; default: the app's) is PostgreSQL."""
    db = database if db is None else db
    return isinstance(getattr(db, "obj", db), PostgresqlDatabase)


def migrate(db=None):
    """Apply all pending migrations; return the names applied."""
    return Runner(db or database.obj, str(MIGRATIONS_DIR)).up()


_private = set()  # SQLite files made private in this process


def private_database_file():
    """The SQLite file (and its -wal/-shm) readable by the owner only, created so when new."""
    path = _sqlite_file()
    if path is not None and path not in _private:
        private_file(path)
        _private.add(path)


def _connect():
    if request.endpoint == "static":  # a file from the static folder reads nothing from the database
        return
    if database.is_closed():
        private_database_file()
        database.connect()
        g.db_connected = True  # close only what this request opened


def _close(exc):
    # nothing that can fail may run here: the request's answer is already decided
    # (planner statistics are refreshed by `flask db upgrade` / `flask db optimize`);
    # a pooled connection goes back to the pool (an open transaction is rolled back)
    if g.pop("db_connected", False) and not database.is_closed():
        database.close()


def close_pool():
    """Really close the connections a pool keeps (a command line command leaves none open)."""
    if isinstance(database.obj, PooledDatabase):
        database.obj.close_idle()


def _forget_inherited_connections():
    """In a process forked from one with pooled connections (gunicorn --preload): never use
    or close the parent's connections (SQLite: closing one could checkpoint the parent's WAL);
    the child opens its own."""
    pool = database.obj
    if isinstance(pool, PooledDatabase):
        _inherited.append((pool._connections, pool._in_use))
        # fresh state and locks: another thread of the parent may have held one at the fork
        pool._state, pool._lock = type(pool._state)(), threading.Lock()
        pool._pool_lock = threading.RLock()
        pool._pool_available = threading.Condition(pool._pool_lock)
        pool._connections, pool._in_use = [], {}


_inherited = []  # kept referenced, so never closed in the child
os.register_at_fork(after_in_child=_forget_inherited_connections)


def init_app(app):
    database.initialize(make_database(app.config["DATABASE_URL"], app.config["DATABASE_POOLED"]))
    app.before_request(_connect)
    app.teardown_appcontext(_close)
    app.cli.add_command(db_cli)


# ------------------------------------------------------------------ command line

UPGRADE = "„flask --app app db upgrade“"
NOT_SET_UP = f"Die Datenbank ist noch nicht eingerichtet. Bitte zuerst {UPGRADE} ausführen."


def cli_fail(message):
    """One German line on stderr and exit status 2 (the command line contract of the README)."""
    click.echo(f"Fehler: {message}", err=True)
    raise SystemExit(2)


def migration_names():
    """The migration files' names in the order ``db upgrade`` applies them."""
    return [m.name for m in Migration.load_directory(str(MIGRATIONS_DIR))]


def _schema_problem(current):
    """German reason why the connected database cannot serve the code, or None."""
    if not database.table_exists("schema_migration"):
        return NOT_SET_UP
    applied = {row[0] for row in database.execute_sql("SELECT name FROM schema_migration")}
    if not applied:
        return NOT_SET_UP
    pending = [name for name in migration_names() if name not in applied]
    if current and pending:
        return (f"Die Datenbank ist älter als das Programm (ausstehende Migrationen: {', '.join(pending)}). "
                f"Bitte {UPGRADE} ausführen.")
    return None


def _sqlite_file():
    """The configured SQLite file, or None (PostgreSQL, in-memory)."""
    obj = database.obj
    if isinstance(obj, SqliteDatabase) and obj.database and obj.database != ":memory:":
        return Path(obj.database)
    return None


def _detail(exc):
    """The driver's message on one line (psycopg2's span several), prefixed with a SQLite file's path."""
    text = " ".join(str(getattr(exc, "orig", None) or exc).split()) or exc.__class__.__name__
    path = _sqlite_file()
    return (f"{path}: {text}" if path else text)[:300]


@contextmanager
def cli_database(schema="current"):
    """Open the database for a command line command and close what was opened here.

    ``schema="current"``: every migration file is applied (every command that uses the data);
    ``"set up"``: migrated at all, perhaps older than the code (``db backup`` before an upgrade);
    ``None``: reachable only (``db upgrade``, ``db status``). Anything less ends the command with
    exit status 2 and one German line on stderr: not reachable, not set up, migrations pending.
    """
    opened = database.is_closed()
    try:
        if opened:
            path = _sqlite_file()
            if schema and path is not None and not path.exists():
                cli_fail(NOT_SET_UP)  # and leave no empty database file behind
            database.connect()
        problem = _schema_problem(schema == "current") if schema else None
    except (DatabaseError, InterfaceError) as exc:
        problem = f"Die Datenbank ist nicht {'lesbar' if _sqlite_file() else 'erreichbar'} ({_detail(exc)})."
    try:
        if problem:
            cli_fail(problem)
        yield database
    finally:
        if opened and not database.is_closed():
            database.close()
        if opened:
            close_pool()


db_cli = AppGroup("db", help="Datenbank: Migrationen, Statistiken, Sicherung und Wiederherstellung.")


@db_cli.command("upgrade", help="Alle ausstehenden Migrationen anwenden.")
def upgrade_command():
    private_database_file()
    with cli_database(schema=None):
        applied = migrate()
        database.execute_sql("ANALYZE")
    click.echo("Migrationen angewendet: " + (", ".join(applied) if applied else "keine (aktuell)"))


@db_cli.command("optimize", help="Statistiken für die Abfrageplanung auffrischen (z. B. nächtlich).")
def optimize_command():
    with cli_database():
        database.execute_sql("ANALYZE" if is_postgres() else "PRAGMA optimize")
    click.echo("Statistiken aufgefrischt.")


@db_cli.command("status", help="Migrationen und ihren Stand zeigen.")
def status_command():
    with cli_database(schema=None):
        rows = Runner(database.obj, str(MIGRATIONS_DIR)).status()
    for m in rows:
        click.echo(f"{'✓' if m.applied else ' '} {m.name}")


# ------------------------------------------------------------------ backup and restore (SQLite)
