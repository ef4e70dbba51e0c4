"""Read queries of the caseload, always narrowed to what the user may see
(``access``): customers, participations, the worklist and a participation's plan."""
import datetime

from flask import abort
from peewee import JOIN

from .. import access
from ..models import Agreement, Customer, FollowUp, Measure, Note, Participation, PlanEvent, Provider, User

PARTICIPATION_STATES = {"laufend": "laufend", "kuenftig": "künftig", "beendet": "beendet", "": "alle"}
WORKLIST_PERIODS = {"14": "fällig in 14 Tagen", "0": "überfällig und heute", "90": "fällig in 3 Monaten",
                    "alle": "alle offenen"}
WORKLIST_SCOPES = {"meine": "meine Kundinnen und Kunden", "team": "alle, die ich sehen darf"}


# ------------------------------------------------------------------ customers

def visible_customers(user):
    return Customer.select().where(access.customer_filter(user))


def get_visible_customer(customer_id, user):
    """The customer, or abort 404 (unknown) / 403 (not visible to ``user``)."""
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        abort(404)
    access.require(access.can_view_customer(user, customer))
    return customer


def search_customers(user, q):
    query = visible_customers(user)
    if q:
        like = f"%{q}%"
        query = query.where((Customer.customer_number ** like) | (Customer.last_name ** like)
                            | (Customer.first_name ** like))
    return query


def with_pap(query):
    """Customers with their pAp (one query), in alphabetical order."""
    return (query.select(Customer, User).join(User, on=(Customer.pap == User.id), join_type=JOIN.LEFT_OUTER)
            .order_by(Customer.last_name, Customer.first_name, Customer.id))


def customer_participations(customer):
    return (Participation.select(Participation, Measure).join(Measure)
            .where(Participation.customer == customer).order_by(Participation.entry.desc()))


def recent_notes(customer, limit=20):
    return Note.select().where(Note.customer == customer).order_by(Note.date.desc()).limit(limit)


def team_paps(team_id):
    return (User.select().where(User.team == team_id, User.roles.contains("pAp"), User.active == True)  # noqa: E712
            .order_by(User.name))


# ------------------------------------------------------------------ participations

def visible_participations(user):
    return (Participation.select(Participation, Customer, Measure).join(Customer)
            .switch(Participation).join(Measure)
            .where(access.participation_filter(user)))


def get_visible_participation(participation_id, user):
    """The participation with customer, measure and provider, or abort 404 / 403."""
    p = (Participation.select(Participation, Customer, Measure, Provider).join(Customer)
         .switch(Participation).join(Measure).join(Provider)
         .where(Participation.id == participation_id).first())
    if p is None:
        abort(404)
    access.require(access.can_view_participation(user, p))
    return p


def search_participations(user, q, state, today=None):
    """Visible participations matching the search ``q`` and the state (laufend, kuenftig, beendet, '')."""
    today = today or datetime.date.today()
    query = visible_participations(user)
    if q:
        like = f"%{q}%"
        query = query.where((Customer.customer_number ** like) | (Customer.last_name ** like)
                            | (Measure.measure_number ** like) | (Measure.title ** like))
    if state == "laufend":
        query = query.where(Participation.entry <= today, Participation.exit.is_null())
    elif state == "kuenftig":
        query = query.where(Participation.entry > today)
    elif state == "beendet":
        query = query.where(Participation.exit.is_null(False))
    return query


def measure_options(current=None, today=None):
    """[(id, label)] of the measures a participation can be booked into (not ended a year ago)."""
    since = (today or datetime.date.today()) - datetime.timedelta(days=365)
    query = Measure.select().where(Measure.end >= since).order_by(Measure.start.desc())
    options = [(m.id, f"{m.measure_number} · {m.type_code} · {m.title} "
                      f"({m.start:%d.%m.%Y} – {m.end:%d.%m.%Y})") for m in query]
    if current and current.id not in {o[0] for o in options}:
        options.insert(0, (current.id, f"{current.measure_number} · {current.type_code} · {current.title}"))
    return options


# ------------------------------------------------------------------ a participation's plan

def participation_followups(p):
    return list(FollowUp.select().where(FollowUp.participation == p.id)
                .order_by(FollowUp.status != "open", FollowUp.due, FollowUp.id))


def plan_history(p):
    return list(PlanEvent.select(PlanEvent, User).join(User, JOIN.LEFT_OUTER)
                .where(PlanEvent.participation == p.id).order_by(PlanEvent.at.desc(), PlanEvent.id.desc()))


def contacts_during(p):
    return list(Note.select().where(Note.customer == p.customer_id, Note.kind == "kontakt",
                                    Note.date >= p.entry).order_by(Note.date.desc()))


def agreements_of(p):
    return list(Agreement.select().where(Agreement.participation == p.id)
                .order_by(Agreement.concluded_on.desc(), Agreement.id.desc()))


def get_case_followup(followup_id, user):
    """A case follow-up and its participation, or abort 404 / 403 (also when ``user``
    may see the case but not complete or move this step)."""
    f = FollowUp.get_or_none(FollowUp.id == followup_id)
    if f is None or f.participation_id is None:
        abort(404)
    p = get_visible_participation(f.participation_id, user)
    access.require(access.can_complete_followup(user, f, p))
    return f, p


# ------------------------------------------------------------------ worklist

def case_followups(user, period="14", scope="meine", role="", today=None):
    """Open case follow-ups visible to ``user``, due within ``period`` days (or all)."""
    today = today or datetime.date.today()
    query = (FollowUp.select(FollowUp, Participation, Customer, Measure)
             .join(Participation).join(Customer).switch(Participation).join(Measure)
             .where(FollowUp.status == "open", access.participation_filter(user)))
    if period != "alle":
        query = query.where(FollowUp.due <= today + datetime.timedelta(days=int(period)))
    if scope == "meine" and user.has_role("pAp"):
        query = query.where((Customer.pap == user.id) | (FollowUp.role != "pAp"))
    if role:
        query = query.where(FollowUp.role == role)
    return query.order_by(FollowUp.due, FollowUp.id)


def measure_followups(user, period="14", today=None):
    """Open measure-level tasks (group measures) of the measures ``user`` supervises as MB."""
    today = today or datetime.date.today()
    query = (FollowUp.select(FollowUp, Measure).join(Measure, on=(FollowUp.measure == Measure.id))
             .where(FollowUp.status == "open", Measure.mb == user.id))
    if period != "alle":
        query = query.where(FollowUp.due <= today + datetime.timedelta(days=int(period)))
    return query.order_by(FollowUp.due, FollowUp.id)
