"""The MB's work on the participants of a measure: the first-day list (seed 000 2.2.2, 1.3.3).

Each confirmation writes, in one transaction, the ``StartConfirmation`` and a
Wiedervorlage for the customer's pAp (a start: aftercare begins; a no-show: the
pAp clarifies it — the MB does not end the participation). Once every participant
of the first day is confirmed, the MB's step "mb-eroeffnung" of the measure and,
for BAE, each confirmed participation's "bae-erster-tag-mb" are closed.
The AGH Maßnahmezuweisung lives in ``agh_operations``.
"""
import datetime
from dataclasses import dataclass, field

from peewee import JOIN

from .. import audit
from ..caseload import planning
from ..db import database
from ..formats import de_date
from ..jobcenter import active_rulebook
from ..models import Customer, FollowUp, Participation, PlanEvent, User
from ..validation import Checker, Conflict, IntegrityError, save_versioned
from .models import StartConfirmation

START_TITLE = "Maßnahmebeginn bestätigt – Absolventenmanagement beginnt"
NO_SHOW_TITLE = "Nichtantritt der Maßnahme klären (Buchung in CoSach berichtigen, Gründe klären)"
FOLLOWUP_REASON = "Teilnehmerliste 1. Maßnahmetag"
OPENING_RULE = "mb-eroeffnung"  # the measure's MB step (group measures)
BAE_RULE = "bae-erster-tag-mb"  # BAE: the MB evaluates the Träger's first-day report, per participation
STATUS = {"1": True, "0": False}
DUE_WORKING_DAYS = 3
ROW_CONFLICT = ("Diese Zeile wurde inzwischen von einer anderen Person geändert. Ihre Eingaben sind erhalten; "
                "bitte prüfen Sie den aktuellen Stand und speichern Sie erneut.")
ALREADY = ("Die Liste wurde inzwischen von anderer Stelle bestätigt; es wurde nichts gespeichert. Bitte prüfen "
           "Sie den aktuellen Stand – eine Änderung ist mit Begründung möglich.")


@dataclass
class Row:
    participation: Participation
    confirmation: StartConfirmation | None
    followup: FollowUp | None = None
    first_day: bool = True  # entered on or before the measure's first day
    errors: dict = field(default_factory=dict)


def due_date(today=None):
    """The pAp's Wiedervorlage: 3 working days from today (the Jobcenter's calendar)."""
    return active_rulebook().calendar.add_working_days(today or datetime.date.today(), DUE_WORKING_DAYS)


def rows_of(measure):
    """The measure's participations with their confirmation (and the pAp's follow-up), first-day
    participants first (entry on or before the measure's start), then later entries, by name."""
    participations = list(
        Participation.select(Participation, Customer, User).join(Customer)
        .join(User, JOIN.LEFT_OUTER)
        .where(Participation.measure == measure.id)
        .order_by(Participation.entry, Customer.last_name, Customer.first_name, Participation.id))
    confirmations = {c.participation_id: c for c in StartConfirmation.select().where(
        StartConfirmation.participation.in_([p.id for p in participations]))} if participations else {}
    followup_ids = [c.followup_id for c in confirmations.values() if c.followup_id]
    followups = {f.id: f for f in FollowUp.select().where(FollowUp.id.in_(followup_ids))} if followup_ids else {}
    rows = []
    for p in participations:
        p.measure = measure
        c = confirmations.get(p.id)
        rows.append(Row(p, c, followups.get(c.followup_id) if c else None, first_day=p.entry <= measure.start))
    return rows


def cohort(rows):
    """The first-day list proper: participants who entered by the measure's first day
    (all participations when nobody did, e.g. a measure with individual entries only)."""
    first = [r for r in rows if r.first_day]
    return first or rows


