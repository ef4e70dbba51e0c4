"""0022 the customer's team on the participation, backfilled, with indexes (team, planned end)
and (team, exit, planned end, entry): the Fachaufsicht list reads one team's participations
ending in the month instead of every team's and their customers, the participation list a
team's running ones by planned end (issue 11 "Flat"; caseload/responsibility.py keeps it)."""
from peewee import *


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = 'team'

    migrator.migrate(migrator.add_column('participation', 'team_id', ForeignKeyField(
        Team, null=True, on_delete='SET NULL', index=False, field=Team.id)))
    db.execute_sql('UPDATE participation SET team_id = (SELECT c.team_id FROM customer AS c '
                   'WHERE c.id = participation.customer_id)')
    migrator.migrate(migrator.add_index('participation', ('team_id', 'planned_end'), False),
                     migrator.add_index('participation', ('team_id', 'exit', 'planned_end', 'entry'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('participation', 'participation_team_id_planned_end'),
                     migrator.drop_index('participation', 'participation_team_id_exit_planned_end_entry'),
                     migrator.drop_column('participation', 'team_id'))
