"""`flask --app app db backup FILE` and `db restore FILE`: consistent SQLite backups while the
app runs, restore with the app stopped (PostgreSQL: the commands print the pg_dump / pg_restore
line). See README, "Sicherung und Wiederherstellung"."""
import datetime
import os
import shlex
import sqlite3
from pathlib import Path

import click
from peewee import PostgresqlDatabase

from .db import _sqlite_file, cli_database, cli_fail, database, db_cli, migration_names, UPGRADE

BACKUP_STEP_PAGES = 256  # rollback journal only: about 1 MB per step, writers get the lock in between
BACKUP_STEP_SLEEP = 0.005
BACKUP_MAX_RESTARTS = 5
README_SECTION = "siehe README, Abschnitt „Sicherung und Wiederherstellung“"


class _StartsOver(Exception):
    """A page-wise copy keeps starting over because others write."""


def _sqlite_target(command, file):
    """The configured SQLite file; PostgreSQL and in-memory databases end the command with a hint."""
    obj = database.obj
    if isinstance(obj, PostgresqlDatabase):
        params = obj.connect_params
        conn = " ".join(f"{flag} {shlex.quote(str(params[key]))}"
                        for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")) if params.get(key))
        name, dump = shlex.quote(obj.database or "DATENBANK"), shlex.quote(str(file))
        if command == "backup":
            cli_fail(f"Bei PostgreSQL sichert pg_dump die Datenbank, auch im laufenden Betrieb: "
                     f"„pg_dump -Fc {conn} -f {dump} {name}“ ({README_SECTION}).")
        cli_fail(f"Bei PostgreSQL stellt pg_restore die Datenbank wieder her, die Anwendung gestoppt: "
                 f"„pg_restore --clean --if-exists {conn} -d {name} {dump}“ ({README_SECTION}).")
    path = _sqlite_file()
    if path is None:
        cli_fail("Eine Datenbank im Arbeitsspeicher (sqlite:///:memory:) lässt sich nicht sichern.")
    return path


def _integrity(conn):
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return None if rows == ["ok"] else "; ".join(rows[:3])


def _table_count(conn):
    return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").fetchone()[0]


def _create_private(path):
    """Create ``path`` empty with mode 0600 (personal data); fails when it exists."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def copy_online(source, target):
    """Copy the sqlite3 connection ``source`` into ``target`` without holding its writers up.

    In WAL mode (Absolvent's) one backup step reads one consistent snapshot while writers go on
    appending to the WAL; page-wise steps would start over after every commit of another
    connection and, under steady writing, never finish. A rollback-journal database is copied
    page by page with a short sleep so that writers get the lock in between; if it keeps
    starting over, the rest goes in one step (writers wait within their busy timeout).
    """
    if source.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        source.backup(target)
        return
    restarts, before = 0, None

    def progress(status, remaining, total):
        nonlocal restarts, before
        restarts += before is not None and remaining > before  # more to copy again: it started over
        before = remaining
        if restarts > BACKUP_MAX_RESTARTS:
            raise _StartsOver

    try:
        source.backup(target, pages=BACKUP_STEP_PAGES, progress=progress, sleep=BACKUP_STEP_SLEEP)
    except _StartsOver:
        source.backup(target)


def write_backup(source, file):
    """Back the open sqlite3 connection ``source`` up into ``file`` (mode 0600, in place only when
    complete and intact); returns (bytes, tables)."""
    partial = file.with_name(f".{file.name}.{os.getpid()}.unvollständig")
    try:
        _create_private(partial)
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            copy_online(source, target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problem, tables = _integrity(target), _table_count(target)
        finally:
            target.close()
        if problem:
            cli_fail(f"Die Sicherung ist nicht in Ordnung (integrity_check: {problem}); „{file}“ nicht geschrieben.")
        os.replace(partial, file)
        return file.stat().st_size, tables
    except OSError as exc:
        cli_fail(f"Die Datei „{file}“ kann nicht geschrieben werden: {exc.strerror or exc}.")
    except sqlite3.Error as exc:
        cli_fail(f"Die Sicherung ist fehlgeschlagen: {exc}.")
    finally:
        partial.unlink(missing_ok=True)


def check_backup(file):
    """(tables, applied migrations) of an intact Absolvent backup; otherwise the command ends."""
    if not file.is_file():
        cli_fail(f"Die Sicherung „{file}“ gibt es nicht." if not file.exists() else f"„{file}“ ist keine Datei.")
    try:
        conn = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        cli_fail(f"Die Sicherung „{file}“ kann nicht gelesen werden ({exc}).")
    try:
        problem = _integrity(conn)
        if problem:
            cli_fail(f"Die Sicherung „{file}“ ist beschädigt (integrity_check: {problem}).")
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migration'").fetchone():
            cli_fail(f"„{file}“ ist keine Absolvent-Sicherung (ohne Tabelle schema_migration).")
        applied = {row[0] for row in conn.execute("SELECT name FROM schema_migration")}
        return _table_count(conn), applied
    except sqlite3.Error as exc:
        cli_fail(f"„{file}“ ist keine Absolvent-Sicherung ({exc}).")
    finally:
        conn.close()


def restore_into(file, target):
    """Copy the backup ``file`` over the SQLite database ``target`` (stopped app) with the backup API;
    returns where the previous database was kept, or None when there was none."""
    fresh = not target.exists()
    previous = None
    try:
        if fresh:
            _create_private(target)
        dest = sqlite3.connect(target, isolation_level=None, timeout=2)
        try:
            wal = dest.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
            # leaving WAL needs the only connection: refused while the application still uses the database
            if wal and dest.execute("PRAGMA journal_mode=DELETE").fetchone()[0].lower() == "wal":
                raise sqlite3.OperationalError("database is locked")
            if not fresh:
                stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
                previous = target.with_name(f"{target.name}.vor-wiederherstellung-{stamp}")
                _create_private(previous)
                keep = sqlite3.connect(previous)
                try:
                    dest.backup(keep)
                finally:
                    keep.close()
            source = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                source.backup(dest)  # one step: the database is never half restored
            finally:
                source.close()
            dest.execute("PRAGMA journal_mode=WAL")
            problem = _integrity(dest)
        finally:
            dest.close()
    except (OSError, sqlite3.Error) as exc:
        if fresh:
            target.unlink(missing_ok=True)
        if "locked" in str(exc) or "busy" in str(exc):
            cli_fail(f"Die Datenbank „{target}“ wird noch benutzt ({exc}). Bitte die Anwendung stoppen.")
        cli_fail(f"Die Wiederherstellung ist fehlgeschlagen: {getattr(exc, 'strerror', None) or exc}.")
    if problem:
        cli_fail(f"Die wiederhergestellte Datenbank ist nicht in Ordnung (integrity_check: {problem}); "
                 f"die bisherige liegt unter „{previous}“.")
    return previous


@db_cli.command("backup", help="SQLite: eine konsistente Sicherung nach FILE schreiben (Dateirechte 0600), "
                "auch während die Anwendung läuft. PostgreSQL: pg_dump (siehe README).")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Eine vorhandene Datei FILE überschreiben.")
def backup_command(file, force):
    source = _sqlite_target("backup", file)
    if file.is_dir():
        cli_fail(f"„{file}“ ist ein Ordner, keine Datei.")
    if (file.exists() or file.is_symlink()) and not force:
        cli_fail(f"Die Datei „{file}“ gibt es schon (überschreiben mit --force).")
    if file.exists() and source.exists() and file.samefile(source):
        cli_fail("Die Sicherung kann nicht die Datenbank selbst sein.")
    with cli_database(schema="set up"):
        size, tables = write_backup(database.connection(), file)
    size_de = f"{size:,}".replace(",", ".")
    click.echo(f"Sicherung „{file}“ geschrieben: {size_de} Bytes, {tables} Tabellen.")


@db_cli.command("restore", help="SQLite: die Datenbank aus einer Sicherung (db backup) FILE wiederherstellen. "
                "Die Anwendung muss dabei gestoppt sein. Die bisherige Datenbank bleibt als "
                "<name>.vor-wiederherstellung-<Zeitpunkt> daneben erhalten. PostgreSQL: pg_restore (siehe README).")
@click.argument("file", type=click.Path(path_type=Path))
def restore_command(file):
    target = _sqlite_target("restore", file)
    tables, applied = check_backup(file)
    if target.exists() and file.samefile(target):
        cli_fail("Die Sicherung ist die Datenbank selbst.")
    newer = sorted(applied - set(migration_names()))
    if newer:
        cli_fail(f"Die Sicherung „{file}“ stammt von einer neueren Programmversion "
                 f"(unbekannte Migrationen: {', '.join(newer)}).")
    click.echo(f"Stelle „{target}“ aus „{file}“ wieder her ({tables} Tabellen) – die Anwendung muss gestoppt sein.")
    previous = restore_into(file, target)
    kept = f"die bisherige Datenbank liegt unter „{previous}“" if previous else "es gab keine bisherige Datenbank"
    pending = [name for name in migration_names() if name not in applied]
    then = (f"Vor dem Start {UPGRADE} ausführen (ausstehende Migrationen: {', '.join(pending)})."
            if pending else "Die Anwendung kann wieder gestartet werden.")
    click.echo(f"Wiederhergestellt; {kept}. {then}")
