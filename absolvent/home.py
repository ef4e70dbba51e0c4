"""Start page per role: what each role has to do next."""
import datetime
from pathlib import Path

from flask import Blueprint, current_app, redirect, url_for
from flask_login import current_user, login_required

from . import access
from .caseload import queries
from .measures import queries as measure_queries
from .formats import first_of_next_month
from .vocabulary import CASE_ROLES, SUPERVISORS, TEAM_ROLES
from .models import Customer, FollowUp, Measure, Participation, User
from .web import count_label, count_up_to, render

bp = Blueprint("home", __name__)
START_MEASURES = 10  # an MB's measures on the start page; all of them in "Meine Maßnahmen"


@bp.get("/")
def root():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("home.index"))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico where a page names no icon (e.g. a PDF shown in a tab): the SVG."""
    icon = Path(current_app.static_folder, "favicon.svg").read_bytes()
    return current_app.response_class(icon, mimetype="image/svg+xml")


@bp.get("/start")
@login_required
def index():
    today = datetime.date.today()
    user = current_user
    sections = {}
    if user.has_role(*CASE_ROLES):
        due = queries.case_followups(user, "14", "meine", today=today)
        sections["followups"] = (queries.with_cases(due.limit(15)), due.count(),
                                 due.where(FollowUp.due < today).count())
    if user.has_role("MB"):
        sections["tasks"] = queries.measure_followups(user, "14", today=today).limit(10)
        measures = list(measure_queries.own_measures(user, "aktuell", today).where(Measure.end >= today))
        occupancy = measure_queries.occupancies(measures, today)
        # the ones with too many empty places first, then by start; the rest in "Meine Maßnahmen"
        ranked = sorted(measures, key=lambda m: not occupancy[m.id].critical)
        sections["measures"] = (ranked[:START_MEASURES], occupancy, len(measures))
    if user.has_role(*SUPERVISORS):
        first = first_of_next_month(today)
        last = first_of_next_month(first) - datetime.timedelta(days=1)
        ending = Participation.select(Participation.id)  # the team is on the participation: no join
        if user.has_role("MB"):  # (an MB's filter is the measure's MB)
            ending = ending.join(Measure)
        ending = ending.where(access.participation_filter(user), Participation.exit.is_null(),
                              Participation.planned_end.between(first, last))
        sections["ending_next_month"] = (ending.count(), first)
    if user.has_role("Admin"):
        sections["users"] = User.select().count()
    return render("home/index.html", sections=sections, customers=_customers(user), today=today)


def _customers(user):
    """"In Ihrem Zuständigkeitsbereich: N Kundinnen und Kunden" for a team or the BL, counted up to
    10,000 (the BL's whole Jobcenter: "mehr als 10.000"); an MB alone gets no such line: their
    measures with occupancy say more, and counting every customer ever in them read thousands of rows."""
    if not user.has_role("BL", *TEAM_ROLES):
        return ""
    n, more = count_up_to(Customer.select(Customer.id).where(access.customer_filter(user)), 10_000)
    return count_label(n, more) if n else ""
