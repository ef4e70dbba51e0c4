"""Follow-up plans in the app: from the active rulebook to FollowUp rows.

``replan(participation)`` runs the pure planner and reconciles its steps with the
stored follow-ups:
- new steps are created;
- open steps nobody edited by hand are re-dated (the change is recorded);
- done and hand-edited steps stay as they are; their ``rule_due`` shows what
  the rulebook would say now;
- open steps that left the plan (Abbruch, shorter measure) are cancelled with a
  reason, never deleted; a step cancelled that way reopens when it returns.
Every re-plan that changes something writes a PlanEvent (the history).
"""
import datetime

from flask import has_request_context
from flask_login import current_user

from ..db import database, is_postgres
from ..formats import de_date
from ..jobcenter import active_rulebook
from ..models import FollowUp, Note, Participation, PlanEvent
from ..rules.calendar import add_months
from ..rules.planner import ParticipationFacts, PlanError, plan
from ..validation import Checker
from ..vocabulary import GROUP_MEASURE_MIN, MEASURE_TYPES
from . import responsibility

AUTO_CANCEL = "entfällt nach Neuplanung"
MEASURE_PLAN_LOCK = 7301  # namespace of the advisory locks that serialize re-plans of one measure


def _acting_user(user):
    """``user``, else the logged-in user, else None (CLI, demo data)."""
    if user is not None:
        return user
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def facts_for(p):
    """The planner's facts for a participation (qualified contacts included)."""
    contacts = (Note.select(Note.date)
                .where(Note.customer == p.customer_id, Note.qualified == True,  # noqa: E712
                       Note.date >= p.entry)
                .order_by(Note.date))
    return ParticipationFacts(
        measure_type=p.measure.type_code, start=p.entry, end=p.planned_end, exit=p.exit,
        dropout=p.is_dropout, exam=p.exam_date, training_year_1_end=p.training_year_1_end,
        training_year_2_end=p.training_year_2_end, probation_end=p.probation_end,
        intermediate_exam=p.intermediate_exam, contacts=tuple(n.date for n in contacts))


def measure_facts(measure):
    return ParticipationFacts(measure_type=measure.type_code, start=measure.start, end=measure.end,
                              group_measure=True)


def is_group_measure(measure):
    return Participation.select().where(Participation.measure == measure).count() >= GROUP_MEASURE_MIN


def _values(step):
    return {"rule_id": step.rule_id, "title": step.title[:255], "role": step.role, "phase": step.phase,
            "mode": step.mode or "", "mandatory": step.mandatory, "form": step.form or "",
            "checklist": "\n".join(step.checklist), "rule_earliest": step.earliest, "rule_due": step.due}


def _reconcile(existing, steps, owner, reason, user, keep_until=None):
    """Bring the follow-ups in ``existing`` (dict step_id -> FollowUp) in line with ``steps``.

    Open follow-ups that left the plan are cancelled, except those due on or
    before ``keep_until`` (the exit day): what was due before an Abbruch stays due.
    """
    created, redated, cancelled, reopened = [], [], [], []
    planned = {s.step_id for s in steps}
    for step in steps:
        f = existing.get(step.step_id)
        values = _values(step)
        if f is None:
            FollowUp.create(step_id=step.step_id, earliest=step.earliest, due=step.due, **owner, **values)
            created.append(step.title)
            continue
        changed = {k: v for k, v in values.items() if getattr(f, k) != v}
        if f.status == "cancelled" and f.cancel_reason.startswith(AUTO_CANCEL):
            changed.update(status="open", cancel_reason="")
            reopened.append(step.title)
        if f.status != "done" and not f.edited_by_hand and (f.due, f.earliest) != (step.due, step.earliest):
            redated.append(f"{step.title}: {de_date(f.due)} → {de_date(step.due)}")
            changed.update(due=step.due, earliest=step.earliest)
        if changed:
            changed["version"] = f.version + 1
            FollowUp.update(changed).where(FollowUp.id == f.id).execute()
    for step_id, f in existing.items():
        if f.is_manual:  # set by hand or by a form: not the rulebook's to cancel
            continue
        if step_id not in planned and f.status == "open" and not (keep_until and f.due <= keep_until):
            FollowUp.update(status="cancelled", cancel_reason=f"{AUTO_CANCEL}: {reason}"[:255],
                            version=f.version + 1).where(FollowUp.id == f.id).execute()
            cancelled.append(f.title)
    parts = [f"{len(x)} {label}" for x, label in ((created, "neu"), (redated, "umterminiert"),
                                                   (cancelled, "entfallen"), (reopened, "wieder offen")) if x]
    if parts:
        detail = "\n".join([*(f"neu: {t}" for t in created), *(f"umterminiert: {t}" for t in redated),
                            *(f"entfallen: {t}" for t in cancelled), *(f"wieder offen: {t}" for t in reopened)])
        PlanEvent.create(reason=reason, summary=", ".join(parts), detail=detail, user=_acting_user(user), **owner)
    return {"created": created, "redated": redated, "cancelled": cancelled, "reopened": reopened}


