"""0023 two indexes for pages that still read more rows than they show at a Jobcenter's size
(issue 11 "Flat"):

- ``follow_up_open_team_role``: a team's open steps of one role by due date. A TL's start page
  and "meine" worklist count the team's TL steps (650 at full bench scale) and read them
  through the team's index, past every open pAp step of the team (8,000).
- ``participation_measure_id_entry_exit`` instead of ``participation_measure_id``: the
  occupancy of an MB's measures (active, booked, left per measure) is counted from the index
  alone, not from every participation row; lookups by measure use it as before."""
from peewee import *

TEAM_ROLE = '"team_id", "role", "due", "id", "phase", "case_end", "pap_id", "status"'


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX "follow_up_open_team_role" ON "follow_up" ({TEAM_ROLE}) WHERE "status" = \'open\'')
    migrator.migrate(migrator.add_index('participation', ('measure_id', 'entry', 'exit'), False),
                     migrator.drop_index('participation', 'participation_measure_id'))


def down(migrator, db):
    migrator.migrate(migrator.add_index('participation', ('measure_id',), False),
                     migrator.drop_index('participation', 'participation_measure_id_entry_exit'))
    db.execute_sql('DROP INDEX "follow_up_open_team_role"')
