"""Wiedervorlagen on the participation page: the plan, done, dates by hand, contacts, history.

The panel is the block ``followups_panel`` of the participation page: htmx
requests get the block, others the whole page.
"""
import datetime

from flask import Blueprint, flash, request, url_for
from flask_login import current_user, login_required

from .. import access, audit
from ..vocabulary import CONTACT_CHANNELS, PLAN_DATES
from ..web import after_post, render
from ..guided_forms import queries as form_queries
from . import operations, planning, queries

bp = Blueprint("followups", __name__)
PAGE = "caseload/participation_detail.html"
BLOCK = "followups_panel"


def panel_context(p, errors=None, values=None):
    """Everything the participation page and its follow-up panel show."""
    current, plan_error = planning.current_plan(p)
    errors = {**(errors or {}), **({"_plan": plan_error} if plan_error else {})}
    user = current_user._get_current_object()
    return {"p": p, "plan": current, "missing": current.missing_by_date(planning.phases_over(p)) if current else [],
            "followups": queries.participation_followups(p), "events": queries.plan_history(p),
            "contacts": queries.contacts_during(p), "errors": errors, "values": values or {},
            "channels": CONTACT_CHANNELS, "today": datetime.date.today(),
            "contact_open": any(k in errors for k in ("contact_date", "channel", "subject", "text")),
            "can_edit": access.can_edit_participation(user, p), "plan_dates": PLAN_DATES,
            "may_complete": _may_complete(user, p),
            "forms": {d.id: d.title for d in form_queries.definitions().values()},
            "drafts": form_queries.drafts_by_followup(p, user), "snapshots": form_queries.snapshots_by_followup(p)}


def _may_complete(user, p):
    """``may_complete(step)`` for the panel's rows: whether ``user`` may close or move it.
    The answer depends on the step's role alone (``access.can_complete_followup``), so it is
    worked out once per role, not for each of a plan's 50-odd steps."""
    answers = {}

    def may_complete(f):
        if f.role not in answers:
            answers[f.role] = access.can_complete_followup(user, f, p)
        return answers[f.role]
    return may_complete


def _panel(p, status=200, **kw):
    return render(PAGE, BLOCK, status=status, **panel_context(p, **kw))


def _updated(p):
    url = url_for("participations.detail", participation_id=p.id) + "#wiedervorlagen"
    return after_post(url, PAGE, BLOCK, **panel_context(queries.get_visible_participation(p.id, current_user)))


@bp.get("/teilnahmen/<int:participation_id>/wiedervorlagen")
@login_required
def panel(participation_id):
    p = queries.get_visible_participation(participation_id, current_user)
    audit.log("read", "followups", p.id)
    return _panel(p)


def _per_step(f, errors_or_values, names):
    """Field messages or typed values keyed per step (``due-12``), as the panel shows them."""
    return {f"{name}-{f.id}": errors_or_values[name] for name in names if name in errors_or_values}


@bp.post("/wiedervorlagen/<int:followup_id>/erledigt")
@login_required
def complete(followup_id):
    f, p = queries.get_case_followup(followup_id, current_user)
    user = current_user._get_current_object()
    if request.form.get("done", "1") != "1":
        planning.mark_done(f, user, done=False)
        audit.log("update", "followup", f.id, "wieder offen")
        return _updated(p)
    errors = planning.close_followup(f, request.form, user)
    if errors:
        return _panel(p, status=422, errors=_per_step(f, errors, ["outcome"]),
                      values=_per_step(f, request.form, ["outcome"]))
    audit.log("update", "followup", f.id, "erledigt")
    return _updated(p)


@bp.post("/wiedervorlagen/<int:followup_id>/termin")
@login_required
def move(followup_id):
    f, p = queries.get_case_followup(followup_id, current_user)
    errors = planning.move_by_hand(f, p, request.form, current_user._get_current_object())
    if errors:
        return _panel(p, status=422, errors=_per_step(f, errors, ["due", "reason"]),
                      values=_per_step(f, request.form, ["due", "reason"]))
    audit.log("update", "followup", f.id, f"Termin {request.form.get('due', '')}")
    return _updated(p)


@bp.post("/wiedervorlagen/<int:followup_id>/regeltermin")
@login_required
def reset(followup_id):
    f, p = queries.get_case_followup(followup_id, current_user)
    planning.reset_to_rule(f, current_user._get_current_object())
    audit.log("update", "followup", f.id, "Regeltermin")
    return _updated(p)


@bp.post("/teilnahmen/<int:participation_id>/kontakte")
@login_required
def record_contact(participation_id):
    p = queries.get_visible_participation(participation_id, current_user)
    access.require(access.can_edit_participation(current_user, p))
    note, errors = operations.record_contact(p, request.form, current_user._get_current_object())
    if errors:
        return _panel(p, status=422, errors=errors, values=request.form)
    flash("Der Kontakt wurde erfasst.", "success")
    return _updated(p)
