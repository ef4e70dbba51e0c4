"""The table of the import area: an uploaded export kept between its preview and its import.

The uploaded bytes stay on the server with their SHA-256, so "Jetzt importieren" imports
exactly the previewed file (nothing travels back through the browser). The same row is the
background job's progress (``done`` of ``total``, ``heartbeat_at``) like the Sammeldruck's
``documents.models.BulkJob``. Changes need a numbered migration (0016).
"""
import json

from peewee import BlobField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel
from ..models import User, now

# status: checking (preview being computed) -> checked -> importing -> done | failed
RUNNING = ("checking", "importing")


class ImportJob(BaseModel):
    user = ForeignKeyField(User, backref="import_jobs", on_delete="CASCADE")
    file_name = CharField()
    size = IntegerField()
    sha256 = CharField(max_length=64)
    content = BlobField()  # emptied once the import is done (Sozialdaten are kept no longer than needed)
    status = CharField(default="checking")
    phase = CharField(default="")  # what the worker is doing, in German
    total = IntegerField(default=0)
    done = IntegerField(default=0)
    report = TextField(default="")  # JSON: problems, counts and lists (preview), then the result
    error = TextField(default="")
    created_at = DateTimeField(default=now, index=True)
    heartbeat_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)

    @property
    def running(self):
        return self.status in RUNNING

    @property
    def data(self):
        return bytes(self.content or b"")

    @property
    def report_data(self):
        return json.loads(self.report) if self.report else {}


IMPORT_MODELS = [ImportJob]
