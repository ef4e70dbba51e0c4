"""Durability (issue 10): a server process killed with SIGKILL during concurrent writes loses no
acknowledged write, leaves no half-written record, and the SQLite file stays intact."""
import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from absolvent import passwords
from absolvent.db import make_database, migrate

WRITERS = 6
SERVER = ("from absolvent import create_app\n"
          "from werkzeug.serving import make_server\n"
          "server = make_server('127.0.0.1', 0, create_app(), threaded=True)\n"
          "print(server.server_port, flush=True)\n"
          "server.serve_forever()\n")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _client(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

    def call(path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with opener.open(base + path, body, timeout=10) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:  # 302 (no redirect followed), 4xx, 5xx
            return error.code, error.read().decode(errors="replace"), dict(error.headers)
    return call


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_during_concurrent_writes_loses_no_acknowledged_write(tmp_path):
    path = tmp_path / "dauer.sqlite3"
    db = make_database(f"sqlite:///{path}", pooled=False)
    db.connect()
    migrate(db)
    password_hash = passwords.hash_password("Dauer-Test-123")
    db.execute_sql("INSERT INTO team (name) VALUES ('Team D')")
    db.execute_sql('INSERT INTO "user" (username, name, email, phone, password_hash, roles, team_id, active, '
                   'created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                   ("pap", "P", "", "", password_hash, "pAp", 1, 1, "2026-01-01 00:00:00"))
    db.execute_sql("INSERT INTO jobcenter_settings (name, street, postal_code, city, letterhead, phone, email, "
                   "bundesland, active_rulebook, rez_name, rez_address, agentur_name, agentur_address) "
                   "VALUES ('J', '', '', '', '', '', '', 'NI', 'goslar-2016', '', '', '', '')")
    db.close()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "dauer", "SESSION_COOKIE_SECURE": "0"}
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              env=env,
                              cwd=os.path.dirname(os.path.dirname(__file__)), text=True)
    try:
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        acknowledged, stop = [], threading.Event()

        def writer(n):
            try:
                write(n)
            except (OSError, http.client.HTTPException, AttributeError):  # the server is gone (killed)
                return

        def write(n):
            call = _client(base)
            _, page, _ = call("/anmelden")
            call("/anmelden", {"username": "pap", "password": "Dauer-Test-123",
                               "csrf_token": TOKEN.search(page).group(1)})
            _, page, _ = call("/start")
            token = TOKEN.search(page).group(1)
            i = 0
            while not stop.is_set() and i < 500:
                number = f"D{n}X{i:04d}"
                status, _, _ = call("/kunden/neu", {"customer_number": number, "first_name": "Vorname",
                                                    "last_name": f"Nachname {number}",
                                                    "birth_date": "01.02.1990", "csrf_token": token})
                if status == 302:
                    acknowledged.append(number)
                i += 1

        threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(WRITERS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)  # in the middle of the writes
        server.wait(10)
        stop.set()
        for t in threads:
            t.join(15)
    finally:
        if server.poll() is None:
            server.kill()
        server.stdout.close()
    assert len(acknowledged) >= 30
    db = make_database(f"sqlite:///{path}", pooled=False)
    db.connect()
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    rows = dict(db.execute_sql("SELECT customer_number, last_name FROM customer").fetchall())
    missing = [n for n in acknowledged if n not in rows]
    assert missing == []  # every acknowledged write survived
    assert all(rows[n] == f"Nachname {n}" for n in acknowledged)  # and is complete
    audited = {r[0] for r in db.execute_sql("SELECT entity_id FROM audit_log WHERE action = 'create' "
                                            "AND entity = 'customer'").fetchall()}
    ids = {str(r[0]) for r in db.execute_sql("SELECT id FROM customer").fetchall()}
    assert ids <= audited  # no customer without its audit row (one transaction)
    db.close()