def replan(p, reason, user=None, rulebook=None):
    """Re-plan one participation; returns the change summary (dict of lists)."""
    rulebook = rulebook or active_rulebook()
    result = plan(rulebook, facts_for(p))
    existing = {f.step_id: f for f in FollowUp.select().where(FollowUp.participation == p.id)}
    with database.atomic():
        changes = _reconcile(existing, result.steps, {"participation": p.id}, reason, user, keep_until=p.exit)
        responsibility.for_participations([p.id])  # new steps, new dates, another customer
        return changes


def replan_measure(measure, reason, user=None, rulebook=None):
    """Re-plan the MB's measure-level steps (only for group measures of 10 or more).

    Participations of one measure booked at the same moment re-plan the same
    steps: on PostgreSQL a transaction-scoped advisory lock per measure makes the
    second wait and see the first one's steps (a row lock on the measure would
    deadlock with the key-share locks the new participations' foreign keys hold;
    SQLite's BEGIN IMMEDIATE serializes writers anyway).
    """
    rulebook = rulebook or active_rulebook()
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (MEASURE_PLAN_LOCK, measure.id))
    steps = []
    if is_group_measure(measure):
        result = plan(rulebook, measure_facts(measure))
        group_rules = {s.id for s in rulebook.steps if s.group_only}
        steps = [s for s in result.steps if s.rule_id in group_rules]
    existing = {f.step_id: f for f in FollowUp.select().where(FollowUp.measure == measure.id)}
    with database.atomic():
        return _reconcile(existing, steps, {"measure": measure.id}, reason, user)


def replan_new(p, user=None):
    """Plan a freshly created participation and its measure's MB steps."""
    replan(p, "Teilnahme angelegt", user)
    replan_measure(p.measure, "Teilnahme angelegt", user)


def complete_by_contact(p, day, user):
    """Mark the contact follow-up that a qualified contact on ``day`` fulfils as done.

    That is the first open contact step whose window contains the day (on time),
    else the latest overdue one (a late contact). Returns the FollowUp or None.
    """
    open_contacts = list(FollowUp.select().where(
        FollowUp.participation == p.id, FollowUp.status == "open", FollowUp.form == "kontakt")
        .order_by(FollowUp.due))
    on_time = [f for f in open_contacts if f.due >= day and (f.earliest is None or f.earliest <= day)]
    late = [f for f in open_contacts if f.due < day]
    target = on_time[0] if on_time else (late[-1] if late else None)
    if target is not None:
        FollowUp.update(status="done", done_by=user, done_at=datetime.datetime.combine(day, datetime.time()),
                        version=target.version + 1).where(FollowUp.id == target.id).execute()
    return target


def reason_for_change(before, after):
    """A German reason for a participation change (for the history)."""
    if after.is_dropout and not before.is_dropout:
        return f"Abbruch erfasst (Austritt {de_date(after.exit)})"
    if after.exit and not before.exit:
        return f"Austritt erfasst ({de_date(after.exit)})"
    changes = [label for field, label in (("entry", "Eintritt"), ("planned_end", "geplantes Ende"),
                                          ("exit", "Austritt"), ("exit_kind", "Art des Austritts"),
                                          ("exam_date", "Prüfungstermin"),
                                          ("training_year_1_end", "Ende 1. Ausbildungsjahr"),
                                          ("training_year_2_end", "Ende 2. Ausbildungsjahr"),
                                          ("probation_end", "Ende Probezeit"),
                                          ("intermediate_exam", "Zwischenprüfung"), ("measure_id", "Maßnahme"))
               if getattr(before, field) != getattr(after, field)]
    return "Daten geändert: " + ", ".join(changes) if changes else "Daten gespeichert"


def move_by_hand(followup, participation, form, user, today=None):
    """Check the new date and the reason typed for ``followup`` and move it.

    The date may not lie in the past, before the entry or (unless moved by
    hand before) before the step's earliest day. Returns errors (empty on success).
    """
    today = today or datetime.date.today()
    c = Checker(form)
    due = c.date("due", "Neuer Termin")
    reason = c.text("reason", "einen Grund für die Änderung", max_len=200)
    if due and due < today:
        c.fail("due", f"Neuer Termin: darf nicht in der Vergangenheit liegen (frühestens {today:%d.%m.%Y}).")
    elif due and participation is not None and due < participation.entry:
        c.fail("due", f"Neuer Termin: liegt vor dem Eintritt ({participation.entry:%d.%m.%Y}).")
    elif due and followup.earliest and due < followup.earliest and not followup.edited_by_hand:
        c.fail("due", f"Neuer Termin: liegt vor dem frühestmöglichen Tag ({followup.earliest:%d.%m.%Y}).")
    if not c.ok:
        return c.errors
    set_by_hand(followup, due, user, reason=reason)
    return {}


