"""Wiedervorlagen worklist: the follow-ups a user has to work off, filtered and paged."""
import datetime

from flask import Blueprint, request, url_for
from flask_login import current_user, login_required

from .. import audit, list_exports
from ..vocabulary import CASE_ROLES
from ..web import Pages, page_number, render
from ..guided_forms import queries as form_queries
from . import queries

bp = Blueprint("worklist", __name__, url_prefix="/wiedervorlagen")
PAGE_SIZE = 50


def _choice(name, allowed, default):
    value = request.args.get(name, default)
    return value if value in allowed else default


def _filters():
    """(period, scope, role) from the query string, each falling back to its default."""
    return (_choice("zeitraum", queries.WORKLIST_PERIODS, "14"), _choice("bereich", queries.WORKLIST_SCOPES, "meine"),
            _choice("rolle", (*CASE_ROLES, "alle"), ""))


@bp.get("/")
@login_required
def index():
    period, scope, role = _filters()
    page = page_number()
    pages = Pages(queries.case_followups(current_user, period, scope, role), page, PAGE_SIZE)
    rows = queries.with_cases(pages.rows)
    tasks = list(queries.measure_followups(current_user, period)) if current_user.has_role("MB") else []
    audit.log("read", "followup-list", detail=f"Zeitraum={period} Bereich={scope} Rolle={role} Seite={page}")
    return render("caseload/worklist.html", "worklist_results", push_url=True, rows=rows, tasks=tasks,
                  pages=pages, period=period,
                  periods=queries.WORKLIST_PERIODS, scope=scope, scopes=queries.WORKLIST_SCOPES, role=role,
                  roles=CASE_ROLES, today=datetime.date.today(),
                  forms={d.id: d.title for d in form_queries.definitions().values()})


@bp.get("/export.xlsx")
@login_required
def export():
    """The worklist with the page's filters as an Excel file: every matching step, not only one page."""
    period, scope, role = _filters()
    rows = list_exports.fetch(queries.case_followups(current_user, period, scope, role))
    rows = rows if rows is None else queries.with_cases(rows)
    tasks = list_exports.fetch(queries.measure_followups(current_user, period)) if current_user.has_role("MB") else []
    if rows is None or tasks is None:
        return list_exports.refuse(url_for("worklist.index", zeitraum=period, bereich=scope, rolle=role))
    today = datetime.date.today()
    sheets = [list_exports.worklist_sheet(rows, today)] + ([list_exports.measure_tasks_sheet(tasks, today)]
                                                            if tasks else [])
    filters = " · ".join([queries.WORKLIST_PERIODS[period], *([queries.WORKLIST_SCOPES[scope]]
                          if current_user.has_role("pAp") else []), f"Rolle: {role or 'meine Rollen'}"])
    return list_exports.send("followup-list", "Wiedervorlagen", sheets, filters)
