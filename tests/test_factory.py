import os
import stat

from absolvent import config, create_app
from absolvent.db import database, make_database


def test_testing_config(app):
    assert app.config["TESTING"]
    assert not create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite:///:memory:"}).testing


def test_defaults_point_into_instance_folder():
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("instance/absolvent.sqlite3")
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example:6543/absolvent")
    app = create_app({"SECRET_KEY": "x", "DATABASE_POOLED": False})
    assert app.config["DATABASE_URL"].startswith("postgresql://")
    assert database.obj.database == "absolvent" and database.obj.connect_params["port"] == 6543


def test_secret_key_generated_once_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config._secret_key(tmp_path)
    assert len(first) == 64 and config._secret_key(tmp_path) == first
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_sqlite_pragmas(tmp_path):
    db = make_database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    db.connect()
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    db.close()


def test_unknown_database_scheme():
    import pytest
    with pytest.raises(ValueError, match="unbekanntem Schema"):
        make_database("mysql://x/y")


def test_htmx_served_by_app_itself(client):
    page = client.get("/anmelden").get_data(as_text=True)
    assert '/static/vendor/htmx.min.js' in page
    assert "http://" not in page and "https://" not in page
    with client.get("/static/vendor/htmx.min.js") as js:
        assert js.status_code == 200 and b"htmx" in js.data[:2000]


def test_no_external_urls_in_templates():
    import pathlib
    root = pathlib.Path(__file__).resolve().parent.parent / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path


def test_german_500_page_and_rollback(app, client, auth, make):
    make.user("erika", "pAp", make.team())

    @app.get("/kaputt")
    def broken():
        raise RuntimeError("Absicht")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login("erika")
    response = client.get("/kaputt")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Interner Fehler" in body and "Absicht" not in body


def test_oversized_upload_gets_german_413(app, auth, make):
    make.user("chef", "Admin")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    auth.login("chef")
    import io
    response = auth.post("/verwaltung/vorlagen/eingliederungsvereinbarung",
                         {"file": (io.BytesIO(b"x" * 5000), "gross.docx")}, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 413 and "Datei zu groß" in body and "höchstens 1 KB." in body
