"""Worklists and counts read the open steps through the partial indexes of migrations 0019
and 0020, never by scanning follow_up (issue 11 "Flat") — checked with EXPLAIN on SQLite
and PostgreSQL — and the copies on the step (team, pAp, MB, case end) follow their case."""
import datetime

import pytest
from peewee import Case, fn

from absolvent.caseload import queries, responsibility, tallies
from absolvent.db import database, is_postgres
from absolvent.models import Customer, FollowUp, Measure, Participation, Team
from absolvent.supervision import monitoring

TODAY = datetime.date(2026, 3, 2)
INDEXES = ("follow_up_open_pap", "follow_up_open_team", "follow_up_open_measure", "follow_up_open_mb",
           "follow_up_open_role", "follow_up_open_team_role")


@pytest.fixture
def steps(world, make, db):
    """~29,000 steps of 480 participations in 8 teams of 2 pAp and 8 measures of 8 MB, most steps
    closed, ANALYZEd: enough rows for the planners to choose as they would at a Jobcenter's size."""
    teams = [(world["t1"], world["pap1"]), (world["t2"], world["pap2"])]
    teams += [(t, make.user(f"pap{t.id}", "pAp", t)) for t in (make.team(f"Team {n}") for n in range(6))]
    teams += [(t, make.user(f"pap{t.id}b", "pAp", t)) for t, _ in teams]
    measures = [world["m1"], world["m2"]] + [make.measure("AVGS", mb=make.user(f"mb{n}", "MB")) for n in range(3, 9)]
    with db.atomic():
        _fill(teams, measures, db)
    return world


def _fill(teams, measures, db):
    customers = [Customer.create(customer_number=f"Q{i:06d}", first_name="Erika", last_name=f"Muster{i}",
                                 birth_date=datetime.date(1990, 5, 17), team=teams[i % 16][0], pap=teams[i % 16][1])
                 for i in range(480)]
    ended = {"exit": datetime.date(2026, 1, 30), "exit_kind": "regulaer"}  # a third ended: versäumt steps
    parts = [Participation.create(customer=c, measure=measures[i % 8], entry=datetime.date(2026, 1, 5),
                                  planned_end=datetime.date(2026, 6, 30), **(ended if i % 3 == 0 else {}))
             for i, c in enumerate(customers)]
    steps = [(f"s{k}", ("pAp", "pAp", "TL", "MB", "pAp")[k % 5], ("vor", "waehrend", "ende", "nach")[k % 4],
              TODAY + datetime.timedelta(days=7 * k - 300), "open" if k % 10 == 0 or k > 45 else "done")
             for k in range(60)]
    _insert_steps(parts[0].id, steps, db)
    fields = [FollowUp.measure, FollowUp.step_id, FollowUp.title, FollowUp.role, FollowUp.phase, FollowUp.due,
              FollowUp.status]
    FollowUp.insert_many([(m.id, f"m{k}", "Sprechstunde", "MB", "waehrend", TODAY + datetime.timedelta(days=7 * k),
                           "open" if k % 10 == 0 or k > 45 else "done") for m in measures for k in range(-43, 17)],
                         fields=fields).execute()  # the MBs' own measure steps
    responsibility.for_participations([p.id for p in parts])
    for m in measures:
        responsibility.for_measure(m.id)
    db.execute_sql("ANALYZE")


def _insert_steps(first_id, steps, db):
    """The 60 ``steps`` (step id, role, phase, due, status) for every participation from
    ``first_id`` on, in one INSERT … SELECT (peewee's insert_many of 28,800 rows spent most of
    the fixture's time building its statements); the other columns get the model's defaults."""
    given = ["step_id", "role", "phase", "due", "status"]
    defaults = {f.column_name: f.default for f in FollowUp._meta.sorted_fields
                if not f.null and f.default is not None and f.column_name not in given}
    defaults["title"] = "Schritt"
    p, date = db.param, (lambda d: d) if is_postgres() else datetime.date.isoformat
    values = ", ".join(f"({', '.join([p] * len(given))})" for _ in steps)
    columns = ", ".join(f"v.column{i}" for i in range(1, len(given) + 1))
    db.execute_sql(
        f"INSERT INTO follow_up (participation_id, {', '.join(given)}, {', '.join(defaults)}) "
        f"SELECT pa.id, {columns}, {', '.join([p] * len(defaults))} "
        f"FROM participation pa CROSS JOIN (VALUES {values}) AS v WHERE pa.id >= {p} ORDER BY pa.id",
        [*defaults.values(), *(x for step_id, role, phase, due, status in steps
                               for x in (step_id, role, phase, date(due), status)), first_id])


