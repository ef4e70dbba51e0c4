"""The audit trail: refused attempts logged, the DS's Protokoll (filters, paging, CSV),
the log append-only in the database, instance files readable by their owner only."""
import csv
import datetime
import io
import os
import re
import stat
from types import SimpleNamespace

import pytest
from flask import Config
from peewee import IntegrityError

from absolvent import audit, audit_views, config
from absolvent.db import database, is_postgres
from absolvent.models import AuditLog, User

URL = "/protokoll/"


@pytest.fixture(autouse=True)
def audit_blueprint(app):
    """The Protokoll's blueprint, until absolvent/__init__.py registers it itself."""
    if "audit.index" not in app.view_functions:
        app.register_blueprint(audit_views.bp)


@pytest.fixture
def ds(world, make):
    return make.user("ds1", "DS")


def rows(**where):
    with database.connection_context():
        query = AuditLog.select().order_by(AuditLog.id)
        for key, value in where.items():
            query = query.where(getattr(AuditLog, key) == value)
        return list(query)


# ------------------------------------------------------------------ refused attempts


@pytest.mark.parametrize("htmx", [False, True])
def test_refused_customer_is_logged(world, auth, htmx):
    auth.login("pap2")  # team B; c1 belongs to team A
    response = auth.get(f"/kunden/{world['c1'].id}", htmx=htmx)
    assert response.status_code == 403 and "Keine Berechtigung" in response.get_data(as_text=True)
    [row] = rows(action="denied")
    assert (row.entity, row.entity_id, row.user_id) == ("customers.detail", str(world["c1"].id), world["pap2"].id)
    assert row.address == "127.0.0.1" and row.detail == f"403 GET /kunden/{world['c1'].id}"
    assert not rows(action="read", entity="customer")


@pytest.mark.parametrize("who,url,status,endpoint,entity_id", [
    ("pap2", "/teilnahmen/{p1}", 403, "participations.detail", "{p1}"),
    ("mb2", "/teilnahmen/{p1}", 403, "participations.detail", "{p1}"),
    ("pap1", "/kunden/987654", 404, "customers.detail", "987654"),
    ("pap1", "/teilnahmen/987654/bearbeiten", 404, "participations.edit", "987654"),
    ("admin", "/kunden/{c1}", 403, "customers.detail", "{c1}"),
    ("pap1", "/verwaltung/benutzer", 403, "admin.users", ""),
])
def test_refusals_on_personal_data_are_logged(world, auth, who, url, status, endpoint, entity_id):
    auth.login(who)
    ids = {"p1": world["p1"].id, "c1": world["c1"].id}
    url = url.format(**ids)
    assert auth.get(url).status_code == status
    [row] = rows(action="denied")
    assert (row.entity, row.entity_id, row.user_id) == (endpoint, entity_id.format(**ids), world[who].id)
    assert row.detail == f"{status} GET {url}"


@pytest.mark.parametrize("url", ["/gibt-es-nicht", "/kunden/1/gibt-es-nicht", "/massnahmen/987654"])
def test_other_refusals_are_not_logged(world, auth, url):
    auth.login("pap1")
    assert auth.get(url).status_code == 404
    assert not rows(action="denied")


def test_anonymous_requests_go_to_login_unlogged(world, client):
    assert client.get(f"/kunden/{world['c1'].id}").status_code == 302
    assert client.get(URL).status_code == 302
    assert not rows()


# ------------------------------------------------------------------ the Protokoll: who sees it


@pytest.mark.parametrize("who,status", [("ds1", 200), ("admin", 403), ("pap1", 403), ("tl1", 403), ("bl", 403),
                                        ("mb1", 403), ("dqm1", 403)])
def test_protokoll_access(ds, auth, who, status):
    auth.login(who)
    assert auth.get(URL).status_code == status
    assert auth.get(URL + "export.csv").status_code == status
    if status == 403:  # an attempt on the log is itself logged
        assert {r.entity for r in rows(action="denied")} == {"audit.index", "audit.export"}
        assert not rows(action="export")


def test_ds_has_no_case_access(ds, world, auth):
    auth.login("ds1")
    assert auth.get(f"/kunden/{world['c1'].id}").status_code == 403
    page = auth.get("/kunden/").get_data(as_text=True)
    assert "Albrecht" not in page and "Berger" not in page


# ------------------------------------------------------------------ filters, paging, fragment


@pytest.fixture
def logged(ds, world, db):
    """Rows of several users, actions, records and days (details M1 … M5)."""
    def add(at, user, action, entity, entity_id, marker):
        AuditLog.create(at=at, user=user, action=action, entity=entity, entity_id=entity_id, detail=marker,
                        address="10.0.0.1")
    add(datetime.datetime(2026, 3, 1, 9, 0), world["pap1"], "read", "customer", str(world["c1"].id), "M1")
    add(datetime.datetime(2026, 3, 2, 10, 0), world["pap2"], "denied", "customers.detail", str(world["c1"].id),
        "M2")
    add(datetime.datetime(2026, 3, 2, 23, 59), world["pap1"], "update", "participation", "7", "M3")
    add(datetime.datetime(2026, 3, 3, 0, 0), world["tl1"], "read", "customer-list", "", "M4")
    add(datetime.datetime(2026, 3, 5, 8, 0), None, "export", "controlling", "", "M5")
    return world


