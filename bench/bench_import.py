"""Time the import of a generated 50,000-row export (not part of the test suite: too slow).

    .venv/bin/python bench/bench_import.py [ROWS] [--db postgresql://…] [--keep FILE.csv]

Builds a fresh database (a temporary SQLite file unless --db names an empty PostgreSQL
database, which is wiped), two teams, then a CSV with ROWS participations (one per customer,
500 measures at 10 providers, a few exits and Abbrüche) and times reading/checking,
comparing and writing (one transaction, plans included). Run it a second time on the same
data to time the "nothing changed" path: the script does that too.
"""
import argparse
import datetime
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from absolvent import create_app  # noqa: E402
from absolvent.db import database, migrate  # noqa: E402
from absolvent.imports import operations  # noqa: E402
from absolvent.models import FollowUp, JobcenterSettings, Team  # noqa: E402

HEADER = ("Kundennummer;Nachname;Vorname;Geburtsdatum;Team;Maßnahme-Nr.;Maßnahmeart;Maßnahmetitel;Träger;"
          "Beginn;Ende;Eintritt;geplantes Ende;Austritt;Austrittsart")
TYPES = ("MAT", "AVGS", "FBW", "AGH", "BVB", "MAG")


def generate(rows, seed=12):
    rnd = random.Random(seed)
    measures = []
    for n in range(500):
        start = datetime.date(2026, 1, 5) + datetime.timedelta(days=7 * (n % 30))
        measures.append((f"962/{n:05d}", TYPES[n % len(TYPES)], f"Maßnahme {n}", f"Träger {n % 10}",
                         start, start + datetime.timedelta(days=180)))
    lines = [HEADER]
    for i in range(rows):
        number, code, title, provider, start, end = measures[i % len(measures)]
        entry = start + datetime.timedelta(days=rnd.randrange(0, 30))
        exit_, kind = ("", "")
        if i % 10 == 0:
            exit_, kind = (entry + datetime.timedelta(days=40)).strftime("%d.%m.%Y"), "Abbruch"
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rnd.randrange(0, 15000))
        lines.append(";".join([f"123D{i:06d}", f"Muster{i}", "Erika", birth.strftime("%d.%m.%Y"),
                               "Team A" if i % 2 else "Team B", number, code, title, provider,
                               start.strftime("%d.%m.%Y"), end.strftime("%d.%m.%Y"), entry.strftime("%d.%m.%Y"),
                               end.strftime("%d.%m.%Y"), exit_, kind]))
    return ("\n".join(lines) + "\n").encode("cp1252")


def run(data):
    t0 = time.perf_counter()
    rows, problems = operations.load(data)
    t1 = time.perf_counter()
    assert not problems, problems[:5]
    changes = operations.analyse(rows)
    t2 = time.perf_counter()
    summary = operations.apply(changes, None)
    t3 = time.perf_counter()
    print(f"  lesen+prüfen {t1 - t0:6.1f} s, vergleichen {t2 - t1:6.1f} s, schreiben+planen {t3 - t2:6.1f} s, "
          f"gesamt {t3 - t0:6.1f} s")
    print("  " + summary["text"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=50_000)
    parser.add_argument("--db")
    parser.add_argument("--keep")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.db or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "DATABASE_POOLED": False, "SECRET_KEY": "bench"})
    with app.app_context():
        database.connect()
        if url.startswith("postgres"):
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")
        migrate()
        JobcenterSettings.create(name="Jobcenter Bench", active_rulebook="goslar-2016")
        Team.create(name="Team A"), Team.create(name="Team B")
        data = generate(args.rows)
        if args.keep:
            Path(args.keep).write_bytes(data)
        print(f"{args.rows} Zeilen, {len(data) / 1e6:.1f} MB, {url.split(':')[0]}")
        print("Erster Import (alles neu):")
        run(data)
        print(f"  {FollowUp.select().count()} Wiedervorlagen")
        print("Zweiter Import (nichts geändert):")
        run(data)
        database.close()


if __name__ == "__main__":
    main()
