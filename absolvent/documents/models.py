"""Tables of the document area: the archive of issued documents, uploaded
template versions and bulk jobs (agreements live in ``absolvent.models``).

Changes need a numbered migration; tests prove the migrated schema equals these models.
"""
from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from ..db import BaseModel
from ..models import Agreement, Customer, Measure, Participation, Team, User, now

class IssuedDocument(BaseModel):
    """One issued document, stored unchanged (archive, RULES.md §9).

    ``number`` counts the versions per (document, scope, subject): ``scope`` is
    "teilnahme:<id>" for a case's documents, "massnahme:<id>" for a measure's
    (the MB's letters to the Träger, ``measure`` set) and "-" for documents without a
    case (e.g. Fachaufsicht lists, told apart by ``subject``). The unique index
    on these never-NULL columns always applies, so two archives at the same
    moment cannot both get the same number.
    """

    document = CharField(index=True)
    title = CharField()
    format = CharField(max_length=8)
    participation = ForeignKeyField(Participation, null=True, backref="issued_documents",
                                    on_delete="CASCADE")
    customer = ForeignKeyField(Customer, null=True, backref="issued_documents", on_delete="CASCADE")
    agreement = ForeignKeyField(Agreement, null=True, backref="issued_documents", on_delete="SET NULL")
    team = ForeignKeyField(Team, null=True, backref="issued_documents", on_delete="SET NULL")
    measure = ForeignKeyField(Measure, null=True, backref="issued_documents", on_delete="CASCADE")
    subject = CharField(default="")
    scope = CharField(default="-")
    author = ForeignKeyField(User, backref="issued_documents")
    created_at = DateTimeField(default=now, index=True)
    template_version = CharField()
    file_name = CharField()
    mime_type = CharField()
    size = IntegerField()
    sha256 = CharField(max_length=64, index=True)
    content = BlobField()
    number = IntegerField()

    class Meta:
        indexes = ((("document", "scope", "subject", "number"), True),)

    @property
    def data(self):
        """The stored bytes (PostgreSQL hands out memoryview)."""
        return bytes(self.content)


class TemplateVersion(BaseModel):
    """An uploaded replacement template.docx; at most one active per document."""

    document = CharField()
    version = IntegerField()
    uploaded_by = ForeignKeyField(User, null=True, backref="template_versions", on_delete="SET NULL")
    uploaded_at = DateTimeField(default=now)
    sha256 = CharField(max_length=64)
    content = BlobField()
    active = BooleanField(default=False)
    note = CharField(default="")

    class Meta:
        indexes = ((("document", "version"), True),)

    @property
    def label(self):
        return f"upload-{self.version}"


class BulkJob(BaseModel):
    """A bulk print (Sammeldruck): ZIP of DOCX letters or one merged PDF."""

    user = ForeignKeyField(User, backref="bulk_jobs", on_delete="CASCADE")
    document = CharField()
    format = CharField(max_length=8)
    participation_ids = TextField(default="")  # comma separated, in order
    total = IntegerField(default=0)
    done = IntegerField(default=0)
    status = CharField(default="queued")  # queued | running | done | failed
    error = TextField(default="")
    result = BlobField(null=True)
    result_name = CharField(default="")
    created_at = DateTimeField(default=now)
    heartbeat_at = DateTimeField(null=True)  # the worker's last sign of life (see operations.reap_stale_jobs)
    finished_at = DateTimeField(null=True)

    @property
    def running(self):
        return self.status in ("queued", "running")

    @property
    def ids(self):
        return [int(i) for i in self.participation_ids.split(",") if i]


DOCUMENT_MODELS = [IssuedDocument, TemplateVersion, BulkJob]
