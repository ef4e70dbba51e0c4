"""Values the database keeps for the dashboards, by triggers, on SQLite and PostgreSQL:

- the counts of open pAp case steps (``caseload.tallies``, migration 0025): after every kind of
  change a step can undergo, the sum of ``step_tally`` per (team, pAp) equals the count of the
  steps; compaction keeps the sums, also while steps change meanwhile;
- the customer's last qualified contact on each participation (``caseload.contact_dates``,
  0026): after every change of a contact note or of the participation, it is the latest date."""
import datetime
import importlib.util
import threading
from collections import Counter

import pytest
from peewee import fn
from playhouse.migrations import SchemaMigrator

from absolvent.caseload import planning, responsibility, tallies
from absolvent.caseload.tallies import StepTally
from absolvent.db import MIGRATIONS_DIR, database, is_postgres, make_database
from absolvent.models import Customer, FollowUp, Note, Participation

TODAY = datetime.date(2026, 3, 2)


def live():
    """{(team, pAp): open pAp case steps}, counted from the steps."""
    query = (FollowUp.select(FollowUp.team, FollowUp.pap, fn.COUNT(FollowUp.id))
             .where(FollowUp.status == "open", FollowUp.role == "pAp", FollowUp.team.is_null(False))
             .group_by(FollowUp.team, FollowUp.pap))
    return {(t, p): n for t, p, n in query.tuples()}


def kept():
    sums = Counter()
    for t, p, n in StepTally.select(StepTally.team_id, StepTally.pap_id, StepTally.n).tuples():
        sums[t, p] += n
    return {key: n for key, n in sums.items() if n}


