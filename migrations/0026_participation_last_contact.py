"""0026 the customer's last qualified contact on each participation (``last_contact``), kept by
triggers on note and participation (absolvent/caseload/contact_dates.py) and backfilled, and the
participation index (team, exit, planned end, entry, last contact, id) instead of (…, customer,
id): the TL's long participations without contact are a read of that index, with no probe of
the note index per participation (issue 11 "Flat")."""
from peewee import *

from absolvent.caseload.contact_dates import backfill_sql, drop_trigger_sql, trigger_sql


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('participation', 'last_contact', DateField(null=True)),
        migrator.add_index('participation', ('team_id', 'exit', 'planned_end', 'entry', 'last_contact', 'id'), False),
        migrator.drop_index('participation', 'participation_team_id_exit_planned_end_entry_customer_id_id'))
    for statement in trigger_sql(db):
        db.execute_sql(statement)
    db.execute_sql(backfill_sql(db))


def down(migrator, db):
    for statement in drop_trigger_sql(db):
        db.execute_sql(statement)
    migrator.migrate(
        migrator.add_index('participation', ('team_id', 'exit', 'planned_end', 'entry', 'customer_id', 'id'), False),
        migrator.drop_index('participation', 'participation_team_id_exit_planned_end_entry_last_contact_id'),
        migrator.drop_column('participation', 'last_contact'))
