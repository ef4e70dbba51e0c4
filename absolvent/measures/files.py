"""Files kept with a measure (RULES.md §5.7, seed 000 2.2.1/2.2.2): the Träger's concept or
Leistungsbeschreibung, the F.2.1 sheet, flyers, and the Träger's reports on one participant,
forwarded to the customer's pAp as a Wiedervorlage.

Only PDF (``%PDF-``) and Word (DOCX: a ZIP holding ``word/document.xml``, no macros) are kept,
at most ``vocabulary.MAX_MEASURE_FILE_MB``; the bytes are stored unchanged with their SHA-256.
Each function returns its result or German messages per field, never raises for bad input.
"""
import datetime
import hashlib
import io
import unicodedata
import zipfile

from flask import current_app, request
from peewee import JOIN

from .. import audit, vocabulary
from ..caseload import planning
from ..db import database
from ..documents.operations import MIME, safe_file_name
from ..jobcenter import active_rulebook
from ..models import Customer, FollowUp, Participation, User
from ..validation import Checker
from ..vocabulary import MEASURE_FILE_KINDS, REPORT_KINDS
from .models import MeasureFile

# kinds that describe the whole measure: never tied to one participant
MEASURE_KINDS = ("konzept", "leistungsbeschreibung", "informationsblatt", "flyer")
FORWARD_WORKING_DAYS = 5  # the pAp evaluates a forwarded report within a week
TYPES_MESSAGE = "Bitte eine PDF- oder Word-Datei (.pdf oder .docx) hochladen."
# the file list without the stored bytes
FILE_FIELDS = [f for f in MeasureFile._meta.sorted_fields if f.name != "content"]


def today():
    """Today's date (a function, so tests can fix the day)."""
    return datetime.date.today()


def limit_bytes():
    """The largest file in bytes (read at call time: the limit may be configured)."""
    return int(vocabulary.MAX_MEASURE_FILE_MB * 1024 * 1024)


def limit_label():
    mb = vocabulary.MAX_MEASURE_FILE_MB
    return f"{mb:g} MB" if mb >= 1 else f"{max(limit_bytes() // 1024, 1)} KB"


UPLOAD_SLACK = 64 * 1024  # room for the other (short) form fields around the file


def widen_upload_limit():
    """Read an upload up to twice the file limit (before the CSRF check parses the form), so a
    file somewhat too large gets the message next to the field with the typed values kept,
    instead of the global 413 page (which still answers beyond that). Call it from a
    blueprint's ``url_value_preprocessor`` for the upload endpoint."""
    configured = current_app.config.get("MAX_CONTENT_LENGTH")
    if configured is not None:
        request.max_content_length = max(configured, 2 * limit_bytes() + UPLOAD_SLACK)


def display_name(raw):
    """The name as the user sent it, for display: no folders, no control characters, at most 255."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:  # shorten the stem, keep the extension
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:254 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:255]
    return name


def stored_name(name, ext, fallback):
    """The file name kept for downloads: the upload's name made safe (``safe_file_name``),
    ``fallback`` when nothing of it is left (e.g. „<>.pdf“)."""
    safe = safe_file_name(name.rsplit(".", 1)[0], ext=ext)
    return safe if not safe.startswith(".") else safe_file_name(fallback, ext=ext)


def _is_docx(data):
    """True for a Word document without macros; False for other ZIPs, .docm, broken archives."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return False
            if any(n.lower().endswith("vbaproject.bin") or n.lower().startswith("word/activex") for n in names):
                return False
            with zf.open("[Content_Types].xml") as fh:  # read a bounded part only (no zip bomb)
                types = fh.read(200_000).decode("utf-8", "replace").lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, RuntimeError, NotImplementedError,
            EOFError, KeyError):
        return False
    return "macroenabled" not in types and "vbaproject" not in types