def migration(name):
    """The module of migration ``name`` (its up and down), loaded from migrations/."""
    spec = importlib.util.spec_from_file_location(name, MIGRATIONS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def case(world, make, db):
    """Team A with two pAp; three participations with steps of every role and status."""
    world["pap1b"] = make.user("pap1b", "pAp", world["t1"])
    extra = make.participation(make.customer(world["t1"], world["pap1b"], last_name="Christ"), world["m1"])
    rows = [(p.id, f"s{k}", "Schritt", ("pAp", "TL", "MB")[k % 3], TODAY + datetime.timedelta(days=7 * k),
             "done" if k % 4 == 0 else "open") for p in (world["p1"], world["p2"], extra) for k in range(12)]
    FollowUp.insert_many(rows, fields=[FollowUp.participation, FollowUp.step_id, FollowUp.title, FollowUp.role,
                                       FollowUp.due, FollowUp.status]).execute()
    FollowUp.create(measure=world["m1"], step_id="m", title="Sprechstunde", role="pAp", due=TODAY)  # no team: none
    responsibility.for_participations([world["p1"].id, world["p2"].id, extra.id])
    world["p3"] = extra
    return world


def test_every_change_of_a_step_is_counted(case, make):
    w = case
    assert kept() == live() and len(live()) == 3
    step = FollowUp.get(FollowUp.participation == w["p1"], FollowUp.role == "pAp", FollowUp.status == "open")
    planning.mark_done(step, w["pap1"])  # done (a save of every column)
    assert kept() == live()
    soon = TODAY + datetime.timedelta(days=30)
    FollowUp.update(status="cancelled").where(FollowUp.participation == w["p3"], FollowUp.due < soon).execute()
    assert kept() == live()
    FollowUp.update(role="pAp").where(FollowUp.participation == w["p3"], FollowUp.role == "TL").execute()  # new role
    assert kept() == live()
    Customer.update(pap=w["pap1"]).where(Customer.id == w["p3"].customer_id).execute()  # another pAp
    responsibility.for_customers([w["p3"].customer_id])
    assert kept() == live()
    Customer.update(team=w["t2"], pap=w["pap2"]).where(Customer.id == w["c1"].id).execute()  # another team
    responsibility.for_customers([w["c1"].id])
    assert kept() == live() and (w["t2"].id, w["pap2"].id) in live()
    Customer.update(pap=None).where(Customer.id == w["c2"].id).execute()  # nobody responsible
    responsibility.for_customers([w["c2"].id])
    assert kept() == live() and (w["t2"].id, None) in live()
    FollowUp.update(status="open").where(FollowUp.participation == w["p3"]).execute()  # reopened
    assert kept() == live()
    Participation.delete().where(Participation.id == w["p1"].id).execute()  # its steps go by cascade
    assert kept() == live()
    FollowUp.delete().where(FollowUp.participation == w["p2"]).execute()
    assert kept() == live()
    FollowUp.update(team=None).where(FollowUp.team == w["t2"].id).execute()  # as the team's ON DELETE SET NULL would
    assert kept() == live()
    assert StepTally.select().count() > len(live())  # rows added, never updated


def test_the_web_journey_is_counted(case, auth):
    """A pAp closes a step in the browser and moves a customer to a colleague: both reach the counts."""
    w = case
    auth.login("pap1")
    step = FollowUp.get(FollowUp.participation == w["p1"], FollowUp.role == "pAp", FollowUp.status == "open")
    assert auth.post(f"/wiedervorlagen/{step.id}/erledigt", {"done": "1"}).status_code == 302
    assert FollowUp.get_by_id(step.id).status == "done"
    c = w["c1"]
    auth.post(f"/kunden/{c.id}/bearbeiten", {
        "customer_number": c.customer_number, "first_name": c.first_name, "last_name": c.last_name,
        "birth_date": c.birth_date.strftime("%d.%m.%Y"), "pap": str(w["pap1b"].id), "version": str(c.version)})
    assert Customer.get_by_id(c.id).pap_id == w["pap1b"].id
    assert kept() == live()


def churn(team):
    """Close and reopen an open pAp step of ``team``: two rows more (on PostgreSQL, whose trigger
    writes a row per statement, the fixture made one row per team and pAp)."""
    step = FollowUp.get(FollowUp.team == team, FollowUp.role == "pAp", FollowUp.status == "open")
    for status in ("done", "open"):
        FollowUp.update(status=status).where(FollowUp.id == step.id).execute()


def test_compaction_keeps_the_sums_in_one_row_per_pap(case):
    churn(case["t1"].id)
    before = live()
    rows = StepTally.select().count()
    tallies.compact([case["t1"].id, case["t2"].id])
    assert kept() == before
    assert StepTally.select().count() == len(before) < rows
    counts, read = tallies.open_counts([case["t1"].id])
    assert counts == {k: n for k, n in before.items() if k[0] == case["t1"].id}
    assert read == {case["t1"].id: 2}


def test_a_long_team_is_compacted_when_read(case, monkeypatch):
    from absolvent.supervision import monitoring
    monkeypatch.setattr(tallies, "COMPACT_AT", 3)
    team = case["t1"].id
    churn(team)
    assert StepTally.select().where(StepTally.team_id == team).count() > 3
    rows = monitoring.pap_step_counts(team, TODAY)
    assert StepTally.select().where(StepTally.team_id == team).count() == 2  # folded after the read
    assert {r["pap_id"]: r["open"] + r["missed"] for r in rows if r["open"] or r["missed"]} == \
        {p: n for (t, p), n in live().items() if t == team}
    assert kept() == live()


def test_a_busy_database_postpones_the_folding_not_the_page(case, monkeypatch, caplog):
    """SQLite while an import holds the write lock: the dashboard shows its counts, the rows stay."""
    from peewee import OperationalError

    from absolvent.supervision import monitoring

    def locked(team_ids):
        list(team_ids)
        raise OperationalError("database is locked")

    monkeypatch.setattr(tallies, "COMPACT_AT", 1)
    monkeypatch.setattr(tallies, "compact", locked)
    rows = StepTally.select().count()
    counted = monitoring.pap_step_counts(case["t1"].id, TODAY)
    assert sum(r["open"] + r["missed"] for r in counted) == sum(n for (t, _), n in live().items() if t == case["t1"].id)
    assert StepTally.select().count() == rows and "nicht zusammengefasst" in caplog.text


def test_the_migration_counts_the_steps_there_are(case, db):
    module = migration("0025_step_tally")
    before = live()
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():
        module.down(migrator, db.obj)
        assert "step_tally" not in db.obj.get_tables()
        FollowUp.update(status="done").where(FollowUp.participation == case["p1"]).execute()  # no trigger now
        module.up(migrator, db.obj)
    assert kept() == live() != before
    assert StepTally.select().count() == len(live())  # one row per (team, pAp)


def test_steps_changed_while_compacting_are_kept(case, database_url):
    """PostgreSQL: a compaction deletes a team's rows and is not yet committed; another connection
    closes a step (its trigger adds a row) and another compaction starts and waits. Both commit:
    the counts still equal the steps, nothing counted twice or lost."""
    if not is_postgres():
        pytest.skip("SQLite has one writer at a time: nothing changes while a compaction runs")
    team = case["t1"].id
    step = FollowUp.get(FollowUp.team == team, FollowUp.role == "pAp", FollowUp.status == "open")
    other = make_database(database_url, pooled=False)
    done = threading.Event()

    def compact_too():  # its own connection: peewee's connection state is per thread
        with database.connection_context():
            tallies.compact([team])
        done.set()

    with database.atomic():
        gone = StepTally.delete().where(StepTally.team_id == team).returning(StepTally.pap_id, StepTally.n)
        sums = Counter()
        for pap_id, n in gone.tuples().execute():
            sums[pap_id] += n
        with other.connection_context():
            other.execute_sql('UPDATE "follow_up" SET "status" = %s WHERE "id" = %s', ("done", step.id))
        waiting = threading.Thread(target=compact_too)
        waiting.start()
        assert not done.wait(0.5)  # the second compaction waits for the rows this one deleted
        StepTally.insert_many([{"team_id": team, "pap_id": p, "n": n} for p, n in sums.items()]).execute()
    waiting.join(10)
    assert done.is_set()
    assert kept() == live()
    assert FollowUp.get_by_id(step.id).status == "done"


# ------------------------------------------------------------------ the last qualified contact

def latest():
    """{participation id: its customer's latest qualified contact}, from the notes; and as kept."""
    found = dict(Note.select(Note.customer, fn.MAX(Note.date)).where(
        Note.kind == "kontakt", Note.qualified == True).group_by(Note.customer).tuples())  # noqa: E712
    computed = {p.id: found.get(p.customer_id) for p in Participation.select()}
    return computed, dict(Participation.select(Participation.id, Participation.last_contact).tuples())


def contact(customer, day, qualified=True, kind="kontakt", author=None):
    return Note.create(customer=customer, subject="Kontakt", author=author, date=day, kind=kind, qualified=qualified)


def test_the_last_contact_follows_every_change_of_a_note(world, make):
    w = world
    second = make.participation(w["c1"], w["m2"])  # the customer's second participation
    computed, kept_dates = latest()
    assert computed == kept_dates and set(kept_dates.values()) == {None}

    def on(n):
        return TODAY - datetime.timedelta(days=n)

    first = contact(w["c1"], on(30), author=w["pap1"])
    assert latest()[1][w["p1"].id] == latest()[1][second.id] == on(30)
    contact(w["c1"], on(10), qualified=False, author=w["pap1"])  # not qualified: not a contact that counts
    contact(w["c1"], on(5), kind="vermerk", qualified=True, author=w["pap1"])  # not a contact
    assert latest()[1][w["p1"].id] == on(30)
    later = contact(w["c1"], on(20), author=w["pap1"])
    assert latest()[1][w["p1"].id] == on(20)
    contact(w["c1"], on(40), author=w["pap1"])  # an earlier one recorded afterwards changes nothing
    assert latest()[1][w["p1"].id] == on(20)
    Note.update(date=on(60)).where(Note.id == later.id).execute()  # redated
    assert latest()[1][w["p1"].id] == on(30)
    Note.update(qualified=False).where(Note.id == first.id).execute()  # no longer qualified
    assert latest()[1][w["p1"].id] == on(40)
    Note.update(customer=w["c2"]).where(Note.id == later.id).execute()  # to another customer
    assert latest()[1][w["p2"].id] == on(60)
    Note.delete().where(Note.customer == w["c1"].id, Note.kind == "kontakt", Note.qualified == True).execute()  # noqa: E712
    assert latest()[1][w["p1"].id] is None
    assert latest()[0] == latest()[1]


def test_a_participation_gets_and_keeps_its_customers_last_contact(world, make):
    w = world
    contact(w["c1"], TODAY, author=w["pap1"])
    new = make.participation(w["c1"], w["m2"])  # added after the contact
    assert Participation.get_by_id(new.id).last_contact == TODAY
    stale = Participation.get_by_id(w["p2"].id)
    contact(w["c2"], TODAY, author=w["pap2"])
    stale.dropout_reason = "Umzug"
    stale.save()  # every column, the date read before the contact included
    assert Participation.get_by_id(w["p2"].id).last_contact == TODAY
    moved = Participation.get_by_id(new.id)
    moved.customer = w["c2"].id
    contact(w["c2"], TODAY + datetime.timedelta(days=1), author=w["pap2"])
    moved.save()  # to another customer: theirs
    assert Participation.get_by_id(new.id).last_contact == TODAY + datetime.timedelta(days=1)
    assert latest()[0] == latest()[1]


def test_a_contact_recorded_in_the_browser_takes_the_participation_off_the_tls_list(world, auth):
    """The journey: the pAp records a qualified contact on the participation page; the kept date
    is the contact's, and the participation is no longer "ohne Kontakt"."""
    from absolvent.supervision import monitoring
    p, today = world["p1"], datetime.date.today()
    Participation.update(entry=datetime.date(2025, 1, 6), planned_end=today + datetime.timedelta(days=90)).where(
        Participation.id == p.id).execute()
    assert p.id in {x.id for x in monitoring._long_ids(world["t1"].id, today)}
    auth.login("pap1")
    response = auth.post(f"/teilnahmen/{p.id}/kontakte", {
        "contact_date": today.strftime("%d.%m.%Y"), "channel": "persoenlich", "subject": "Gespräch beim Träger",
        "qualified": "on"})
    assert response.status_code in (200, 302), response.status_code
    assert Participation.get_by_id(p.id).last_contact == today
    assert p.id not in {x.id for x in monitoring._long_ids(world["t1"].id, today)}


def test_the_migration_sets_the_last_contact_of_every_participation(world, db):
    module = migration("0026_participation_last_contact")
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():
        module.down(migrator, db.obj)
        contact(world["c1"], TODAY, author=world["pap1"])  # no trigger now
        module.up(migrator, db.obj)
    computed, kept_dates = latest()
    assert computed == kept_dates and kept_dates[world["p1"].id] == TODAY
