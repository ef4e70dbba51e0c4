"""0007 supervision: the monthly Fachaufsicht review (sample, criteria, sign-off,
addenda, BL spot checks) and the DQM's marks on the "nicht eingeleitet" list.

Frozen copy of absolvent/supervision/models.py at this point; referenced tables are stubs."""
from peewee import *


def up(migrator, db):
    class Stub(Model):
        class Meta:
            database = db

    class Team(Stub):
        class Meta:
            table_name = 'team'

    class User(Stub):
        class Meta:
            table_name = 'user'

    class Participation(Stub):
        class Meta:
            table_name = 'participation'

    class FollowUp(Stub):
        class Meta:
            table_name = 'follow_up'

    class SupervisionReview(Model):
        team = ForeignKeyField(Team, on_delete='CASCADE')
        month = DateField()
        focus_types = CharField(default='')
        focus_paps = CharField(default='')
        sample_size = IntegerField(null=True)
        sample_share = IntegerField(null=True)
        seed = CharField(default='')
        team_findings = TextField(default='')
        created_by = ForeignKeyField(User)
        created_at = DateTimeField()
        signed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        signed_at = DateTimeField(null=True)
        signed_sha256 = CharField(max_length=64, default='')
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = 'supervision_review'
            indexes = ((('team', 'month'), True),)

    class SupervisionCase(Model):
        review = ForeignKeyField(SupervisionReview, on_delete='CASCADE')
        participation = ForeignKeyField(Participation, on_delete='CASCADE')
        sampled = BooleanField(default=False)
        ratings = TextField(default='{}')
        finding = TextField(default='')
        feedback = CharField(default='')
        followup = ForeignKeyField(FollowUp, null=True, on_delete='SET NULL')
        checked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        checked_at = DateTimeField(null=True)
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = 'supervision_case'
            indexes = ((('review', 'participation'), True),)

    class SupervisionAddendum(Model):
        review = ForeignKeyField(SupervisionReview, on_delete='CASCADE')
        text = TextField()
        author = ForeignKeyField(User)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'supervision_addendum'

    class SpotCheck(Model):
        review = ForeignKeyField(SupervisionReview, on_delete='CASCADE')
        user = ForeignKeyField(User)
        checked_at = DateTimeField()
        ok = BooleanField()
        remark = TextField(default='')

        class Meta:
            database = db
            table_name = 'spot_check'

    class NotInitiatedMark(Model):
        participation = ForeignKeyField(Participation, on_delete='CASCADE')
        month = DateField()
        status = CharField()
        note = TextField(default='')
        user = ForeignKeyField(User)
        marked_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'not_initiated_mark'
            indexes = ((('participation', 'month'), True),)

    db.create_tables([SupervisionReview, SupervisionCase, SupervisionAddendum, SpotCheck, NotInitiatedMark])


def down(migrator, db):
    for table in ('not_initiated_mark', 'spot_check', 'supervision_addendum', 'supervision_case',
                  'supervision_review'):
        db.execute_sql(f'DROP TABLE "{table}"')
