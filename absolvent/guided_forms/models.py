"""Tables of the guided forms: the definition versions runs are pinned to, the
runs (drafts) and the immutable snapshots of submitted runs.

Changes need a numbered migration (0006_guided_forms); tests prove the
migrated schema equals these models.
"""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel
from ..models import Customer, FollowUp, Measure, Participation, User, now


class FormDefinitionVersion(BaseModel):
    """The exact text of a form definition a run started on (pinned by SHA-256)."""

    form_id = CharField(index=True)
    version = CharField()
    sha256 = CharField(max_length=64, unique=True)
    source = TextField()
    created_at = DateTimeField(default=now)


class FormRun(BaseModel):
    """One filling-in of a guided form for a case (customer and participation) or for a
    measure (the MB's forms: ``measure`` set, and no customer for the anonymous survey):
    a draft until submitted."""

    definition = ForeignKeyField(FormDefinitionVersion, backref="runs")
    form_id = CharField(index=True)
    customer = ForeignKeyField(Customer, null=True, backref="form_runs", on_delete="CASCADE")
    measure = ForeignKeyField(Measure, null=True, backref="form_runs", on_delete="CASCADE")
    participation = ForeignKeyField(Participation, null=True, backref="form_runs", on_delete="CASCADE")
    followup = ForeignKeyField(FollowUp, null=True, backref="form_runs", on_delete="SET NULL")
    user = ForeignKeyField(User, backref="form_runs")
    status = CharField(default="draft", index=True)  # draft | submitted | discarded
    current_step = CharField(default="")
    answers = TextField(default="{}")  # JSON: field name -> value
    raw = TextField(default="{}")  # JSON: field name -> text typed but not (yet) valid
    prefilled = TextField(default="[]")  # JSON: names of prefilled fields
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    submitted_at = DateTimeField(null=True)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("user", "status"), False),)


class FormSnapshot(BaseModel):
    """The immutable record of a submitted run: canonical JSON answers and their SHA-256."""

    run = ForeignKeyField(FormRun, unique=True, backref="snapshots")
    form_id = CharField(index=True)
    title = CharField()
    definition = ForeignKeyField(FormDefinitionVersion, backref="snapshots")
    customer = ForeignKeyField(Customer, null=True, backref="form_snapshots", on_delete="CASCADE")
    measure = ForeignKeyField(Measure, null=True, backref="form_snapshots", on_delete="CASCADE")
    participation = ForeignKeyField(Participation, null=True, backref="form_snapshots", on_delete="CASCADE")
    followup = ForeignKeyField(FollowUp, null=True, backref="form_snapshots", on_delete="SET NULL")
    answers = TextField()
    sha256 = CharField(max_length=64)
    derived = TextField(default="{}")  # JSON: what submit created, e.g. {"note": 3, "agreement": 7}
    submitted_by = ForeignKeyField(User, backref="form_snapshots")
    submitted_at = DateTimeField(default=now, index=True)


GUIDED_FORM_MODELS = [FormDefinitionVersion, FormRun, FormSnapshot]
