"""The Träger's reports (seed 000 2.2.2): which reports the MB has to request, the reports
received per participant, filing one and forwarding it to the pAp; and the download of any
file kept with a measure.

The block ``reports_panel`` of ``measures/reports.html`` is the htmx fragment.
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from .. import audit
from ..caseload import queries as case_queries
from ..documents import views as document_views
from ..models import Customer, FollowUp, Participation, User
from ..vocabulary import MEASURE_FILE_KINDS, REPORT_KINDS
from ..web import render, wants_fragment, redirect_to
from . import files, queries
from .models import MeasureFile

bp = Blueprint("provider_reports", __name__)
PAGE = "measures/reports.html"
BLOCK = "reports_panel"
# the rulebook's MB steps for reports (goslar-2016.toml, Goslar 2.2.2)
REPORT_RULES = ("mb-berichte-fbw", "mb-teilnehmerbericht-mat")
@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    if endpoint == "provider_reports.upload":
        files.widen_upload_limit()


@bp.get("/massnahmen/dateien/<int:file_id>")
@login_required
def download(file_id):
    """A measure's own documents (concept, Leistungsbeschreibung, F.2.1, flyer) for every logged-in
    user (seed 000 2.2.1); a participant's report only for who may see that participation."""
    row = MeasureFile.get_or_none(MeasureFile.id == file_id)
    if row is None:
        abort(404)
    if row.participation_id is not None:
        case_queries.get_visible_participation(row.participation_id, current_user)
    audit.log("download", "measure-file", row.id, f"{row.file_name} sha256={row.sha256}")
    return document_views._send(row.data, row.mime_type, row.file_name)  # like every archived document


def _context(measure, errors=None, values=None, posted=False, notice=""):
    participations = list(
        Participation.select(Participation, Customer, User).join(Customer)
        .join(User, JOIN.LEFT_OUTER, on=(Customer.pap == User.id))
        .where(Participation.measure == measure.id).order_by(Customer.last_name, Customer.first_name))
    received = {}
    for row in files.measure_reports(measure):
        received.setdefault(row.participation_id, []).append(row)
    duties = list(FollowUp.select().where(FollowUp.measure == measure.id, FollowUp.rule_id.in_(REPORT_RULES))
                  .order_by(FollowUp.due))
    options = [(p.id, f"{p.customer.full_name} ({p.customer.customer_number})") for p in participations]
    return {"measure": measure, "participations": participations, "participation_options": options,
            "received": received, "duties": duties,
            "kinds": [(k, MEASURE_FILE_KINDS[k]) for k in REPORT_KINDS], "labels": MEASURE_FILE_KINDS,
            "errors": errors or {}, "values": values or {}, "posted": posted, "notice": notice,
            "today": files.today(), "limit": files.limit_label()}


@bp.get("/massnahmen/<int:measure_id>/berichte")
@login_required
def index(measure_id):
    measure = queries.get_own_measure(measure_id, current_user)
    audit.log("read", "measure-reports", measure.id)
    return render(PAGE, BLOCK, **_context(measure))


@bp.post("/massnahmen/<int:measure_id>/berichte")
@login_required
def upload(measure_id):
    measure = queries.get_own_measure(measure_id, current_user)
    row, errors = files.file_report(measure, request.form, request.files.get("file"),
                                    current_user._get_current_object())
    if errors:
        return render(PAGE, BLOCK, status=422, **_context(measure, errors, request.form, posted=True))
    notice = f"Der Bericht „{row.title}“ wurde abgelegt" + (
        f" und an den pAp weitergeleitet (Wiedervorlage fällig am {row.followup.due:%d.%m.%Y})."
        if row.followup_id else ".")
    if wants_fragment():
        return render(PAGE, BLOCK, **_context(measure, notice=notice))
    flash(notice, "success")
    return redirect_to(url_for("provider_reports.index", measure_id=measure.id))
