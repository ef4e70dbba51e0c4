"""Fachaufsicht: the monthly list per team for TL and BL, and its printed PDF."""
import datetime

from flask import abort, Blueprint, flash, request, url_for
from flask_login import current_user

from .. import access, audit
from ..auth import roles_required
from ..documents.models import IssuedDocument
from ..documents.operations import DOCUMENT_FIELDS
from ..formats import first_of_next_month, month_label, parse_month
from ..models import Team, User
from ..vocabulary import SUPERVISORS
from ..web import redirect_to, render
from . import operations, queries

bp = Blueprint("supervision", __name__)


def _team(raw):
    """The team asked for: a TL gets their own; 403 for other teams."""
    team_id = int(raw) if (raw or "").isascii() and (raw or "").isdigit() and len(raw) < 18 else (
        current_user.team_id if current_user.has_role("TL") else None)
    if team_id is None:
        return None
    access.require(access.can_view_supervision_list(current_user, team_id))
    return Team.get_or_none(Team.id == team_id) or abort(404)


def _archive(team):
    return list(IssuedDocument.select(*DOCUMENT_FIELDS, User.name).join(User)
                .where(IssuedDocument.document == operations.SUPERVISION_DOCUMENT, IssuedDocument.team == team.id)
                .order_by(IssuedDocument.id.desc()).limit(24)) if team else []


@bp.route("/fachaufsicht/liste", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def index():
    raw_month = request.values.get("monat", f"{first_of_next_month(datetime.date.today()):%Y-%m}")
    month, team = parse_month(raw_month), _team(request.values.get("team"))
    errors = {} if month else {"monat": "Bitte einen Monat im Format JJJJ-MM wählen."}
    if team is None:
        errors["team"] = "Bitte ein Team auswählen."
    if request.method == "POST" and not errors:
        result = operations.issue_supervision_list(team, month, current_user._get_current_object())
        if result.document:
            flash(f"Die Fachaufsicht-Liste wurde erstellt und archiviert (Version {result.document.number}).",
                  "success")
            return redirect_to(url_for("supervision.index", monat=raw_month, team=team.id))
        errors["_form"] = result.error
    rows = queries.supervision_rows(team, month) if month and team else []
    if team:
        audit.log("read", "supervision-list", team.id, f"Monat {raw_month}")
    return render("supervision/index.html", "supervision_rows",
                  status=422 if errors and request.method == "POST" else 200, rows=rows, team=team,
                  teams=queries.teams() if current_user.has_role("BL") else [], month=month,
                  raw_month=raw_month, month_label=month_label(month) if month else "", errors=errors,
                  issued=_archive(team))
