"""Write operations of the document area: agreements, issuing (render + archive),
template versions and bulk jobs. One business action per function; each returns
its result or German messages, never raises for bad input.
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

from dateutil.relativedelta import relativedelta
from flask import current_app
from peewee import fn

from . import audit, document_context
from .db import database
from .document_models import AGREEMENT_KINDS, Agreement, BulkJob, IssuedDocument, TemplateVersion
from .documents import DEFAULT_FORMS_DIR, DocumentError, preflight, registry, render_docx, render_pdf
from .documents import validate_docx_template
from .models import Customer, Measure, Participation, Provider, now
from .rulebooks_registry import agreement_term
from .validation import CONFLICT_MESSAGE, Checker, Conflict, IntegrityError, save_versioned

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf", "zip": "application/zip"}
FORMAT_LABELS = {"docx": "Word (DOCX)", "pdf": "PDF"}
AGREEMENT_DOCUMENT = "eingliederungsvereinbarung"
SUPERVISION_DOCUMENT = "fachaufsicht-liste"
MAX_FUTURE_DAYS = 30  # an agreement may be prepared for a talk up to a month ahead
TEXT_LIMIT = 5000


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


# ------------------------------------------------------------------ agreements

def check_agreement(form):
    c = Checker(form)
    today = datetime.date.today()
    concluded = c.date("concluded_on", "Abgeschlossen am")
    if concluded and concluded > today + datetime.timedelta(days=MAX_FUTURE_DAYS):
        c.fail("concluded_on", f"Abgeschlossen am: höchstens {MAX_FUTURE_DAYS} Tage in der Zukunft.")
    if concluded and concluded < datetime.date(2005, 1, 1):
        c.fail("concluded_on", "Abgeschlossen am: vor 2005 gab es keine Vereinbarung nach dem SGB II.")
    c.choice("agreement_kind", "die Art (Neuabschluss / Fortschreibung)", set(AGREEMENT_KINDS))
    term = agreement_term(concluded or today)
    c.data["kind"] = term.code
    if term.code == "EV":
        c.date("valid_until", "Gültig bis")
        c.order("concluded_on", "valid_until", "Gültig bis darf nicht vor dem Abschlussdatum liegen.")
        c.data["review_date"] = None
    else:
        review = c.date("review_date", "Überprüfung am", required=False)
        if concluded and review is None and "review_date" not in c.errors:
            c.data["review_date"] = concluded + relativedelta(months=6)
        c.order("concluded_on", "review_date", "Überprüfung am darf nicht vor dem Abschlussdatum liegen.")
        if concluded and review and review > concluded + relativedelta(months=6):
            c.fail("review_date", "Ein Kooperationsplan wird spätestens nach 6 Monaten überprüft "
                                  f"(bis {(concluded + relativedelta(months=6)):%d.%m.%Y}).")
        c.data["valid_until"] = None
    c.text("goal", "das Eingliederungsziel", max_len=TEXT_LIMIT)
    c.text("steps", "die wesentlichen Schritte", max_len=TEXT_LIMIT)
    for name, label in (("customer_duties", "Pflichten der Kundin / des Kunden"),
                        ("own_efforts_proof", "Nachweis der Eigenbemühungen"),
                        ("jobcenter_support", "Unterstützung durch das Jobcenter"),
                        ("contacts_during_measure", "Kontakte während der Maßnahme")):
        c.text(name, label, required=False, max_len=TEXT_LIMIT)
    c.integer("own_efforts_number", "Anzahl der Eigenbemühungen", required=False, minimum=0, maximum=100)
    c.text("own_efforts_period", "Zeitraum der Eigenbemühungen", required=False)
    return c, term


def save_agreement(form, participation, user, agreement=None):
    """Create or update an agreement; returns (agreement, errors)."""
    c, _term = check_agreement(form)
    if not c.ok:
        return None, c.errors
    try:
        with database.atomic():
            if agreement is None:
                agreement = Agreement.create(participation=participation, customer=participation.customer_id,
                                             author=user, **c.data)
                audit.log("create", "agreement", agreement.id, f"Teilnahme {participation.id}")
            else:
                save_versioned(Agreement, agreement, c.data, form.get("version"))
                audit.log("update", "agreement", agreement.id, ", ".join(sorted(c.data)))
                agreement = Agreement.get_by_id(agreement.id)
    except Conflict:
        return None, {"_form": CONFLICT_MESSAGE}
    except IntegrityError:
        return None, {"_form": "Die Vereinbarung konnte nicht gespeichert werden (Datenbankkonflikt)."}
    return agreement, {}


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

@dataclass
class Issued:
    document: IssuedDocument | None = None
    missing: list = field(default_factory=list)
    error: str = ""


def render(spec, fmt, context):
    """Return (bytes, template version label); raises DocumentError."""
    if fmt == "docx":
        template, label = active_template(spec.name)
        return render_docx(template, context), label
    return render_pdf(spec.html_path, context, static_dir=Path(current_app.static_folder)), f"builtin-{spec.version}"


def archive(spec, fmt, data, label, user, file_parts, participation=None, agreement=None, team=None, subject=""):
    """Store the issued bytes as the next version; returns the IssuedDocument."""
    with database.atomic():
        same = IssuedDocument.select(fn.MAX(IssuedDocument.number)).where(
            IssuedDocument.document == spec.name, IssuedDocument.subject == subject,
            (IssuedDocument.participation == participation.id) if participation
            else IssuedDocument.participation.is_null())
        number = (same.scalar() or 0) + 1
        doc = IssuedDocument.create(
            document=spec.name, title=spec.title, format=fmt, participation=participation,
            customer=participation.customer_id if participation else None, agreement=agreement,
            team=team, subject=subject, author=user, template_version=label,
            file_name=safe_file_name(*file_parts, f"v{number}", ext=fmt), mime_type=MIME[fmt],
            size=len(data), sha256=sha256(data), content=data, number=number)
        audit.log("create", "issued-document", doc.id,
                  f"{spec.name} {fmt} v{number} Teilnahme {participation.id if participation else '-'} {subject}",
                  user=user)
    return doc


TERM_NAMES = {"EV": "Eingliederungsvereinbarung", "KP": "Kooperationsplan"}


def term_name(agreement):
    """The rulebook's word for the agreement's kind on its date (EV / Kooperationsplan)."""
    term = agreement_term(agreement.concluded_on)
    return term.name if term.code == agreement.kind else TERM_NAMES.get(agreement.kind, term.name)


def agreement_context(participation, agreement, user):
    return document_context.agreement_document(participation, agreement, term_name(agreement), user)


def issue_agreement(participation, agreement, fmt, user, force=False):
    """Pre-flight, render and archive the EV/Kooperationsplan; returns ``Issued``."""
    spec = registry.get(forms_dir(), AGREEMENT_DOCUMENT)
    if fmt not in spec.formats:
        return Issued(error="Dieses Format gibt es für das Dokument nicht.")
    context = agreement_context(participation, agreement, user)
    missing = preflight.missing_fields(spec, context)
    if missing and not force:
        return Issued(missing=missing)
    try:
        data, label = render(spec, fmt, context)
    except DocumentError as exc:
        return Issued(missing=missing, error=str(exc))
    for attempt in range(2):
        try:
            doc = archive(spec, fmt, data, label, user,
                          (context["term"], participation.customer.customer_number, agreement.concluded_on),
                          participation=participation, agreement=agreement)
            return Issued(document=doc, missing=missing)
        except IntegrityError:  # another version was archived at the same moment
            if attempt:
                return Issued(error="Das Dokument konnte nicht archiviert werden; bitte erneut versuchen.")
    return Issued()


def issue_supervision_list(team, month_start, user, team_lead=None):
    """Render and archive the Fachaufsicht list of ``team`` for the month; returns ``Issued``."""
    spec = registry.get(forms_dir(), SUPERVISION_DOCUMENT)
    rows = document_context.supervision_rows(team, month_start)
    context = document_context.supervision_list(team, month_start, rows, team_lead=team_lead)
    try:
        data, label = render(spec, "pdf", context)
    except DocumentError as exc:
        return Issued(error=str(exc))
    subject = f"Team {team.id} {month_start:%Y-%m}"
    doc = archive(spec, "pdf", data, label, user, ("Fachaufsicht", team.name, f"{month_start:%Y-%m}"),
                  team=team, subject=subject)
    return Issued(document=doc)


# ------------------------------------------------------------------ bulk

def latest_agreement(participation_id):
    return (Agreement.select().where(Agreement.participation == participation_id)
            .order_by(Agreement.concluded_on.desc(), Agreement.id.desc()).first())


def create_bulk_job(user, participations, fmt):
    """Queue a bulk job for ``participations`` (already access-checked); returns the job."""
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
    BulkJob.update(status="laeuft").where(BulkJob.id == job_id).execute()
    parts = []
    try:
        for pid in job.ids:
            p = (Participation.select(Participation, Customer, Measure, Provider).join(Customer)
                 .switch(Participation).join(Measure).join(Provider)
                 .where(Participation.id == pid).get())
            result = issue_agreement(p, latest_agreement(pid), job.format, job.user, force=True)
            if result.document is None:
                raise DocumentError(f"{p.customer.full_name}: {result.error}")
            parts.append(result.document)
            BulkJob.update(done=BulkJob.done + 1).where(BulkJob.id == job_id).execute()
        data, name = _bundle(job, parts)
        BulkJob.update(status="fertig", result=data, result_name=name, finished_at=now()
                       ).where(BulkJob.id == job_id).execute()
    except Exception as exc:  # noqa: BLE001 - the job must end with a visible message
        message = str(exc) if isinstance(exc, DocumentError) else "Unerwarteter Fehler beim Sammeldruck."
        app.logger.exception("Sammeldruck %s fehlgeschlagen", job_id)
        BulkJob.update(status="fehler", error=message, finished_at=now()).where(
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
