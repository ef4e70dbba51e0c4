"""Importing a checked export: compare it with the database (``analyse``, reads only: the
preview and ``--dry-run``), then write everything in ONE transaction (``apply``).

All or nothing: ``load`` returns problems for every bad row and ``apply`` is only called for
a file without any. Numbers are looked up in chunks (``.in_()``), new rows go in with
``insert_many`` in batches; no SELECT per row. Matching: customers by Kundennummer, measures
by Maßnahme-Nr., providers by name (case does not count), participations by (customer,
measure) — of several, the one with the same Eintritt, else the latest. An MB imports only
rows of measures they supervise or new ones (those get them as MB) and does not change the
master data of existing customers; the Administration imports everything.
"""
import datetime
from dataclasses import dataclass, field

from .. import audit
from ..caseload import planning, responsibility, tallies
from ..db import database, is_postgres
from ..jobcenter import active_rulebook
from ..models import Customer, FollowUp, Measure, Note, Participation, PlanEvent, Provider, Team, User, now
from ..rules.planner import ParticipationFacts, plan
from ..search_keys import customer_keys
from . import parse

CHUNK = 500  # numbers per IN (…) lookup
VOUCHER_TYPES = ("AVGS", "FBW", "FBW-ABS")  # bought with a Gutschein (procurement "gutschein")
LIST_LIMIT = 200  # entries per list in a preview or result


def chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _default(f):
    return f.default() if callable(f.default) else f.default


def insert_rows(model, rows, batch=1000):
    """Insert plain dicts (missing fields get their defaults) with one prepared statement per
    batch: ``executemany`` on SQLite, ``execute_values`` on PostgreSQL. Peewee's
    ``insert_many`` builds the SQL text row by row, which took most of a 50,000-row import."""
    if not rows:
        return
    fields = [f for f in model._meta.sorted_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    table = model._meta.table_name
    cursor = database.cursor()
    for part in chunks(rows, batch):
        values = [tuple(f.db_value(row[f.name] if f.name in row else _default(f)) for f in fields) for row in part]
        if is_postgres():
            from psycopg2.extras import execute_values
            execute_values(cursor, f'INSERT INTO "{table}" ({columns}) VALUES %s', values, page_size=batch)
        else:
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(fields))})', values)


def lookups():
    """Teams and pAps as the pure checker wants them (casefolded keys)."""
    teams = {t.name.casefold(): t.name for t in Team.select()}
    paps, users = {}, {}
    members = User.select(User, Team).join(Team).where(User.active == True, User.roles.contains("pAp"))  # noqa: E712
    for user in members:
        if not user.has_role("pAp"):
            continue
        for key in {user.username.casefold(), user.name.casefold()}:
            paps[key] = user.team.name if key not in paps else "mehrdeutig"
            users[key] = user.id
    return teams, paps, users


def load(data, today=None):
    """Read and check the file's bytes; returns ``(rows, problems)`` (raises ImportFileError)."""
    problems, table = parse.read_table(data)
    if problems:
        return [], problems
    teams, paps, _ = lookups()
    return parse.check(table, teams, paps, today or datetime.date.today())


@dataclass
class Changes:
    """What an import creates and changes (ids of existing rows, field values to write)."""

    user_id: int
    providers_new: list = field(default_factory=list)
    measures_new: dict = field(default_factory=dict)  # number -> Row
    measures_changed: dict = field(default_factory=dict)  # number -> (Measure, {field: value})
    customers_new: dict = field(default_factory=dict)
    customers_changed: dict = field(default_factory=dict)  # number -> (Customer, {field: value})
    customers_kept: int = 0
    parts_new: list = field(default_factory=list)  # Row
    parts_changed: list = field(default_factory=list)  # (Participation, {field: value}, Row)
    unchanged: dict = field(default_factory=lambda: {"customers": 0, "measures": 0, "participations": 0})
    problems: list = field(default_factory=list)
    total: int = 0

    def summary(self):
        """Counts and (shortened) lists as plain JSON-able data, and the German summary line."""
        counts = {
            "providers_new": len(self.providers_new),
            "customers_new": len(self.customers_new), "customers_changed": len(self.customers_changed),
            "customers_unchanged": self.unchanged["customers"],
            "measures_new": len(self.measures_new), "measures_changed": len(self.measures_changed),
            "measures_unchanged": self.unchanged["measures"],
            "participations_new": len(self.parts_new), "participations_changed": len(self.parts_changed),
            "participations_unchanged": self.unchanged["participations"],
        }
        lists = {
            "Neue Träger": self.providers_new,
            "Neue Kunden": [f"{r.customer_number} {r.last_name}, {r.first_name}" for r in self.customers_new.values()],
            "Geänderte Kunden": [f"{n}: {', '.join(LABELS[f] for f in ch)}"
                                 for n, (_, ch) in self.customers_changed.items()],
            "Neue Maßnahmen": [f"{r.measure_number} {r.type_code} {r.title}" for r in self.measures_new.values()],
            "Geänderte Maßnahmen": [f"{n}: {', '.join(LABELS[f] for f in ch)}"
                                    for n, (_, ch) in self.measures_changed.items()],
            "Neue Teilnahmen": [f"{r.customer_number} in {r.measure_number} ab {r.entry:%d.%m.%Y}"
                                for r in self.parts_new],
            "Geänderte Teilnahmen": [f"{r.customer_number} in {r.measure_number}: {', '.join(LABELS[f] for f in ch)}"
                                     for _, ch, r in self.parts_changed],
        }
        return {"rows": self.total, "counts": counts, "text": summary_text(counts),
                "lists": {k: {"count": len(v), "items": v[:LIST_LIMIT]} for k, v in lists.items() if v}}


