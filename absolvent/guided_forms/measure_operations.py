"""Write operations of the measure forms (the MB's Sprechstunde, the anonymous survey):
start a run for a measure, submit it. Saving a step, review and the checks before a
submit are the case path's (``operations.save_step``, ``operations.checked``).

Submit is one transaction like a case form's: the snapshot of the measure (never a
customer or participation), then the form's effect:
- ``office_hour``: the OfficeHour, per participant finding a Vermerk for that customer
  and (when the pAp is to be told) a Wiedervorlage for the pAp; the MB's step is closed.
- ``survey``: nothing else – no note, and the round's follow-up stays open (many
  answers belong to one round; the survey results close it).
"""
import datetime

from .. import audit
from ..caseload import planning
from ..db import database
from ..formats import de_date
from ..jobcenter import active_rulebook
from ..measures.models import OfficeHour, OfficeHourFinding
from ..models import FollowUp, Note, Participation
from . import engine
from .models import FormRun, FormSnapshot
from .operations import SubmitRefused, _json, checked, claim, create_snapshot, finish, pin
from .queries import measure_facts

OFFICE_HOUR_SUBJECT = "Sprechstunde beim Träger"
PAP_NOTICE_WORKING_DAYS = 5  # the pAp's Wiedervorlage: 5 working days after the Sprechstunde
CLOSE_UNOPENED_WITHIN_DAYS = 31  # a Sprechstunde recorded without its step closes a planned one this near


def start_run(defn, measure, user, followup=None):
    """Resume the user's draft of this measure form (for the same step), or start one.

    The anonymous survey always starts a new run: filled in "direkt am Gerät", a resumed
    draft would show the next participant the previous one's unsent answers (an older
    draft stays under "Meine Entwürfe")."""
    survey = "survey" in defn.effects
    with database.atomic():
        existing = None if survey else (
            FormRun.select().where(FormRun.user == user.id, FormRun.measure == measure.id,
                                   FormRun.participation.is_null(), FormRun.form_id == defn.id,
                                   FormRun.status == "draft", FormRun.followup == (followup.id if followup else None))
            .order_by(FormRun.updated_at.desc()).first())
        if existing is not None:
            return existing
        facts = measure_facts(measure, followup, user, with_roster=not survey)
        answers, prefilled = engine.initial_answers(engine.bind_options(defn, facts), facts)
        first = engine.visible_steps(defn, answers, facts)[0]
        run = FormRun.create(definition=pin(defn), form_id=defn.id, customer=None, participation=None,
                             measure=measure.id, followup=followup, user=user, current_step=first.id,
                             answers=_json(answers), prefilled=_json(sorted(prefilled)))
        audit.log("create", "form-run", run.id, f"{defn.id} Maßnahme {measure.id}")
    return run


def _target_followup(run, defn, measure, held_on):
    """The MB's step the submit closes: the one that opened the form, else – a Sprechstunde
    recorded without a step ("Weitere Sprechstunde erfassen") – the open step of the measure
    whose rulebook step the form ``completes`` and whose due date is nearest to ``held_on``,
    at most CLOSE_UNOPENED_WITHIN_DAYS away; a step due months later stays open."""
    if run.followup_id:
        f = FollowUp.get_or_none(FollowUp.id == run.followup_id)
        return f if f is not None and f.status == "open" and f.measure_id == measure.id else None
    if not defn.completes:
        return None
    window = datetime.timedelta(days=CLOSE_UNOPENED_WITHIN_DAYS)
    near = (FollowUp.select().where(FollowUp.measure == measure.id, FollowUp.status == "open",
                                    FollowUp.rule_id.in_(list(defn.completes)),
                                    FollowUp.due.between(held_on - window, held_on + window))
            .order_by(FollowUp.due, FollowUp.id))
    return min(near, key=lambda f: abs((f.due - held_on).days), default=None)


