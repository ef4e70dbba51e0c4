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


def _snapshot_answers(snapshot_ids):
    """{snapshot id: answers} of the forms the Sprechstunden came from (place and topics are
    kept there), in one query."""
    if not snapshot_ids:
        return {}
    rows = FormSnapshot.select(FormSnapshot.id, FormSnapshot.answers).where(FormSnapshot.id.in_(snapshot_ids))
    return {row.id: json.loads(row.answers).get("answers", {}) for row in rows}


def _findings(hour_ids):
    """{office hour id: [finding dict]} with the customer's name and the pAp's due date, in one query."""
    pap_step = FollowUp.alias()
    rows = (OfficeHourFinding.select(OfficeHourFinding.office_hour, OfficeHourFinding.participation,
                                     OfficeHourFinding.text, Customer.first_name, Customer.last_name,
                                     Customer.customer_number, pap_step.due.alias("pap_due"))
            .join(Participation).join(Customer)
            .switch(OfficeHourFinding).join(pap_step, JOIN.LEFT_OUTER, on=(OfficeHourFinding.followup == pap_step.id))
            .where(OfficeHourFinding.office_hour.in_(hour_ids))
            .order_by(OfficeHourFinding.id).objects())
    result = {}
    for row in rows:
        result.setdefault(row.office_hour_id, []).append({
            "participation_id": row.participation_id, "name": f"{row.last_name}, {row.first_name}",
            "customer_number": row.customer_number, "text": row.text, "pap_due": row.pap_due})
    return result


def held(measure, with_participants):
    """The measure's held Sprechstunden, newest first, as plain dicts. Participant findings
    (with the customer's name) and the talk about single participants only when
    ``with_participants`` (the measure's MB); TL and BL see date, place, attendance and
    the general findings. A fixed number of queries however many Sprechstunden: the hours,
    their snapshots (the place is kept there) and – for the MB – all their findings."""
    hours = list(OfficeHour.select().where(OfficeHour.measure == measure.id)
                 .order_by(OfficeHour.held_on.desc(), OfficeHour.id.desc()))
    if not hours:
        return []
    answers_of = _snapshot_answers([hour.snapshot_id for hour in hours if hour.snapshot_id])
    findings = _findings([hour.id for hour in hours]) if with_participants else {}
    result = []
    for hour in hours:
        answers = answers_of.get(hour.snapshot_id, {})
        item = {"id": hour.id, "held_on": hour.held_on, "attendance": hour.attendance, "findings": hour.findings,
                "place": answers.get("place") or "", "snapshot_id": hour.snapshot_id,
                "participants": findings.get(hour.id, [])}
        if with_participants:
            item.update(goals=answers.get("goals") or "", particulars=answers.get("particulars") or "")
        result.append(item)
    return result