def plan_of(query, db):
    sql, params = query.sql()
    if is_postgres():
        with db.atomic():
            db.execute_sql("SET LOCAL enable_seqscan = off")  # a test table is small: ask which index it would use
            return "\n".join(r[0] for r in db.execute_sql("EXPLAIN " + sql, params).fetchall())
    return "\n".join(r[-1] for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())


def count_query(query):
    return query.select(fn.COUNT(FollowUp.id)).order_by()


def assert_uses_index(plan, *indexes):
    """``plan`` reads follow_up through one of ``indexes``, no scan of the table."""
    assert any(index in plan for index in indexes), plan
    assert "Seq Scan on follow_up" not in plan, plan
    for line in plan.splitlines():
        assert not (line.strip().startswith("SCAN") and ("follow_up" in line or " t1" in line)), plan


def test_the_check_can_fail():
    with pytest.raises(AssertionError):
        assert_uses_index("SCAN t1", "follow_up_open_pap")
    with pytest.raises(AssertionError):
        assert_uses_index("Seq Scan on follow_up  (cost=0.00..1.00 rows=1 width=4)", "follow_up_open_pap")


TEAM_VIEWS = [("14", "team", ""), ("alle", "team", "alle"), ("versaeumt", "team", "pAp"), ("90", "meine", "TL")]


def test_worklists_counts_and_dashboard_read_the_open_step_indexes(steps, db):
    """One data set (its setup is the slow part), every query of the start page, the worklist and the TL dashboard."""
    # start page and a pAp's worklist: their own steps
    due = queries.case_followups(steps["pap1"], "14", "meine", today=TODAY)
    # (PostgreSQL may read the team's index with the pAp in its condition: the index alone, no table rows)
    for query in (due.limit(15), due.paginate(2, 50), count_query(due), count_query(due.where(FollowUp.due < TODAY))):
        assert_uses_index(plan_of(query, db), "follow_up_open_pap", "follow_up_open_team")
    # a TL's worklists: the team's steps
    for period, scope, role in TEAM_VIEWS:
        # (one role's steps with the team in the index condition are as few: PostgreSQL may choose either)
        query = queries.case_followups(steps["tl1"], period, scope, role, today=TODAY)
        assert_uses_index(plan_of(query.paginate(1, 50), db), "follow_up_open_team", "follow_up_open_role")
        assert_uses_index(plan_of(count_query(query), db), "follow_up_open_team", "follow_up_open_role")
    # a TL's start page: the team's steps of the TL's role, not every open step of the team (0023;
    # PostgreSQL may count them from 0024's index, also led by team and role)
    due = queries.case_followups(steps["tl1"], "14", "meine", today=TODAY)
    for query in (count_query(due), count_query(due.where(FollowUp.due < TODAY)), due.limit(15)):
        assert_uses_index(plan_of(query, db), "follow_up_open_team_role", "follow_up_open_team_end")
    # an MB's worklist and start page: the steps of their measures' participations
    for period, role in (("14", ""), ("alle", ""), ("versaeumt", "MB")):
        query = queries.case_followups(steps["mb1"], period, "meine", role, today=TODAY)
        assert_uses_index(plan_of(query.paginate(1, 50), db), "follow_up_open_mb")
        assert_uses_index(plan_of(count_query(query), db), "follow_up_open_mb")
    # (every role: the MB's steps, or every open step in due order until 50 of theirs)
    query = queries.case_followups(steps["mb1"], "alle", "meine", "alle", today=TODAY)
    assert_uses_index(plan_of(query.paginate(1, 50), db), "follow_up_open_mb", "follow_up_status_due")
    for period in ("14", "alle"):  # and the tasks of their measures
        assert_uses_index(plan_of(queries.measure_followups(steps["mb1"], period, TODAY), db),
                          "follow_up_open_mb_tasks")
    # the BL's worklist (every team): one role's steps
    for period in ("14", "alle"):
        query = queries.case_followups(steps["bl"], period, "meine", "TL", today=TODAY)
        assert_uses_index(plan_of(query.paginate(1, 50), db), "follow_up_open_role")
        assert_uses_index(plan_of(count_query(query), db), "follow_up_open_role")


