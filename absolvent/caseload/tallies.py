"""Kept counts of the open pAp case steps per team and pAp (issue 11 "Flat").

The TL's team dashboard shows per pAp, the BL's area dashboard per team, how many case steps
are open. Counting them grew with the caseload (45,000 open steps a team at full bench scale,
10–30 ms a dashboard). Instead, triggers on ``follow_up`` (migration 0025, ``trigger_sql``)
write a row (team, pAp, ±n) into ``step_tally`` whenever an open pAp case step appears, goes
(done, cancelled, deleted) or moves to another team or pAp, in the transaction that changes
the step; the sum of a (team, pAp)'s rows is its count. "Open pAp case step" is the condition
of ``monitoring._open_pap_steps``: status open, role pAp, a team (the customer's).

Rows are only ever added, never updated: no row that every writer of a team must lock (an
import holding each of its pAps' rows until it commits would make every caseworker of those
teams wait, and two such writers could deadlock). PostgreSQL's trigger runs once per
statement over its transition tables (one row per team and pAp a bulk insert touched), SQLite's
once per changed row. ``compact`` folds a team's rows into one per pAp; the dashboards call it
when a team has more than ``COMPACT_AT`` rows, so reading stays a few hundred index entries.
"""
import logging
from collections import Counter

from peewee import SQL, IntegerField, OperationalError, fn

from ..db import BaseModel, database, is_postgres

log = logging.getLogger(__name__)
COMPACT_AT = 400  # rows of one team a read leaves unfolded (400 index entries: well under a millisecond)

OPEN = "{r}.status = 'open' AND {r}.role = 'pAp' AND {r}.team_id IS NOT NULL"
TRIGGERS = ("follow_up_tally_insert", "follow_up_tally_update", "follow_up_tally_delete")


class StepTally(BaseModel):
    """One change of a (team, pAp)'s number of open pAp case steps (``pap_id`` NULL: customers
    without a pAp). No foreign keys: the rows are figures, not references, and a step whose
    team is deleted (SET NULL) must still be able to write its −1."""

    team_id = IntegerField()
    pap_id = IntegerField(null=True)
    n = IntegerField()

    class Meta:
        table_name = "step_tally"
        indexes = ((("team_id", "pap_id", "n"), False),)  # a team's counts from the index alone


def trigger_sql(db):
    """The statements that create the triggers keeping ``step_tally`` on ``db`` (migration 0025)."""
    new, old = OPEN.format(r="NEW"), OPEN.format(r="OLD")
    if is_postgres(db):
        rows = "SELECT team_id, pap_id, {n} AS n FROM {table} AS r WHERE " + OPEN.format(r="r")
        added, removed = rows.format(n=1, table="new_rows"), rows.format(n=-1, table="old_rows")
        return [
            "CREATE OR REPLACE FUNCTION follow_up_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'INSERT' THEN "
            f"  INSERT INTO step_tally (team_id, pap_id, n) SELECT team_id, pap_id, SUM(n) FROM ({added}) AS d "
            "   GROUP BY team_id, pap_id; "
            "ELSIF TG_OP = 'DELETE' THEN "
            f"  INSERT INTO step_tally (team_id, pap_id, n) SELECT team_id, pap_id, SUM(n) FROM ({removed}) AS d "
            "   GROUP BY team_id, pap_id; "
            "ELSE "
            "  INSERT INTO step_tally (team_id, pap_id, n) SELECT team_id, pap_id, SUM(n) "
            f"   FROM ({added} UNION ALL {removed}) AS d GROUP BY team_id, pap_id HAVING SUM(n) <> 0; "
            "END IF; RETURN NULL; END; $$",
            'CREATE TRIGGER follow_up_tally_insert AFTER INSERT ON "follow_up" REFERENCING NEW TABLE AS new_rows '
            "FOR EACH STATEMENT EXECUTE FUNCTION follow_up_tally()",
            'CREATE TRIGGER follow_up_tally_update AFTER UPDATE ON "follow_up" '
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION follow_up_tally()",
            'CREATE TRIGGER follow_up_tally_delete AFTER DELETE ON "follow_up" REFERENCING OLD TABLE AS old_rows '
            "FOR EACH STATEMENT EXECUTE FUNCTION follow_up_tally()",
        ]
    insert = "INSERT INTO step_tally (team_id, pap_id, n)"
    moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("status", "role", "team_id", "pap_id"))
    return [
        f'CREATE TRIGGER follow_up_tally_insert AFTER INSERT ON "follow_up" WHEN {new} '
        f"BEGIN {insert} VALUES (NEW.team_id, NEW.pap_id, 1); END",
        f'CREATE TRIGGER follow_up_tally_update AFTER UPDATE OF status, role, team_id, pap_id ON "follow_up" '
        f"WHEN ({old} OR {new}) AND ({moved}) BEGIN "
        f"{insert} SELECT OLD.team_id, OLD.pap_id, -1 WHERE {old}; "
        f"{insert} SELECT NEW.team_id, NEW.pap_id, 1 WHERE {new}; END",
        f'CREATE TRIGGER follow_up_tally_delete AFTER DELETE ON "follow_up" WHEN {old} '
        f"BEGIN {insert} VALUES (OLD.team_id, OLD.pap_id, -1); END",
    ]


