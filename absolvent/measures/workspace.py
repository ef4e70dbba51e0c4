"""Meine Maßnahmen: the MB's measures with occupancy and open duties, and one
measure's workspace (duties closable singly or several at once, occupancy report to
TL/BL, the tools of the Maßnahmebetreuung). Only the measure's MB works here."""
import datetime

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user, login_required

from .. import access, audit, list_exports
from ..auth import roles_required
from ..vocabulary import MEASURE_FILE_KINDS
from ..web import Pages, after_post, page_number, render
from . import files, queries
from . import workspace_operations as operations

bp = Blueprint("workspace", __name__, url_prefix="/meine-massnahmen")
PAGE = "measures/workspace_measure.html"
PAGE_SIZE = 50  # measures a page: an MB with many reads the occupancy and duties of those shown only

# the MB's guided forms a duty opens: form id -> button label
MEASURE_FORMS = {"sprechstunde": "Sprechstunde erfassen", "teilnehmerbefragung": "Antworten erfassen"}

# the tools of the Maßnahmebetreuung: (endpoint, label, measure types or None for all)
TOOLS = (
    ("first_day.index", "Teilnehmerliste 1. Maßnahmetag", None),
    ("office_hours.index", "Sprechstunden beim Träger", None),
    ("surveys.index", "Teilnehmerbefragung", None),
    ("defects.index", "Mängel und Mängelrügen", None),
    ("provider_reports.index", "Berichte des Trägers", None),
    ("bae.index", "Vormerkliste BaE", ("BAE",)),
)


def duty_link(f):
    """Where a duty is done, when that is a page of its own: a defect's deadlines lead to the defect."""
    if f.step_id.startswith("mangel-") and "defects.detail" in current_app.view_functions:
        defect_id = f.step_id.split("-")[1]
        if defect_id.isdigit():
            return url_for("defects.detail", defect_id=int(defect_id))
    return None


def tools(measure):
    """[(label, url)] of the tools that apply to ``measure`` and exist in this installation."""
    views = current_app.view_functions
    return [(label, url_for(endpoint, measure_id=measure.id)) for endpoint, label, types in TOOLS
            if endpoint in views and (types is None or measure.type_code in types)]


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    if endpoint == "workspace.attach":
        files.widen_upload_limit()


@bp.get("/")
@login_required
@roles_required("MB")
def index():
    state = request.args.get("zeitraum", "aktuell")
    state = state if state in queries.MEASURE_STATES else "aktuell"
    today = datetime.date.today()
    pages = Pages(queries.own_measures(current_user, state, today), page_number(), PAGE_SIZE)
    measures = list(pages.rows)
    return render("measures/workspace.html", "measure_table", push_url=True, measures=measures, state=state,
                  states=queries.MEASURE_STATES, occupancy=queries.occupancies(measures, today),
                  duty_counts=queries.open_duty_counts(measures, today), today=today, pages=pages)


DUTY_HORIZON_DAYS = 30  # the page lists duties due within this many days unless all are asked for


def measure_context(measure, errors=None, values=None, notice="", all_duties=False):
    today = datetime.date.today()
    occupancy = queries.occupancies([measure], today)[measure.id]
    duties = queries.duties(measure)
    horizon = today + datetime.timedelta(days=DUTY_HORIZON_DAYS)
    shown = duties if all_duties else [f for f in duties if f.due <= horizon]
    return {"measure": measure, "occupancy": occupancy, "duties": shown, "later": len(duties) - len(shown),
            "documents": operations.measure_documents(measure),
            "document_kinds": [(k, MEASURE_FILE_KINDS[k]) for k in files.MEASURE_KINDS],
            "max_file_mb": files.limit_label(), "kind_labels": MEASURE_FILE_KINDS,
            "all_duties": all_duties, "horizon": horizon, "duty_link": duty_link,
            "closed": queries.duties(measure, "closed", limit=20), "participants": queries.participants(measure),
            "reports": list(queries.occupancy_reports(measure).limit(10)), "tools": tools(measure),
            "agh": measure.type_code == "AGH" and "agh.assignment" in current_app.view_functions,
            "measure_forms": MEASURE_FORMS, "today": today, "errors": errors or {}, "values": values or {},
            "notice": notice,
            "chosen": values.getlist("followup") if hasattr(values, "getlist") else []}