def statements(monkeypatch, run):
    """The (sql, params) ``run()`` sends to the database."""
    sent, original = [], database.obj.execute_sql
    with monkeypatch.context() as patch:
        patch.setattr(database.obj, "execute_sql", lambda sql, params=None, *a, **k: sent.append((sql, params))
                      or original(sql, params, *a, **k))
        run()
    return sent


def explain(db, sql, params):
    return plan_of(type("Raw", (), {"sql": lambda self: (sql, params)})(), db)


def test_dashboard_counts_read_index_ranges(steps, db, monkeypatch):
    """The TL's counts per pAp and the BL's per team: all open steps are the kept counts of
    ``step_tally`` (0025), read from its index; the missed steps are read as ranges of
    ``follow_up_open_team_end`` (0024), every other count from an index on open steps, none by
    testing each open step of a team for being missed (the old single pass) or counting them all."""
    tallies.compact(t.id for t in Team.select())  # (else the first read folds the fixture's rows first)
    for run in (lambda: monitoring.pap_step_counts(steps["t1"].id, TODAY), lambda: monitoring.team_step_counts(TODAY)):
        sent = statements(monkeypatch, run)
        kept = [(sql, params) for sql, params in sent if '"step_tally"' in sql]
        assert len(kept) == 1 and "SUM" in kept[0][0], kept
        assert "steptally_team_id_pap_id_n" in explain(db, *kept[0])
        counts = [(sql, params) for sql, params in sent if '"follow_up"' in sql]
        assert len(counts) == 3 and all('"due" <' in sql or '"case_end" <' in sql for sql, _ in counts), counts
        for sql, params in counts:
            plan = explain(db, sql, params)
            assert_uses_index(plan, *INDEXES, "follow_up_open_team_end")
            assert "followup_status" not in plan, plan  # not every open step of the Jobcenter
            if '"case_end" <' in sql:  # the missed ones: phase and case end are the index's range
                assert "follow_up_open_team_end" in plan, plan


@pytest.mark.parametrize("days", [-400, -200, -30, 0, 60, 200])
def test_dashboard_counts_equal_one_pass_over_the_steps(steps, days):
    """open = all − missed, overdue = due before today − missed and due before today: the same
    figures as one pass that tests each open step (``missed_condition``), whatever the day."""
    today = TODAY + datetime.timedelta(days=days)
    missed = queries.missed_condition(today)

    def one_pass(key):
        sums = (fn.SUM(Case(None, [(~missed, 1)], 0)), fn.SUM(Case(None, [(~missed & (FollowUp.due < today), 1)], 0)),
                fn.SUM(Case(None, [(missed, 1)], 0)))
        return {k: {"open": o, "overdue": d, "missed": m} for k, o, d, m in FollowUp.select(key, *sums).where(
            FollowUp.status == "open", FollowUp.role == "pAp", FollowUp.team.is_null(False)).group_by(key).tuples()}

    assert monitoring.team_step_counts(today) == one_pass(FollowUp.team)
    by_pap = one_pass(FollowUp.pap)
    for team in {steps["t1"].id, steps["t2"].id}:
        rows = monitoring.pap_step_counts(team, today)
        counted = {r["pap_id"]: {k: r[k] for k in ("open", "overdue", "missed")}
                   for r in rows if r["open"] or r["missed"]}
        assert counted == {k: v for k, v in by_pap.items() if k in {r["pap_id"] for r in rows}}
    assert by_pap
    if days in (0, 60):  # the fixture has every kind of step on these days
        assert all(any(v[k] for v in by_pap.values()) for k in ("open", "overdue", "missed")), by_pap


