"""Tables of the MB's workspace (Maßnahmebetreuung, RULES.md §5.7, seed 000 §2):
files of a measure (concept, Leistungsbeschreibung, reports), the first-day list,
AGH assignments, office hours, defects and their letters, occupancy reports and
the BAE Vormerkliste. Survey answers are guided-form snapshots of the measure
(``guided_forms.models.FormSnapshot`` with ``measure`` set and no customer).

Changes need a numbered migration (0011_mb_workspace); tests prove the migrated
schema equals these models.
"""
from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from ..db import BaseModel
from ..documents.models import IssuedDocument
from ..models import FollowUp, Measure, Note, Participation, User, now


class MeasureFile(BaseModel):
    """A file kept with a measure, stored unchanged with its checksum: the Träger's
    concept or Leistungsbeschreibung, the F.2.1 sheet, flyers, and reports received
    for one participant (``participation`` set; forwarded to the pAp as ``followup``)."""

    measure = ForeignKeyField(Measure, backref="files", on_delete="CASCADE")
    participation = ForeignKeyField(Participation, null=True, backref="measure_files", on_delete="CASCADE")
    kind = CharField()  # vocabulary MEASURE_FILE_KINDS
    title = CharField(default="")
    received_on = DateField(null=True)
    file_name = CharField()
    mime_type = CharField()
    size = IntegerField()
    sha256 = CharField(max_length=64)
    content = BlobField()
    uploaded_by = ForeignKeyField(User, backref="measure_files")
    uploaded_at = DateTimeField(default=now)
    followup = ForeignKeyField(FollowUp, null=True, backref="measure_files", on_delete="SET NULL")

    @property
    def data(self):
        return bytes(self.content)


class StartConfirmation(BaseModel):
    """The first-day list: the MB confirms that a participant started (or did not);
    ``followup`` is the pAp's Wiedervorlage this created."""

    participation = ForeignKeyField(Participation, unique=True, backref="start_confirmations", on_delete="CASCADE")
    started = BooleanField()
    remark = TextField(default="")
    confirmed_by = ForeignKeyField(User, backref="start_confirmations")
    confirmed_at = DateTimeField(default=now)
    followup = ForeignKeyField(FollowUp, null=True, backref="start_confirmations", on_delete="SET NULL")
    version = IntegerField(default=1)


class AghAssignment(BaseModel):
    """The MB's written Maßnahmezuweisung into an AGH (seed 000 1.2.1) and its outcome."""

    participation = ForeignKeyField(Participation, backref="agh_assignments", on_delete="CASCADE")
    activity = TextField()  # Art der Tätigkeit
    field_of_work = CharField()  # vocabulary AGH_FIELDS
    hours_per_week = IntegerField()
    compensation_cents = IntegerField()  # Mehraufwandsentschädigung je Stunde
    place = CharField(default="")
    start = DateField()
    end = DateField()
    report_on = DateField(null=True)  # Vorstellung beim Träger
    report_to = CharField(default="")
    issued_on = DateField()
    outcome = CharField(default="")  # "" | einstellung | nichtvorstellung | ablehnung
    outcome_on = DateField(null=True)
    outcome_remark = TextField(default="")
    followup = ForeignKeyField(FollowUp, null=True, backref="agh_assignments", on_delete="SET NULL")
    created_by = ForeignKeyField(User, backref="agh_assignments")
    created_at = DateTimeField(default=now)
    version = IntegerField(default=1)


class OfficeHour(BaseModel):
    """A Sprechstunde held at the Träger (from the guided form ``sprechstunde``)."""

    measure = ForeignKeyField(Measure, backref="office_hours", on_delete="CASCADE")
    followup = ForeignKeyField(FollowUp, null=True, backref="office_hours", on_delete="SET NULL")
    held_on = DateField()
    attendance = IntegerField(default=0)
    findings = TextField(default="")
    snapshot_id = IntegerField(null=True)  # the guided-form snapshot it came from
    created_by = ForeignKeyField(User, backref="office_hours")
    created_at = DateTimeField(default=now)


class OfficeHourFinding(BaseModel):
    """A finding about one participant: a Vermerk for the customer and a Wiedervorlage for the pAp."""

    office_hour = ForeignKeyField(OfficeHour, backref="participant_findings", on_delete="CASCADE")
    participation = ForeignKeyField(Participation, backref="office_hour_findings", on_delete="CASCADE")
    text = TextField()
    note = ForeignKeyField(Note, null=True, backref="office_hour_findings", on_delete="SET NULL")
    followup = ForeignKeyField(FollowUp, null=True, backref="office_hour_findings", on_delete="SET NULL")


class Defect(BaseModel):
    """A quality defect of a measure (Mängelregister): how and when it was found, the
    clause breached, the facts, deadlines, and its state."""

    measure = ForeignKeyField(Measure, backref="defects", on_delete="CASCADE")
    found_on = DateField()
    found_how = CharField()  # vocabulary DEFECT_SOURCES
    clause_source = CharField()  # vocabulary DEFECT_CLAUSES
    clause = CharField()  # e.g. "Leistungsbeschreibung B.2.3 (Personal)"
    facts = TextField()  # dated facts
    evidence = TextField(default="")
    obligation = TextField(default="")  # what the Träger has to do
    severity = CharField()  # vocabulary DEFECT_SEVERITIES
    remedy_deadline = DateField()
    comment_deadline = DateField(null=True)
    status = CharField(default="offen", index=True)  # vocabulary DEFECT_STATES
    remedied_on = DateField(null=True)
    remedy_how = TextField(default="")
    escalation = CharField(default="")  # "" | rez | p183
    escalated_on = DateField(null=True)
    created_by = ForeignKeyField(User, backref="defects")
    created_at = DateTimeField(default=now)
    version = IntegerField(default=1)


class DefectEvent(BaseModel):
    """The history of a defect: recorded, letters sent (with their archived documents),
    remedied, escalated, comment received."""

    defect = ForeignKeyField(Defect, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=now)
    user = ForeignKeyField(User, backref="defect_events")
    kind = CharField()  # vocabulary DEFECT_EVENTS
    text = TextField(default="")
    document = ForeignKeyField(IssuedDocument, null=True, backref="defect_events", on_delete="SET NULL")
    document_docx = ForeignKeyField(IssuedDocument, null=True, backref="defect_events_docx", on_delete="SET NULL")


class OccupancyReport(BaseModel):
    """The MB's report to TL/BL that places will likely stay empty (seed 000 1.3.3, 2.2.2)."""

    measure = ForeignKeyField(Measure, backref="occupancy_reports", on_delete="CASCADE")
    reported_by = ForeignKeyField(User, backref="occupancy_reports")
    reported_at = DateTimeField(default=now, index=True)
    capacity = IntegerField()
    occupied = IntegerField()
    text = TextField(default="")


class ProviderList(BaseModel):
    """One issued BAE Vormerkliste: the rows as sent (JSON, to mark changes in the
    next list) and the archived XLSX and cover letter."""

    measure = ForeignKeyField(Measure, backref="provider_lists", on_delete="CASCADE")
    issued_by = ForeignKeyField(User, backref="provider_lists")
    issued_at = DateTimeField(default=now)
    rows = TextField(default="[]")
    document = ForeignKeyField(IssuedDocument, null=True, backref="provider_lists", on_delete="SET NULL")
    letter = ForeignKeyField(IssuedDocument, null=True, backref="provider_list_letters", on_delete="SET NULL")


MEASURE_MODELS = [MeasureFile, StartConfirmation, AghAssignment, OfficeHour, OfficeHourFinding, Defect,
                  DefectEvent, OccupancyReport, ProviderList]
