"""The import page (Admin and MB): upload a COSACH/VerBIS export, see the preview (what would be
created and changed, every bad row), then "Jetzt importieren" imports exactly the previewed
file, which stayed on the server (``ImportJob`` with its SHA-256); the browser sends back only
the job's number and the hash to confirm. Checking and importing run in the background with a
self-polling progress block (``import_progress`` of ``imports/job.html``).
"""
from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..measures.files import display_name
from ..web import redirect_to, render
from . import jobs
from .models import ImportJob

bp = Blueprint("imports", __name__)
ROLES = ("Admin", "MB")
UPLOAD_SLACK = 64 * 1024
EXTENSIONS = (".csv", ".xlsx", ".txt")
# the job page without the stored bytes
JOB_FIELDS = [f for f in ImportJob._meta.sorted_fields if f.name != "content"]


def limit_bytes():
    return current_app.config.get("MAX_CONTENT_LENGTH") or 10 * 1024 * 1024


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    """Read an upload up to twice the limit, so a file somewhat too large gets a message next to
    the field instead of the global 413 page (as ``measures.files.widen_upload_limit``)."""
    if endpoint == "imports.index" and request.method == "POST":
        request.max_content_length = 2 * limit_bytes() + UPLOAD_SLACK


def _require_role():
    access.require(current_user.has_role(*ROLES))


def _limit_label():
    return f"{limit_bytes() / (1024 * 1024):g} MB"


@bp.route("/import", methods=["GET", "POST"])
@login_required
def index():
    _require_role()
    errors = {}
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(limit_bytes() + 1) if upload else b""
        name = display_name(upload.filename if upload else "")
        if not upload or not name or not data:
            errors["file"] = "Bitte eine CSV- oder XLSX-Datei auswählen."
        elif len(data) > limit_bytes():
            errors["file"] = f"Die Datei ist zu groß (höchstens {_limit_label()})."
        elif not name.lower().endswith(EXTENSIONS):
            errors["file"] = "Bitte eine CSV- oder XLSX-Datei (.csv oder .xlsx) hochladen."
        if not errors:
            job = jobs.create_job(current_user._get_current_object(), name, data)
            jobs.start(job, "check")
            return redirect_to(url_for("imports.job", job_id=job.id))
    return render("imports/index.html", "upload_form", status=422 if errors else 200, errors=errors,
                  limit=_limit_label(), is_admin=current_user.has_role("Admin"))


def _own_job(job_id):
    _require_role()
    jobs.reap_stale_jobs(current_user.id)
    job = ImportJob.select(*JOB_FIELDS).where(ImportJob.id == job_id).first()
    if job is None:
        abort(404)
    access.require(job.user_id == current_user.id)
    return job


def _job_page(job, status=200, error=""):
    done, total, phase = jobs.live_progress(job)
    return render("imports/job.html", "import_progress", status=status, job=job, report=job.report_data,
                  done=done, total=total, phase=phase, error=error)


@bp.get("/import/<int:job_id>")
@login_required
def job(job_id):
    return _job_page(_own_job(job_id))


@bp.post("/import/<int:job_id>/importieren")
@login_required
def run(job_id):
    job = _own_job(job_id)
    if request.form.get("sha256") != job.sha256 or job.report_data.get("problems"):
        return _job_page(job, 409, "Diese Vorschau gehört zu einer anderen Datei. Bitte die Seite neu laden.")
    if not jobs.begin_import(job, current_user._get_current_object()):
        return _job_page(job, 409, "Diese Datei wird bereits importiert oder wurde schon importiert.")
    jobs.start(job, "import")
    return redirect_to(url_for("imports.job", job_id=job.id))