def test_dashboard_counts_agree_while_another_user_changes_steps(steps, db, monkeypatch, database_url, make):
    """The four counts are read in one snapshot: a step that another connection hands to a new
    pAp between them (committed at once) is in none of them: the counts stay those from before,
    no figure is taken from one state and subtracted from another (a KeyError, a 500, before)."""
    from absolvent.db import make_database
    newcomer = make.user("papneu", "pAp", steps["t1"])
    before = monitoring.pap_step_counts(steps["t1"].id, TODAY)
    moved = (FollowUp.select(FollowUp.id).where(FollowUp.status == "open", FollowUp.role == "pAp",
                                                  FollowUp.team == steps["t1"].id, FollowUp.due < TODAY,
                                                  queries.missed_condition(TODAY)).first())
    other = make_database(database_url, pooled=False)
    original, sent = database.obj.execute_sql, []

    def execute(sql, params=None, *a, **k):
        cursor = original(sql, params, *a, **k)
        if '"follow_up"' in sql and not sent:  # after the first count, before the others
            sent.append(sql)
            with other.connection_context():
                other.execute_sql('UPDATE "follow_up" SET "pap_id" = %s WHERE "id" = %s'
                                  if is_postgres() else 'UPDATE "follow_up" SET "pap_id" = ? WHERE "id" = ?',
                                  (newcomer.id, moved.id))
        return cursor

    monkeypatch.setattr(database.obj, "execute_sql", execute)
    during = monitoring.pap_step_counts(steps["t1"].id, TODAY)
    monkeypatch.undo()
    assert sent and FollowUp.get_by_id(moved.id).pap_id == newcomer.id  # the change was committed
    assert [r for r in during if r["pap_id"] != newcomer.id] == [r for r in before if r["pap_id"] != newcomer.id]
    assert all(min(r["open"], r["overdue"], r["missed"]) >= 0 for r in during)
    after = {r["pap_id"]: r for r in monitoring.pap_step_counts(steps["t1"].id, TODAY)}
    assert after[newcomer.id]["missed"] == 1  # read afresh, the step counts for its new pAp


def test_long_participations_without_contact_read_the_participation_index_alone(steps, db, monkeypatch):
    """The team's long participations without contact are counted and paged through an index
    of the team's participations, the customer's last qualified contact (``last_contact``,
    0026) and the "more than 6 months" test included: no note is read, neither every note of
    the Jobcenter nor one probe per participation (0024); the page's ids are picked that way
    (the database sorts the team's candidates by entry) before any other table is read. The
    same for the area dashboard's counts per team. (Which of the team's indexes a planner takes
    for a table this small is its choice; at the bench's scale both take the covering one, and
    SQLite always does.)"""
    team, today = steps["t1"].id, datetime.date(2026, 4, 1)
    running = Participation.select(Participation.id).where(Participation.team == team, Participation.exit.is_null())
    Participation.update(planned_end=datetime.date(2026, 12, 31)).where(
        Participation.id.in_([p.id for p in running.limit(5)])).execute()
    # statistics and visibility map as a Jobcenter's autovacuum keeps them (a fresh table's index
    # looks as costly as its heap to PostgreSQL, which then took the exit index)
    db.execute_sql("VACUUM ANALYZE participation" if is_postgres() else "ANALYZE")
    sent = statements(monkeypatch, lambda: monitoring.long_without_contact(team, today, 1))
    sent += statements(monkeypatch, lambda: monitoring.long_without_contact_counts(today, [team, steps["t2"].id]))
    assert monitoring.long_without_contact(team, today, 1)[1] == 5
    assert len(sent) == 2, sent   # the page with its count (a window over the ids), counts per team
    covering = "participation_team_id_exit_planned_end_entry_last_contact_id"
    for sql, params in sent:
        assert '"note"' not in sql
        plan = explain(db, sql, params)
        assert "participation_team_id_" in plan, plan
        # SQLite scans only what the index search gave: the window's rows and the page's ids
        tables = [line for line in plan.splitlines() if line.startswith("SCAN")
                  and line != "SCAN page" and not line.startswith("SCAN (subquery-")]
        assert "Seq Scan" not in plan and not tables, plan
        if not is_postgres():
            assert f"COVERING INDEX {covering}" in plan, plan