@bp.get("/<int:measure_id>")
@login_required
def measure(measure_id):
    m = queries.get_own_measure(measure_id, current_user)
    audit.log("read", "measure-workspace", m.id)
    return render(PAGE, "duties_panel", **measure_context(m, all_duties=request.args.get("aufgaben") == "alle"))


@bp.get("/<int:measure_id>/teilnehmende.xlsx")
@login_required
def export_participants(measure_id):
    """The participants table of the workspace as an Excel file (only the measure's MB)."""
    m = queries.get_own_measure(measure_id, current_user)
    return list_exports.answer(queries.participants(m), url_for("workspace.measure", measure_id=m.id),
                               "measure-participants", f"Teilnehmende {m.measure_number}",
                               lambda rows: list_exports.participants_sheet(rows, with_pap=True),
                               "alle Teilnahmen der Maßnahme", entity_id=m.id)


@bp.post("/<int:measure_id>/aufgaben/erledigen")
@login_required
def close(measure_id):
    m = queries.get_own_measure(measure_id, current_user)
    closed, errors = operations.close_duties(m, request.form, current_user._get_current_object())
    all_duties = request.form.get("aufgaben") == "alle"
    if errors:
        return render(PAGE, "duties_panel", status=422,
                      **measure_context(m, errors=errors, values=request.form, all_duties=all_duties))
    notice = (f"{len(closed)} Aufgaben erledigt." if len(closed) > 1 else f"Erledigt: {closed[0].title}")
    return after_post(url_for("workspace.measure", measure_id=m.id) + "#aufgaben", PAGE, "duties_panel",
                      **measure_context(m, notice=notice, all_duties=all_duties))


@bp.post("/<int:measure_id>/aufgaben/<int:followup_id>/wieder-offen")
@login_required
def reopen(measure_id, followup_id):
    m = queries.get_own_measure(measure_id, current_user)
    f = operations.reopen_duty(m, followup_id, current_user._get_current_object())
    access.require(f is not None)
    return after_post(url_for("workspace.measure", measure_id=m.id) + "#aufgaben", PAGE, "duties_panel",
                      **measure_context(m, notice=f"Wieder offen: {f.title}"))


@bp.post("/<int:measure_id>/belegung-melden")
@login_required
def report(measure_id):
    m = queries.get_own_measure(measure_id, current_user)
    occupancy = queries.occupancies([m])[m.id]
    saved, errors = operations.report_occupancy(m, occupancy, request.form, current_user._get_current_object())
    if errors:
        return render(PAGE, "occupancy_panel", status=422, **measure_context(m, errors=errors, values=request.form))
    return after_post(url_for("workspace.measure", measure_id=m.id) + "#belegung", PAGE, "occupancy_panel",
                      **measure_context(m, notice="Die Meldung an Teamleitung und Bereichsleitung ist gespeichert."))


@bp.post("/<int:measure_id>/unterlagen")
@login_required
def attach(measure_id):
    m = queries.get_own_measure(measure_id, current_user)
    row, errors, duty = operations.attach_file(m, request.form, request.files.get("file"),
                                               current_user._get_current_object())
    if errors:
        return render(PAGE, "documents_panel", status=422, **measure_context(m, errors=errors, values=request.form))
    notice = f"„{row.title}“ ist bei der Maßnahme abgelegt." + (f" Erledigt: {duty.title}" if duty else "")
    return after_post(url_for("workspace.measure", measure_id=m.id) + "#unterlagen", PAGE, "documents_panel",
                      **measure_context(m, notice=notice))
