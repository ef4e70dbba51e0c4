"""0004 indexes for the worklists: open follow-ups by due date, running
participations by planned end (measured with bench/bench_pages.py)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('follow_up', ('status', 'due'), False),
        migrator.add_index('participation', ('exit', 'planned_end'), False))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('participation', 'participation_exit_planned_end'),
        migrator.drop_index('follow_up', 'follow_up_status_due'))
