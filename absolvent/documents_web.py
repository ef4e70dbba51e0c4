"""Dokumente: agreements (EV/Kooperationsplan) and the archive on the case page,
pre-flight and generation, downloads, template management (Admin), bulk print
(Sammeldruck) and the Fachaufsicht list. Thin handlers; writes in document_ops.
"""
import datetime
import io
import re

from flask import Blueprint, abort, flash, request, send_file, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from . import access, audit, document_context, document_ops
from .auth import roles_required
from .document_models import Agreement, BulkJob, IssuedDocument, TemplateVersion
from .documents import preflight, registry
from .formats import month_label
from .models import Participation, Team, User
from .participations import STATES, filtered, get_visible
from .rulebooks_registry import agreement_term
from .web import redirect_to, render, wants_fragment

bp = Blueprint("documents", __name__)
BULK_LIMIT = 200
DOCUMENT_FIELDS = [f for f in IssuedDocument._meta.sorted_fields if f.name != "content"]
JOB_FIELDS = [f for f in BulkJob._meta.sorted_fields if f.name != "result"]


def _spec():
    return registry.get(document_ops.forms_dir(), document_ops.AGREEMENT_DOCUMENT)


def _panel(p, status=200, values=None, errors=None, message="", error=""):
    agreements = list(Agreement.select().where(Agreement.participation == p.id)
                      .order_by(Agreement.concluded_on.desc(), Agreement.id.desc()))
    spec = _spec()
    missing = {a.id: preflight.missing_fields(spec, document_ops.agreement_context(p, a, current_user))
               for a in agreements}
    issued = (IssuedDocument.select(*DOCUMENT_FIELDS, User.name).join(User)
              .where(IssuedDocument.participation == p.id)
              .order_by(IssuedDocument.created_at.desc(), IssuedDocument.id.desc()))
    return render("documents/panel.html", "documents_panel", status=status, p=p, agreements=agreements,
                  missing=missing, issued=list(issued), term=agreement_term(), spec=spec,
                  can_edit=access.can_write_agreement(current_user, p), values=values or {},
                  errors=errors or {}, message=message, error=error, term_name=document_ops.term_name)


def _editable(participation_id, agreement_id=None):
    p = get_visible(participation_id)
    access.require(access.can_write_agreement(current_user, p))
    if agreement_id is None:
        return p, None
    a = Agreement.get_or_none(Agreement.id == agreement_id, Agreement.participation == p.id)
    if a is None:
        abort(404)
    return p, a


@bp.get("/teilnahmen/<int:participation_id>/dokumente")
@login_required
def participation_panel(participation_id):
    p = get_visible(participation_id)
    audit.log("read", "documents", p.id, "Vereinbarungen und Dokumentenarchiv")
    return _panel(p)


@bp.post("/teilnahmen/<int:participation_id>/vereinbarungen")
@login_required
def agreement_create(participation_id):
    p, _ = _editable(participation_id)
    a, errors = document_ops.save_agreement(request.form, p, current_user)
    if errors:
        return _panel(p, 422, values=request.form, errors=errors)
    if wants_fragment():
        return _panel(p, message=f"{document_ops.term_name(a)} vom {a.concluded_on:%d.%m.%Y} gespeichert.")
    flash("Die Vereinbarung wurde gespeichert.", "success")
    return redirect_to(url_for("participations.detail", participation_id=p.id))


@bp.route("/teilnahmen/<int:participation_id>/vereinbarungen/<int:agreement_id>", methods=["GET", "POST"])
@login_required
def agreement_edit(participation_id, agreement_id):
    p, a = _editable(participation_id, agreement_id)
    errors = {}
    if request.method == "POST":
        saved, errors = document_ops.save_agreement(request.form, p, current_user, a)
        if saved:
            flash("Die Änderungen an der Vereinbarung wurden gespeichert.", "success")
            return redirect_to(url_for("participations.detail", participation_id=p.id))
    else:
        audit.log("read", "agreement", a.id)
    values = request.form if request.method == "POST" else {
        **a.__data__, "own_efforts_number": "" if a.own_efforts_number is None else a.own_efforts_number}
    return render("documents/agreement_form.html", "agreement_form", status=422 if errors else 200,
                  p=p, agreement=a, values=values, errors=errors, term_name=document_ops.term_name(a),
                  term_code=a.kind)


def _fix_links(p, a):
    return {"customer": url_for("customers.edit", customer_id=p.customer_id),
            "measure": url_for("measures.edit", measure_id=p.measure_id),
            "agreement": url_for("documents.agreement_edit", participation_id=p.id, agreement_id=a.id)}


@bp.route("/teilnahmen/<int:participation_id>/vereinbarungen/<int:agreement_id>/dokument",
          methods=["GET", "POST"])