LABELS = {"last_name": "Nachname", "first_name": "Vorname", "birth_date": "Geburtsdatum", "team": "Team",
          "pap": "pAp", "type_code": "Maßnahmeart", "title": "Maßnahmetitel", "provider": "Träger",
          "start": "Beginn", "end": "Ende", "entry": "Eintritt", "planned_end": "geplantes Ende",
          "exit": "Austritt", "exit_kind": "Austrittsart"}


def summary_text(c):
    return (f"Kunden: {c['customers_new']} neu, {c['customers_changed']} geändert, {c['customers_unchanged']} "
            f"unverändert; Maßnahmen: {c['measures_new']} neu, {c['measures_changed']} geändert, "
            f"{c['measures_unchanged']} unverändert; Träger: {c['providers_new']} neu; Teilnahmen: "
            f"{c['participations_new']} neu, {c['participations_changed']} geändert, "
            f"{c['participations_unchanged']} unverändert.")


def _by_number(model, column, numbers):
    found = {}
    for part in chunks(numbers):
        for obj in model.select().where(column.in_(part)):
            found[getattr(obj, column.name)] = obj
    return found


def _diff(obj, values):
    return {k: v for k, v in values.items()
            if getattr(obj, k if k not in ("team", "pap", "provider") else k + "_id") != v}


def analyse(rows, user=None):
    """Compare checked rows with the database (reads only); returns Changes (with MB problems)."""
    is_admin = user is None or user.has_role("Admin")  # None: the command line (an administrator's tool)
    ch = Changes(user_id=user.id if user else None, total=len(rows))
    teams = {t.name: t.id for t in Team.select()}
    _, _, pap_ids = lookups()
    providers = {p.name.casefold(): p.id for p in Provider.select(Provider.id, Provider.name)}
    for row in rows:
        if row.provider.casefold() not in providers and row.provider not in ch.providers_new:
            providers.setdefault(row.provider.casefold(), None)
            ch.providers_new.append(row.provider)
    measures = _by_number(Measure, Measure.measure_number, {r.measure_number for r in rows})
    customers = _by_number(Customer, Customer.customer_number, {r.customer_number for r in rows})
    seen_m, seen_c = set(), set()
    for row in rows:
        m = measures.get(row.measure_number)
        if m is not None and not is_admin and m.mb_id != ch.user_id:
            ch.problems.append(parse.Problem(
                row.line, "Maßnahme-Nr.", f"Die Maßnahme {row.measure_number} wird nicht von Ihnen betreut; "
                "nur ihre MB oder die Administration importiert sie."))
        if row.measure_number not in seen_m:
            seen_m.add(row.measure_number)
            values = {"type_code": row.type_code, "title": row.title, "start": row.start, "end": row.end,
                      "provider": providers.get(row.provider.casefold())}
            if m is None:
                ch.measures_new[row.measure_number] = row
            elif diff := _diff(m, values):
                if "provider" in diff:
                    diff["provider"] = row.provider  # by name: a new provider has no id before ``apply``
                ch.measures_changed[row.measure_number] = (m, diff)
            else:
                ch.unchanged["measures"] += 1
        c = customers.get(row.customer_number)
        if row.customer_number not in seen_c:
            seen_c.add(row.customer_number)
            values = {"last_name": row.last_name, "first_name": row.first_name, "birth_date": row.birth_date,
                      "team": teams[row.team]}
            if row.pap:
                values["pap"] = pap_ids[row.pap]
            if c is None:
                ch.customers_new[row.customer_number] = row
            elif (diff := _diff(c, values)) and is_admin:
                ch.customers_changed[row.customer_number] = (c, diff)
            else:
                ch.unchanged["customers"] += 1
    _analyse_participations(rows, customers, measures, ch)
    ch.problems.sort(key=lambda p: p.line)
    return ch