def test_results_equal_the_join_over_participation_and_customer(steps):
    """The copies give the same rows as the old join (customer's team and pAp, the participation's end)."""
    pap = steps["pap1"]
    for period in ("14", "alle", "versaeumt"):
        new = [f.id for f in queries.case_followups(pap, period, "meine", today=TODAY)]
        end = fn.COALESCE(Participation.exit, Participation.planned_end)
        old = (FollowUp.select(FollowUp.id).join(Participation).join(Customer)
               .where(FollowUp.status == "open", Customer.team == steps["t1"].id, Customer.pap == pap.id,
                      FollowUp.role == "pAp"))
        late = ((FollowUp.phase.in_(["vor", "waehrend"]) & (end < TODAY))
                | (FollowUp.phase.in_(["ende", "nach"]) & (end < datetime.date(2025, 9, 2))))
        old = old.where(late) if period == "versaeumt" else old.where(~late)
        if period == "14":
            old = old.where(FollowUp.due <= TODAY + datetime.timedelta(days=14))
        assert new == [f.id for f in old.order_by(FollowUp.due, FollowUp.id)] and new


def test_mb_sees_the_steps_of_their_measures_participations(steps):
    """``FollowUp.mb`` gives the same steps as the old subquery over the MB's measures."""
    for mb in (steps["mb1"], steps["mb2"]):
        new = [f.id for f in queries.case_followups(mb, "alle", "meine", "alle", today=TODAY)]
        old = (FollowUp.select(FollowUp.id).join(Participation).join(Measure)
               .where(FollowUp.status == "open", Measure.mb == mb.id))
        assert new == [f.id for f in old.where(~queries.missed_condition(TODAY)).order_by(FollowUp.due, FollowUp.id)]
        assert new


def test_copies_follow_the_case(world, make):
    p = world["p1"]
    f = FollowUp.create(participation=p, step_id="x", title="Schritt", role="pAp", due=TODAY)
    assert (f.team_id, f.pap_id, f.case_end) == (world["t1"].id, world["pap1"].id, p.planned_end)
    other = make.user("pap1b", "pAp", world["t1"])
    Customer.update(pap=other).where(Customer.id == world["c1"].id).execute()
    Participation.update(exit=datetime.date(2026, 2, 1)).where(Participation.id == p.id).execute()
    responsibility.for_customers([world["c1"].id])
    f = FollowUp.get_by_id(f.id)
    assert (f.pap_id, f.case_end) == (other.id, datetime.date(2026, 2, 1))
    measure_step = FollowUp.create(measure=world["m1"], step_id="m", title="Sprechstunde", role="MB", due=TODAY)
    assert FollowUp.get_by_id(measure_step.id).team_id is None
    assert (f.mb_id, FollowUp.get_by_id(measure_step.id).mb_id) == (world["mb1"].id, world["mb1"].id)


def test_customer_form_moves_the_steps_to_the_new_pap(world, make, auth):
    other = make.user("pap1c", "pAp", world["t1"])
    f = FollowUp.create(participation=world["p1"], step_id="y", title="Schritt", role="pAp", due=TODAY)
    c = world["c1"]
    auth.login("pap1")
    auth.post(f"/kunden/{c.id}/bearbeiten", {
        "customer_number": c.customer_number, "first_name": c.first_name, "last_name": c.last_name,
        "birth_date": c.birth_date.strftime("%d.%m.%Y"), "pap": str(other.id), "version": str(c.version)})
    assert Customer.get_by_id(c.id).pap_id == other.id
    assert FollowUp.get_by_id(f.id).pap_id == other.id


