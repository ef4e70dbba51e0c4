"""Write operations of the document area: issuing (render + archive), template
versions and bulk jobs. One business action per function; each returns its
result or German messages, never raises for bad input.
"""
import datetime
import hashlib
import io
import re
import threading
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from peewee import fn

from .. import audit
from ..db import database, is_postgres
from ..jobcenter import term_name
from ..models import Agreement, Customer, Measure, Participation, Provider, User, now
from ..validation import IntegrityError
from . import context as document_context
from .models import BulkJob, IssuedDocument, TemplateVersion
from .render import DEFAULT_FORMS_DIR, DocumentError, preflight, registry, render_docx, render_pdf
from .render import validate_docx_template

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf", "zip": "application/zip",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMAT_LABELS = {"docx": "Word (DOCX)", "pdf": "PDF"}
AGREEMENT_DOCUMENT = "eingliederungsvereinbarung"
SUPERVISION_DOCUMENT = "fachaufsicht-liste"
# the archive without the stored bytes (lists show metadata only)
DOCUMENT_FIELDS = [f for f in IssuedDocument._meta.sorted_fields if f.name != "content"]


def forms_dir():
    return Path(current_app.config.get("FORMS_DIR", DEFAULT_FORMS_DIR))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def safe_file_name(*parts, ext):
    """A file name of letters (umlauts kept), digits, '-' and '_' joined by '_'."""
    clean = []
    for part in parts:
        text = unicodedata.normalize("NFC", str(part))
        text = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-_")
        if text:
            clean.append(text[:60])
    return "_".join(clean) + f".{ext}"


# ------------------------------------------------------------------ templates

def active_template(name):
    """Return (docx bytes, version label) of the active DOCX template of ``name``."""
    row = (TemplateVersion.select().where(TemplateVersion.document == name, TemplateVersion.active == True)  # noqa: E712
           .order_by(TemplateVersion.version.desc()).first())
    if row is not None:
        return bytes(row.content), row.label
    spec = registry.get(forms_dir(), name)
    return spec.docx_path.read_bytes(), f"builtin-{spec.version}"


def install_template(name, data, user=None, note=""):
    """Validate ``data`` with the sample in the sandbox, then store and activate it.

    Returns (TemplateVersion, None) or (None, German reason); nothing changes when refused.
    """
    try:
        spec = registry.get(forms_dir(), name)
    except DocumentError as exc:
        return None, str(exc)
    if "docx" not in spec.formats:
        return None, f"„{spec.title}“ hat keine Word-Vorlage (nur PDF)."
    if not data.startswith(b"PK"):
        return None, "Die Datei ist keine Word-Datei (DOCX)."
    try:
        validate_docx_template(bytes(data), registry.load_sample(spec))
    except DocumentError as exc:
        return None, str(exc)
    with database.atomic():
        number = (TemplateVersion.select(fn.MAX(TemplateVersion.version))
                  .where(TemplateVersion.document == name).scalar() or 0) + 1
        TemplateVersion.update(active=False).where(TemplateVersion.document == name).execute()
        row = TemplateVersion.create(document=name, version=number, uploaded_by=user, sha256=sha256(data),
                                     content=bytes(data), active=True, note=note[:255])
        audit.log("create", "template-version", row.id, f"{name} upload-{number} aktiviert", user=user)
    return row, None


def restore_template(name, version, user=None):
    """Activate an older version (0 = the built-in template) after validating it again.

    Returns (label, None) or (None, German reason).
    """
    try:
        spec = registry.get(forms_dir(), name)
    except DocumentError as exc:
        return None, str(exc)
    row = None
    if version:
        row = TemplateVersion.get_or_none(TemplateVersion.document == name, TemplateVersion.version == version)
        if row is None:
            return None, "Diese Vorlagenversion gibt es nicht."
    data = bytes(row.content) if row else spec.docx_path.read_bytes()
    try:
        validate_docx_template(data, registry.load_sample(spec))
    except DocumentError as exc:
        return None, str(exc)
    label = row.label if row else f"builtin-{spec.version}"
    with database.atomic():
        TemplateVersion.update(active=False).where(TemplateVersion.document == name).execute()
        if row:
            TemplateVersion.update(active=True).where(TemplateVersion.id == row.id).execute()
        audit.log("update", "template-version", row.id if row else "", f"{name} {label} aktiviert", user=user)
    return label, None