def _analyse_participations(rows, customers, measures, ch):
    existing = {}
    for part in chunks([c.id for c in customers.values()]):
        for p in Participation.select().where(Participation.customer.in_(part)):
            existing.setdefault((p.customer_id, p.measure_id), []).append(p)
    for row in rows:
        c, m = customers.get(row.customer_number), measures.get(row.measure_number)
        found = existing.get((c.id, m.id), []) if c is not None and m is not None else []
        if not found:
            ch.parts_new.append(row)
            continue
        p = next((p for p in found if p.entry == row.entry), max(found, key=lambda p: (p.entry, p.id)))
        diff = _diff(p, {"entry": row.entry, "planned_end": row.planned_end, "exit": row.exit,
                         "exit_kind": row.exit_kind})
        if diff:
            ch.parts_changed.append((p, diff, row))
        else:
            ch.unchanged["participations"] += 1


def apply(ch, user, progress=lambda done, total, phase: None):
    """Write ``ch`` in one transaction, plan new participations, re-plan changed ones and the
    measures they touch (once each); audit rows. Returns the summary dict."""
    steps = 6
    with database.atomic():
        progress(0, steps, "Träger und Maßnahmen")
        insert_rows(Provider, [{"name": name} for name in ch.providers_new])
        providers = {p.name.casefold(): p.id for p in Provider.select(Provider.id, Provider.name)}
        mb = user.id if user and not user.has_role("Admin") and user.has_role("MB") else None
        insert_rows(Measure, [{"type_code": r.type_code, "measure_number": r.measure_number, "title": r.title,
                               "provider": providers[r.provider.casefold()], "start": r.start, "end": r.end,
                               "procurement": "gutschein" if r.type_code in VOUCHER_TYPES else "vergabe", "mb": mb}
                              for r in ch.measures_new.values()])
        for m, diff in ch.measures_changed.values():
            if "provider" in diff:
                diff["provider"] = providers[diff["provider"].casefold()]
            Measure.update(**diff, version=Measure.version + 1).where(Measure.id == m.id).execute()
        progress(1, steps, "Kunden")
        teams = {t.name: t.id for t in Team.select()}
        _, _, pap_ids = lookups()
        insert_rows(Customer, [{"customer_number": r.customer_number, "first_name": r.first_name,
                                "last_name": r.last_name, "birth_date": r.birth_date, "team": teams[r.team],
                                "pap": pap_ids.get(r.pap) if r.pap else None, "created_at": now(),
                                **customer_keys(r.last_name, r.first_name, r.customer_number)}
                               for r in ch.customers_new.values()])
        for c, diff in ch.customers_changed.values():
            keys = customer_keys(diff.get("last_name", c.last_name), diff.get("first_name", c.first_name),
                                 c.customer_number)
            Customer.update(**diff, **keys, version=Customer.version + 1).where(Customer.id == c.id).execute()
        responsibility.for_customers([c.id for c, diff in ch.customers_changed.values()
                                      if {"team", "pap"} & set(diff)])
        progress(2, steps, "Teilnahmen")
        measures = _by_number(Measure, Measure.measure_number, {r.measure_number for r in ch.parts_new}
                              | {r.measure_number for _, _, r in ch.parts_changed} | set(ch.measures_changed))
        customers = {n: c.id for n, c in _by_number(Customer, Customer.customer_number,
                                                    {r.customer_number for r in ch.parts_new}).items()}
        insert_rows(Participation, [{"customer": customers[r.customer_number], "measure": measures[r.measure_number].id,
                                     "entry": r.entry, "planned_end": r.planned_end, "exit": r.exit,
                                     "exit_kind": r.exit_kind, "created_at": now(), "team": teams[r.team]}
                                    for r in ch.parts_new])  # the customer's team: set by this import
        for p, diff, _ in ch.parts_changed:
            if "exit_kind" in diff and diff["exit_kind"] != "abbruch":
                diff.update(important_reason=None)
            Participation.update(**diff, version=Participation.version + 1).where(Participation.id == p.id).execute()
        progress(3, steps, "Wiedervorlagen neuer Teilnahmen")
        new_ids = _plan_new(ch.parts_new, customers, measures, user)
        progress(4, steps, "Wiedervorlagen geänderter Teilnahmen")
        for p, _diff, _ in ch.parts_changed:
            after = Participation.select(Participation, Measure).join(Measure).where(Participation.id == p.id).get()
            planning.replan(after, "Import: " + planning.reason_for_change(p, after), user)
        progress(5, steps, "Wiedervorlagen der Maßnahmen")
        touched = ({measures[r.measure_number].id for r in ch.parts_new}
                   | {measures[r.measure_number].id for _, _, r in ch.parts_changed}
                   | {m.id for m, _ in ch.measures_changed.values()})
        for m in Measure.select().where(Measure.id.in_(list(touched))) if touched else ():
            planning.replan_measure(m, "Import", user)
        result = ch.summary()
        _audit(ch, result, new_ids, user)
    # the kept counts of the steps this import added or moved (a row per step on SQLite), folded
    # now and not by the next dashboard; after the commit, so no dashboard waits for the import
    tallies.compact(teams.values())
    progress(steps, steps, "fertig")
    return result