def test_customer_search_reads_the_key_indexes(steps, db):
    """A search word is one index range per key (last name, first name, number), not a LIKE over
    every customer (the BL's search over all teams: 480 customers here, ANALYZEd)."""
    query = queries.search_customers(steps["bl"], "muster12")
    plan = plan_of(queries.with_pap(query).paginate(1, 50), db)
    assert "customer_last_name_key" in plan and "customer_number_key" in plan, plan
    assert "Seq Scan on customer" not in plan and "SCAN t1" not in plan, plan
    assert {c.last_name for c in query} == {"Muster12", *(f"Muster{i}" for i in range(120, 130))}


def test_participation_carries_its_customers_team(world, make, db):
    """Participation.team: set on creation, follows the customer's team; the Fachaufsicht list's
    month of one team reads it through its index."""
    from absolvent.supervision.queries import month_ids, supervision_query, supervision_rows
    p = make.participation(world["c1"], world["m1"])
    assert Participation.get_by_id(p.id).team_id == world["t1"].id
    Customer.update(team=world["t2"]).where(Customer.id == world["c1"].id).execute()
    responsibility.for_customers([world["c1"].id])
    assert {q.team_id for q in Participation.select().where(Participation.customer == world["c1"].id)} \
        == {world["t2"].id}
    month = p.planned_end.replace(day=1)
    assert p.id in [r.id for r in supervision_rows(world["t2"], month)]
    assert p.id not in [r.id for r in supervision_rows(world["t1"], month)]
    plan = plan_of(Participation.select(Participation.id).where(
        Participation.team == 1, Participation.planned_end >= month, Participation.planned_end < month.replace(day=28),
        Participation.exit.is_null() | (Participation.exit >= month)), db)
    # either index led by the team (PostgreSQL may take the one for running participations: team and
    # planned end are in its condition too), never a scan of every team's participations
    assert "participation_team_id_planned_end" in plan or "participation_team_id_exit_planned_end_entry" in plan, plan
    assert "Seq Scan" not in plan and "SCAN t1" not in plan, plan
    # the page of the month and its count (the page shows 50 rows, counts the rest in the database)
    for query in (supervision_query(world["t2"], month).paginate(1, 50),
                  month_ids(world["t2"], month).select(fn.COUNT(Participation.id)).order_by()):
        plan = plan_of(query, db)
        assert "participation_team_id" in plan, plan
        assert "Seq Scan on participation" not in plan and "SCAN t1" not in plan, plan


@pytest.mark.parametrize("who", ["pap1", "tl1", "mb1", "bl"])
def test_participation_list_counts_the_rows_it_lists_without_joins(steps, db, who):
    """The participation list's pager counts the same rows it lists; a team's count without a
    search reads the participation's own index (no join to customer and measure per row)."""
    user = steps[who]
    for q in ("", "Muster1"):
        for state in queries.PARTICIPATION_STATES:
            counted = queries.search_participations(user, q, state, today=TODAY, counting=True)
            listed = queries.search_participations(user, q, state, today=TODAY)
            assert counted.count() == listed.count()
            assert not q or counted.count() < Participation.select().count()
    running = queries.search_participations(user, "", "laufend", today=TODAY, counting=True)
    sql = running.sql()[0]
    assert ("JOIN" in sql) == (who == "mb1"), sql  # the MB's filter is the measure's MB
    if who in ("pap1", "tl1"):
        plan = plan_of(running.select(fn.COUNT(Participation.id)).order_by(), db)
        assert "participation_team_id" in plan and "Seq Scan" not in plan and "SCAN t1" not in plan, plan


def test_occupancy_is_counted_from_the_measure_index(steps, db):
    """An MB's start page counts active, booked and left participants of every running measure:
    from the index (measure, entry, exit), not from the participation rows (0023)."""
    from absolvent.measures.queries import occupancies
    from peewee import Case
    measures = [steps["m1"], steps["m2"]]
    state = Case(None, ((Participation.entry > TODAY, "booked"),), "active")
    query = (Participation.select(Participation.measure, state, fn.COUNT(Participation.id))
             .where(Participation.measure.in_([m.id for m in measures])).group_by(Participation.measure, state))
    assert "participation_measure_id_entry_exit" in plan_of(query, db)
    occupancy = occupancies(measures, TODAY)
    assert {m.id: occupancy[m.id].active for m in measures} == {
        m.id: Participation.select().where(Participation.measure == m.id, Participation.exit.is_null()).count()
        for m in measures}