def shown(body):
    return set(re.findall(r"<td>(M\d)</td>", body))


@pytest.mark.parametrize("query,expected", [
    ("", {"M1", "M2", "M3", "M4", "M5"}),
    ("benutzer={pap1}", {"M1", "M3"}),
    ("aktion=denied", {"M2"}),
    ("bereich=customer", {"M1", "M2", "M4"}),
    ("bereich=customer&datensatz={c1}", {"M1", "M2"}),
    ("bereich=CUSTOMERS.", {"M2"}),
    ("von=02.03.2026&bis=02.03.2026", {"M2", "M3"}),
    ("von=03.03.2026", {"M4", "M5"}),
    ("bis=2026-03-01", {"M1"}),
    ("von=31.02.2026&aktion=read", {"M1", "M4"}),  # a bad filter narrows nothing, its message is shown
    ("von=05.03.2026&bis=01.03.2026", {"M5"}),
])
def test_filters(logged, auth, query, expected):
    auth.login("ds1")
    response = auth.get(URL + "?" + query.format(pap1=logged["pap1"].id, c1=logged["c1"].id), htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and shown(body) == expected
    assert ("Dieses Datum gibt es nicht." in body) == ("31.02" in query)
    assert ("Das Ende des Zeitraums liegt vor seinem Anfang." in body) == ("bis=01.03" in query)


def test_filter_errors_next_to_field_on_full_page(logged, auth):
    auth.login("ds1")
    body = auth.get(URL + "?von=99.99.2026&aktion=fliegen").get_data(as_text=True)
    assert "Dieses Datum gibt es nicht." in body.split('id="e-von"')[1].split("</p>")[0]
    assert "Unbekannter Wert für die Aktion" in body.split('id="e-aktion"')[1].split("</p>")[0]


def test_full_page_and_fragment(logged, auth):
    auth.login("ds1")
    page = auth.get(URL + "?aktion=denied")
    body = page.get_data(as_text=True)
    assert "<html" in body and 'id="audit-filter"' in body and "M2" in body
    assert "HX-Request" in page.headers["Vary"]
    fragment = auth.get(URL + "?aktion=denied", htmx=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="audit-results">') and "M2" in body
    assert fragment.headers["HX-Push-Url"] == URL + "?aktion=denied"
    assert "verweigert" in body and "Pap2" in body


def test_reading_the_protokoll_is_logged(logged, auth):
    auth.login("ds1")
    auth.get(URL + "?aktion=denied")
    [row] = rows(action="read", entity="audit-log")
    assert row.user.username == "ds1" and "aktion='denied'" in row.detail


def _link(body, label):
    match = re.search(r'<a href="([^"]+)">' + label, body)
    return match and match.group(1).replace("&amp;", "&")


def test_paging_newest_first_by_fifty(ds, auth, db):
    for n in range(120):
        AuditLog.create(user=ds, action="read", entity="customer", entity_id=str(n), detail=f"N{n}")
    auth.login("ds1")  # the login row is newer than the 120: filter on entity
    first = auth.get(URL + "?bereich=customer").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r"<td>N(\d+)</td>", first)]
    assert numbers == list(range(119, 69, -1)) and _link(first, "‹ Neuere") is None
    AuditLog.create(user=ds, action="read", entity="customer", entity_id="new", detail="N999")  # does not shift
    second = auth.get(_link(first, "Ältere")).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<td>N(\d+)</td>", second)] == list(range(69, 19, -1))
    third = auth.get(_link(second, "Ältere")).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<td>N(\d+)</td>", third)] == list(range(19, -1, -1))
    assert _link(third, "Ältere") is None and "bereich=customer" in _link(third, "‹ Neuere")
    back = auth.get(_link(second, "‹ Neuere")).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<td>N(\d+)</td>", back)] == list(range(119, 69, -1))
    assert "N999" in auth.get(_link(back, "‹ Neuere")).get_data(as_text=True)


# ------------------------------------------------------------------ CSV export


def test_csv_export(logged, auth):
    AuditLog.create(user=logged["pap1"], action="read", entity="customer-list", detail="=HYPERLINK(\"x\")")
    auth.login("ds1")
    response = auth.get(URL + "export.csv?bereich=customer")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="Protokoll_')
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == list(audit_views.CSV_HEADER)
    assert [r[6] for r in table[1:]] == ["'=HYPERLINK(\"x\")", "M4", "M2", "M1"]  # newest first, no formula
    assert table[-1] == ["01.03.2026 09:00:00", "pap1", "Pap1", "read", "customer", str(logged["c1"].id), "M1",
                         "10.0.0.1"]
    assert b"\r\n" in data
    [row] = rows(action="export", entity="audit-log")
    assert row.user.username == "ds1" and "bereich='customer'" in row.detail and "4 Einträge" in row.detail
    assert "sha256=" in row.detail


