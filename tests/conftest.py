"""Fixtures in the flaskr style: app, client, runner, auth, plus small factories.

The suite runs on SQLite by default; ABSOLVENT_TEST_DB=postgresql://… (set by
`make test` from TEST_DATABASE_URL) runs it on that database. The schema is
built by the migrations once per session and emptied before every test.
`make test` runs pytest-xdist workers: each has its own SQLite file (its own tmp
path) or PostgreSQL database (``<name>_gw0`` …).
"""
import datetime
import os
import re
from urllib.parse import urlparse, urlunparse

import peewee
import pytest

from absolvent import create_app
from absolvent.db import database, is_postgres, make_database, migrate
from absolvent.models import (
    Customer,
    JobcenterSettings,
    Measure,
    Participation,
    Provider,
    Team,
    User,
)
from absolvent import audit, passwords

PASSWORD = "Test-Passwort-123"
# argon2 with small costs keeps the suite fast; production uses argon2-cffi's defaults
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
passwords.configure(**FAST_ARGON2)
_HASH = passwords.hash_password(PASSWORD)


def _drop_everything(url):
    db = make_database(url, pooled=False)
    db.connect()
    if url.startswith("postgres"):
        db.execute_sql("DROP SCHEMA public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
        # A test database need not survive a power cut: commits stop waiting for the WAL's
        # fsync (new connections; every test commits dozens of times). Owner only, else as is.
        name = urlparse(url).path.lstrip("/")
        try:
            with db.atomic():
                db.execute_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        except peewee.ProgrammingError:
            pass
    db.close()


def _worker_database(url, worker):
    """``make test`` runs the suite in parallel (pytest-xdist): each worker gets its own
    PostgreSQL database, ``<name>_<worker>``, created next to the given one on first use."""
    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_{worker}"
    server = make_database(url, pooled=False)
    server.connect()
    try:
        if not server.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            server.connection().autocommit = True  # CREATE DATABASE cannot run inside a transaction
            server.execute_sql(f'CREATE DATABASE "{name}"')
    finally:
        server.close()
    return urlunparse(parsed._replace(path="/" + name))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("ABSOLVENT_TEST_DB")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            url = _worker_database(url, worker)
        _drop_everything(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _empty_tables(db):
    tables = [t for t in db.get_tables() if t != "schema_migration" and not t.startswith("sqlite_")]
    tables.sort(key=lambda t: t == "step_tally")  # SQLite: last, after follow_up's DELETE triggers wrote into it
    if not tables:
        return
    if is_postgres(db):
        _empty_postgres(db, tables)
    else:  # TRUNCATE fires no row triggers; SQLite's DELETE would meet audit_log's append-only triggers
        db.execute_sql("PRAGMA foreign_keys = OFF")
        with db.atomic():  # the triggers are back before anything else can write
            for statement in audit.drop_append_only_sql(db):
                db.execute_sql(statement)
            for t in tables:
                db.execute_sql(f'DELETE FROM "{t}"')
            for statement in audit.append_only_sql(db):
                db.execute_sql(statement)
        db.execute_sql("PRAGMA foreign_keys = ON")


def _empty_postgres(db, tables):
    """DELETE with triggers and foreign-key checks off (replica role; the suite's user is a
    superuser), then every sequence back to 1: a test's tables hold a few rows, and TRUNCATE of
    all 39 tables, which gives each table and index a new file, took 140 ms per test. Without
    the superuser role, TRUNCATE as before."""
    try:
        with db.atomic():
            db.execute_sql("SET LOCAL session_replication_role = replica")
            for t in tables:
                db.execute_sql(f'DELETE FROM "{t}"')
            db.execute_sql("SELECT setval(c.oid, 1, false) FROM pg_class c "
                           "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace")
    except peewee.ProgrammingError:  # permission denied to set session_replication_role
        db.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "DATABASE_POOLED": False,
        "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False,
        "ARGON2_PARAMS": FAST_ARGON2,
        "DOCUMENT_STORE": str(tmp_path / "documents"),
    })
    with app.app_context():
        database.connect(reuse_if_open=True)
        migrate()
        _empty_tables(database.obj)
        JobcenterSettings.create(name="Jobcenter Test", street="Teststr. 1", postal_code="38640",
                                 city="Goslar", bundesland="NI", active_rulebook="goslar-2016")
        database.close()
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture
def db(app):
    """Direct model access with an open connection (no app context is held open:
    requests must get their own app context and ``g``)."""
    with database.connection_context():
        yield database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Small factories for test data; every call commits at once."""

    def __init__(self):
        self._n = 0

    def _next(self):
        self._n += 1
        return self._n

    def team(self, name=None):
        return Team.get_or_create(name=name or f"Team {self._next()}")[0]

    def user(self, username=None, roles="pAp", team=None, **kw):
        username = username or f"user{self._next()}"
        return User.create(username=username, name=kw.pop("name", username.title()), roles=roles,
                           team=team, password_hash=_HASH, **kw)

    def provider(self, **kw):
        n = self._next()
        return Provider.create(name=kw.pop("name", f"Träger {n}"), city="Goslar", **kw)

    def customer(self, team, pap=None, **kw):
        n = self._next()
        data = dict(customer_number=f"123D{n:06d}", first_name="Erika", last_name=f"Muster{n}",
                    birth_date=datetime.date(1990, 5, 17), team=team, pap=pap)
        data.update(kw)
        return Customer.create(**data)

    def measure(self, type_code="MAT", start=datetime.date(2026, 1, 5), end=datetime.date(2026, 6, 30),
                mb=None, provider=None, **kw):
        n = self._next()
        return Measure.create(type_code=type_code, measure_number=kw.pop("measure_number", f"962/{n:05d}"),
                              title=kw.pop("title", f"Maßnahme {n}"), provider=provider or self.provider(),
                              start=start, end=end, capacity=kw.pop("capacity", 12), mb=mb, **kw)

    def participation(self, customer, measure, entry=None, planned_end=None, **kw):
        return Participation.create(customer=customer, measure=measure, entry=entry or measure.start,
                                    planned_end=planned_end or measure.end, **kw)


@pytest.fixture
def make(db):
    return Factory()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Auth:
    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, username, password=PASSWORD):
        page = self.client.get("/anmelden")
        token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
        response = self.client.post("/anmelden", data={
            "username": username, "password": password, "csrf_token": token})
        self.token = None
        return response

    def csrf(self):
        if self.token is None:
            page = self.client.get("/start")
            self.token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
        return self.token

    def post(self, url, data=None, htmx=False, **kw):
        """POST with the CSRF token: as form field, or as header like htmx does."""
        data = dict(data or {})
        headers = kw.pop("headers", {})
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf()})
        else:
            data.setdefault("csrf_token", self.csrf())
        return self.client.post(url, data=data, headers=headers, **kw)

    def get(self, url, htmx=False, **kw):
        headers = kw.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(url, headers=headers, **kw)

    def logout(self):
        return self.post("/abmelden")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def world(make):
    """Two teams with users for every role, customers, measures and participations."""
    t1, t2 = make.team("Team A"), make.team("Team B")
    w = {"t1": t1, "t2": t2}
    w["pap1"] = make.user("pap1", "pAp", t1)
    w["pap2"] = make.user("pap2", "pAp", t2)
    w["mb1"] = make.user("mb1", "MB")
    w["mb2"] = make.user("mb2", "MB")
    w["tl1"] = make.user("tl1", "TL", t1)
    w["bl"] = make.user("bl", "BL")
    w["admin"] = make.user("admin", "Admin")
    w["dqm1"] = make.user("dqm1", "DQM", t1)
    w["bov1"] = make.user("bov1", "boV", t1)
    w["c1"] = make.customer(t1, w["pap1"], last_name="Albrecht")
    w["c2"] = make.customer(t2, w["pap2"], last_name="Berger")
    w["m1"] = make.measure("MAT", mb=w["mb1"], measure_number="962/00001")
    w["m2"] = make.measure("FBW", mb=w["mb2"], measure_number="962/00002")
    w["p1"] = make.participation(w["c1"], w["m1"])
    w["p2"] = make.participation(w["c2"], w["m2"])
    return w


def pytest_terminal_summary(terminalreporter):
    """Say plainly when the browser tests did not run (no chromium or no axe-core on this machine)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "test_browser" in r.nodeid]
    if skipped:
        reasons = sorted({str(r.longrepr[2]).removeprefix("Skipped: ") for r in skipped if r.longrepr})
        terminalreporter.write_line(
            f"BROWSERTESTS ÜBERSPRUNGEN: {len(skipped)} Tests ({'; '.join(reasons)}). "
            "Debian-Paket chromium installieren (.ci/run tut das als root) und make install ausführen.",
            yellow=True, bold=True)
