"""0019 who is responsible for a step, on the step: the customer's team and pAp and the
participation's end (exit, else planned end) copied onto follow_up, backfilled from
participation → customer, and partial indexes on the open steps — a worklist page walks
one team's or one pAp's open steps in due order, the counts read only the index
(issue 11 "Flat"; absolvent/caseload/responsibility.py keeps the copies in sync)."""
from peewee import *

INDEXES = {
    "follow_up_open_team": '"team_id", "due", "id", "role", "phase", "case_end", "pap_id", "status"',
    "follow_up_open_pap": '"pap_id", "due", "id", "role", "phase", "case_end", "team_id", "status"',
    "follow_up_open_measure": '"measure_id", "due", "id"',
}


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = 'team'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    migrator.migrate(
        migrator.add_column('follow_up', 'team_id', ForeignKeyField(Team, null=True, on_delete='SET NULL',
                                                                    index=False, field=Team.id)),
        migrator.add_column('follow_up', 'pap_id', ForeignKeyField(User, null=True, on_delete='SET NULL',
                                                                   index=False, field=User.id)),
        migrator.add_column('follow_up', 'case_end', DateField(null=True)))
    of_case = ('(SELECT c.{col} FROM participation AS p JOIN customer AS c ON c.id = p.customer_id '
               'WHERE p.id = follow_up.participation_id)')
    db.execute_sql('UPDATE follow_up SET team_id = ' + of_case.format(col='team_id')
                   + ' WHERE participation_id IS NOT NULL')
    db.execute_sql('UPDATE follow_up SET pap_id = ' + of_case.format(col='pap_id')
                   + ' WHERE participation_id IS NOT NULL')
    db.execute_sql('UPDATE follow_up SET case_end = (SELECT COALESCE(p.exit, p.planned_end) FROM participation AS p '
                   'WHERE p.id = follow_up.participation_id) WHERE participation_id IS NOT NULL')
    for name, columns in INDEXES.items():
        db.execute_sql(f'CREATE INDEX "{name}" ON "follow_up" ({columns}) WHERE "status" = \'open\'')


def down(migrator, db):
    for name in INDEXES:
        db.execute_sql(f'DROP INDEX "{name}"')
    migrator.migrate(
        migrator.drop_column('follow_up', 'case_end'),
        migrator.drop_column('follow_up', 'pap_id'),
        migrator.drop_column('follow_up', 'team_id'))
