"""0020 the MB of a step, on the step: the MB of the participation's measure (case steps) or of
the measure (a measure's own steps) copied onto follow_up and backfilled, with partial indexes on
the open steps by MB, by role and for the MB's own measure steps: the MB's worklist and
start page walk their own open steps instead of every step of every participation in their
measures; the BL's default list walks one role's steps (issue 11 "Flat";
absolvent/caseload/responsibility.py keeps the copy)."""
from peewee import *

INDEXES = {
    # role second: an MB's list is their own role's steps by default (an MB may have none of them
    # among the tens of thousands of steps of their participants)
    "follow_up_open_mb": '"mb_id", "role", "due", "id", "phase", "case_end", "team_id", "status"',
    "follow_up_open_role": '"role", "due", "id", "phase", "case_end", "team_id", "status"',
}
TASKS = '"mb_id", "due", "id"'  # the MB's own measure steps (no participation)


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    migrator.migrate(
        migrator.add_column('follow_up', 'mb_id', ForeignKeyField(User, null=True, on_delete='SET NULL',
                                                                 index=False, field=User.id)))
    db.execute_sql('UPDATE follow_up SET mb_id = (SELECT m.mb_id FROM participation AS p JOIN measure AS m '
                   'ON m.id = p.measure_id WHERE p.id = follow_up.participation_id) WHERE participation_id IS NOT NULL')
    db.execute_sql('UPDATE follow_up SET mb_id = (SELECT m.mb_id FROM measure AS m WHERE m.id = follow_up.measure_id) '
                   'WHERE participation_id IS NULL AND measure_id IS NOT NULL')
    for name, columns in INDEXES.items():
        db.execute_sql(f'CREATE INDEX "{name}" ON "follow_up" ({columns}) WHERE "status" = \'open\'')
    db.execute_sql(f'CREATE INDEX "follow_up_open_mb_tasks" ON "follow_up" ({TASKS}) '
                   'WHERE "status" = \'open\' AND "participation_id" IS NULL')


def down(migrator, db):
    for name in [*INDEXES, "follow_up_open_mb_tasks"]:
        db.execute_sql(f'DROP INDEX "{name}"')
    migrator.migrate(migrator.drop_column('follow_up', 'mb_id'))
