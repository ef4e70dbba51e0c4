"""0010 background jobs report a heartbeat; a job whose worker stopped reporting (restart,
crash) is marked failed with a German message instead of showing "läuft" forever."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('bulk_job', 'heartbeat_at', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('bulk_job', 'heartbeat_at'))
