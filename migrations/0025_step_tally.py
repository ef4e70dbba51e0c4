"""0025 kept counts of the open pAp case steps per team and pAp (issue 11 "Flat"): the table
``step_tally``, the triggers on ``follow_up`` that add a row (team, pAp, ±n) in the transaction
of every change, and one row per (team, pAp) counting the open steps there are now. The TL's and
the BL's dashboards read these instead of counting the steps (absolvent/caseload/tallies.py).

Frozen copy of ``tallies.StepTally``; the trigger statements are ``tallies.trigger_sql``,
shared with the tests that empty the tables."""
from peewee import *

from absolvent.caseload.tallies import backfill_sql, drop_trigger_sql, trigger_sql


def up(migrator, db):
    class StepTally(Model):
        team_id = IntegerField()
        pap_id = IntegerField(null=True)
        n = IntegerField()

        class Meta:
            database = db
            table_name = 'step_tally'
            indexes = ((('team_id', 'pap_id', 'n'), False),)

    db.create_tables([StepTally])
    for statement in trigger_sql(db):
        db.execute_sql(statement)
    db.execute_sql(backfill_sql())


def down(migrator, db):
    for statement in drop_trigger_sql(db):
        db.execute_sql(statement)
    db.execute_sql('DROP TABLE IF EXISTS "step_tally"')
