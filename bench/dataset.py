"""The benchmark's data sets: a Jobcenter at the goal scale and at 1/10 of it (not a test).

    .venv/bin/python bench/dataset.py [--scale full|small|both] [--pg] [--force]

``full``: 10 teams of 10 pAp (and a TL), 10 MB, 2 BL, a DQM, an Admin; 50,000 customers,
100,000 participations in 2,000 measures of every type (past, running, future), ~1.05 million
follow-ups, notes and agreements. ``small``: the same staff, a tenth of the rest.

Each distinct (rulebook, measure type, entry, planned end, exit, Abbruch) is planned once
with ``absolvent.rules.planner.plan`` and copied to every participation of that shape. Rows
come from the models' fields (defaults for the columns not set here; a ``team``/``pap``/
``customer`` on the follow-up is filled from the case when the model has one), written in
bulk (SQLite ``executemany``, secondary indexes recreated after; PostgreSQL ``COPY``) into
a schema made by the migrations. Kept in bench/out/ and in the PostgreSQL databases
``absolvent_bench``/``absolvent_bench_small`` with a stamp (migrations, the models' columns,
this file); rebuilt when missing or stale. A run serves a copy (``run_copy``).
"""
import argparse
import contextlib
import datetime
import hashlib
import io
import json
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from absolvent.caseload import contact_dates, tallies  # noqa: E402
from absolvent.db import MIGRATIONS_DIR, make_database, migrate, migration_names  # noqa: E402
from absolvent.models import (  # noqa: E402
    MODELS, Agreement, Customer, FollowUp, JobcenterSettings, Measure, Note, Participation, Provider, Team, User,
)
from absolvent.passwords import hash_password  # noqa: E402
from absolvent.rules.planner import ParticipationFacts, plan  # noqa: E402
from absolvent.rules.rulebook import load_rulebook  # noqa: E402
from absolvent.search_keys import customer_keys  # noqa: E402

OUT = ROOT / "bench" / "out"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "Bench-Passwort-1"
RULEBOOK = "deutsche-weinstrasse-2022"
TODAY = datetime.date.today()
SCALES = {"full": {"customers": 50_000, "participations": 100_000, "measures": 2_000},
          "small": {"customers": 5_000, "participations": 10_000, "measures": 200}}
TEAMS, PAPS_PER_TEAM, MBS = 10, 10, 10
# measure type -> (share, typical duration in days)
TYPES = {"MAT": (20, 120), "AVGS": (12, 90), "FBW": (14, 300), "FBW-ABS": (10, 730), "AGH": (14, 300),
         "MAG": (6, 42), "BAE": (4, 1095), "BVB": (5, 300), "EQ": (4, 270), "16E": (6, 730), "16I": (5, 1460)}
_LAST = ("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter "
        "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner "
        "Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs "
        "Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler "
        "Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher "
        "Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich "
        "Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer")
LAST_NAMES = _LAST.split()
_FIRST = ("Anna Maria Lena Sophie Laura Julia Sarah Lisa Katharina Hannah Emma Lea Elena Olga Ayşe Fatma Jan Lukas "
        "Paul Leon Felix Jonas Max Tim Niklas David Ali Mehmet Piotr Andrzej Yusuf Ahmad Sabine Petra Monika "
        "Heike Thomas Michael Andreas Stefan Frank Jürgen Uwe Dirk")
FIRST_NAMES = _FIRST.split()
BATCH = 20_000


# ------------------------------------------------------------------ stamp and copies

