"""Wiedervorlagen worklist: the follow-ups a user has to work off, filtered and paged."""
import datetime

from flask import Blueprint, request
from flask_login import current_user, login_required

from . import access, audit
from .models import Customer, FollowUp, Measure, Participation
from .web import render

bp = Blueprint("worklist", __name__, url_prefix="/wiedervorlagen")
PAGE_SIZE = 50
PERIODS = {"14": "fällig in 14 Tagen", "0": "überfällig und heute", "90": "fällig in 3 Monaten", "alle": "alle offenen"}
SCOPES = {"meine": "meine Kundinnen und Kunden", "team": "alle, die ich sehen darf"}


def case_followups(user, period="14", scope="meine", role="", today=None):
    """Open case follow-ups visible to ``user``, due within ``period`` days (or all)."""
    today = today or datetime.date.today()
    query = (FollowUp.select(FollowUp, Participation, Customer, Measure)
             .join(Participation).join(Customer).switch(Participation).join(Measure)
             .where(FollowUp.status == "open", access.participation_filter(user)))
    if period != "alle":
        query = query.where(FollowUp.due <= today + datetime.timedelta(days=int(period)))
    if scope == "meine" and user.has_role("pAp"):
        query = query.where((Customer.pap == user.id) | (FollowUp.role != "pAp"))
    if role:
        query = query.where(FollowUp.role == role)
    return query.order_by(FollowUp.due, FollowUp.id)


def measure_followups(user, period="14", today=None):
    """Open measure-level tasks (group measures) of the measures ``user`` supervises as MB."""
    today = today or datetime.date.today()
    query = (FollowUp.select(FollowUp, Measure).join(Measure, on=(FollowUp.measure == Measure.id))
             .where(FollowUp.status == "open", Measure.mb == user.id))
    if period != "alle":
        query = query.where(FollowUp.due <= today + datetime.timedelta(days=int(period)))
    return query.order_by(FollowUp.due, FollowUp.id)


@bp.get("/")
@login_required
def index():
    period = request.args.get("zeitraum", "14")
    period = period if period in PERIODS else "14"
    scope = request.args.get("bereich", "meine")
    scope = scope if scope in SCOPES else "meine"
    role = request.args.get("rolle", "")
    role = role if role in {"pAp", "MB", "boV", "AG-S", "TL", "BL", "DQM"} else ""
    page = max(request.args.get("seite", 1, type=int), 1)
    query = case_followups(current_user, period, scope, role)
    total = query.count()
    rows = list(query.paginate(page, PAGE_SIZE))
    tasks = list(measure_followups(current_user, period)) if current_user.has_role("MB") else []
    audit.log("read", "followup-list", detail=f"Zeitraum={period} Bereich={scope} Rolle={role} Seite={page}")
    return render("worklist/index.html", "worklist_results", push_url=True, rows=rows, tasks=tasks, total=total,
                  page=page, pages=(total + PAGE_SIZE - 1) // PAGE_SIZE, period=period, periods=PERIODS,
                  scope=scope, scopes=SCOPES, role=role, today=datetime.date.today())
