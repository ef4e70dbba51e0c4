"""0024 indexes for the TL's team dashboard and the BL's area dashboard (issue 11 "Flat"):

- ``follow_up_open_team_end``: a team's open steps of one role by phase and case end, so the
  missed (versäumt) ones — an early step whose case ended, a late one whose aftercare ended —
  are two index ranges, not a test of every open step of the team (45,000 at full bench scale).
- ``participation (team, exit, planned end, entry, customer, id)`` instead of the same without
  customer and id: the long running participations of a team are read from the index alone,
  with the customer whose contacts decide whether one is listed (PostgreSQL needs the id in
  the index for that; SQLite has it in every index).
- ``note (customer, kind, qualified, date)`` instead of ``note (customer)``: "a qualified
  contact in the last 8 weeks?" is one index probe per customer (the list had read every note
  of the Jobcenter for it: 85,908 at full bench scale); lookups by customer use it as before."""
from peewee import *

TEAM_END = '"team_id", "role", "phase", "case_end", "pap_id", "due", "status"'


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX "follow_up_open_team_end" ON "follow_up" ({TEAM_END}) WHERE "status" = \'open\'')
    migrator.migrate(
        migrator.add_index('participation', ('team_id', 'exit', 'planned_end', 'entry', 'customer_id', 'id'), False),
        migrator.drop_index('participation', 'participation_team_id_exit_planned_end_entry'),
        migrator.add_index('note', ('customer_id', 'kind', 'qualified', 'date'), False),
        migrator.drop_index('note', 'note_customer_id'))


def down(migrator, db):
    migrator.migrate(
        migrator.add_index('note', ('customer_id',), False),
        migrator.drop_index('note', 'note_customer_id_kind_qualified_date'),
        migrator.add_index('participation', ('team_id', 'exit', 'planned_end', 'entry'), False),
        migrator.drop_index('participation', 'participation_team_id_exit_planned_end_entry_customer_id_id'))
    db.execute_sql('DROP INDEX "follow_up_open_team_end"')