def stamp():
    """What a data set depends on: the migrations (names and text), the models' columns, this file."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS_DIR.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for model in MODELS:
        digest.update(f"{model._meta.table_name}:{[f.column_name for f in model._meta.sorted_fields]}".encode())
    digest.update(Path(__file__).read_bytes())
    for module in (tallies, contact_dates):  # the triggers of 0025 and 0026
        digest.update(Path(module.__file__).read_bytes())
    return {"migrations": migration_names(), "sha256": digest.hexdigest()}


def sqlite_path(scale, copy=False):
    return OUT / f"{scale}{'-run' if copy else ''}.sqlite3"


def pg_name(scale, copy=False):
    return "absolvent_bench" + ("" if scale == "full" else f"_{scale}") + ("_run" if copy else "")


def _stamp_file(kind, scale):
    return OUT / f"{kind}-{scale}.stamp.json"


def _pg_admin(sql, fetch=False):
    import psycopg2
    conn = psycopg2.connect(f"{PG_SERVER}/postgres", connect_timeout=3)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if fetch else None
    finally:
        conn.close()


def pg_reachable():
    try:
        _pg_admin("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 — any failure means: no PostgreSQL side of the table
        return False


def is_current(kind, scale):
    path = _stamp_file(kind, scale)
    present = sqlite_path(scale).exists() if kind == "sqlite" else bool(_pg_admin(
        f"SELECT 1 FROM pg_database WHERE datname = '{pg_name(scale)}'", fetch=True))
    return present and path.exists() and json.loads(path.read_text()) == stamp()


def ensure(kind, scale, force=False):
    """Build the data set unless a current one is kept; return the build's seconds or None."""
    if not force and is_current(kind, scale):
        return None
    OUT.mkdir(parents=True, exist_ok=True)
    _stamp_file(kind, scale).unlink(missing_ok=True)
    started = time.perf_counter()
    if kind == "sqlite":
        building = OUT / f"{scale}-building.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        build(f"sqlite:///{building}", scale)
        building.replace(sqlite_path(scale))
    else:
        name, building = pg_name(scale), pg_name(scale) + "_building"
        _pg_admin(f"DROP DATABASE IF EXISTS {building}")
        _pg_admin(f"CREATE DATABASE {building}")
        build(f"{PG_SERVER}/{building}", scale)
        _pg_admin(f"DROP DATABASE IF EXISTS {name}")
        _pg_admin(f"ALTER DATABASE {building} RENAME TO {name}")
    _stamp_file(kind, scale).write_text(json.dumps(stamp(), indent=1))
    return time.perf_counter() - started


def run_copy(kind, scale):
    """A fresh copy of the kept data set for one run; returns its DATABASE_URL."""
    if kind == "sqlite":
        target = sqlite_path(scale, copy=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(sqlite_path(scale), target)
        return f"sqlite:///{target}"
    import psycopg2
    name = pg_name(scale, copy=True)
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")
    # PostgreSQL 15 copies a database through the WAL by default: gigabytes of WAL whose
    # checkpoints then ran while the first pages were measured (p95 of 500-650 ms in three of
    # four runs on one page, 200 ms without). FILE_COPY copies the files between two checkpoints.
    try:
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {pg_name(scale)} STRATEGY FILE_COPY")
    except psycopg2.errors.SyntaxError:  # before PostgreSQL 15: always a file copy
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {pg_name(scale)}")
    with contextlib.suppress(psycopg2.errors.InsufficientPrivilege):
        _pg_admin("CHECKPOINT")  # nothing of the copy left to write while pages are measured
    return f"{PG_SERVER}/{name}"


# ------------------------------------------------------------------ rows from the models' fields

class Table:
    """Bulk rows for one model: every column in the model's order, defaults for the rest."""

    def __init__(self, model, postgres, ids=True):
        self.model, self.postgres = model, postgres
        self.fields = [f for f in model._meta.sorted_fields if ids or not f.primary_key]
        self.columns = [f.column_name for f in self.fields]
        self.rows = []

    def template(self, values):
        """A row (list) from a dict of field names; unset fields get their default."""
        row = []
        for f in self.fields:
            if f.name in values:
                value = values[f.name]
            elif f.default is not None:
                value = f.default() if callable(f.default) else f.default
            elif f.null:
                value = None
            else:
                raise SystemExit(f"dataset.py: {self.model.__name__}.{f.name} has no value and no default")
            row.append(self.convert(value))
        return row

    def index(self, name):
        return [f.name for f in self.fields].index(name)

    def convert(self, value):
        if hasattr(value, "id") and not isinstance(value, int | str):
            value = value.id
        if self.postgres:
            return value
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, datetime.date):
            return str(value)  # what peewee stores in SQLite (ISO date, "YYYY-MM-DD HH:MM:SS")
        return value

    def add(self, values):
        self.rows.append(self.template(values))


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def write(db, table, rows=None):
    rows = table.rows if rows is None else rows
    if not rows:
        return
    name = table.model._meta.table_name
    if table.postgres:
        buffer = io.StringIO()
        buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
        buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in table.columns)
        db.cursor().copy_expert(f'COPY "{name}" ({columns}) FROM STDIN', buffer)
    else:
        marks = ", ".join("?" * len(table.columns))
        columns = ", ".join(f'"{c}"' for c in table.columns)
        db.connection().executemany(f'INSERT INTO "{name}" ({columns}) VALUES ({marks})', rows)
    rows.clear()


def _drop_indexes(db, postgres, tables):
    """Drop the secondary indexes of ``tables``; return the statements that recreate them."""
    statements = []
    for name in tables:
        if postgres:
            found = db.execute_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                                   "AND indexname NOT LIKE %s", (name, "%_pkey")).fetchall()
        else:
            found = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                   "AND sql IS NOT NULL", (name,)).fetchall()
        for index, sql in found:
            db.execute_sql(f'DROP INDEX "{index}"')
            statements.append(sql)
    return statements


# ------------------------------------------------------------------ the Jobcenter