@login_required
def generate(participation_id, agreement_id):
    p, a = _editable(participation_id, agreement_id)
    spec, error = _spec(), ""
    if request.method == "POST":
        fmt = request.form.get("format", "")
        result = (document_ops.issue_agreement(p, a, fmt, current_user, force=request.form.get("force") == "1")
                  if fmt in spec.formats else document_ops.Issued(error="Bitte ein Format (Word oder PDF) wählen."))
        doc = result.document
        if doc and wants_fragment():
            return _panel(p, message=f"{doc.title} ({doc.format.upper()}, Version {doc.number}) erstellt.")
        if doc:
            flash(f"Das Dokument wurde erstellt und archiviert (Version {doc.number}).", "success")
            return redirect_to(url_for("participations.detail", participation_id=p.id))
        missing, error = result.missing, result.error or "Es fehlen Angaben; bitte ergänzen oder trotzdem erstellen."
        if wants_fragment():
            return _panel(p, 422, error=error)
    else:
        missing = preflight.missing_fields(spec, document_ops.agreement_context(p, a, current_user))
        audit.log("read", "agreement", a.id, "Vorabprüfung Dokument")
    return render("documents/generate.html", "preflight", status=422 if error else 200, p=p, agreement=a,
                  spec=spec, missing=missing, error=error, links=_fix_links(p, a),
                  term_name=document_ops.term_name(a), format_labels=document_ops.FORMAT_LABELS)


@bp.get("/dokumente/<int:document_id>/datei")
@login_required
def download(document_id):
    doc = IssuedDocument.get_or_none(IssuedDocument.id == document_id)
    if doc is None:
        abort(404)
    if doc.participation_id:
        get_visible(doc.participation_id)
    else:
        access.require(access.can_view_supervision_list(current_user, doc.team_id))
    audit.log("download", "issued-document", doc.id, f"{doc.file_name} sha256={doc.sha256}")
    return _send(doc.data, doc.mime_type, doc.file_name)


def _send(data, mimetype, name):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ Admin: templates

def _templates_page(status=200, errors=None):
    specs = registry.list_documents(document_ops.forms_dir())
    versions = {}
    for row in (TemplateVersion.select(TemplateVersion.id, TemplateVersion.document, TemplateVersion.version,
                                       TemplateVersion.uploaded_at, TemplateVersion.sha256,
                                       TemplateVersion.active, TemplateVersion.note, User.name)
                .join(User, join_type=JOIN.LEFT_OUTER).order_by(TemplateVersion.version.desc())):
        versions.setdefault(row.document, []).append(row)
    return render("documents/admin_templates.html", "template_list", status=status, specs=specs,
                  versions=versions, errors=errors or {})


def _known_document(name):
    if name not in {spec.name for spec in registry.list_documents(document_ops.forms_dir())}:
        abort(404)


@bp.get("/verwaltung/vorlagen")
@roles_required("Admin")
def templates():
    return _templates_page()


@bp.post("/verwaltung/vorlagen/<name>")
@roles_required("Admin")
def template_upload(name):
    _known_document(name)
    upload = request.files.get("template")
    if upload is None or not upload.filename:
        error = "Bitte eine Datei auswählen."
    elif not upload.filename.lower().endswith(".docx"):
        error = "Bitte eine Word-Datei (.docx) hochladen."
    else:
        row, error = document_ops.install_template(name, upload.read(), current_user._get_current_object(),
                                                   request.form.get("note", "").strip())
    if error:
        return _templates_page(422, {name: error})
    flash(f"Die neue Vorlage (Version {row.version}) wurde geprüft und ist jetzt aktiv.", "success")
    return redirect_to(url_for("documents.templates"))


@bp.post("/verwaltung/vorlagen/<name>/wiederherstellen")
@roles_required("Admin")
def template_restore(name):
    _known_document(name)
    label, error = document_ops.restore_template(name, request.form.get("version", 0, type=int),
                                                 current_user._get_current_object())
    if error:
        return _templates_page(422, {name: error})
    flash(f"Die Vorlage {label} ist wieder aktiv.", "success")
    return redirect_to(url_for("documents.templates"))


# ------------------------------------------------------------------ Sammeldruck

def _bulk_query(q, state):
    query = filtered(q, state)
    return query.order_by(Participation.planned_end, Participation.id).limit(BULK_LIMIT)


def _bulk_selection(form):
    """Return (participations, errors); 403/404 for cases the user may not use."""
    ids = list(dict.fromkeys(form.getlist("teilnahme", type=int)))
    errors = {}
    if form.get("format") not in ("docx", "pdf"):
        errors["format"] = "Bitte ein Format wählen (Word-Dateien als ZIP oder ein gemeinsames PDF)."
    if not ids:
        errors["teilnahme"] = "Bitte mindestens einen Fall auswählen."
    elif len(ids) > BULK_LIMIT:
        errors["teilnahme"] = f"Höchstens {BULK_LIMIT} Fälle auf einmal."
    chosen = [get_visible(i) for i in ids[:BULK_LIMIT]]
    for p in chosen:
        access.require(access.can_write_agreement(current_user, p))
    without = [p.customer.full_name for p in chosen if document_ops.latest_agreement(p.id) is None]
    if without and not errors:
        errors["teilnahme"] = "Ohne Vereinbarung (bitte zuerst erfassen): " + "; ".join(without)
    return chosen, errors


