"""Mängelregister: a measure's defects, the Mängelrüge to the Träger and the escalation.

The measure's MB records and changes defects and issues the letters; TL and BL read
(``access.can_view_measure_work``); everybody else gets 403. Writes in
``defect_operations``; the list's create form and the defect page's panel are named
blocks (``defect_form``, ``defect_panel``) swapped by htmx.
"""
import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import access, audit
from ..models import FollowUp, Measure, Provider, User
from ..validation import CONFLICT_MESSAGE
from ..vocabulary import (DEFECT_CLAUSES, DEFECT_ESCALATIONS, DEFECT_EVENTS, DEFECT_SEVERITIES, DEFECT_SOURCES,
                          DEFECT_STATES, FOLLOWUP_STATES, PROCUREMENT)
from ..web import redirect_to, render, wants_fragment
from . import defect_operations as operations
from . import letters, queries
from .models import Defect, DefectEvent

bp = Blueprint("defects", __name__)
LIST = "measures/defects.html"
DETAIL = "measures/defect_detail.html"
EDIT = "measures/defect_edit.html"
VOCABULARY = dict(sources=DEFECT_SOURCES, clauses=DEFECT_CLAUSES, severities=DEFECT_SEVERITIES, states=DEFECT_STATES,
                  event_labels=DEFECT_EVENTS, escalations=DEFECT_ESCALATIONS, followup_states=FOLLOWUP_STATES,
                  procurements=PROCUREMENT)


def _user():
    return current_user._get_current_object()


def _list_context(measure, values=None, errors=None):
    defects = list(Defect.select().where(Defect.measure == measure.id)
                   .order_by(Defect.found_on.desc(), Defect.id.desc()))
    today = datetime.date.today()
    return dict(measure=measure, defects=defects, can_edit=access.is_mb_of_measure(current_user, measure),
                values=values if values is not None else {"found_on": today}, errors=errors or {},
                today=today, **VOCABULARY)


@bp.get("/massnahmen/<int:measure_id>/maengel")
@login_required
def index(measure_id):
    measure = queries.get_supervised_measure(measure_id, current_user)
    audit.log("read", "defects", measure.id)
    return render(LIST, "defect_list", **_list_context(measure))


@bp.post("/massnahmen/<int:measure_id>/maengel")
@login_required
def create(measure_id):
    measure = queries.get_own_measure(measure_id, current_user)
    defect, errors = operations.record_defect(measure, request.form, _user())
    if errors:
        return render(LIST, "defect_form", status=422, **_list_context(measure, request.form, errors))
    flash(f"Mangel Nr. {defect.id} wurde erfasst; die Fristen stehen in Ihren Wiedervorlagen.", "success")
    return redirect_to(url_for("defects.detail", defect_id=defect.id))


def _load(defect_id):
    """The defect with its measure and Träger, or abort 404."""
    defect = (Defect.select(Defect, Measure, Provider).join(Measure).join(Provider)
              .where(Defect.id == defect_id).first())
    if defect is None:
        abort(404)
    return defect, defect.measure


def _own(defect_id):
    defect, measure = _load(defect_id)
    access.require(access.is_mb_of_measure(current_user, measure))
    return defect, measure


def _detail_context(defect, measure, errors=None, values=None, missing=None, notice=""):
    events = list(DefectEvent.select(DefectEvent, User).join(User).where(DefectEvent.defect == defect.id)
                  .order_by(DefectEvent.at, DefectEvent.id))
    followups = list(FollowUp.select().where(FollowUp.measure == measure.id,
                                             FollowUp.step_id.startswith(f"mangel-{defect.id}-"))
                     .order_by(FollowUp.due, FollowUp.id))
    today = datetime.date.today()
    return dict(defect=defect, measure=measure, events=events, followups=followups, today=today,
                can_edit=access.is_mb_of_measure(current_user, measure), errors=errors or {}, values=values or {},
                missing=missing or [], notice=notice, path=letters.escalation_path(measure),
                refusal=operations.escalation_refusal(defect, measure, today),
                reference=letters.reference(defect, measure),
                **VOCABULARY)


@bp.get("/maengel/<int:defect_id>")
@login_required
def detail(defect_id):
    defect, measure = _load(defect_id)
    access.require(access.can_view_measure_work(current_user, measure))
    audit.log("read", "defect", defect.id)
    return render(DETAIL, "defect_panel", **_detail_context(defect, measure))


def _done(defect_id, message):
    """After a successful action: htmx swaps the panel (with ``message``), a plain post is redirected."""
    if wants_fragment():
        defect, measure = _load(defect_id)
        return render(DETAIL, "defect_panel", **_detail_context(defect, measure, notice=message))
    flash(message, "success")
    return redirect(url_for("defects.detail", defect_id=defect_id))


def _refused(defect, measure, errors, missing=None):
    return render(DETAIL, "defect_panel", status=422, **_detail_context(
        defect, measure, errors=errors, values=request.form, missing=missing))


def _record(defect_id, operation, message):
    """The MB's form post on their defect: ``operation(defect, measure, form, user)`` returns the
    errors; the panel with them (422) or, when there are none, ``_done`` with ``message``."""
    defect, measure = _own(defect_id)
    errors = operation(defect, measure, request.form, _user())
    if errors:
        return _refused(defect, measure, errors)
    return _done(defect.id, message)


@bp.route("/maengel/<int:defect_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(defect_id):
    defect, measure = _own(defect_id)
    errors, values = {}, defect.__data__
    if request.method == "POST":
        saved, errors = operations.update_defect(defect, measure, request.form, _user())
        if saved:
            flash("Die Änderungen am Mangel wurden gespeichert.", "success")
            return redirect_to(url_for("defects.detail", defect_id=defect.id))
        values = request.form.to_dict()
        if errors.get("_form") == CONFLICT_MESSAGE:  # show what is stored now; saving again overwrites it
            defect, measure = _load(defect_id)
            values["version"] = defect.version
    else:
        audit.log("read", "defect", defect.id, "Bearbeiten")
    return render(EDIT, "defect_form", status=422 if errors else 200, defect=defect, measure=measure,
                  values=values, errors=errors, **VOCABULARY)


@bp.post("/maengel/<int:defect_id>/maengelruege")
@login_required
def notice(defect_id):
    defect, measure = _own(defect_id)
    outcome = operations.issue_notice(defect, measure, _user())
    if outcome.event is None:
        return _refused(defect, measure, outcome.errors, outcome.missing)
    return _done(defect.id, "Die Mängelrüge wurde als Word- und PDF-Datei erstellt und archiviert. "
                            "Bitte versenden Sie sie an den Träger.")


@bp.post("/maengel/<int:defect_id>/stellungnahme")
@login_required
def comment(defect_id):
    return _record(defect_id, operations.record_comment, "Die Stellungnahme des Trägers wurde erfasst.")


@bp.post("/maengel/<int:defect_id>/behoben")
@login_required
def remedied(defect_id):
    return _record(defect_id, operations.mark_remedied,
                   "Der Mangel ist als behoben erfasst; seine Wiedervorlagen sind erledigt.")


@bp.post("/maengel/<int:defect_id>/eskalation")
@login_required
def escalate(defect_id):
    defect, measure = _own(defect_id)
    outcome = operations.escalate(defect, measure, request.form, _user())
    if outcome.event is None:
        return _refused(defect, measure, outcome.errors, outcome.missing)
    return _done(defect.id, f"{DEFECT_ESCALATIONS[letters.escalation_path(measure)]}: das Schreiben wurde als "
                            "Word- und PDF-Datei erstellt und archiviert.")