def build(url, scale):
    size = SCALES[scale]
    postgres = url.startswith("postgres")
    db = make_database(url, pooled=False)
    db.connect()
    migrate(db)
    rng = random.Random(11)
    rulebook = load_rulebook(RULEBOOK)
    models = (Team, User, JobcenterSettings, Provider, Measure, Customer, Participation, Note, FollowUp, Agreement)
    t = {m: Table(m, postgres, ids=m not in (Note, FollowUp, Agreement)) for m in models}
    if postgres:
        db.execute_sql("SET session_replication_role = replica")  # consistent by construction: no FK triggers
    else:
        for pragma in ("foreign_keys = OFF", "journal_mode = OFF", "synchronous = OFF", "cache_size = -200000"):
            db.execute_sql(f"PRAGMA {pragma}")
    recreate = _drop_indexes(db, postgres, [m._meta.table_name for m in (Customer, Participation, Note, FollowUp,
                                                                           Agreement)])
    with db.atomic():
        if not postgres:  # the kept values are set once at the end (PostgreSQL's replica role fires no triggers)
            recreate += tallies.trigger_sql(db) + contact_dates.trigger_sql(db)
            for sql in tallies.drop_trigger_sql(db) + contact_dates.drop_trigger_sql(db):
                db.execute_sql(sql)
        _staff_and_measures(t, size, rng)
        for model in models[:5]:
            write(db, t[model])
        _caseload(db, t, size, rng, rulebook)
        for sql in recreate:
            db.execute_sql(sql)
        db.execute_sql(tallies.backfill_sql())  # as migrations 0025 and 0026 set them
        db.execute_sql(contact_dates.backfill_sql(db))
    if postgres:
        for model in models:
            table = model._meta.table_name
            db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table}\"), false)")
    # as `flask db upgrade` does; PostgreSQL: VACUUM too, as autovacuum soon would after a bulk load (the
    # visibility map it sets lets counts read an index alone: 14 ms instead of 65 for a team's open steps)
    db.execute_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
    if not postgres:
        db.execute_sql("PRAGMA journal_mode = WAL")
    db.close()


def _staff_and_measures(t, size, rng):
    pw = hash_password(PASSWORD)
    t[JobcenterSettings].add({"id": 1, "name": "Jobcenter Bench", "bundesland": "RP", "active_rulebook": RULEBOOK})
    uid = 0

    def user(username, name, roles, team=None):
        nonlocal uid
        uid += 1
        t[User].add({"id": uid, "username": username, "name": name, "roles": roles, "team": team,
                     "password_hash": pw})
        return uid

    t.update(paps={}, tls={})
    for team in range(1, TEAMS + 1):
        t[Team].add({"id": team, "name": f"Team {team}"})
        t["tls"][team] = user(f"tl-{team}", f"Teamleitung {team}", "TL", team)
        t["paps"][team] = [user(f"pap-{team}-{k}", f"pAp {team}.{k}", "pAp", team) for k in range(1, PAPS_PER_TEAM + 1)]
    t["mbs"] = [user(f"mb-{k}", f"Maßnahmebetreuung {k}", "MB") for k in range(1, MBS + 1)]
    user("bl-1", "Bereichsleitung 1", "BL"), user("bl-2", "Bereichsleitung 2", "BL")
    user("dqm-1", "DQM 1", "DQM", 1), user("admin", "Administration", "Admin")
    for k in range(1, 51):
        t[Provider].add({"id": k, "name": f"Bildungsträger {k} gGmbH", "city": "Neustadt", "postal_code": "67433"})
    codes = [code for code, (share, _) in TYPES.items() for _ in range(share)]
    t["measures"] = []
    for k in range(1, size["measures"] + 1):
        code = codes[k % len(codes)]
        start = TODAY + datetime.timedelta(days=7 * rng.randint(-160, 26))  # 3 years back, half a year ahead
        end = start + datetime.timedelta(days=TYPES[code][1] + 7 * rng.randint(-2, 2))
        t[Measure].add({"id": k, "type_code": code, "measure_number": f"962/{k:05d}", "title": f"{code} Maßnahme {k}",
                        "provider": 1 + k % 50, "start": start, "end": end, "capacity": 60, "mb": t["mbs"][k % MBS],
                        "procurement": "gutschein" if code == "AVGS" else "vergabe"})
        t["measures"].append((k, code, start, end))