def _participations(measure, rows):
    """The participation of each finding, re-checked: it must belong to ``measure``
    (a tampered or moved id is a field error, never a crash)."""
    found, problems = [], {}
    for index, row in enumerate(rows):
        value = str(row.get("participant") or "")
        p = (Participation.get_or_none(Participation.id == int(value), Participation.measure == measure.id)
             if value.isascii() and value.isdigit() and len(value) < 19 else None)
        if p is None:
            problems[f"participant_findings-{index}-participant"] = \
                "Diese Person nimmt nicht an dieser Maßnahme teil – bitte neu auswählen."
        found.append(p)
    if problems:
        raise SubmitRefused({"teilnehmende": problems})
    return found


def _office_hour(run, defn, measure, answers, user, followup, snapshot):
    """The Sprechstunde and what follows from each finding about a participant."""
    held_on = datetime.date.fromisoformat(answers["held_on"])
    rows = answers.get("participant_findings") or []
    participations = _participations(measure, rows)
    hour = OfficeHour.create(measure=measure.id, followup=followup, held_on=held_on,
                             attendance=answers["attendance"], findings=answers.get("findings") or "",
                             snapshot_id=snapshot.id, created_by=user)
    audit.log("create", "office-hour", hour.id, f"Maßnahme {measure.id}, {de_date(held_on)}")
    due = max(active_rulebook().calendar.add_working_days(held_on, PAP_NOTICE_WORKING_DAYS), datetime.date.today())
    notes, followups = [], []
    for row, p in zip(rows, participations, strict=True):
        text = row["finding"]
        note = Note.create(customer=p.customer_id, participation=p.id, subject=OFFICE_HOUR_SUBJECT,
                           text=(f"{OFFICE_HOUR_SUBJECT} am {de_date(held_on)} ({measure.type_code} "
                                 f"{measure.measure_number}, {measure.provider.name}):\n{text}"),
                           author=user, date=held_on, kind="vermerk")
        audit.log("create", "note", note.id, f"{OFFICE_HOUR_SUBJECT}, Teilnahme {p.id}")
        notes.append(note.id)
        pap_followup = None
        if row.get("inform_pap"):
            pap_followup = planning.add_manual_followup(
                p, f"Information aus der Sprechstunde: {text}", due, user, role="pAp", phase="waehrend",
                reason=OFFICE_HOUR_SUBJECT)
            audit.log("create", "followup", pap_followup.id, f"{OFFICE_HOUR_SUBJECT}, Teilnahme {p.id}")
            followups.append(pap_followup.id)
        OfficeHourFinding.create(office_hour=hour.id, participation=p.id, text=text, note=note.id,
                                 followup=pap_followup.id if pap_followup else None)
    return {"office_hour": hour.id, "notes": notes, "followups": followups}


def submit(run, measure, user):
    """Submit a draft of a measure form in one transaction; returns the FormSnapshot.

    Raises SubmitRefused (answers incomplete, or a participant not in this measure) or
    AlreadySubmitted (a submit of the same run came first); nothing is written then.
    """
    defn, facts, effective, canonical = checked(run, measure, user)
    survey = "survey" in defn.effects
    with database.atomic():
        claim(run)
        if survey:  # the round's follow-up stays open: it only names the round the answer belongs to
            opened = FollowUp.get_or_none(FollowUp.id == run.followup_id) if run.followup_id else None
            followup = opened if opened is not None and opened.measure_id == measure.id else None
        else:
            held_on = datetime.date.fromisoformat(effective["held_on"]) if effective.get("held_on") \
                else datetime.date.today()
            followup = _target_followup(run, defn, measure, held_on)
        snapshot = create_snapshot(run, defn, canonical, user, customer=None, participation=None,
                                   measure=measure.id, followup=followup)
        derived = {"survey": True} if survey else {}
        if "office_hour" in defn.effects:
            derived.update(_office_hour(run, defn, measure, effective, user, followup, snapshot))
        if followup is not None and not survey:
            planning.mark_done(FollowUp.get_by_id(followup.id), user, outcome=f"{defn.title} abgeschickt",
                               reason=f"Wiedervorlage durch Formular erledigt: {defn.title}")
        finish(run, snapshot, derived)
    return FormSnapshot.get_by_id(snapshot.id)
