"""Benchmark: the in-process cost of one request (not a test).

Logs in as a demo pAp through the Flask test client against a database made by
``flask --app app demo load`` (DATABASE_URL), requests each page N times
(default 200, ``BENCH_N``) and prints per page: median and mean ms per request in-process, of
which in SQL (mean) (time spent in ``execute_sql``), statements and connections opened
per request. ``--profile PAGE`` prints the cProfile of that page's requests.

    DATABASE_URL=sqlite:///… .venv/bin/python bench/bench_overhead.py [--profile /start]
"""
import argparse
import cProfile
import os
import pstats
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from absolvent import create_app  # noqa: E402
from absolvent.db import database  # noqa: E402
from absolvent.models import Customer, Participation, User  # noqa: E402

N = int(os.environ.get("BENCH_N", "200"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "Absolvent-Demo-2026")


class Meter:
    """Counts and times every statement and every SQLite connection opened (PostgreSQL: none counted)."""

    def __init__(self, db):
        self.sql_seconds, self.statements, self.connects = 0.0, 0, 0
        execute, connect = db.execute_sql, sqlite3.connect

        def timed_execute(*args, **kwargs):
            start = time.perf_counter()
            try:
                return execute(*args, **kwargs)
            finally:
                self.sql_seconds += time.perf_counter() - start
                self.statements += 1

        def counted_connect(*args, **kwargs):
            self.connects += 1
            return connect(*args, **kwargs)

        db.execute_sql, sqlite3.connect = timed_execute, counted_connect  # peewee calls sqlite3.connect

    def reset(self):
        self.sql_seconds, self.statements, self.connects = 0.0, 0, 0


def pages(app, username):
    with app.app_context():
        database.connect(reuse_if_open=True)
        user = User.get(User.username == username)
        participation = (Participation.select().join(Customer).where(Customer.pap == user)
                         .order_by(Participation.id).first())
        customer = participation.customer
        database.close()
    return {"static": "/static/app.css", "start": "/start", "worklist": "/wiedervorlagen/",
            "participation": f"/teilnahmen/{participation.id}", "customer": f"/kunden/{customer.id}"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="pap1")
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    app = create_app({"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    meter = Meter(database.obj)
    client = app.test_client()
    response = client.post("/anmelden", data={"username": args.user, "password": PASSWORD})
    assert response.status_code == 302, "login failed: load the demo data and check BENCH_PASSWORD"
    print(f"N = {N} requests per page, in-process (Flask test client)")
    print(f"{'page':14} {'median ms':>10} {'mean ms':>8} {'SQL ms':>8} {'statements':>10} {'connects':>9}")
    for name, url in pages(app, args.user).items():
        for _ in range(5):  # warm up templates and caches
            assert client.get(url).status_code == 200, url
        meter.reset()
        profile = cProfile.Profile() if args.profile == name else None
        if profile:
            profile.enable()
        times = []
        for _ in range(N):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if profile:
            profile.disable()
        print(f"{name:14} {statistics.median(times):10.2f} {statistics.mean(times):8.2f} "
              f"{meter.sql_seconds * 1000 / N:8.2f} {meter.statements / N:10.1f} {meter.connects / N:9.2f}")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