def set_by_hand(followup, due, user, earliest=None, reason=""):
    """Move a follow-up's date by hand; it keeps that date on later re-plans."""
    with database.atomic():
        FollowUp.update(due=due, earliest=earliest if earliest else followup.earliest,
                        edited_by_hand=True, version=followup.version + 1).where(
            FollowUp.id == followup.id).execute()
        PlanEvent.create(participation=followup.participation_id, measure=followup.measure_id,
                         reason="Termin von Hand geändert", user=user, detail=reason,
                         summary=f"{followup.title}: {de_date(followup.due)} → {de_date(due)}"
                                 + (f" ({reason})" if reason else ""))


def add_manual_followup(p, title, due, user, role="pAp", phase="nach", form="", reason=""):
    """A follow-up set by hand or by a form (not from the rulebook); re-plans keep it.

    Returns the FollowUp; ``step_id`` is "manuell-<n>" (unique per participation).
    """
    with database.atomic():
        n = FollowUp.select().where(FollowUp.participation == p.id, FollowUp.rule_id == "").count() + 1
        while FollowUp.select().where(FollowUp.participation == p.id, FollowUp.step_id == f"manuell-{n}").exists():
            n += 1
        f = FollowUp.create(participation=p.id, step_id=f"manuell-{n}", rule_id="", title=title[:255], role=role,
                            phase=phase, form=form, due=due, rule_due=due, edited_by_hand=True)
        PlanEvent.create(participation=p.id, reason=reason or "Wiedervorlage gesetzt", user=user,
                         summary=f"{f.title}: fällig {de_date(due)}")
    return f


def reset_to_rule(followup, user):
    with database.atomic():
        FollowUp.update(due=followup.rule_due or followup.due, earliest=followup.rule_earliest,
                        edited_by_hand=False, version=followup.version + 1).where(
            FollowUp.id == followup.id).execute()
        PlanEvent.create(participation=followup.participation_id, measure=followup.measure_id,
                         reason="Regeltermin wiederhergestellt", user=user,
                         summary=f"{followup.title}: {de_date(followup.rule_due)}")


def mark_done(followup, user, done=True, outcome="", reason=""):
    """Close a follow-up (who, when, and what: ``outcome``) or open it again.

    ``reason`` names what closed it (e.g. the form) in the plan history.
    """
    outcome = (outcome or "").strip()
    with database.atomic():
        FollowUp.update(status="done" if done else "open", done_by=user if done else None,
                        done_at=datetime.datetime.now().replace(microsecond=0) if done else None,
                        outcome=outcome if done else "",
                        version=followup.version + 1).where(FollowUp.id == followup.id).execute()
        PlanEvent.create(participation=followup.participation_id, measure=followup.measure_id,
                         reason=reason or ("Wiedervorlage erledigt" if done else "Wiedervorlage wieder geöffnet"),
                         user=user, summary=followup.title, detail=outcome if done else "")


def close_followup(followup, form, user):
    """Close a follow-up without a form, with an optional outcome note; returns errors."""
    c = Checker(form)
    outcome = c.text("outcome", "das Ergebnis", required=False, max_len=2000)
    if not c.ok:
        return c.errors
    mark_done(followup, user, outcome=outcome)
    return {}


def simulate(rulebook, values):
    """The plan for facts typed into the Regelwerk simulator (no database).

    ``values``: measure (type code), start, end, exit (TT.MM.JJJJ), dropout and
    group ("on"). Returns ``(plan or None, errors per field)``.
    """
    c = Checker(values)
    code = c.choice("measure", "eine Maßnahmeart", MEASURE_TYPES)
    if "measure" in c.errors:
        c.errors["measure"] = "Bitte eine Maßnahmeart auswählen."
    start = c.date("start", "Eintritt")
    end = c.date("end", "Geplantes Ende")
    exit_ = c.date("exit", "Austritt", required=False)
    c.order("start", "end", "Das geplante Ende darf nicht vor dem Eintritt liegen.")
    c.order("start", "exit", "Der Austritt darf nicht vor dem Eintritt liegen.")
    if not c.ok:
        return None, c.errors
    facts = ParticipationFacts(measure_type=code, start=start, end=end, exit=exit_,
                               dropout=bool(exit_) and values.get("dropout") == "on",
                               group_measure=values.get("group") == "on")
    try:
        return plan(rulebook, facts), {}
    except PlanError as exc:
        return None, {"measure": str(exc)}


def phases_over(p, today=None):
    """The phases whose steps can no longer be done (RULES.md §3.1), as ``FollowUp.state_on`` decides."""
    today = today or datetime.date.today()
    end = p.exit or p.planned_end
    over = ("vor", "waehrend") if end < today else ()
    return over + (("ende", "nach") if add_months(end, 6) < today else ())


def current_plan(p):
    """The rulebook's plan for the participation as it stands, or (None, German error)."""
    try:
        return plan(active_rulebook(), facts_for(p)), None
    except PlanError as exc:
        return None, str(exc)
