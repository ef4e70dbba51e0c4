"""0016 the import of COSACH/VerBIS exports: an uploaded file kept (with its SHA-256) between
its preview and its import, and the background job's progress.

Frozen copy of absolvent/imports/models.py at this point; the user table is a stub."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ImportJob(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        file_name = CharField()
        size = IntegerField()
        sha256 = CharField(max_length=64)
        content = BlobField()
        status = CharField(default='checking')
        phase = CharField(default='')
        total = IntegerField(default=0)
        done = IntegerField(default=0)
        report = TextField(default='')
        error = TextField(default='')
        created_at = DateTimeField(index=True)
        heartbeat_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'import_job'

    db.create_tables([ImportJob])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "import_job"')
