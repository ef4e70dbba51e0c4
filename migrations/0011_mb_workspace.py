"""0011 the MB's workspace: files of a measure, the first-day list, AGH assignments,
office hours and their findings, defects and their history, occupancy reports and
the BAE Vormerkliste; guided-form runs and snapshots of a measure (the MB's forms;
no customer for the anonymous survey); issued documents of a measure.

Frozen copy of absolvent/measures/models.py at this point; referenced tables are stubs."""
from peewee import *


def up(migrator, db):
    class Stub(Model):
        class Meta:
            database = db

    class User(Stub):
        class Meta:
            table_name = 'user'

    class Measure(Stub):
        class Meta:
            table_name = 'measure'

    class Participation(Stub):
        class Meta:
            table_name = 'participation'

    class FollowUp(Stub):
        class Meta:
            table_name = 'follow_up'

    class Note(Stub):
        class Meta:
            table_name = 'note'

    class IssuedDocument(Stub):
        class Meta:
            table_name = 'issued_document'

    class Base(Model):
        class Meta:
            database = db

    class MeasureFile(Base):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        participation = ForeignKeyField(Participation, null=True, on_delete='CASCADE')
        kind = CharField()
        title = CharField(default='')
        received_on = DateField(null=True)
        file_name = CharField()
        mime_type = CharField()
        size = IntegerField()
        sha256 = CharField(max_length=64)
        content = BlobField()
        uploaded_by = ForeignKeyField(User)
        uploaded_at = DateTimeField()
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')

        class Meta:
            table_name = 'measure_file'

    class StartConfirmation(Base):
        participation = ForeignKeyField(Participation, unique=True, on_delete='CASCADE')
        started = BooleanField()
        remark = TextField(default='')
        confirmed_by = ForeignKeyField(User)
        confirmed_at = DateTimeField()
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)

        class Meta:
            table_name = 'start_confirmation'

    class AghAssignment(Base):
        participation = ForeignKeyField(Participation, on_delete='CASCADE')
        activity = TextField()
        field_of_work = CharField()
        hours_per_week = IntegerField()
        compensation_cents = IntegerField()
        place = CharField(default='')
        start = DateField()
        end = DateField()
        report_on = DateField(null=True)
        report_to = CharField(default='')
        issued_on = DateField()
        outcome = CharField(default='')
        outcome_on = DateField(null=True)
        outcome_remark = TextField(default='')
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')
        created_by = ForeignKeyField(User)
        created_at = DateTimeField()
        version = IntegerField(default=1)

        class Meta:
            table_name = 'agh_assignment'

    class OfficeHour(Base):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')
        held_on = DateField()
        attendance = IntegerField(default=0)
        findings = TextField(default='')
        snapshot_id = IntegerField(null=True)
        created_by = ForeignKeyField(User)
        created_at = DateTimeField()

        class Meta:
            table_name = 'office_hour'

    class OfficeHourFinding(Base):
        office_hour = ForeignKeyField(OfficeHour, on_delete='CASCADE')
        participation = ForeignKeyField(Participation, on_delete='CASCADE')
        text = TextField()
        note = ForeignKeyField(Note, null=True, on_delete='SET NULL')
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')

        class Meta:
            table_name = 'office_hour_finding'

    class Defect(Base):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        found_on = DateField()
        found_how = CharField()
        clause_source = CharField()
        clause = CharField()
        facts = TextField()
        evidence = TextField(default='')
        obligation = TextField(default='')
        severity = CharField()
        remedy_deadline = DateField()
        comment_deadline = DateField(null=True)
        status = CharField(default='offen', index=True)
        remedied_on = DateField(null=True)
        remedy_how = TextField(default='')
        escalation = CharField(default='')
        escalated_on = DateField(null=True)
        created_by = ForeignKeyField(User)
        created_at = DateTimeField()
        version = IntegerField(default=1)

        class Meta:
            table_name = 'defect'

    class DefectEvent(Base):
        defect = ForeignKeyField(Defect, on_delete='CASCADE')
        at = DateTimeField()
        user = ForeignKeyField(User)
        kind = CharField()
        text = TextField(default='')
        document = ForeignKeyField(IssuedDocument, null=True, on_delete='SET NULL')
        document_docx = ForeignKeyField(IssuedDocument, null=True, on_delete='SET NULL')

        class Meta:
            table_name = 'defect_event'

    class OccupancyReport(Base):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        reported_by = ForeignKeyField(User)
        reported_at = DateTimeField(index=True)
        capacity = IntegerField()
        occupied = IntegerField()
        text = TextField(default='')

        class Meta:
            table_name = 'occupancy_report'

    class ProviderList(Base):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        issued_by = ForeignKeyField(User)
        issued_at = DateTimeField()
        rows = TextField(default='[]')
        document = ForeignKeyField(IssuedDocument, null=True, on_delete='SET NULL')
        letter = ForeignKeyField(IssuedDocument, null=True, on_delete='SET NULL')

        class Meta:
            table_name = 'provider_list'

    db.create_tables([MeasureFile, StartConfirmation, AghAssignment, OfficeHour, OfficeHourFinding, Defect,
                      DefectEvent, OccupancyReport, ProviderList])
    migrator.migrate(
        migrator.add_column('form_run', 'measure_id',
                            ForeignKeyField(Measure, null=True, on_delete='CASCADE', field=Measure.id)),
        migrator.drop_not_null('form_run', 'customer_id'),
        migrator.add_column('form_snapshot', 'measure_id',
                            ForeignKeyField(Measure, null=True, on_delete='CASCADE', field=Measure.id)),
        migrator.drop_not_null('form_snapshot', 'customer_id'),
        migrator.add_column('issued_document', 'measure_id',
                            ForeignKeyField(Measure, null=True, on_delete='CASCADE', field=Measure.id)),
    )


def down(migrator, db):
    # runs and snapshots of a measure have no customer: they cannot survive the way back
    db.execute_sql('DELETE FROM "form_snapshot" WHERE "customer_id" IS NULL')
    db.execute_sql('DELETE FROM "form_run" WHERE "customer_id" IS NULL')
    migrator.migrate(
        migrator.add_not_null('form_snapshot', 'customer_id'),
        migrator.add_not_null('form_run', 'customer_id'),
        migrator.drop_index('issued_document', 'issued_document_measure_id'),
        migrator.drop_column('issued_document', 'measure_id'),
        migrator.drop_index('form_snapshot', 'form_snapshot_measure_id'),
        migrator.drop_column('form_snapshot', 'measure_id'),
        migrator.drop_index('form_run', 'form_run_measure_id'),
        migrator.drop_column('form_run', 'measure_id'),
    )
    for table in ('provider_list', 'occupancy_report', 'defect_event', 'defect', 'office_hour_finding',
                  'office_hour', 'agh_assignment', 'start_confirmation', 'measure_file'):
        db.execute_sql(f'DROP TABLE "{table}"')
