"""0001 foundation: users, teams, settings, customers, providers, measures,
participations, notes, follow-ups, sessions, login attempts, audit log.

Frozen copy of the models at this point (generated from a schema diff);
Python-side defaults such as created_at=now are not part of the schema."""
from peewee import *


def up(migrator, db):
    class Team(Model):
        name = CharField(unique=True)
        class Meta:
            database = db
            table_name = 'team'
    db.create_tables([Team])

    class User(Model):
        username = CharField(unique=True)
        name = CharField()
        email = CharField(default='')
        phone = CharField(default='')
        password_hash = CharField()
        roles = CharField(default='')
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        active = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class AuditLog(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField()
        entity = CharField()
        entity_id = CharField(default='')
        detail = TextField(default='')
        address = CharField(default='')
        class Meta:
            database = db
            table_name = 'audit_log'
    db.create_tables([AuditLog])

    class AuthSession(Model):
        token = CharField(unique=True)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        last_seen = DateTimeField()
        address = CharField(default='')
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'auth_session'
    db.create_tables([AuthSession])

    class Customer(Model):
        customer_number = CharField(unique=True)
        salutation = CharField(default='')
        first_name = CharField()
        last_name = CharField(index=True)
        birth_date = DateField()
        street = CharField(default='')
        postal_code = CharField(default='')
        city = CharField(default='')
        team = ForeignKeyField(Team)
        pap = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer'
    db.create_tables([Customer])

    class Provider(Model):
        name = CharField(unique=True)
        street = CharField(default='')
        postal_code = CharField(default='')
        city = CharField(default='')
        contact_person = CharField(default='')
        email = CharField(default='')
        phone = CharField(default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'provider'
    db.create_tables([Provider])

    class Measure(Model):
        type_code = CharField(index=True)
        measure_number = CharField(unique=True)
        title = CharField()
        provider = ForeignKeyField(Provider)
        start = DateField()
        end = DateField(index=True)
        capacity = IntegerField(default=0)
        location = CharField(default='')
        procurement = CharField(default='vergabe')
        mb = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'measure'
    db.create_tables([Measure])

    class Participation(Model):
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        measure = ForeignKeyField(Measure)
        entry = DateField()
        planned_end = DateField(index=True)
        exit = DateField(index=True, null=True)
        exit_kind = CharField(null=True)
        dropout_reason = TextField(default='')
        important_reason = BooleanField(null=True)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'participation'
    db.create_tables([Participation])

    class FollowUp(Model):
        participation = ForeignKeyField(Participation, on_delete='CASCADE')
        step_id = CharField()
        title = CharField()
        role = CharField()
        earliest = DateField(null=True)
        due = DateField(index=True)
        status = CharField(index=True, default='open')
        done_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        done_at = DateTimeField(null=True)
        edited_by_hand = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'follow_up'
            indexes = ((('participation', 'step_id'), True),)
    db.create_tables([FollowUp])

    class JobcenterSettings(Model):
        name = CharField()
        street = CharField(default='')
        postal_code = CharField(default='')
        city = CharField(default='')
        letterhead = TextField(default='')
        phone = CharField(default='')
        email = CharField(default='')
        bundesland = CharField(max_length=2, default='NI')
        active_rulebook = CharField(default='goslar-2016')
        class Meta:
            database = db
            table_name = 'jobcenter_settings'
    db.create_tables([JobcenterSettings])

    class LoginAttempt(Model):
        username = CharField(index=True)
        address = CharField(index=True)
        at = DateTimeField(index=True)
        success = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'login_attempt'
    db.create_tables([LoginAttempt])

    class Note(Model):
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        participation = ForeignKeyField(Participation, null=True, on_delete='SET NULL')
        subject = CharField()
        text = TextField(default='')
        author = ForeignKeyField(User)
        date = DateField()
        kind = CharField(default='vermerk')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'note'
    db.create_tables([Note])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('note'))
    migrator.migrate(migrator.drop_table('login_attempt'))
    migrator.migrate(migrator.drop_table('jobcenter_settings'))
    migrator.migrate(migrator.drop_table('follow_up'))
    migrator.migrate(migrator.drop_table('participation'))
    migrator.migrate(migrator.drop_table('measure'))
    migrator.migrate(migrator.drop_table('provider'))
    migrator.migrate(migrator.drop_table('customer'))
    migrator.migrate(migrator.drop_table('auth_session'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('team'))

