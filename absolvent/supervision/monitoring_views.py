"""The "nicht eingeleitet" list (Goslar 1.4.2) and the TL/BL dashboards."""
import datetime

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user

from .. import access, audit
from ..auth import roles_required
from ..formats import month_label, parse_month
from ..measures import queries as measure_queries
from ..models import Customer, Participation, Team
from ..web import Pages, db_int, page_number, redirect_to, render, wants_fragment
from . import monitoring
from . import monitoring_operations as operations

bp = Blueprint("monitoring", __name__)

LIST_TEMPLATE = "supervision/not_initiated.html"


def _team(raw, allowed):
    """The team asked for (default: the user's own), or None when none is chosen;
    403 unless ``allowed(user, team_id)``, 404 for an unknown team."""
    try:
        team_id = db_int(raw) if raw else current_user.team_id
    except ValueError:
        abort(404)
    if team_id is None:
        return None
    access.require(allowed(current_user, team_id))
    return Team.get_or_none(Team.id == team_id) or abort(404)


def _team_error(team):
    if team:
        return {}
    return {"team": "Bitte ein Team auswählen." if current_user.has_role("BL")
            else "Ihrem Benutzerkonto ist kein Team zugeordnet."}


def _list_context(team, month, raw_month, rows, today, errors, **extra):
    return dict(team=team, month=month, raw_month=raw_month, rows=rows, today=today, errors=errors,
                list_state=monitoring.list_status(month, rows, today) if month and team else None,
                month_label=month_label(month) if month else "", states=monitoring.MARK_STATES,
                teams=monitoring.teams() if current_user.has_role("BL") else [],
                dqms=monitoring.team_dqms(team.id) if team else [],
                may_mark=bool(team) and access.can_mark_not_initiated(current_user, team.id),
                row_errors={}, values={}, marked=None, **extra)


@bp.get("/fachaufsicht/nicht-eingeleitet")
@roles_required("DQM", "TL", "BL")
def not_initiated():
    today = datetime.date.today()
    raw_month = request.args.get("monat") or f"{today:%Y-%m}"
    month, team = parse_month(raw_month), _team(request.args.get("team"), access.can_view_not_initiated)
    errors = _team_error(team)
    if month is None:
        errors["monat"] = "Bitte einen Monat im Format JJJJ-MM wählen."
    elif month > today:
        errors["monat"] = "Die Liste für einen künftigen Monat gibt es noch nicht."
    rows = [] if errors else monitoring.not_initiated_rows(team.id, month, today)
    if not errors:
        audit.log("read", "not-initiated-list", team.id, f"Monat {month:%Y-%m}, {len(rows)} Fälle")
    return render(LIST_TEMPLATE, "not_initiated_list", **_list_context(team, month, raw_month, rows, today, errors))


@bp.post("/fachaufsicht/nicht-eingeleitet/<int:participation_id>")
@roles_required("DQM")
def mark(participation_id):
    today = datetime.date.today()
    p = (Participation.select(Participation, Customer).join(Customer)
         .where(Participation.id == participation_id).first()) or abort(404)
    access.require(access.can_mark_not_initiated(current_user, p.customer.team_id))
    month = parse_month(request.form.get("monat")) or abort(400)
    team = Team.get_by_id(p.customer.team_id)
    rows = monitoring.not_initiated_rows(team.id, month, today)
    row = next((r for r in rows if r.participation.id == p.id), None) or abort(404)
    mark, errors = operations.mark_case(row, month, request.form, current_user._get_current_object(), today)
    if mark:
        row.mark = mark
        if not wants_fragment():
            flash(f"{row.participation.customer.full_name}: als „{monitoring.MARK_STATES[mark.status]}“ markiert.",
                  "success")
            return redirect_to(url_for("monitoring.not_initiated", monat=f"{month:%Y-%m}", team=team.id))
    context = _list_context(team, month, f"{month:%Y-%m}", rows, today, {}, row=row)
    context.update(row_errors={p.id: errors}, values={p.id: request.form} if errors else {},
                   marked=None if errors else p.id)
    return render(LIST_TEMPLATE, "not_initiated_row", status=422 if errors else 200,
                  trigger=None if errors else "not-initiated-marked", **context)


def _controlling_url():
    """The controlling page, when that area is installed."""
    return url_for("controlling.index") if "controlling.index" in current_app.view_functions else None


@bp.get("/dashboard/team")
@roles_required("TL", "BL")
def team_dashboard():
    today = datetime.date.today()
    team = _team(request.args.get("team"), access.can_view_supervision_list)
    month = monitoring.review_month(today)
    data = {}
    if team:
        number, size = page_number(), monitoring.LONG_PAGE_SIZE
        long, total = monitoring.long_without_contact(team.id, today, number, size)
        data = {"paps": monitoring.pap_step_counts(team.id, today), "long": long,
                "long_pages": Pages.of(total, number, size),
                "review": monitoring.review_status([team.id], month)[team.id],
                "occupancy_reports": _occupancy_reports(today)}
        audit.log("read", "team-dashboard", team.id, f"{total} lange Maßnahmen ohne Kontakt, Seite {number}")
    return render("supervision/dashboard_team.html", "team_dashboard", team=team, today=today,
                  review_month=month, errors=_team_error(team), controlling_url=_controlling_url(),
                  teams=monitoring.teams() if current_user.has_role("BL") else [], **data)


def _occupancy_reports(today):
    """The MBs' reports that places stay empty (measures have no team: every TL and the BL see them)."""
    return list(measure_queries.occupancy_reports(since=today - datetime.timedelta(days=90)).limit(20))


@bp.get("/dashboard/bereich")
@roles_required("BL")
def area_dashboard():
    today = datetime.date.today()
    teams = monitoring.teams()
    month = monitoring.review_month(today)
    ids = [t.id for t in teams]
    return render("supervision/dashboard_area.html", "area_dashboard", today=today, teams=teams,
                  review_month=month, steps=monitoring.team_step_counts(today, ids),
                  reviews=monitoring.review_status(ids, month),
                  long=monitoring.long_without_contact_counts(today, ids), unchecked=monitoring.unchecked_reviews(),
                  controlling_url=_controlling_url(), occupancy_reports=_occupancy_reports(today))
