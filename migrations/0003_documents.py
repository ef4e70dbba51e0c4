"""0003 documents: agreements (EV/Kooperationsplan), the archive of issued
documents, uploaded template versions and bulk print jobs.

Frozen copy of absolvent/document_models.py at this point (generated from a
schema diff); Python-side defaults such as created_at=now are not part of the
schema. Referenced tables of 0001 appear as empty stubs. BlobField is BLOB on
SQLite and bytea on PostgreSQL."""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = 'customer'

    class Participation(Model):
        class Meta:
            database = db
            table_name = 'participation'

    class Team(Model):
        class Meta:
            database = db
            table_name = 'team'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Agreement(Model):
        participation = ForeignKeyField(Participation, on_delete='CASCADE')
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        kind = CharField(max_length=2)
        agreement_kind = CharField(default='neu')
        concluded_on = DateField()
        valid_until = DateField(null=True)
        review_date = DateField(null=True)
        goal = TextField()
        steps = TextField()
        customer_duties = TextField(default='')
        own_efforts_number = IntegerField(null=True)
        own_efforts_period = CharField(default='')
        own_efforts_proof = TextField(default='')
        jobcenter_support = TextField(default='')
        contacts_during_measure = TextField(default='')
        author = ForeignKeyField(User)
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'agreement'
    db.create_tables([Agreement])

    class BulkJob(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        document = CharField()
        format = CharField(max_length=8)
        participation_ids = TextField(default='')
        total = IntegerField(default=0)
        done = IntegerField(default=0)
        status = CharField(default='wartend')
        error = TextField(default='')
        result = BlobField(null=True)
        result_name = CharField(default='')
        created_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'bulk_job'
    db.create_tables([BulkJob])

    class IssuedDocument(Model):
        document = CharField(index=True)
        title = CharField()
        format = CharField(max_length=8)
        participation = ForeignKeyField(Participation, null=True, on_delete='CASCADE')
        customer = ForeignKeyField(Customer, null=True, on_delete='CASCADE')
        agreement = ForeignKeyField(Agreement, null=True, on_delete='SET NULL')
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        subject = CharField(default='')
        author = ForeignKeyField(User)
        created_at = DateTimeField(index=True)
        template_version = CharField()
        file_name = CharField()
        mime_type = CharField()
        size = IntegerField()
        sha256 = CharField(index=True, max_length=64)
        content = BlobField()
        number = IntegerField()
        class Meta:
            database = db
            table_name = 'issued_document'
            indexes = ((('document', 'participation', 'subject', 'number'), True),)
    db.create_tables([IssuedDocument])

    class TemplateVersion(Model):
        document = CharField()
        version = IntegerField()
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        uploaded_at = DateTimeField()
        sha256 = CharField(max_length=64)
        content = BlobField()
        active = BooleanField(default=False)
        note = CharField(default='')
        class Meta:
            database = db
            table_name = 'template_version'
            indexes = ((('document', 'version'), True),)
    db.create_tables([TemplateVersion])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('template_version'))
    migrator.migrate(migrator.drop_table('issued_document'))
    migrator.migrate(migrator.drop_table('bulk_job'))
    migrator.migrate(migrator.drop_table('agreement'))
