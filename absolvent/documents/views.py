"""Dokumente: downloads from the archive, template management (Admin) and bulk
print (Sammeldruck). Thin handlers; writes in ``documents.operations``."""
import io

from flask import Blueprint, abort, flash, request, send_file, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from .. import access, audit
from ..auth import roles_required
from ..caseload import queries
from ..models import Agreement, Measure, User
from ..web import db_int, redirect_to, render
from . import operations
from .models import BulkJob, IssuedDocument, TemplateVersion
from .render import registry

bp = Blueprint("documents", __name__)
BULK_LIMIT = 200
JOB_FIELDS = [f for f in BulkJob._meta.sorted_fields if f.name != "result"]


@bp.get("/dokumente/<int:document_id>/datei")
@login_required
def download(document_id):
    doc = IssuedDocument.get_or_none(IssuedDocument.id == document_id)
    if doc is None:
        abort(404)
    if doc.participation_id:
        queries.get_visible_participation(doc.participation_id, current_user)
    elif doc.measure_id:
        access.require(access.can_download_measure_document(current_user, Measure.get_by_id(doc.measure_id),
                                                            doc.document))
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
    specs = registry.list_documents(operations.forms_dir())
    versions = {}
    for row in (TemplateVersion.select(TemplateVersion.id, TemplateVersion.document, TemplateVersion.version,
                                       TemplateVersion.uploaded_at, TemplateVersion.sha256,
                                       TemplateVersion.active, TemplateVersion.note, User.name)
                .join(User, join_type=JOIN.LEFT_OUTER).order_by(TemplateVersion.version.desc())):
        versions.setdefault(row.document, []).append(row)
    return render("documents/templates.html", "template_list", status=status, specs=specs,
                  versions=versions, errors=errors or {})


def _known_document(name):
    if name not in {spec.name for spec in registry.list_documents(operations.forms_dir())}:
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
        row, error = operations.install_template(name, upload.read(), current_user._get_current_object(),
                                                   request.form.get("note", "").strip())
    if error:
        return _templates_page(422, {name: error})
    flash(f"Die neue Vorlage (Version {row.version}) wurde geprüft und ist jetzt aktiv.", "success")
    return redirect_to(url_for("documents.templates"))


@bp.post("/verwaltung/vorlagen/<name>/wiederherstellen")
@roles_required("Admin")
def template_restore(name):
    _known_document(name)
    label, error = operations.restore_template(name, request.form.get("version", 0, type=db_int),
                                                 current_user._get_current_object())
    if error:
        return _templates_page(422, {name: error})
    flash(f"Die Vorlage {label} ist wieder aktiv.", "success")
    return redirect_to(url_for("documents.templates"))


# ------------------------------------------------------------------ Sammeldruck

def _bulk_query(q, state):
    query = queries.search_participations(current_user, q, state)
    return query.order_by(*queries.participation_order(state)).limit(BULK_LIMIT)


def _bulk_selection(form):
    """Return (participations, errors); 403/404 for cases the user may not use."""
    ids = list(dict.fromkeys(form.getlist("teilnahme", type=db_int)))
    errors = {}
    if form.get("format") not in ("docx", "pdf"):
        errors["format"] = "Bitte ein Format wählen (Word-Dateien als ZIP oder ein gemeinsames PDF)."
    if not ids:
        errors["teilnahme"] = "Bitte mindestens einen Fall auswählen."
    elif len(ids) > BULK_LIMIT:
        errors["teilnahme"] = f"Höchstens {BULK_LIMIT} Fälle auf einmal."
    chosen = [queries.get_visible_participation(i, current_user) for i in ids[:BULK_LIMIT]]
    for p in chosen:
        access.require(access.can_write_agreement(current_user, p))
    without = [p.customer.full_name for p in chosen if Agreement.latest_for(p.id) is None]
    if without and not errors:
        errors["teilnahme"] = "Ohne Vereinbarung (bitte zuerst erfassen): " + "; ".join(without)
    return chosen, errors


@bp.route("/dokumente/sammeldruck", methods=["GET", "POST"])
@login_required
def bulk():
    q = request.values.get("q", "").strip()[:100]
    state = request.values.get("status", "laufend")
    state = state if state in queries.PARTICIPATION_STATES else "laufend"
    errors, selected = {}, set()
    if request.method == "POST":
        chosen, errors = _bulk_selection(request.form)
        selected = {p.id for p in chosen}
        if not errors:
            try:
                job = operations.create_bulk_job(current_user._get_current_object(), chosen, request.form["format"])
            except operations.TooManyJobs as exc:
                errors["_form"] = str(exc)
            else:
                operations.start_bulk_job(job)
                return redirect_to(url_for("documents.bulk_job", job_id=job.id))
    rows = list(_bulk_query(q, state))
    latest = {p.id: Agreement.latest_for(p.id) for p in rows}
    audit.log("read", "participation-list", detail=f"Sammeldruck Suche={q!r} Status={state}")
    return render("documents/bulk.html", "bulk_results", status=422 if errors else 200, rows=rows,
                  latest=latest, q=q, state=state, states=queries.PARTICIPATION_STATES, errors=errors,
                  selected=selected, fmt=request.form.get("format", "pdf"))


def _own_job(job_id, fields=JOB_FIELDS):
    operations.reap_stale_jobs(current_user.id)  # an interrupted job ends with a message, not "läuft" forever
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
    if job.status != "done" or job.result is None:
        abort(404)
    audit.log("download", "bulk-job", job.id, f"{job.result_name} Teilnahmen {job.participation_ids}")
    return _send(bytes(job.result), operations.MIME["zip" if job.format == "docx" else "pdf"], job.result_name)
