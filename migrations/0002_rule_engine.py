"""0002 rule engine: follow-ups carry the rulebook step (phase, mode, window,
checklist, the rule's own dates) and may belong to a measure (MB tasks of group
measures); participations get the further anchor dates (exam, training years,
probation); notes can be qualified contacts; plan_event keeps the re-plan history."""
from peewee import *


def up(migrator, db):
    class Measure(Model):
        class Meta:
            database = db
            table_name = 'measure'

    class Participation(Model):
        class Meta:
            database = db
            table_name = 'participation'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class PlanEvent(Model):
        participation = ForeignKeyField(Participation, null=True, on_delete='CASCADE')
        measure = ForeignKeyField(Measure, null=True, on_delete='CASCADE')
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reason = CharField()
        summary = CharField(default='')
        detail = TextField(default='')
        class Meta:
            database = db
            table_name = 'plan_event'
    db.create_tables([PlanEvent])

    migrator.migrate(migrator.add_column('participation', 'probation_end', DateField(null=True)))
    migrator.migrate(migrator.add_column('participation', 'intermediate_exam', DateField(null=True)))
    migrator.migrate(migrator.add_column('participation', 'exam_date', DateField(null=True)))
    migrator.migrate(migrator.add_column('participation', 'training_year_1_end', DateField(null=True)))
    migrator.migrate(migrator.add_column('participation', 'training_year_2_end', DateField(null=True)))
    migrator.migrate(migrator.add_column('follow_up', 'measure_id', ForeignKeyField(Measure, field=Measure.id, null=True, on_delete='CASCADE')))
    migrator.migrate(migrator.add_column('follow_up', 'rule_id', CharField(default='')))
    migrator.migrate(migrator.add_column('follow_up', 'phase', CharField(default='')))
    migrator.migrate(migrator.add_column('follow_up', 'mode', CharField(default='')))
    migrator.migrate(migrator.add_column('follow_up', 'mandatory', BooleanField(default=False)))
    migrator.migrate(migrator.add_column('follow_up', 'form', CharField(default='')))
    migrator.migrate(migrator.add_column('follow_up', 'checklist', TextField(default='')))
    migrator.migrate(migrator.add_column('follow_up', 'rule_earliest', DateField(null=True)))
    migrator.migrate(migrator.add_column('follow_up', 'rule_due', DateField(null=True)))
    migrator.migrate(migrator.add_column('follow_up', 'cancel_reason', CharField(default='')))
    migrator.migrate(migrator.add_column('follow_up', 'version', IntegerField(default=1)))
    migrator.migrate(migrator.add_column('note', 'channel', CharField(default='')))
    migrator.migrate(migrator.add_column('note', 'qualified', BooleanField(default=False)))
    migrator.migrate(migrator.add_index('follow_up', ('measure_id', 'step_id'), unique=True))
    # measure-level steps of the MB have no participation
    migrator.migrate(migrator.drop_not_null('follow_up', 'participation_id'))


def down(migrator, db):
    db.execute_sql('DELETE FROM follow_up WHERE participation_id IS NULL')
    migrator.migrate(migrator.add_not_null('follow_up', 'participation_id'))
    migrator.migrate(migrator.drop_index('follow_up', 'follow_up_measure_id_step_id'))
    migrator.migrate(migrator.drop_index('follow_up', 'follow_up_measure_id'))
    migrator.migrate(migrator.drop_column('note', 'qualified'))
    migrator.migrate(migrator.drop_column('note', 'channel'))
    migrator.migrate(migrator.drop_column('follow_up', 'version'))
    migrator.migrate(migrator.drop_column('follow_up', 'cancel_reason'))
    migrator.migrate(migrator.drop_column('follow_up', 'rule_due'))
    migrator.migrate(migrator.drop_column('follow_up', 'rule_earliest'))
    migrator.migrate(migrator.drop_column('follow_up', 'checklist'))
    migrator.migrate(migrator.drop_column('follow_up', 'form'))
    migrator.migrate(migrator.drop_column('follow_up', 'mandatory'))
    migrator.migrate(migrator.drop_column('follow_up', 'mode'))
    migrator.migrate(migrator.drop_column('follow_up', 'phase'))
    migrator.migrate(migrator.drop_column('follow_up', 'rule_id'))
    migrator.migrate(migrator.drop_column('follow_up', 'measure_id'))
    migrator.migrate(migrator.drop_column('participation', 'training_year_2_end'))
    migrator.migrate(migrator.drop_column('participation', 'training_year_1_end'))
    migrator.migrate(migrator.drop_column('participation', 'exam_date'))
    migrator.migrate(migrator.drop_column('participation', 'intermediate_exam'))
    migrator.migrate(migrator.drop_column('participation', 'probation_end'))
    migrator.migrate(migrator.drop_table('plan_event'))