def _caseload(db, t, size, rng, rulebook):
    customers = []
    for k in range(1, size["customers"] + 1):
        team = 1 + k % TEAMS
        pap = t["paps"][team][(k // TEAMS) % PAPS_PER_TEAM]
        customers.append((team, pap))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        keys = customer_keys(last, first, f"962D{k:06d}")
        t[Customer].add({"id": k, "customer_number": f"962D{k:06d}", "first_name": first,
                         "last_name": last, "birth_date": datetime.date(1965, 1, 1)
                         + datetime.timedelta(days=rng.randint(0, 14000)), "team": team, "pap": pap,
                         "street": f"Hauptstraße {k % 200 + 1}", "postal_code": "67433", "city": "Neustadt", **keys})
    write(db, t[Customer])
    f = t[FollowUp]
    slots = {name: f.index(name) for name in ("participation", "status", "done_by", "done_at")}
    # who is responsible and when the case ends, copied onto the step (FollowUp.sync)
    case_slots = {name: f.index(name) for name in ("team", "pap", "case_end", "mb") if name in FollowUp._meta.fields}
    if "customer" in FollowUp._meta.fields:
        case_slots["customer"] = f.index("customer")
    shapes = {}
    p_tab, n_tab, a_tab = t[Participation], t[Note], t[Agreement]
    for pid in range(1, size["participations"] + 1):
        cid = rng.randint(1, size["customers"])
        team, pap = customers[cid - 1]
        mid, code, start, end = rng.choice(t["measures"])
        entry = start + datetime.timedelta(days=7 * rng.randint(0, 2))
        exit_, dropout = None, False
        if end < TODAY:
            exit_, dropout = end, rng.random() < 0.2
            if dropout:
                exit_ = entry + (end - entry) * rng.randint(1, 4) // 5
        p_tab.add({"id": pid, "customer": cid, "team": team, "measure": mid, "entry": entry, "planned_end": end,
                   "exit": exit_,
                   "exit_kind": None if exit_ is None else "abbruch" if dropout else "regulaer",
                   "dropout_reason": "Fehlzeiten" if dropout else ""})
        key = (code, entry, end, exit_, dropout)
        if key not in shapes:
            steps = plan(rulebook, ParticipationFacts(code, entry, end, exit=exit_, dropout=dropout)).steps
            shapes[key] = [(s.due, f.template({
                **dict.fromkeys(case_slots, 0), "participation": 0, "step_id": s.step_id, "rule_id": s.rule_id,
                "title": s.title[:255],
                "role": s.role, "phase": s.phase, "mode": s.mode or "", "mandatory": s.mandatory,
                "form": s.form or "", "checklist": "\n".join(s.checklist), "earliest": s.earliest, "due": s.due,
                "rule_earliest": s.earliest, "rule_due": s.due})) for s in steps]
        for n, (due, template) in enumerate(shapes[key]):
            row = template.copy()
            row[slots["participation"]] = pid
            if due < TODAY - datetime.timedelta(days=5) and (pid + n) % 9:  # most past steps worked off
                row[slots["status"]], row[slots["done_by"]] = "done", pap
                row[slots["done_at"]] = f.convert(datetime.datetime.combine(due, datetime.time(10)))
            for name, slot in case_slots.items():
                row[slot] = {"team": team, "pap": pap, "customer": cid, "mb": t["mbs"][mid % MBS],
                             "case_end": f.convert(exit_ or end)}[name]
            f.rows.append(row)
        if entry <= TODAY:
            n_tab.add({"customer": cid, "participation": pid, "subject": "Beratungsgespräch", "author": pap,
                       "text": "Gespräch zur Maßnahme geführt, Ziele besprochen.", "date": entry, "kind": "kontakt",
                       "channel": "persoenlich"})
            if pid % 4:
                kind = "KP" if entry >= datetime.date(2023, 7, 1) else "EV"
                a_tab.add({"participation": pid, "customer": cid, "kind": kind, "concluded_on": entry,
                           "valid_until": entry + datetime.timedelta(days=180) if kind == "EV" else None,
                           "review_date": entry + datetime.timedelta(days=90) if kind == "KP" else None,
                           "goal": "Aufnahme einer sozialversicherungspflichtigen Beschäftigung",
                           "steps": "Regelmäßige Teilnahme an der Maßnahme; monatlich fünf Bewerbungen.",
                           "author": pap})
        if len(f.rows) >= BATCH:
            for table in (p_tab, f, n_tab, a_tab):
                write(db, table)
    for table in (p_tab, f, n_tab, a_tab):
        write(db, table)
    t["shapes"] = len(shapes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("full", "small", "both"), default="both")
    parser.add_argument("--pg", action="store_true", help="also PostgreSQL (when reachable)")
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if args.pg and pg_reachable() else [])
    for kind in kinds:
        for scale in (("small", "full") if args.scale == "both" else (args.scale,)):
            seconds = ensure(kind, scale, args.force)
            print(f"{kind:10} {scale:5}: " + ("aktuell, wiederverwendet" if seconds is None
                                               else f"aufgebaut in {seconds:.1f} s"), flush=True)


if __name__ == "__main__":
    main()
