"""The per-request overhead (issue 11): static files without a database connection, pooled
SQLite connections that keep their PRAGMAs and give back a clean state, the settings read once
per request, one audit INSERT, the session's last_seen written at most once a minute."""
import datetime
import os
import sqlite3
import threading

import pytest

from absolvent import create_app
from absolvent.db import close_pool, database, is_postgres
from absolvent.auth_models import AuthSession
from absolvent.models import AuditLog, Customer, JobcenterSettings, Team, now
from tests.conftest import FAST_ARGON2, Auth


class Statements:
    """Records the SQL of every statement run through peewee while installed."""

    def __init__(self, monkeypatch):
        self.sql = []
        execute = database.obj.execute_sql

        def recording(sql, *args, **kwargs):
            self.sql.append(sql)
            return execute(sql, *args, **kwargs)

        monkeypatch.setattr(database.obj, "execute_sql", recording)

    def on(self, table):
        return [s for s in self.sql if f'"{table}"' in s]


@pytest.fixture
def pooled(app, database_url, tmp_path):
    """The app as it runs in production: connections from a pool (the suite's default is unpooled)."""
    pooled_app = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "DATABASE_POOLED": True, "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False, "ARGON2_PARAMS": FAST_ARGON2,
        "DOCUMENT_STORE": str(tmp_path / "documents"),
    })
    yield pooled_app
    database.obj.close_all()


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's connection pool")


def test_static_file_opens_no_connection(client, monkeypatch):
    connects = []
    connect = database.obj.connect
    monkeypatch.setattr(database.obj, "connect", lambda *a, **kw: connects.append(1) or connect(*a, **kw))
    with client.get("/static/app.css") as response:
        assert response.status_code == 200
    assert connects == []
    assert client.get("/anmelden").status_code == 200  # a page does connect
    assert connects == [1]
    with client.get("/static/gibt-es-nicht.css") as response:
        assert response.status_code == 404
    assert client.get("/gibt-es-nicht").status_code == 404  # an unknown URL still gets the error page
    assert database.is_closed()


def test_pooled_sqlite_reuses_one_connection_with_its_pragmas(pooled, world, sqlite_only, monkeypatch):
    opened = []
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **kw: opened.append(1) or connect(*a, **kw))
    failures = []

    def requests():  # in a thread of its own, like a server's (this one holds the test's connection)
        try:
            auth = Auth(pooled.test_client())
            assert auth.login("pap1").status_code == 302
            for _ in range(5):
                assert auth.get("/start").status_code == 200
                assert auth.get(f"/teilnahmen/{world['p1'].id}").status_code == 200
        except Exception as exc:  # noqa: BLE001 - asserted below
            failures.append(repr(exc))

    thread = threading.Thread(target=requests)
    thread.start()
    thread.join(60)
    assert failures == []
    assert len(opened) == 1  # twelve requests, one connection
    with database.connection_context():
        pragmas = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]
                   for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1}


def test_pooled_connection_comes_back_without_the_open_transaction(pooled, sqlite_only):
    with pooled.app_context():
        database.connect()
        database.execute_sql("BEGIN")
        Team.create(name="Nie bestätigt")
        database.close()  # a request that ended in the middle of a transaction
        database.connect()
        assert not Team.select().where(Team.name == "Nie bestätigt").exists()
        assert not database.in_transaction()
        database.close()


def test_command_line_leaves_no_pooled_connection_open(pooled, sqlite_only):
    result = pooled.test_cli_runner().invoke(args=["db", "status"])
    assert result.exit_code == 0, result.output
    assert database.obj._connections == [] and database.obj._in_use == {}


def test_forked_child_does_not_touch_the_parents_connections(pooled, sqlite_only):
    with pooled.app_context():
        database.connect()
        assert database.obj._in_use
        pid = os.fork()
        if pid == 0:  # the child: an empty pool, its own new connection works
            ok = not database.obj._in_use and database.is_closed()
            try:
                database.connect()
                ok = ok and database.execute_sql("SELECT 1").fetchone() == (1,)
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert database.execute_sql("SELECT count(*) FROM team").fetchone()[0] >= 0  # the parent's still works
        database.close()