def summary(measure, rows):
    """Counts for the page and whether the list is complete."""
    list_rows = cohort(rows)
    started = sum(1 for r in rows if r.confirmation and r.confirmation.started)
    no_show = sum(1 for r in rows if r.confirmation and not r.confirmation.started)
    opening = (FollowUp.select().where(FollowUp.measure == measure.id, FollowUp.rule_id == OPENING_RULE).first())
    return {"total": len(rows), "list_total": len(list_rows), "started": started, "no_show": no_show,
            "open": sum(1 for r in rows if r.confirmation is None),
            "list_open": sum(1 for r in list_rows if r.confirmation is None),
            "complete": bool(list_rows) and all(r.confirmation for r in list_rows), "opening": opening}


def check_row(form, pid, correction=False):
    """Read one row of the list form: ``status-<id>`` 1 (angetreten) / 0 (nicht angetreten),
    ``remark-<id>`` and, to change a confirmed row, ``reason-<id>``. Returns a Checker whose
    messages are keyed without the id (status, remark, reason)."""
    row = {name: form.get(f"{name}-{pid}", "") for name in ("status", "remark", "reason")}
    c = Checker(row)
    raw = (row["status"] or "").strip()
    if raw not in STATUS:
        c.fail("status", "Bitte „angetreten“ oder „nicht angetreten“ wählen.")
    c.data["started"] = STATUS.get(raw)
    c.text("remark", "Die Bemerkung", required=False, max_len=2000)
    if correction:
        c.text("reason", "einen Grund für die Änderung", max_len=500)
    return c


def _pap_followup(p, started, user, today, reason=FOLLOWUP_REASON, prefix=""):
    title = prefix + (START_TITLE if started else NO_SHOW_TITLE)
    phase = "waehrend" if started else "abbruch"
    return planning.add_manual_followup(p, title, due_date(today), user, role="pAp", phase=phase, reason=reason)


def _close_steps(measure, rows, user):
    """Close the open "mb-eroeffnung" of the measure and, for BAE, the confirmed participations'
    open "bae-erster-tag-mb" — once the first-day list is complete. Returns how many were closed."""
    if not rows or not all(r.confirmation for r in cohort(rows)):
        return 0
    started = sum(1 for r in rows if r.confirmation and r.confirmation.started)
    no_show = sum(1 for r in rows if r.confirmation and not r.confirmation.started)
    outcome = f"Teilnehmerliste bestätigt: {started} angetreten, {no_show} nicht angetreten"
    confirmed = [r.participation.id for r in rows if r.confirmation]
    steps = list(FollowUp.select().where(FollowUp.status == "open", (
        (FollowUp.measure == measure.id) & (FollowUp.rule_id == OPENING_RULE))
        | (FollowUp.participation.in_(confirmed) & (FollowUp.rule_id == BAE_RULE))))
    for step in steps:
        planning.mark_done(step, user, outcome=outcome, reason=FOLLOWUP_REASON)
        audit.log("update", "followup", step.id, outcome, user=user)
    return len(steps)


def _confirm(p, data, user, today):
    f = _pap_followup(p, data["started"], user, today)
    c = StartConfirmation.create(participation=p.id, started=data["started"], remark=data["remark"],
                                 confirmed_by=user, followup=f)
    audit.log("create", "start-confirmation", c.id,
              f"Teilnahme {p.id}: {'angetreten' if c.started else 'nicht angetreten'}", user=user)
    return c


def too_early(measure, today):
    """A German reason when the measure has not begun yet (nobody can have started), else ""."""
    if today < measure.start:
        return (f"Die Maßnahme beginnt erst am {de_date(measure.start)}: Antritt oder Nichtantritt können Sie ab "
                "dem ersten Maßnahmetag bestätigen.")
    return ""


def confirm(measure, p, form, user, today=None):
    """Confirm one participant's start or no-show (first time, from the measure's first day on);
    returns errors (empty on success)."""
    today = today or datetime.date.today()
    if too_early(measure, today):
        return {"_form": too_early(measure, today)}
    c = check_row(form, p.id)
    if not c.ok:
        return c.errors
    try:
        with database.atomic():
            if StartConfirmation.select().where(StartConfirmation.participation == p.id).exists():
                raise IntegrityError("schon bestätigt")
            _confirm(p, c.data, user, today)
            _close_steps(measure, rows_of(measure), user)
    except IntegrityError:
        return {"_form": ALREADY}
    return {}


