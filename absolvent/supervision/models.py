"""Tables of supervision: the TL's monthly Fachaufsicht review (sample, criteria,
findings, sign-off, addenda, the BL's spot checks) and the DQM's marks on the
"nicht eingeleitet" list (RULES.md §7).

Changes need a numbered migration (0007_supervision); tests prove the migrated
schema equals these models.
"""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel
from ..models import FollowUp, Participation, Team, User, now


class SupervisionReview(BaseModel):
    """The Fachaufsicht of one team for one month: focus, sample, sign-off.

    ``month`` is the first day of the month whose measure ends are listed.
    After ``signed_at`` the review is read-only; corrections are addenda.
    """

    team = ForeignKeyField(Team, backref="supervision_reviews", on_delete="CASCADE")
    month = DateField()
    focus_types = CharField(default="")  # comma separated measure type codes; "" = all list types
    focus_paps = CharField(default="")  # comma separated user ids; "" = all
    sample_size = IntegerField(null=True)
    sample_share = IntegerField(null=True)  # percent
    seed = CharField(default="")  # random but reproducible sample
    team_findings = TextField(default="")  # feedback to the whole team
    created_by = ForeignKeyField(User, backref="supervision_reviews")
    created_at = DateTimeField(default=now)
    signed_by = ForeignKeyField(User, null=True, backref="signed_reviews", on_delete="SET NULL")
    signed_at = DateTimeField(null=True)
    signed_sha256 = CharField(max_length=64, default="")  # checksum of what was signed
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("team", "month"), True),)

    @property
    def signed(self):
        return self.signed_at is not None


class SupervisionCase(BaseModel):
    """One case of the list; sampled ones are checked against the criteria."""

    review = ForeignKeyField(SupervisionReview, backref="cases", on_delete="CASCADE")
    participation = ForeignKeyField(Participation, backref="supervision_cases", on_delete="CASCADE")
    sampled = BooleanField(default=False)
    ratings = TextField(default="{}")  # JSON: criterion -> io | nio | entfaellt
    finding = TextField(default="")
    feedback = CharField(default="")  # "" | einzelgespraech | team
    followup = ForeignKeyField(FollowUp, null=True, backref="supervision_cases", on_delete="SET NULL")
    checked_by = ForeignKeyField(User, null=True, backref="checked_cases", on_delete="SET NULL")
    checked_at = DateTimeField(null=True)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("review", "participation"), True),)


class SupervisionAddendum(BaseModel):
    """A dated correction to a signed review."""

    review = ForeignKeyField(SupervisionReview, backref="addenda", on_delete="CASCADE")
    text = TextField()
    author = ForeignKeyField(User, backref="supervision_addenda")
    created_at = DateTimeField(default=now)


class SpotCheck(BaseModel):
    """The BL's spot check of a signed review."""

    review = ForeignKeyField(SupervisionReview, backref="spot_checks", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="spot_checks")
    checked_at = DateTimeField(default=now)
    ok = BooleanField()
    remark = TextField(default="")


class NotInitiatedMark(BaseModel):
    """The DQM's work on the "nicht eingeleitet" list (Goslar 1.4.2): fixed or explained."""

    participation = ForeignKeyField(Participation, backref="not_initiated_marks", on_delete="CASCADE")
    month = DateField()  # the list's month (first day)
    status = CharField()  # behoben | erklaert
    note = TextField(default="")
    user = ForeignKeyField(User, backref="not_initiated_marks")
    marked_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("participation", "month"), True),)


SUPERVISION_MODELS = [SupervisionReview, SupervisionCase, SupervisionAddendum, SpotCheck, NotInitiatedMark]