def test_pool_serves_concurrent_requests(pooled, world, sqlite_only):
    failures, statuses = [], []
    barrier = threading.Barrier(8)

    def worker(n):
        auth = Auth(pooled.test_client())
        auth.client.environ_base["REMOTE_ADDR"] = f"10.0.1.{n + 1}"
        try:
            assert auth.login("pap1").status_code == 302
            barrier.wait(timeout=30)
            for i in range(3):
                statuses.append(auth.get(f"/teilnahmen/{world['p1'].id}").status_code)
                statuses.append(auth.post("/kunden/neu", {
                    "customer_number": f"P{n:02d}X{i:02d}", "first_name": "Erika", "last_name": f"Pool {n}",
                    "birth_date": "01.02.1990", "pap": world["pap1"].id}).status_code)
        except Exception as exc:  # noqa: BLE001 - asserted below
            failures.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert sorted(set(statuses)) == [200, 302] and len(statuses) == 48
    with database.connection_context():
        assert Customer.select().where(Customer.last_name.startswith("Pool ")).count() == 24
    assert len(database.obj._connections) <= 8 and len(database.obj._in_use) == 1  # the test's own


def test_settings_read_once_per_request(auth, world, monkeypatch):
    auth.login("pap1")
    statements = Statements(monkeypatch)
    page = auth.get(f"/teilnahmen/{world['p1'].id}")  # the header and the rulebook both need them
    assert page.status_code == 200
    assert "Jobcenter Test" in page.get_data(as_text=True)
    assert len(statements.on("jobcenter_settings")) == 1


def test_saved_settings_are_read_anew_in_the_same_request(app, world):
    from absolvent.admin import operations
    with app.test_request_context(), database.connection_context():
        current = JobcenterSettings.current()
        assert JobcenterSettings.current() is current  # cached for the request
        form = {key: getattr(current, key) for key in (
            "street", "postal_code", "city", "letterhead", "phone", "email", "bundesland", "active_rulebook",
            "rez_name", "rez_address", "agentur_name", "agentur_address")}
        saved, errors = operations.save_settings({**form, "name": "Jobcenter Neuer Name"})
        assert errors == {}
        assert JobcenterSettings.current().name == "Jobcenter Neuer Name"


def test_read_of_personal_data_writes_one_insert(auth, world, monkeypatch):
    auth.login("pap1")
    statements = Statements(monkeypatch)
    assert auth.get(f"/teilnahmen/{world['p1'].id}").status_code == 200
    audit = statements.on("audit_log")
    assert len(audit) == 1 and audit[0].startswith("INSERT")
    with database.connection_context():
        row = AuditLog.select().order_by(AuditLog.id.desc()).first()
        assert (row.action, row.entity, row.entity_id, row.user_id) == ("read", "participation",
                                                                        str(world["p1"].id), world["pap1"].id)
        assert abs(row.at - datetime.datetime.now()) < datetime.timedelta(minutes=1)


def test_last_seen_written_at_most_once_a_minute(auth, world, monkeypatch):
    auth.login("pap1")
    statements = Statements(monkeypatch)
    for _ in range(3):
        assert auth.get("/start").status_code == 200
    assert [s for s in statements.on("auth_session") if s.startswith("UPDATE")] == []
    with database.connection_context():
        AuthSession.update(last_seen=now() - datetime.timedelta(minutes=2)).execute()
    for _ in range(3):
        assert auth.get("/start").status_code == 200
    assert len([s for s in statements.on("auth_session") if s.startswith("UPDATE") and "WHERE" in s]) == 1


def test_idle_session_still_ends(auth, world, app):
    auth.login("pap1")
    idle = app.config["SESSION_IDLE_MINUTES"]
    with database.connection_context():
        AuthSession.update(last_seen=now() - datetime.timedelta(minutes=idle + 1)).execute()
    response = auth.get("/start")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_close_pool_without_pool_is_harmless(app):
    close_pool()
    assert is_postgres() or database.is_closed()