def confirm_list(measure, form, user, today=None):
    """Confirm every row of the list that has a choice (``status-<id>``), all or nothing, from the
    measure's first day on.

    Returns ``(count, errors per participation id, message for the whole form)``; rows
    already confirmed are left alone, rows without a choice stay open.
    """
    today = today or datetime.date.today()
    if too_early(measure, today):
        return 0, {}, too_early(measure, today)
    checked, errors = [], {}
    for r in rows_of(measure):
        pid = r.participation.id
        if r.confirmation is not None or not (form.get(f"status-{pid}") or form.get(f"remark-{pid}") or "").strip():
            continue
        c = check_row(form, pid)
        if c.ok:
            checked.append((r.participation, c.data))
        else:
            errors[pid] = c.errors
    if errors:
        return 0, errors, ""
    if not checked:
        return 0, {}, "Bitte mindestens eine Person als „angetreten“ oder „nicht angetreten“ markieren."
    try:
        with database.atomic():
            if StartConfirmation.select().where(
                    StartConfirmation.participation.in_([p.id for p, _ in checked])).exists():
                raise IntegrityError("schon bestätigt")
            for p, data in checked:
                _confirm(p, data, user, today)
            _close_steps(measure, rows_of(measure), user)
    except IntegrityError:
        return 0, {}, ALREADY
    return len(checked), {}, ""


def change(measure, p, confirmation, form, user, today=None):
    """Change a confirmed row (e.g. a no-show who came on day 2) with a reason and the form's
    ``version``. A changed status updates the pAp's open Wiedervorlage (title, due) or, when the pAp
    has already closed it, adds a new one; nothing is deleted. Returns errors."""
    today = today or datetime.date.today()
    c = check_row(form, p.id, correction=True)
    if not c.ok:
        return c.errors
    data, reason = c.data, c.data["reason"]
    try:
        with database.atomic():
            values = {"started": data["started"], "remark": data["remark"], "confirmed_by": user,
                      "confirmed_at": datetime.datetime.now().replace(microsecond=0)}
            if data["started"] != confirmation.started:
                values["followup"] = _redirect_followup(p, confirmation, data["started"], user, today, reason)
            save_versioned(StartConfirmation, confirmation, values, form.get(f"version-{p.id}"))
            audit.log("update", "start-confirmation", confirmation.id,
                      f"Teilnahme {p.id}: {'angetreten' if data['started'] else 'nicht angetreten'} – {reason}",
                      user=user)
            _close_steps(measure, rows_of(measure), user)
    except (Conflict, IntegrityError):  # IntegrityError: a concurrent Wiedervorlage took the same step id
        return {"_form": ROW_CONFLICT}
    return {}


def _redirect_followup(p, confirmation, started, user, today, reason):
    """The pAp's Wiedervorlage after a changed status: the open one re-titled and re-dated, else a new one."""
    why = f"{FOLLOWUP_REASON} berichtigt: {reason}"
    prefix = "Berichtigung Teilnehmerliste: "
    f = FollowUp.get_or_none(FollowUp.id == confirmation.followup_id) if confirmation.followup_id else None
    if f is None or f.status != "open":
        return _pap_followup(p, started, user, today, reason=why, prefix=prefix)
    title = (prefix + (START_TITLE if started else NO_SHOW_TITLE))[:255]
    due = due_date(today)
    FollowUp.update(title=title, due=due, rule_due=due, phase="waehrend" if started else "abbruch",
                    version=f.version + 1).where(FollowUp.id == f.id).execute()
    PlanEvent.create(participation=p.id, reason=why[:255], user=user,
                     summary=f"{f.title} → {title}"[:255], detail=reason)
    return f.id
