"""0017 the calendar feed (Kalender-Abo): a secret token per user, stored only as its
SHA-256; at most one active (not revoked) token per user (partial unique index).

Frozen copy of absolvent/ical/models.py at this point; the user table is a stub."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class CalendarToken(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        token_sha256 = CharField(max_length=64, unique=True)
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        last_used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'calendar_token'

    db.create_tables([CalendarToken])
    db.execute_sql('CREATE UNIQUE INDEX "calendar_token_one_active" ON "calendar_token" ("user_id") '
                   'WHERE "revoked_at" IS NULL')


def down(migrator, db):
    db.execute_sql('DROP TABLE "calendar_token"')