def drop_trigger_sql(db):
    """The statements that undo ``trigger_sql`` (migration 0025's down)."""
    if is_postgres(db):
        return [*(f'DROP TRIGGER IF EXISTS {name} ON "follow_up"' for name in TRIGGERS),
                "DROP FUNCTION IF EXISTS follow_up_tally()"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]


def backfill_sql():
    """Counts every open pAp case step once (migration 0025, after the triggers exist)."""
    return ("INSERT INTO step_tally (team_id, pap_id, n) SELECT team_id, pap_id, COUNT(*) FROM follow_up AS r "
            f"WHERE {OPEN.format(r='r')} GROUP BY team_id, pap_id")


def open_counts(team_ids):
    """({(team_id, pap_id): open pAp case steps}, {team_id: rows read}) for ``team_ids``; a
    (team, pAp) without open steps may be missing or 0. Read it in the transaction of the
    counts it is compared with (``db.snapshot``)."""
    counts, rows = {}, Counter()
    query = (StepTally.select(StepTally.team_id, StepTally.pap_id, fn.SUM(StepTally.n), fn.COUNT(SQL("*")))
             .where(StepTally.team_id.in_(list(team_ids))).group_by(StepTally.team_id, StepTally.pap_id))
    for team_id, pap_id, number, read in query.tuples():
        counts[team_id, pap_id] = int(number)
        rows[team_id] += read
    return counts, rows


def compact(team_ids):
    """Fold the rows of ``team_ids`` into one per (team, pAp) with steps (fewer rows to read).

    The rows summed are exactly those this transaction deleted (DELETE … RETURNING): a row a
    step change adds meanwhile stays, and of two compactions at once the second deletes and
    re-adds only what the first left."""
    ids = list(team_ids)
    if not ids:
        return
    with database.atomic():
        gone = StepTally.delete().where(StepTally.team_id.in_(ids)).returning(
            StepTally.team_id, StepTally.pap_id, StepTally.n)
        sums = Counter()
        for team_id, pap_id, n in gone.tuples().execute():
            sums[team_id, pap_id] += n
        rows = [{"team_id": t, "pap_id": p, "n": n} for (t, p), n in sums.items() if n]
        if rows:
            StepTally.insert_many(rows).execute()


def compact_if_long(rows):
    """``compact`` the teams of ``open_counts``'s second result that have more than ``COMPACT_AT``
    rows. Called by pages that only read: when the database is busy (SQLite while an import holds
    the write lock), the folding waits for a later read instead of failing the page."""
    try:
        compact(team_id for team_id, read in rows.items() if read > COMPACT_AT)
    except OperationalError as error:
        log.warning("step_tally: nicht zusammengefasst (%s), beim nächsten Lesen wieder", error)
