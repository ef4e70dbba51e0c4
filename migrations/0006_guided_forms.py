"""0006 guided forms: definition versions, runs (drafts) and immutable snapshots;
placement proposals (Vermittlungsvorschläge); the outcome note of a follow-up
closed without a form.

Frozen copy of the models at this point; referenced tables appear as stubs."""
from peewee import *


def up(migrator, db):
    class Stub(Model):
        class Meta:
            database = db

    class Customer(Stub):
        class Meta:
            table_name = 'customer'

    class Participation(Stub):
        class Meta:
            table_name = 'participation'

    class User(Stub):
        class Meta:
            table_name = 'user'

    class FollowUp(Stub):
        class Meta:
            table_name = 'follow_up'

    class PlacementProposal(Model):
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        participation = ForeignKeyField(Participation, null=True, on_delete='SET NULL')
        proposal_date = DateField(index=True)
        employer = CharField()
        job_title = CharField()
        job_kind = CharField()
        sv_pflichtig = BooleanField()
        remarks = TextField(default='')
        author = ForeignKeyField(User)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'placement_proposal'

    class FormDefinitionVersion(Model):
        form_id = CharField(index=True)
        version = CharField()
        sha256 = CharField(max_length=64, unique=True)
        source = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'form_definition_version'

    class FormRun(Model):
        definition = ForeignKeyField(FormDefinitionVersion)
        form_id = CharField(index=True)
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        participation = ForeignKeyField(Participation, null=True, on_delete='CASCADE')
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')
        user = ForeignKeyField(User)
        status = CharField(default='draft', index=True)
        current_step = CharField(default='')
        answers = TextField(default='{}')
        raw = TextField(default='{}')
        prefilled = TextField(default='[]')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = 'form_run'
            indexes = ((('user', 'status'), False),)

    class FormSnapshot(Model):
        run = ForeignKeyField(FormRun, unique=True)
        form_id = CharField(index=True)
        title = CharField()
        definition = ForeignKeyField(FormDefinitionVersion)
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        participation = ForeignKeyField(Participation, null=True, on_delete='CASCADE')
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')
        answers = TextField()
        sha256 = CharField(max_length=64)
        derived = TextField(default='{}')
        submitted_by = ForeignKeyField(User)
        submitted_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = 'form_snapshot'

    db.create_tables([PlacementProposal, FormDefinitionVersion, FormRun, FormSnapshot])
    migrator.migrate(migrator.add_column('follow_up', 'outcome', TextField(default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('follow_up', 'outcome'))
    for table in ('form_snapshot', 'form_run', 'form_definition_version', 'placement_proposal'):
        db.execute_sql(f'DROP TABLE "{table}"')
