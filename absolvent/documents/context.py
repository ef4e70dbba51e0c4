"""Plain-dict contexts for the documents, built from the database.

Only strings, lists and dicts leave this module (dates as TT.MM.JJJJ): the
renderer never sees model objects. See each forms/<name>/sample.json "_doc".
"""
import datetime

from ..formats import de_date
from ..models import JobcenterSettings
from ..vocabulary import AGREEMENT_KINDS, MEASURE_TYPES, ROLES


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


def provider(p):
    """The Träger as addressee of a letter: name, contact person, address lines, e-mail, phone."""
    return {"name": p.name, "contact_person": p.contact_person,
            "address_lines": _address_lines(p.street, p.postal_code, p.city), "email": p.email, "phone": p.phone}


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
