"""Reads of the Sprechstunden page: the planned Sprechstunden of a measure (its MB
follow-ups answered by the form "sprechstunde") and the held ones with their findings."""
import datetime
import json

from peewee import JOIN

from ..guided_forms.models import FormSnapshot
from ..models import Customer, FollowUp, Participation, User
from ..vocabulary import FOLLOWUP_STATES
from .models import OfficeHour, OfficeHourFinding

FORM_ID = "sprechstunde"


def planned(measure, today=None):
    """[(follow-up, state code, state label)] of the measure's planned Sprechstunden, by due date."""
    today = today or datetime.date.today()
    rows = (FollowUp.select(FollowUp, User).join(User, JOIN.LEFT_OUTER, on=(FollowUp.done_by == User.id))
            .where(FollowUp.measure == measure.id, FollowUp.form == FORM_ID).order_by(FollowUp.due, FollowUp.id))
    return [(f, f.state_on(today, measure=measure), FOLLOWUP_STATES[f.state_on(today, measure=measure)])
            for f in rows]


def _snapshot_answers(hour):
    """The answers of the form the Sprechstunde came from (place and topics are kept there)."""
    snapshot = FormSnapshot.get_or_none(FormSnapshot.id == hour.snapshot_id) if hour.snapshot_id else None
    return json.loads(snapshot.answers).get("answers", {}) if snapshot else {}


def held(measure, with_participants):
    """The measure's held Sprechstunden, newest first, as plain dicts. Participant findings
    (with the customer's name) and the talk about single participants only when
    ``with_participants`` (the measure's MB); TL and BL see date, place, attendance and
    the general findings."""
    result = []
    for hour in OfficeHour.select().where(OfficeHour.measure == measure.id).order_by(OfficeHour.held_on.desc(),
                                                                                        OfficeHour.id.desc()):
        answers = _snapshot_answers(hour)
        item = {"id": hour.id, "held_on": hour.held_on, "attendance": hour.attendance, "findings": hour.findings,
                "place": answers.get("place") or "", "snapshot_id": hour.snapshot_id, "participants": []}
        if with_participants:
            item.update(goals=answers.get("goals") or "", particulars=answers.get("particulars") or "")
            findings = (OfficeHourFinding.select(OfficeHourFinding, Participation, Customer)
                        .join(Participation).join(Customer)
                        .where(OfficeHourFinding.office_hour == hour.id).order_by(OfficeHourFinding.id))
            for finding in findings:
                followup = FollowUp.get_or_none(FollowUp.id == finding.followup_id) if finding.followup_id else None
                item["participants"].append({
                    "participation_id": finding.participation_id, "name": finding.participation.customer.full_name,
                    "customer_number": finding.participation.customer.customer_number, "text": finding.text,
                    "pap_due": followup.due if followup else None})
        result.append(item)
    return result