def test_csv_export_refuses_bad_filter(logged, auth):
    auth.login("ds1")
    response = auth.get(URL + "export.csv?von=32.01.2026")
    assert response.status_code == 422 and "Dieses Datum gibt es nicht." in response.get_data(as_text=True)
    assert not rows(action="export", entity="audit-log")


def test_csv_export_link_carries_the_filters(logged, auth):
    auth.login("ds1")
    body = auth.get(URL + "?aktion=denied&bereich=customers", htmx=True).get_data(as_text=True)
    assert 'href="/protokoll/export.csv?bereich=customers&amp;aktion=denied"' in body


# ------------------------------------------------------------------ append-only


def test_audit_rows_cannot_be_changed_or_deleted(world, db):
    audit.log("read", "customer", world["c1"].id, user=world["pap1"])
    for attempt in (lambda: AuditLog.update(detail="gefälscht").execute(),
                    lambda: AuditLog.update(user=None).where(AuditLog.id > 0).execute(),
                    lambda: AuditLog.delete().execute(),
                    lambda: db.execute_sql('DELETE FROM "audit_log" WHERE id > 0')):
        with pytest.raises(IntegrityError, match="audit_log ist unveränderlich"), db.atomic():
            attempt()
    assert [(r.detail, r.user_id) for r in AuditLog.select()] == [("", world["pap1"].id)]


def test_users_with_audit_rows_cannot_be_deleted(world, db):
    """Users are deactivated, never deleted: the foreign key's SET NULL would update audit rows."""
    audit.log("login", "user", world["pap1"].id, user=world["pap1"])
    with pytest.raises(IntegrityError, match="audit_log ist unveränderlich"), db.atomic():
        User.delete().where(User.id == world["pap1"].id).execute()
    assert User.get_or_none(User.id == world["pap1"].id) is not None


def _triggers(db):
    if is_postgres():
        return db.execute_sql("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
                              "AND tgrelid = 'audit_log'::regclass ORDER BY tgname").fetchall()
    return db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log' "
                          "ORDER BY name").fetchall()


def test_append_only_sql_creates_the_migrated_triggers(db):
    """The shared helper (used by migration 0008 and by the tests' table emptying) re-creates
    exactly the triggers the migrations left."""
    migrated = _triggers(db)
    assert [name for name, _ in migrated] == ["audit_log_no_delete", "audit_log_no_update"]
    with db.atomic():
        for statement in audit.drop_append_only_sql(db) + audit.append_only_sql(db):
            db.execute_sql(statement)
    assert _triggers(db) == migrated


# ------------------------------------------------------------------ instance files: owner only


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_instance_folder_and_secret_key_are_private(tmp_path, monkeypatch, open_umask):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    fake = SimpleNamespace(instance_path=str(tmp_path / "instance"), config=Config(str(tmp_path)))
    config.load(fake)
    assert _mode(tmp_path / "instance") == 0o700 and _mode(tmp_path / "instance" / "secret_key") == 0o600
    (tmp_path / "instance").chmod(0o755)
    config.load(fake)  # an existing folder is tightened
    assert _mode(tmp_path / "instance") == 0o700


def test_private_file(tmp_path, open_umask):
    path = tmp_path / "neu" / "db.sqlite3"
    config.private_file(path)
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700 and path.read_bytes() == b""
    path.chmod(0o644)
    path.with_name("db.sqlite3-wal").write_bytes(b"")
    config.private_file(path)
    assert _mode(path) == 0o600 and _mode(path.with_name("db.sqlite3-wal")) == 0o600


@pytest.mark.parametrize("how", ["db upgrade", "first request"])
def test_sqlite_database_files_are_private(tmp_path, open_umask, how):
    """The database, its -wal and -shm: owner only, whether `db upgrade` or the web app creates them."""
    from absolvent import create_app
    from absolvent.db import database
    url = f"sqlite:///{tmp_path / 'data' / 'absolvent.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url, "DATABASE_POOLED": False})
    if how == "db upgrade":
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    else:
        app.test_client().get("/anmelden").close()
        with app.app_context(), database.connection_context():
            database.execute_sql("CREATE TABLE t (x INTEGER)")
            database.execute_sql("INSERT INTO t VALUES (1)")
    files = sorted(p.name for p in (tmp_path / "data").iterdir())
    assert "absolvent.sqlite3" in files
    assert {name: _mode(tmp_path / "data" / name) for name in files} == dict.fromkeys(files, 0o600)