def _plan_new(rows, customers, measures, user):
    """Plan every new participation as ``planning.replan`` would (no follow-ups exist yet), in bulk."""
    pairs = {(customers[r.customer_number], measures[r.measure_number].id): r for r in rows}
    ids, contacts, owners = {}, {}, {}
    for part in chunks({cid for cid, _ in pairs}):
        owners.update((cid, (team, pap)) for cid, team, pap in Customer.select(
            Customer.id, Customer.team, Customer.pap).where(Customer.id.in_(part)).tuples())
        for p in Participation.select(Participation.id, Participation.customer, Participation.measure).where(
                Participation.customer.in_(part)).order_by(Participation.id):
            if (p.customer_id, p.measure_id) in pairs:
                ids[(p.customer_id, p.measure_id)] = p.id  # the newest: the one just inserted
        for n in Note.select(Note.customer, Note.date).where(Note.customer.in_(part), Note.qualified == True):  # noqa: E712
            contacts.setdefault(n.customer_id, []).append(n.date)
    rulebook, acting = active_rulebook(), user.id if user else None
    followups, events = [], []
    for (cid, mid), r in pairs.items():
        facts = ParticipationFacts(measure_type=r.type_code, start=r.entry, end=r.planned_end, exit=r.exit,
                                   dropout=r.exit_kind == "abbruch",
                                   contacts=tuple(sorted(d for d in contacts.get(cid, ()) if d >= r.entry)))
        result = plan(rulebook, facts)
        pid = ids[(cid, mid)]
        # the copies FollowUp.sync would set (who is responsible, the case's end), written with the
        # rows: updating 200,000 new steps afterwards cost a third of a 50,000-row import
        copies = {"team": owners[cid][0], "pap": owners[cid][1], "mb": measures[r.measure_number].mb_id,
                  "case_end": r.exit or r.planned_end}
        followups += [{"participation": pid, "step_id": s.step_id, "earliest": s.earliest, "due": s.due,
                       **planning._values(s), **copies} for s in result.steps]
        if result.steps:
            events.append({"participation": pid, "reason": "Teilnahme angelegt (Import)", "user": acting, "at": now(),
                           "summary": f"{len(result.steps)} neu",
                           "detail": "\n".join(f"neu: {s.title}" for s in result.steps)})
    insert_rows(FollowUp, followups)
    insert_rows(PlanEvent, events)
    return sorted(ids.values())


def _audit(ch, result, new_participations, user):
    """One summary row, and one row per kind of entity with the numbers (shortened) created or changed."""
    audit.log("create", "import", detail=result["text"], user=user)
    for entity, action, numbers in (
            ("customer", "create", list(ch.customers_new)), ("customer", "update", list(ch.customers_changed)),
            ("measure", "create", list(ch.measures_new)), ("measure", "update", list(ch.measures_changed)),
            ("participation", "create", [str(i) for i in new_participations]),
            ("participation", "update", [str(p.id) for p, _, _ in ch.parts_changed])):
        if numbers:
            audit.log(action, f"{entity}-import", detail=f"{len(numbers)}: " + ", ".join(numbers), user=user)