# ------------------------------------------------------------------ issuing

ARCHIVE_FAILED = "Das Dokument konnte nicht archiviert werden; bitte erneut versuchen."


@dataclass
class Issued:
    document: IssuedDocument | None = None  # the (first) archived document
    missing: list = field(default_factory=list)  # [(path, German label)] of required fields left empty
    error: str = ""
    documents: dict = field(default_factory=dict)  # format -> IssuedDocument, in the order issued
    result: object = None  # what ``issue``'s ``then`` returned

    def reason(self, what="das Dokument"):
        """One German sentence why nothing was issued ("" when it was)."""
        if self.document is not None:
            return ""
        if self.error:
            return self.error
        return f"Für {what} fehlen: " + ", ".join(label for _, label in self.missing) + "."


def render(spec, fmt, context):
    """Return (bytes, template version label); raises DocumentError."""
    if fmt == "docx":
        template, label = active_template(spec.name)
        return render_docx(template, context), label
    return render_pdf(spec.html_path, context, static_dir=Path(current_app.static_folder)), f"builtin-{spec.version}"


ARCHIVE_ATTEMPTS = 5
ARCHIVE_LOCK = 7302  # namespace of the advisory locks that serialize archives of one list (PostgreSQL)


def archive(spec, fmt, data, label, user, file_parts, participation=None, agreement=None, team=None, subject="",
            measure=None):
    """Store the issued bytes as the next version; returns the IssuedDocument.

    A case's document has ``participation``; a measure's (the MB's letters to the
    Träger) ``measure`` and no participation: its scope is "massnahme:<id>".

    The number is MAX + 1 within (document, scope, subject). On PostgreSQL a
    transaction-scoped advisory lock on that key makes concurrent archives of one
    list wait for each other (SQLite's BEGIN IMMEDIATE serializes writers anyway);
    should another archive still take the number, the unique index refuses and the
    next number is tried (inside a savepoint, so a surrounding transaction survives).
    """
    scope = (f"teilnahme:{participation.id}" if participation
             else f"massnahme:{measure.id}" if measure is not None else "-")
    for attempt in range(ARCHIVE_ATTEMPTS):
        try:
            with database.atomic():
                if is_postgres():
                    database.execute_sql("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                                         (ARCHIVE_LOCK, f"{spec.name}|{scope}|{subject}"))
                same = IssuedDocument.select(fn.MAX(IssuedDocument.number)).where(
                    IssuedDocument.document == spec.name, IssuedDocument.scope == scope,
                    IssuedDocument.subject == subject)
                number = (same.scalar() or 0) + 1
                doc = IssuedDocument.create(
                    document=spec.name, title=spec.title, format=fmt, participation=participation,
                    customer=participation.customer_id if participation else None, agreement=agreement,
                    team=team, measure=measure, subject=subject, scope=scope, author=user, template_version=label,
                    file_name=safe_file_name(*file_parts, f"v{number}", ext=fmt), mime_type=MIME[fmt],
                    size=len(data), sha256=sha256(data), content=data, number=number)
                audit.log("create", "issued-document", doc.id,
                          f"{spec.name} {fmt} v{number} Teilnahme {participation.id if participation else '-'} "
                          f"{subject}", user=user)
            return doc
        except IntegrityError:  # another version was archived at the same moment: take the next number
            if attempt == ARCHIVE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def issue(spec_name, fmt, context, user, file_parts, participation=None, measure=None, subject="", force=False,
          agreement=None, then=None):
    """Pre-flight, render and archive the document ``spec_name``; returns ``Issued``.

    ``fmt`` is one format or several (e.g. ("pdf", "docx") for a letter in both): all are
    rendered first, outside any transaction, then archived together in one. ``subject`` is
    a string or ``subject(fmt)``. ``then(documents)`` (format -> IssuedDocument) runs in
    that transaction, for the caller's own writes; its result is ``Issued.result`` and an
    exception it raises rolls everything back (an IntegrityError becomes ``Issued.error``,
    anything else, e.g. ``validation.Conflict``, goes to the caller).
    Required fields left empty stop it (``Issued.missing``) unless ``force``; a render error
    gives ``Issued.error``; nothing is archived then.
    """
    spec = registry.get(forms_dir(), spec_name)
    formats = (fmt,) if isinstance(fmt, str) else tuple(fmt)
    if not formats or any(f not in spec.formats for f in formats):
        return Issued(error="Bitte ein Format (Word oder PDF) wählen.")
    missing = preflight.missing_fields(spec, context)
    if missing and not force:
        return Issued(missing=missing)
    try:
        rendered = [(f, *render(spec, f, context)) for f in formats]
    except DocumentError as exc:
        return Issued(missing=missing, error=str(exc))
    try:
        with database.atomic():
            docs = {f: archive(spec, f, data, label, user, file_parts, participation=participation,
                               agreement=agreement, subject=subject(f) if callable(subject) else subject,
                               measure=measure)
                    for f, data, label in rendered}
            result = then(docs) if then else None
    except IntegrityError:  # still taken after several attempts: very busy; nothing was stored
        return Issued(error=ARCHIVE_FAILED)
    return Issued(document=docs[formats[0]], missing=missing, documents=docs, result=result)


def agreement_spec():
    return registry.get(forms_dir(), AGREEMENT_DOCUMENT)


def issued_for(participation):
    """The archive of a participation, newest first, with the authors' names (no bytes)."""
    return list(IssuedDocument.select(*DOCUMENT_FIELDS, User.name).join(User)
                .where(IssuedDocument.participation == participation.id)
                .order_by(IssuedDocument.created_at.desc(), IssuedDocument.id.desc()))


def agreement_context(participation, agreement, user):
    return document_context.agreement_document(participation, agreement, term_name(agreement), user)


def issue_agreement(participation, agreement, fmt, user, force=False):
    """Pre-flight, render and archive the EV/Kooperationsplan; returns ``Issued``."""
    context = agreement_context(participation, agreement, user)
    return issue(AGREEMENT_DOCUMENT, fmt, context, user,
                 (context["term"], participation.customer.customer_number, agreement.concluded_on),
                 participation=participation, agreement=agreement, force=force)


# ------------------------------------------------------------------ bulk

JOB_STALE_SECONDS = 60  # a worker that has not reported for this long died (restart, crash)
JOBS_PER_USER = 2
STALE_MESSAGE = ("Der Auftrag wurde unterbrochen (z. B. durch einen Neustart des Servers). "
                 "Bitte starten Sie ihn erneut.")


class TooManyJobs(Exception):
    """The user already has JOBS_PER_USER jobs waiting or running."""

    def __init__(self):
        super().__init__(f"Sie haben bereits {JOBS_PER_USER} Druckaufträge in Arbeit. Bitte warten Sie, "
                         "bis einer fertig ist.")


def reap_stale_jobs(user_id=None):
    """Mark jobs whose worker stopped reporting as failed with a German message; returns how many.

    Workers (threads of any app process) report with every step (``heartbeat_at``);
    a job silent for JOB_STALE_SECONDS was interrupted, so its progress page stops
    polling and says what to do instead of showing "läuft" forever.
    """
    cutoff = now() - datetime.timedelta(seconds=JOB_STALE_SECONDS)
    last = fn.COALESCE(BulkJob.heartbeat_at, BulkJob.created_at)
    query = BulkJob.update(status="failed", error=STALE_MESSAGE, finished_at=now()).where(
        BulkJob.status.in_(["queued", "running"]), last < cutoff)
    if user_id is not None:
        query = query.where(BulkJob.user == user_id)
    return query.execute()


def check_job_limit(user):
    """Raise TooManyJobs when ``user`` has JOBS_PER_USER jobs waiting or running (after reaping dead ones)."""
    reap_stale_jobs(user.id)
    if BulkJob.select().where(BulkJob.user == user.id, BulkJob.status.in_(["queued", "running"])).count() \
            >= JOBS_PER_USER:
        raise TooManyJobs()


def create_bulk_job(user, participations, fmt):
    """Queue a bulk job for ``participations`` (already access-checked); returns the job.

    Raises TooManyJobs when the user has JOBS_PER_USER jobs in progress."""
    check_job_limit(user)
    with database.atomic():
        job = BulkJob.create(user=user, document=AGREEMENT_DOCUMENT, format=fmt,
                             participation_ids=",".join(str(p.id) for p in participations),
                             total=len(participations))
        audit.log("create", "bulk-job", job.id, f"{fmt}, Teilnahmen {job.participation_ids}", user=user)
    return job


def start_bulk_job(job):
    """Run the job now (config BULK_SYNC, for tests) or in a background thread."""
    app = current_app._get_current_object()
    if app.config.get("BULK_SYNC", False):
        process_bulk_job(app, job.id)
        return
    threading.Thread(target=run_bulk_job, args=(app, job.id), daemon=True,
                     name=f"bulk-job-{job.id}").start()


def run_bulk_job(app, job_id):
    """Thread target: process the job with its own app context and DB connection."""
    with app.app_context(), database.connection_context():
        process_bulk_job(app, job_id)


def process_bulk_job(app, job_id):
    """Issue and archive every letter, then build the ZIP or merged PDF (job.result)."""
    job = BulkJob.get_by_id(job_id)
    BulkJob.update(status="running", heartbeat_at=now()).where(BulkJob.id == job_id).execute()
    parts = []
    try:
        for pid in job.ids:
            p = (Participation.select(Participation, Customer, Measure, Provider).join(Customer)
                 .switch(Participation).join(Measure).join(Provider)
                 .where(Participation.id == pid).get())
            result = issue_agreement(p, Agreement.latest_for(pid), job.format, job.user, force=True)
            if result.document is None:
                raise DocumentError(f"{p.customer.full_name}: {result.error}")
            parts.append(result.document)
            BulkJob.update(done=BulkJob.done + 1, heartbeat_at=now()).where(BulkJob.id == job_id).execute()
        data, name = _bundle(job, parts)
        BulkJob.update(status="done", result=data, result_name=name, finished_at=now()
                       ).where(BulkJob.id == job_id).execute()
    except Exception as exc:  # noqa: BLE001 - the job must end with a visible message
        message = str(exc) if isinstance(exc, DocumentError) else "Unerwarteter Fehler beim Sammeldruck."
        app.logger.exception("Sammeldruck %s fehlgeschlagen", job_id)
        BulkJob.update(status="failed", error=message, finished_at=now()).where(
            BulkJob.id == job_id).execute()


def _bundle(job, docs):
    stamp = f"{job.created_at:%Y-%m-%d}"
    if job.format == "docx":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive_zip:
            for doc in docs:
                archive_zip.writestr(doc.file_name, doc.data)
        return out.getvalue(), f"Sammeldruck_{stamp}_{job.id}.zip"
    from pypdf import PdfWriter
    writer = PdfWriter()
    for doc in docs:
        writer.append(io.BytesIO(doc.data))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), f"Sammeldruck_{stamp}_{job.id}.pdf"
