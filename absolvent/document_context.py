"""Plain-dict contexts for the documents, built from the database.

Only strings, lists and dicts leave this module (dates as TT.MM.JJJJ): the
renderer never sees model objects. See each forms/<name>/sample.json "_doc".
"""
import datetime

from peewee import JOIN

from .document_models import AGREEMENT_KINDS
from .domain import MEASURE_TYPES, ROLES
from .formats import de_date, month_label
from .models import Customer, FollowUp, JobcenterSettings, Measure, Note, Participation, User

SUPERVISION_TYPES = ("FBW", "FBW-ABS", "MAT", "AGH", "BAE")


def _address_lines(street, postal_code, city):
    place = " ".join(part for part in (postal_code, city) if part)
    return [line for line in (street, place) if line]


def jobcenter():
    s = JobcenterSettings.current()
    if s is None:
        return {"name": "", "address_lines": [], "letterhead": "", "phone": "", "email": ""}
    return {"name": s.name, "address_lines": _address_lines(s.street, s.postal_code, s.city),
            "letterhead": s.letterhead or s.name, "phone": s.phone, "email": s.email}


def person(user):
    roles = [ROLES[r] for r in ("pAp", "boV", "MB", "TL", "BL") if user.has_role(r)]
    return {"name": user.name, "phone": user.phone, "email": user.email,
            "role": roles[0] if roles else ""}


def customer(c):
    return {"customer_number": c.customer_number, "salutation": c.salutation if c.salutation != "divers" else "",
            "first_name": c.first_name, "last_name": c.last_name, "birth_date": de_date(c.birth_date),
            "address_lines": _address_lines(c.street, c.postal_code, c.city)}


def measure(m):
    return {"measure_number": m.measure_number, "type_code": m.type_code,
            "type_label": MEASURE_TYPES.get(m.type_code, ("", ""))[0], "title": m.title,
            "provider_name": m.provider.name, "start": de_date(m.start), "end": de_date(m.end)}


def agreement(a):
    return {
        "concluded_on": de_date(a.concluded_on), "valid_until": de_date(a.valid_until),
        "review_date": de_date(a.review_date),
        "agreement_kind": AGREEMENT_KINDS.get(a.agreement_kind, ""),
        "goal": a.goal, "steps": a.steps, "customer_duties": a.customer_duties,
        "own_efforts": {"number": "" if a.own_efforts_number is None else str(a.own_efforts_number),
                        "period": a.own_efforts_period, "proof": a.own_efforts_proof},
        "jobcenter_support": a.jobcenter_support,
        "contacts_during_measure": a.contacts_during_measure,
    }


def agreement_document(participation, agreement_obj, term, author, issued_on=None):
    """Context of 'eingliederungsvereinbarung' for one agreement; ``term`` is the rulebook's word."""
    issued_on = issued_on or datetime.date.today()
    p = participation
    return {
        "jobcenter": jobcenter(),
        "term": term,
        "kind": agreement_obj.kind,
        "customer": customer(p.customer),
        "measure": measure(p.measure),
        "participation": {"entry": de_date(p.entry), "planned_end": de_date(p.planned_end)},
        "agreement": agreement(agreement_obj),
        "author": person(author),
        "issued_on": de_date(issued_on),
        "reference": f"{p.customer.customer_number}-TN{p.id}-V{agreement_obj.id}",
    }


def supervision_rows(team, month_start, types=SUPERVISION_TYPES):
    """Participations of ``team``'s customers whose planned end is in the month (RULES.md §7)."""
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    query = (Participation.select(Participation, Customer, Measure, User)
             .join(Customer).join(User, on=(Customer.pap == User.id), join_type=JOIN.LEFT_OUTER)
             .switch(Participation).join(Measure)
             .where(Customer.team == team.id, Measure.type_code.in_(list(types)),
                    Participation.planned_end >= month_start, Participation.planned_end < next_month,
                    Participation.exit.is_null() | (Participation.exit >= month_start))
             .order_by(Participation.planned_end, Customer.last_name, Participation.id))
    return list(query)


def am_started_map(participation_ids, today=None):
    """'AM eingeleitet' per participation id, in three queries for the whole list:
    'ja' when an end-phase follow-up is done or an AM note exists; 'nein' when an
    end-phase follow-up is overdue; else '' (the TL checks by hand)."""
    ids = list(participation_ids)
    if not ids:
        return {}
    noted = {n.participation_id for n in Note.select(Note.participation).where(
        Note.participation.in_(ids),
        (Note.kind == "absolventenmanagement") | (Note.subject == "Absolventenmanagement"))}
    end_steps = FollowUp.select(FollowUp.participation).where(FollowUp.participation.in_(ids),
                                                               FollowUp.phase == "ende")
    done = {f.participation_id for f in end_steps.where(FollowUp.status == "done")}
    overdue = {f.participation_id for f in end_steps.where(
        FollowUp.status == "open", FollowUp.due < (today or datetime.date.today()))}
    return {pid: "ja" if pid in noted or pid in done else "nein" if pid in overdue else "" for pid in ids}


def _am_started(participation, today=None):
    return am_started_map([participation.id], today)[participation.id]


def supervision_list(team, month_start, rows, team_lead=None, generated_on=None, focus=""):
    """Context of 'fachaufsicht-liste' for ``rows`` from ``supervision_rows``."""
    started = am_started_map(p.id for p in rows)
    return {
        "jobcenter": jobcenter(),
        "team": {"name": team.name},
        "month_label": month_label(month_start),
        "generated_on": de_date(generated_on or datetime.date.today()),
        "focus": focus,
        "rows": [{
            "customer_number": p.customer.customer_number,
            "customer_name": p.customer.full_name,
            "pap_name": p.customer.pap.name if p.customer.pap_id else "",
            "measure_type": p.measure.type_code,
            "measure_number": p.measure.measure_number,
            "measure_title": p.measure.title,
            "exit_planned": de_date(p.planned_end),
            "am_started": started[p.id],
            "sampled": False,
        } for p in rows],
        "team_lead": {"name": team_lead.name if team_lead else ""},
    }
