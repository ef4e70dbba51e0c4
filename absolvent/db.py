"""Database: one peewee proxy, connected per request, closed at teardown.

SQLite is the embedded default (WAL, foreign keys, busy timeout); a
``postgresql://`` DATABASE_URL switches to PostgreSQL with the same models and
migrations. Schema changes happen only through the numbered files in
``migrations/`` (playhouse.migrations).
"""
from pathlib import Path
from urllib.parse import urlparse

import click
from flask import g
from flask.cli import AppGroup
from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase
from playhouse.migrations import Runner
from playhouse.pool import PooledPostgresqlDatabase

database = DatabaseProxy()
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
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
        return SqliteDatabase(path or ":memory:", pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    if parsed.scheme in {"postgres", "postgresql"}:
        kwargs = dict(
            database=parsed.path.lstrip("/"),
            user=parsed.username,
            password=parsed.password,
            host=parsed.hostname,
            port=parsed.port or 5432,
        )
        if pooled:
            return PooledPostgresqlDatabase(max_connections=32, stale_timeout=300, **kwargs)
        return PostgresqlDatabase(**kwargs)
    raise ValueError(f"DATABASE_URL mit unbekanntem Schema: {parsed.scheme!r}")


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


def migrate(db=None):
    """Apply all pending migrations; return the names applied."""
    return Runner(db or database.obj, str(MIGRATIONS_DIR)).up()


def _connect():
    if database.is_closed():
        database.connect()
        g.db_connected = True  # close only what this request opened


def _close(exc):
    # nothing that can fail may run here: the request's answer is already decided
    # (planner statistics are refreshed by `flask db upgrade` / `flask db optimize`)
    if g.pop("db_connected", False) and not database.is_closed():
        database.close()


def init_app(app):
    database.initialize(make_database(app.config["DATABASE_URL"], app.config["DATABASE_POOLED"]))
    app.before_request(_connect)
    app.teardown_appcontext(_close)
    app.cli.add_command(db_cli)


db_cli = AppGroup("db", help="Datenbank: Migrationen anwenden und anzeigen.")


@db_cli.command("upgrade", help="Alle ausstehenden Migrationen anwenden.")
def upgrade_command():
    with database.connection_context():
        applied = migrate()
        database.execute_sql("ANALYZE")
    click.echo("Migrationen angewendet: " + (", ".join(applied) if applied else "keine (aktuell)"))


@db_cli.command("optimize", help="Statistiken für die Abfrageplanung auffrischen (z. B. nächtlich).")
def optimize_command():
    with database.connection_context():
        database.execute_sql("ANALYZE" if is_postgres() else "PRAGMA optimize")
    click.echo("Statistiken aufgefrischt.")


@db_cli.command("status", help="Migrationen und ihren Stand zeigen.")
def status_command():
    for m in Runner(database.obj, str(MIGRATIONS_DIR)).status():
        click.echo(f"{'✓' if m.applied else ' '} {m.name}")
