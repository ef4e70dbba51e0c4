"""Controlling "Absolventenmanagement erfüllt" (RULES.md §6): quota per month, team and pAp.

TL and DQM see their own team, the BL all teams (or one); everyone else gets 403.
The figures come from ``supervision.controlling`` (the pure rule ``evaluate_all``,
the same as ``flask controlling evaluate``). Every page, drill-down and export
writes an audit row; exports carry the SHA-256 of the bytes sent.
"""
import datetime
import hashlib
import io

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from .. import access, audit
from ..auth import roles_required
from ..documents import context as document_context
from ..documents import operations as documents
from ..documents.render import DocumentError, registry
from ..formats import month_label, parse_month
from ..models import Team
from ..vocabulary import CONTROLLING_ROLES
from ..web import db_int, render, wants_fragment
from . import controlling

bp = Blueprint("controlling", __name__)

TEMPLATE = "supervision/controlling.html"
REPORT_DOCUMENT = "controlling-bericht"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTH_ERROR = "Bitte einen Monat im Format JJJJ-MM wählen."


def _last_month():
    return (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _id(raw):
    """The id in ``raw`` ('' → None); 404 when it is no plain number."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return db_int(raw)
    except ValueError:
        abort(404)


def _team(raw):
    """The team asked for: the BL any team or all (None); TL and DQM their own team, another one → 403."""
    team_id = _id(raw)
    if current_user.has_role("BL"):
        return (Team.get_or_none(Team.id == team_id) or abort(404)) if team_id is not None else None
    access.require(current_user.team_id is not None and team_id in (None, current_user.team_id))
    return Team.get_by_id(current_user.team_id)


def _filters():
    """(raw month, first day or None, team or None) from the query string."""
    raw_month = request.args.get("monat") or f"{_last_month():%Y-%m}"
    return raw_month, parse_month(raw_month), _team(request.args.get("team"))


def _scope(team):
    return team.name if team else "alle Teams"


def _page(block, team, raw_month, month, data=None, selected=None, with_trend=True):
    trend = controlling.trend(month, team) if month and with_trend else []
    return render(TEMPLATE, block, status=200 if month else 422, push_url=True, raw_month=raw_month, month=month,
                  month_label=month_label(month) if month else "", team=team, data=data, selected=selected,
                  teams=list(Team.select().order_by(Team.name)) if current_user.has_role("BL") else [],
                  chart=controlling.chart(trend) if trend else None, trend=controlling.trend_table(trend),
                  errors={} if month else {"monat": MONTH_ERROR})


@bp.get("/controlling/")
@roles_required(*CONTROLLING_ROLES)
def index():
    raw_month, month, team = _filters()
    data = controlling.summary(month, team) if month else None
    if data:
        audit.log("read", "controlling", team.id if team else "", f"Monat {raw_month} Team {_scope(team)}")
    return _page("controlling_report", team, raw_month, month, data)


@bp.get("/controlling/faelle")
@roles_required(*CONTROLLING_ROLES)
def cases():
    """Drill-down: the cases of one pAp (``pap``: user id, 0 = ohne pAp) with the rule's reasons."""
    raw_month, month, team = _filters()
    pap_id = _id(request.args.get("pap"))
    if team is None or pap_id is None:
        abort(404)
    if month is None:
        return _page("pap_cases", team, raw_month, month)
    data = controlling.summary(month, team)
    selected = next((p for p in data["teams"][0]["paps"] if p["pap_id"] == pap_id), None) or abort(404)
    audit.log("read", "controlling-cases", f"{team.id}/{pap_id}",
              f"Monat {raw_month} Team {team.name} pAp {selected['pap']} Teilnahmen "
              + ",".join(str(c["participation"]) for c in selected["cases"]))
    return _page("pap_cases", team, raw_month, month, data, selected, with_trend=not wants_fragment())


def _export():
    """(month, team, summary, trend) for an export; 400 for a malformed month."""
    raw_month, month, team = _filters()
    if month is None:
        abort(400)
    return month, team, controlling.summary(month, team), controlling.trend(month, team)


def _send(body, fmt, mimetype, month, team):
    audit.log("export", "controlling", team.id if team else "",
              f"{fmt} Monat {month:%Y-%m} Team {_scope(team)} sha256={hashlib.sha256(body).hexdigest()}")
    name = documents.safe_file_name("Controlling", f"{month:%Y-%m}", _scope(team), ext=fmt)
    response = send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/controlling/export.xlsx")
@roles_required(*CONTROLLING_ROLES)
def export_xlsx():
    month, team, data, trend = _export()
    return _send(controlling.xlsx_bytes(data, trend), "xlsx", XLSX_MIME, month, team)


@bp.get("/controlling/export.pdf")
@roles_required(*CONTROLLING_ROLES)
def export_pdf():
    """The report as PDF (forms/controlling-bericht). Not archived as an IssuedDocument: it is an evaluation
    that can be produced again for any month, not a letter issued for a case or a list signed on paper; the
    audit row keeps who exported what and the SHA-256 of the bytes, without a second copy of Sozialdaten."""
    month, team, data, trend = _export()
    context = controlling.pdf_context(data, trend, document_context.jobcenter(), _scope(team), datetime.date.today())
    try:
        body = documents.render(registry.get(documents.forms_dir(), REPORT_DOCUMENT), "pdf", context)[0]
    except DocumentError as exc:
        flash(f"Der PDF-Bericht konnte nicht erstellt werden: {exc}", "error")
        return redirect(url_for("controlling.index", monat=f"{month:%Y-%m}", team=team.id if team else ""))
    return _send(body, "pdf", "application/pdf", month, team)