@bp.route("/dokumente/sammeldruck", methods=["GET", "POST"])
@login_required
def bulk():
    q = request.values.get("q", "").strip()[:100]
    state = request.values.get("status", "laufend")
    state = state if state in STATES else "laufend"
    errors, selected = {}, set()
    if request.method == "POST":
        chosen, errors = _bulk_selection(request.form)
        selected = {p.id for p in chosen}
        if not errors:
            job = document_ops.create_bulk_job(current_user._get_current_object(), chosen, request.form["format"])
            document_ops.start_bulk_job(job)
            return redirect_to(url_for("documents.bulk_job", job_id=job.id))
    rows = list(_bulk_query(q, state))
    latest = {p.id: document_ops.latest_agreement(p.id) for p in rows}
    audit.log("read", "participation-list", detail=f"Sammeldruck Suche={q!r} Status={state}")
    return render("documents/bulk.html", "bulk_results", status=422 if errors else 200, rows=rows,
                  latest=latest, q=q, state=state, states=STATES, errors=errors, selected=selected,
                  fmt=request.form.get("format", "pdf"))


def _own_job(job_id, fields=JOB_FIELDS):
    job = BulkJob.select(*fields).where(BulkJob.id == job_id).first()
    if job is None:
        abort(404)
    access.require(job.user_id == current_user.id)
    return job


@bp.get("/dokumente/sammeldruck/<int:job_id>")
@login_required
def bulk_job(job_id):
    return render("documents/bulk_job.html", "bulk_progress", job=_own_job(job_id))


@bp.get("/dokumente/sammeldruck/<int:job_id>/datei")
@login_required
def bulk_download(job_id):
    job = _own_job(job_id, fields=list(BulkJob._meta.sorted_fields))
    if job.status != "fertig" or job.result is None:
        abort(404)
    audit.log("download", "bulk-job", job.id, f"{job.result_name} Teilnahmen {job.participation_ids}")
    return _send(bytes(job.result), document_ops.MIME["zip" if job.format == "docx" else "pdf"], job.result_name)


# ------------------------------------------------------------------ Fachaufsicht

def _month(text):
    """The first day of the month 'YYYY-MM', or None when malformed."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not m or not 2000 <= int(m.group(1)) <= 2100 or not 1 <= int(m.group(2)) <= 12:
        return None
    return datetime.date(int(m.group(1)), int(m.group(2)), 1)


def _supervision_team(raw):
    """The team asked for: a TL gets their own; 403 for other teams."""
    team_id = int(raw) if (raw or "").isdigit() else (current_user.team_id if current_user.has_role("TL") else None)
    if team_id is None:
        return None
    access.require(access.can_view_supervision_list(current_user, team_id))
    return Team.get_or_none(Team.id == team_id) or abort(404)


@bp.route("/fachaufsicht/liste", methods=["GET", "POST"])
@roles_required("TL", "BL")
def supervision_list():
    next_month = (datetime.date.today().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    raw_month = request.values.get("monat", f"{next_month:%Y-%m}")
    month, team = _month(raw_month), _supervision_team(request.values.get("team"))
    errors = {} if month else {"monat": "Bitte einen Monat im Format JJJJ-MM wählen."}
    if team is None:
        errors["team"] = "Bitte ein Team auswählen."
    if request.method == "POST" and not errors:
        lead = current_user._get_current_object() if current_user.has_role("TL") else (
            User.select().where(User.team == team.id, User.roles.contains("TL")).first())
        result = document_ops.issue_supervision_list(team, month, current_user._get_current_object(), lead)
        if result.document:
            flash(f"Die Fachaufsicht-Liste wurde erstellt und archiviert (Version {result.document.number}).",
                  "success")
            return redirect_to(url_for("documents.supervision_list", monat=raw_month, team=team.id))
        errors["_form"] = result.error
    rows = document_context.supervision_rows(team, month) if month and team else []
    issued = (IssuedDocument.select(*DOCUMENT_FIELDS, User.name).join(User)
              .where(IssuedDocument.document == document_ops.SUPERVISION_DOCUMENT,
                     IssuedDocument.team == team.id).order_by(IssuedDocument.id.desc()).limit(24)) if team else []
    if team:
        audit.log("read", "supervision-list", team.id, f"Monat {raw_month}")
    teams = list(Team.select().order_by(Team.name)) if current_user.has_role("BL") else []
    return render("documents/supervision.html", "supervision_rows", status=422 if errors and request.method == "POST"
                  else 200, rows=rows, team=team, teams=teams, month=month, raw_month=raw_month,
                  month_label=month_label(month) if month else "", errors=errors, issued=list(issued))
