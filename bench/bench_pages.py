"""Benchmark: page times on a caseload of tens of thousands of participations.

Not a test. Builds a database (SQLite in a temp folder, or BENCH_DATABASE_URL,
which is emptied first!) with 30,000 customers, 600 measures and 40,000
participations with their planned follow-ups, then requests the busiest pages
through the Flask test client and prints median and 95th percentile per page.

    .venv/bin/python bench/bench_pages.py [--customers 30000] [--runs 20]
"""
import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from absolvent import create_app  # noqa: E402
from absolvent.db import database, migrate  # noqa: E402
from absolvent.models import (  # noqa: E402
    Customer, FollowUp, JobcenterSettings, Measure, Participation, Provider, Team, User,
)
from absolvent.passwords import hash_password  # noqa: E402
from absolvent.rules.planner import ParticipationFacts, plan  # noqa: E402
from absolvent.rules.rulebook import load_rulebook  # noqa: E402

TYPES = ["MAT", "MAT", "FBW", "FBW-ABS", "AGH", "AVGS", "BAE", "MAG"]


def build(n_customers, n_participations, rng):
    today = datetime.date.today()
    rulebook = load_rulebook("goslar-2016")
    JobcenterSettings.create(name="Jobcenter Bench", bundesland="NI", active_rulebook="goslar-2016")
    teams = [Team.create(name=f"Team {i}") for i in range(4)]
    pw = hash_password("Bench-Passwort-1")
    paps = [User.create(username=f"pap{i}", name=f"pAp {i}", roles="pAp", team=teams[i % 4], password_hash=pw)
            for i in range(40)]
    User.create(username="mb0", name="MB 0", roles="MB", password_hash=pw)
    User.create(username="bl0", name="BL 0", roles="BL", password_hash=pw)
    provider = Provider.create(name="Träger Bench")
    measures = []
    for i in range(600):
        start = today + datetime.timedelta(days=rng.randint(-900, 200))
        measures.append(Measure.create(type_code=TYPES[i % len(TYPES)], measure_number=f"B{i:05d}",
                                       title=f"Maßnahme {i}", provider=provider, start=start,
                                       end=start + datetime.timedelta(days=rng.randint(30, 700)), capacity=20))
    names = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann"]
    with database.atomic():
        rows = [{"customer_number": f"{i:03d}D{rng.randint(0, 999999):06d}"[-10:] + str(i),
                 "first_name": "Vorname", "last_name": f"{rng.choice(names)}{i % 97}",
                 "birth_date": datetime.date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
                 "team": teams[i % 4].id, "pap": paps[i % 40].id, "version": 1,
                 "created_at": datetime.datetime.now()} for i in range(n_customers)]
        for chunk in range(0, len(rows), 500):
            Customer.insert_many(rows[chunk:chunk + 500]).execute()
    customer_ids = [c.id for c in Customer.select(Customer.id)]
    planned = 0
    with database.atomic():
        for chunk in range(0, n_participations, 500):
            prow, followups = [], []
            for _ in range(min(500, n_participations - chunk)):
                m = rng.choice(measures)
                ended = m.end < today
                prow.append({"customer": rng.choice(customer_ids), "measure": m.id, "entry": m.start,
                             "planned_end": m.end, "exit": m.end if ended else None,
                             "exit_kind": "regulaer" if ended else None, "version": 1,
                             "created_at": datetime.datetime.now()})
            first = Participation.insert_many(prow).execute()
            ids = [p.id for p in Participation.select(Participation.id).order_by(Participation.id.desc())
                   .limit(len(prow))][::-1] if first is not None else []
            for pid, row in zip(ids, prow, strict=True):
                m = next(x for x in measures if x.id == row["measure"])
                facts = ParticipationFacts(m.type_code, row["entry"], row["planned_end"], exit=row["exit"])
                for s in plan(rulebook, facts).steps:
                    followups.append({"participation": pid, "step_id": s.step_id, "rule_id": s.rule_id,
                                      "title": s.title[:255], "role": s.role, "phase": s.phase, "mode": s.mode,
                                      "mandatory": s.mandatory, "form": s.form or "", "checklist": "",
                                      "earliest": s.earliest, "due": s.due, "rule_due": s.due,
                                      "status": "done" if s.due < today - datetime.timedelta(days=3) else "open",
                                      "version": 1})
            for c in range(0, len(followups), 500):
                FollowUp.insert_many(followups[c:c + 500]).execute()
            planned += len(followups)
    return planned


def timed(client, url, runs, headers=None):
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=30000)
    parser.add_argument("--participations", type=int, default=40000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(7)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                      "DATABASE_POOLED": False, "WTF_CSRF_ENABLED": False})
    with database.connection_context():
        if url.startswith("postgres"):
            database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        migrate()
        t = time.perf_counter()
        planned = build(args.customers, args.participations, rng)
        database.execute_sql("ANALYZE")  # as `flask db upgrade` does
        print(f"Datenbank: {url.split('://')[0]}, {args.customers} Kunden, {args.participations} Teilnahmen, "
              f"{planned} Wiedervorlagen, aufgebaut in {time.perf_counter() - t:.0f} s")
        pid = Participation.select(Participation.id).join(Customer).where(Customer.pap == 1).first().id
    client = app.test_client()
    client.post("/anmelden", data={"username": "pap0", "password": "Bench-Passwort-1"})
    htmx = {"HX-Request": "true"}
    pages = [("Startseite", "/start", None), ("Kundensuche (htmx)", "/kunden/?q=Müller1", htmx),
             ("Kundenliste", "/kunden/", None), ("Teilnahmen laufend (htmx)", "/teilnahmen/?status=laufend", htmx),
             ("Wiedervorlagen 14 Tage", "/wiedervorlagen/", None),
             ("Wiedervorlagen alle, Team (htmx)", "/wiedervorlagen/?zeitraum=alle&bereich=team", htmx),
             ("Teilnahme mit Plan", f"/teilnahmen/{pid}", None),
             ("Simulator (htmx)", "/regelwerk/simulation?measure=FBW-ABS&start=01.09.2025&end=31.08.2027", htmx)]
    print(f"{'Seite':38} {'Median ms':>10} {'p95 ms':>8}")
    for label, url_, headers in pages:
        median, p95 = timed(client, url_, args.runs, headers)
        print(f"{label:38} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