def read_upload(upload):
    """Check an uploaded file (werkzeug ``FileStorage``).

    Returns (bytes, ext, display name, None) or (None, None, None, German message). Reads at
    most the limit + 1 byte (the client's Content-Length is not trusted).
    """
    if upload is None or not getattr(upload, "filename", ""):
        return None, None, None, "Bitte eine Datei auswählen."
    name = display_name(upload.filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ("pdf", "docx"):
        return None, None, None, TYPES_MESSAGE
    limit = limit_bytes()
    data = upload.stream.read(limit + 1)
    if not data:
        return None, None, None, "Die Datei ist leer."
    if len(data) > limit:
        return None, None, None, f"Die Datei ist zu groß: erlaubt sind höchstens {limit_label()}."
    if ext == "pdf" and not data.startswith(b"%PDF-"):
        return None, None, None, "Die Datei heißt .pdf, ist aber keine PDF-Datei."
    if ext == "docx" and not _is_docx(data):
        return None, None, None, ("Die Datei ist keine Word-Datei (.docx) oder enthält Makros; "
                                  "bitte als .docx ohne Makros oder als PDF speichern.")
    return data, ext, name, None


def store_file(measure, kind, upload, user, participation=None, title="", received_on=None):
    """Keep an uploaded PDF or DOCX with ``measure`` (a report: with ``participation``).

    Returns (MeasureFile, {}) or (None, {field: German message}); nothing is stored on error.
    """
    errors = {}
    if kind not in MEASURE_FILE_KINDS:
        errors["kind"] = "Bitte eine Art der Datei auswählen."
    elif kind in REPORT_KINDS and participation is None:
        errors["participation"] = "Ein Bericht gehört zu einer Teilnahme: bitte auswählen."
    elif kind in MEASURE_KINDS and participation is not None:
        errors["participation"] = "Diese Unterlage gehört zur ganzen Maßnahme, nicht zu einer Teilnahme."
    if participation is not None and participation.measure_id != measure.id:
        errors["participation"] = "Diese Teilnahme gehört nicht zu dieser Maßnahme."
    title = (title or "").strip()
    if len(title) > 255:
        errors["title"] = "Die Bezeichnung darf höchstens 255 Zeichen lang sein."
    data, ext, name, message = read_upload(upload)
    if message:
        errors["file"] = message
    if errors:
        return None, errors
    file_name = stored_name(name, ext, MEASURE_FILE_KINDS[kind])
    digest = hashlib.sha256(data).hexdigest()
    with database.atomic():
        row = MeasureFile.create(measure=measure.id, participation=participation.id if participation else None,
                                 kind=kind, title=title or name, received_on=received_on, file_name=file_name,
                                 mime_type=MIME[ext], size=len(data), sha256=digest, content=data,
                                 uploaded_by=user)
        audit.log("create", "measure-file", row.id,
                  f"{kind} {file_name} ({len(data)} Bytes) sha256={digest} Maßnahme {measure.id} "
                  f"Teilnahme {participation.id if participation else '-'}", user=user)
    return row, {}


def _phase(p, due):
    """The follow-up's phase: still within the participation, or after it."""
    end = p.exit or p.planned_end
    if due < p.entry:
        return "vor"
    return "waehrend" if due <= end else "nach"


def file_report(measure, form, upload, user, day=None):
    """The MB files a Träger's report on a participant and (box "an pAp weiterleiten") forwards it:
    a Wiedervorlage for the pAp due FORWARD_WORKING_DAYS working days after ``day`` (default today).

    Returns (MeasureFile, {}) or (None, {field: German message}); nothing is stored on error.
    """
    day = day or today()
    c = Checker(form)
    own = (Participation.select(Participation, Customer).join(Customer)
           .where(Participation.measure == measure.id))
    p = c.record("participation", "die Teilnahme", Participation, query=own)
    kind = c.choice("kind", "die Art des Berichts", REPORT_KINDS)
    received = c.date("received_on", "Eingegangen am")
    if received and received > day:
        c.fail("received_on", "Eingegangen am: das Datum liegt in der Zukunft.")
    title = c.text("title", "die Bezeichnung", required=False, max_len=255)
    if not c.ok:
        _, _, _, message = read_upload(upload)
        return None, {**c.errors, **({"file": message} if message else {})}
    forward = form.get("forward") in ("1", "on")
    with database.atomic():
        row, errors = store_file(measure, kind, upload, user, participation=p, title=title, received_on=received)
        if errors:
            return None, errors
        if forward:
            due = active_rulebook().calendar.add_working_days(day, FORWARD_WORKING_DAYS)
            followup = planning.add_manual_followup(
                p, f"{MEASURE_FILE_KINDS[kind]} des Trägers auswerten", due, user, role="pAp",
                phase=_phase(p, due), reason="Bericht des Trägers eingegangen")
            MeasureFile.update(followup=followup.id).where(MeasureFile.id == row.id).execute()
            row.followup = followup
            audit.log("create", "followup", followup.id, f"Bericht {row.id} an pAp weitergeleitet", user=user)
    return row, {}


def measure_reports(measure):
    """The measure's reports (no bytes), newest first, with uploader and the pAp's follow-up."""
    return list(MeasureFile.select(*FILE_FIELDS, User.id, User.name, FollowUp.id, FollowUp.due, FollowUp.status)
                .join(User, on=(MeasureFile.uploaded_by == User.id))
                .switch(MeasureFile).join(FollowUp, join_type=JOIN.LEFT_OUTER, on=(MeasureFile.followup == FollowUp.id))
                .where(MeasureFile.measure == measure.id, MeasureFile.participation.is_null(False))
                .order_by(MeasureFile.received_on.desc(), MeasureFile.id.desc()))


def reports_of(participation):
    """The Träger's reports on one participation, newest first, for the case page:
    [{"id", "label", "title", "received_on"}] (plain values, no bytes)."""
    rows = (MeasureFile.select(MeasureFile.id, MeasureFile.kind, MeasureFile.title, MeasureFile.received_on)
            .where(MeasureFile.participation == participation.id)
            .order_by(MeasureFile.received_on.desc(), MeasureFile.id.desc()))
    return [{"id": r.id, "label": MEASURE_FILE_KINDS.get(r.kind, r.kind), "title": r.title,
             "received_on": r.received_on} for r in rows]

