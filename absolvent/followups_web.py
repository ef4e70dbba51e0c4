"""Wiedervorlagen on the participation page: plan, done, dates by hand, contacts, history."""
import datetime

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from . import access, audit, followups
from .db import database
from .models import FollowUp, Note, PlanEvent, User
from .operations import PLAN_DATES
from .participations import get_visible
from .rulebooks_registry import active_rulebook
from .rules.planner import PlanError, plan
from .validation import Checker
from .web import redirect_to, render

bp = Blueprint("followups", __name__)
CHANNELS = {"persoenlich": "persönlich", "telefonisch": "telefonisch"}


def panel_context(p, errors=None, values=None):
    try:
        current = plan(active_rulebook(), followups.facts_for(p))
    except PlanError as exc:
        current = None
        errors = {**(errors or {}), "_plan": str(exc)}
    rows = (FollowUp.select().where(FollowUp.participation == p.id)
            .order_by(FollowUp.status != "open", FollowUp.due, FollowUp.id))
    events = (PlanEvent.select(PlanEvent, User).join(User, JOIN.LEFT_OUTER)
              .where(PlanEvent.participation == p.id).order_by(PlanEvent.at.desc(), PlanEvent.id.desc()))
    contacts = (Note.select().where(Note.customer == p.customer_id, Note.kind == "kontakt",
                                    Note.date >= p.entry).order_by(Note.date.desc()))
    return {"p": p, "plan": current, "followups": list(rows), "events": list(events), "contacts": list(contacts),
            "errors": errors or {}, "values": values or {}, "channels": CHANNELS,
            "today": datetime.date.today(),
            "contact_open": any(k in (errors or {}) for k in ("contact_date", "channel", "subject", "text")),
            "can_edit": access.can_edit_participation(current_user, p), "plan_dates": PLAN_DATES,
            "may_complete": lambda f: may_complete(f, p)}


def may_complete(f, p):
    """The case's editors, or whoever holds the step's role and may see the case."""
    return access.can_edit_participation(current_user, p) or (
        current_user.has_role(f.role) and access.can_view_participation(current_user, p))


def _panel(p, status=200, **kw):
    return render("followups/panel.html", "followups_panel", status=status, **panel_context(p, **kw))


@bp.get("/teilnahmen/<int:participation_id>/wiedervorlagen")
@login_required
def panel(participation_id):
    p = get_visible(participation_id)
    audit.log("read", "followups", p.id)
    return _panel(p)


def _followup(followup_id):
    f = FollowUp.get_or_none(FollowUp.id == followup_id)
    if f is None or f.participation_id is None:
        abort(404)
    p = get_visible(f.participation_id)
    access.require(may_complete(f, p))
    return f, p


def _done(p):
    if request.headers.get("HX-Request") == "true":
        return _panel(get_visible(p.id))
    return redirect_to(url_for("participations.detail", participation_id=p.id) + "#wiedervorlagen")


@bp.post("/wiedervorlagen/<int:followup_id>/erledigt")
@login_required
def complete(followup_id):
    f, p = _followup(followup_id)
    done = request.form.get("done", "1") == "1"
    followups.mark_done(f, current_user._get_current_object(), done=done)
    audit.log("update", "followup", f.id, "erledigt" if done else "wieder offen")
    return _done(p)


@bp.post("/wiedervorlagen/<int:followup_id>/termin")
@login_required
def move(followup_id):
    f, p = _followup(followup_id)
    c = Checker(request.form)
    due = c.date("due", "Neuer Termin")
    if due and f.earliest and due < f.earliest and not f.edited_by_hand:
        c.fail("due", f"Neuer Termin: liegt vor dem frühestmöglichen Tag ({f.earliest:%d.%m.%Y}).")
    if not c.ok:
        errors = {f"due-{f.id}": c.errors["due"]}
        return _panel(p, status=422, errors=errors, values={f"due-{f.id}": request.form.get("due", "")})
    followups.set_by_hand(f, due, current_user._get_current_object())
    audit.log("update", "followup", f.id, f"Termin {due:%d.%m.%Y}")
    return _done(p)


@bp.post("/wiedervorlagen/<int:followup_id>/regeltermin")
@login_required
def reset(followup_id):
    f, p = _followup(followup_id)
    followups.reset_to_rule(f, current_user._get_current_object())
    audit.log("update", "followup", f.id, "Regeltermin")
    return _done(p)


@bp.post("/teilnahmen/<int:participation_id>/kontakte")
@login_required
def record_contact(participation_id):
    p = get_visible(participation_id)
    access.require(access.can_edit_participation(current_user, p))
    c = Checker(request.form)
    day = c.date("contact_date", "Datum des Kontakts")
    c.choice("channel", "die Kontaktart", CHANNELS)
    c.text("subject", "den Betreff", max_len=200)
    c.text("text", "den Inhalt", required=False, max_len=20000)
    if day and day > datetime.date.today():
        c.fail("contact_date", "Datum des Kontakts: ein Kontakt kann nicht in der Zukunft liegen.")
    if not c.ok:
        return _panel(p, status=422, errors=c.errors, values=request.form)
    with database.atomic():
        note = Note.create(customer=p.customer_id, participation=p.id, subject=c.data["subject"],
                           text=c.data["text"], author=current_user.id, date=day, kind="kontakt",
                           channel=c.data["channel"], qualified=request.form.get("qualified") == "on")
        audit.log("create", "note", note.id, "Kontakt")
        if note.qualified:
            done = followups.complete_by_contact(p, day, current_user._get_current_object())
            if done is not None:
                PlanEvent.create(participation=p.id, user=current_user.id, reason="Wiedervorlage durch Kontakt erfüllt",
                                 summary=f"{done.title} (fällig {done.due:%d.%m.%Y}), Kontakt am {day:%d.%m.%Y}")
            followups.replan(p, f"Qualifizierter Kontakt am {day:%d.%m.%Y} erfasst")
    flash("Der Kontakt wurde erfasst.", "success")
    return _done(p)