def test_mb_duties_read_their_indexes_not_every_open_step(steps, db, monkeypatch):
    """A measure's duties and the duty counts of an MB's measures: each statement reads follow_up
    through an index of its own half (measure, participation, the MB's open steps), never every
    open step (the OR of both halves walked follow_up_status_due: 1.4 s at full bench scale)."""
    from absolvent.measures import queries as mq
    measures = [steps["m1"], steps["m2"]]
    statements = []
    original = db.obj.execute_sql
    monkeypatch.setattr(db.obj, "execute_sql", lambda sql, params=None, *a, **k: (
        statements.append((sql, params)), original(sql, params, *a, **k))[1])
    mq.duties(measures[0])
    mq.duties(measures[0], "closed", limit=20)
    mq.open_duty_counts(measures, TODAY)
    monkeypatch.undo()
    reads = [(sql, params) for sql, params in statements if 'FROM "follow_up"' in sql]
    assert len(reads) == 6, reads
    for sql, params in reads:
        if is_postgres():
            with db.atomic():
                db.execute_sql("SET LOCAL enable_seqscan = off")
                plan = "\n".join(r[0] for r in db.execute_sql("EXPLAIN " + sql, params).fetchall())
        else:
            plan = "\n".join(r[-1] for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        assert "follow_up_status_due" not in plan and "Seq Scan on follow_up" not in plan, plan
        assert not any(line.strip().startswith("SCAN t1") for line in plan.splitlines()), plan


def test_running_participations_are_listed_in_index_order(steps, db):
    """The participation list's page of running participations (the default view) reads them in
    list order from the index (team, exit, planned end, …): ``participation_order`` starts with
    ``exit`` (NULL on every running one), so PostgreSQL need not walk (team, planned end) past
    the team's ended participations, a number that grows with every year of history (at full
    bench scale it did: 5,800 rows for a page). The order is the list's: planned end, then id."""
    user = steps["tl1"]
    customers = list(Customer.select(Customer.id, Customer.team))
    measure = Participation.get().measure_id
    ended = [datetime.date(2020, 6, 30) + datetime.timedelta(i) for i in range(900)]
    history = [{"customer": c.id, "measure": measure, "team": c.team_id, "entry": datetime.date(2020, 1, 6),
                **({"planned_end": ended[i % 900], "exit": ended[i % 900], "exit_kind": "regulaer"} if i % 4 else
                   {"planned_end": TODAY + datetime.timedelta(i % 400)})}
               for i, c in enumerate(customers * 10)]  # three in four ended years ago, the rest running
    Participation.insert_many(history).execute()
    db.execute_sql("VACUUM ANALYZE participation" if is_postgres() else "ANALYZE")
    page = (queries.search_participations(user, "", "laufend", today=TODAY)
            .order_by(*queries.participation_order("laufend")).limit(50))
    expected = sorted(queries.search_participations(user, "", "laufend", today=TODAY),
                      key=lambda p: (p.planned_end, p.id))[:50]
    assert [p.id for p in page] == [p.id for p in expected] and len(expected) == 50
    # PostgreSQL reads an index on exit in order: (team, exit, planned end, …) at bench scale, at
    # this size sometimes (exit, planned end) testing the team (neither grows with the history),
    # never (team, planned end) testing exit on each row. SQLite takes ``exit IS NULL`` as fixing
    # the column under either order; which team index it walks follows its statistics.
    if is_postgres():
        plan = plan_of(page, db)
        assert any("Index Cond:" in line and "exit IS NULL" in line for line in plan.splitlines()), plan
        assert "Filter: ((exit IS NULL)" not in plan, plan
        assert not any("Sort  (cost" in line and "Incremental" not in line for line in plan.splitlines()), plan
        old = plan_of(page.order_by(Participation.planned_end, Participation.id), db)
        assert "Filter: ((exit IS NULL)" in old, old  # the list's old order walked past the ended ones
