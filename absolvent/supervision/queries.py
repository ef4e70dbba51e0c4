"""Reads of the Fachaufsicht: the list's rows (RULES.md §7), the "AM eingeleitet"
column, the stored reviews with their cases, addenda and spot checks."""
import datetime

from flask import abort
from peewee import JOIN, Case, fn

from ..db import raw_date, raw_rows
from ..documents.models import IssuedDocument
from ..formats import first_of_next_month
from ..models import Customer, FollowUp, Measure, Note, Participation, Team, User
from .models import SpotCheck, SupervisionAddendum, SupervisionCase, SupervisionReview

SUPERVISION_TYPES = ("FBW", "FBW-ABS", "MAT", "AGH", "BAE")
SUPERVISION_DOCUMENT = "fachaufsicht-liste"
Signer = User.alias("signer")


def _month_filter(query, team, month_start, types):
    """``query`` (of Participation, joined to Measure) limited to the team's month (RULES.md §7)."""
    return query.where(Participation.team == team.id, Measure.type_code.in_(list(types)),
                       Participation.planned_end >= month_start,
                       Participation.planned_end < first_of_next_month(month_start),
                       Participation.exit.is_null() | (Participation.exit >= month_start))


def supervision_query(team, month_start, types=SUPERVISION_TYPES, whole=True):
    """Participations of ``team``'s customers whose planned end is in the month (RULES.md §7), with
    what the list and its print show of customer, pAp and measure, in list order (a month of a
    large team is hundreds of rows: whole rows of four tables took most of the page's time).
    ``whole=False``: of the participation only what the page, its Excel file and the print show
    (id, planned end, exit); the sample's suggestions need the whole row."""
    shown = [Participation] if whole else [Participation.id, Participation.customer, Participation.measure,
                                           Participation.planned_end, Participation.exit]
    query = (Participation.select(*shown, Customer.id, Customer.customer_number, Customer.first_name,
                                  Customer.last_name, Customer.team, Customer.pap, User.id, User.name, Measure.id,
                                  Measure.type_code, Measure.measure_number, Measure.title, Measure.end)
             .join(Customer).join(User, on=(Customer.pap == User.id), join_type=JOIN.LEFT_OUTER)
             .switch(Participation).join(Measure))
    return _month_filter(query, team, month_start, types).order_by(
        Participation.planned_end, Customer.last_name, Participation.id)


def supervision_rows(team, month_start, types=SUPERVISION_TYPES, whole=True):
    """The month's list (``supervision_query``) as a list."""
    return list(supervision_query(team, month_start, types, whole))


def month_ids(team, month_start, types=SUPERVISION_TYPES):
    """The ids of the month's list, as a query (to count it, or as a subquery): no customer join."""
    return _month_filter(Participation.select(Participation.id).join(Measure), team, month_start, types)


def month_changes(review):
    """(new, gone): how many cases of the team's month are not among ``review``'s stored cases, and
    how many stored cases are no longer on it, counted by the database (not read)."""
    stored = SupervisionCase.select(SupervisionCase.participation).where(SupervisionCase.review == review.id)
    current = month_ids(review.team, review.month)
    new = current.where(Participation.id.not_in(stored)).count()
    gone = (SupervisionCase.select().where(SupervisionCase.review == review.id,
                                           SupervisionCase.participation.not_in(current)).count())
    return new, gone


def am_started_map(participation_ids, today=None):
    """'AM eingeleitet' per participation id, in two queries for the whole list:
    'ja' when an end-phase follow-up is done or an AM note exists; 'nein' when an
    end-phase follow-up is overdue; else '' (the TL checks by hand)."""
    ids = list(participation_ids)
    if not ids:
        return {}
    noted = {n.participation_id for n in Note.select(Note.participation).where(
        Note.participation.in_(ids),
        (Note.kind == "absolventenmanagement") | (Note.subject == "Absolventenmanagement"))}
    today, done, overdue = today or datetime.date.today(), set(), set()
    # the driver's rows: peewee's conversion of the dates took 3/4 of this read for a month's list
    for pid, status, due in raw_rows(FollowUp.select(FollowUp.participation, FollowUp.status, FollowUp.due)
                                     .where(FollowUp.participation.in_(ids), FollowUp.phase == "ende")):
        if status == "done":
            done.add(pid)
        elif status == "open" and raw_date(due) < today:
            overdue.add(pid)
    return {pid: "ja" if pid in noted or pid in done else "nein" if pid in overdue else "" for pid in ids}


def am_started(participation, today=None):
    """'AM eingeleitet' of one participation ('ja', 'nein' or '')."""
    return am_started_map([participation.id], today)[participation.id]


def team_lead(team):
    """The team's TL (the first by id), or None."""
    return (User.select().where(User.team == team.id, User.roles.contains("TL"), User.active == True)  # noqa: E712
            .order_by(User.id).first())


def teams():
    return list(Team.select().order_by(Team.name))


def pap_choices(team, month_start):
    """[(user id, name)] for the focus: the pAps of the team and of the month's customers."""
    listed = _month_filter(Participation.select(Customer.pap).join(Customer).switch(Participation).join(Measure),
                           team, month_start, SUPERVISION_TYPES)
    query = User.select(User.id, User.name).where(
        (User.team == team.id) & User.roles.contains("pAp") | User.id.in_(listed))
    return [(u.id, u.name) for u in query.order_by(User.name, User.id)]


# ------------------------------------------------------------------ stored reviews

def review_for(team, month_start):
    """The team's review of the month, or None."""
    return SupervisionReview.get_or_none(SupervisionReview.team == team.id, SupervisionReview.month == month_start)


def get_review(review_id):
    """The review with its team, or abort 404."""
    review = (SupervisionReview.select(SupervisionReview, Team).join(Team)
              .where(SupervisionReview.id == review_id).first())
    return review or abort(404)


def review_cases(review, sampled=None):
    """The stored cases of ``review`` with participation, customer, pAp and measure, in list order,
    as a query (``sampled``: only the sample's cases)."""
    query = (SupervisionCase.select(SupervisionCase, Participation, Customer, User, Measure)
             .join(Participation).join(Customer)
             .join(User, on=(Customer.pap == User.id), join_type=JOIN.LEFT_OUTER)
             .switch(Participation).join(Measure)
             .where(SupervisionCase.review == review.id)
             .order_by(Participation.planned_end, Customer.last_name, Participation.id))
    return query if sampled is None else query.where(SupervisionCase.sampled == sampled)


def case_ids(review, sampled=None):
    """The ids of ``review``'s stored cases (``sampled``: of the sample), as a query to count: no joins."""
    query = SupervisionCase.select(SupervisionCase.id).where(SupervisionCase.review == review.id)
    return query if sampled is None else query.where(SupervisionCase.sampled == sampled)


def get_case(case_id):
    """One stored case with its review, team, participation, customer, pAp and measure, or abort 404."""
    case = (SupervisionCase.select(SupervisionCase, SupervisionReview, Team, Participation, Customer, User, Measure)
            .join(SupervisionReview).join(Team)
            .switch(SupervisionCase).join(Participation).join(Customer)
            .join(User, on=(Customer.pap == User.id), join_type=JOIN.LEFT_OUTER)
            .switch(Participation).join(Measure)
            .where(SupervisionCase.id == case_id).first())
    return case or abort(404)


def user_names(ids):
    """{user id: name} for ``ids``."""
    ids = [i for i in set(ids) if i]
    return {u.id: u.name for u in User.select(User.id, User.name).where(User.id.in_(ids or [0]))}


def addenda(review):
    return list(SupervisionAddendum.select(SupervisionAddendum, User).join(User)
                .where(SupervisionAddendum.review == review.id).order_by(SupervisionAddendum.id))


def spot_checks(review):
    return list(SpotCheck.select(SpotCheck, User).join(User)
                .where(SpotCheck.review == review.id).order_by(SpotCheck.id))


def signed_reviews(limit=200):
    """Signed reviews of all teams, newest month first, with signer and the number of spot checks
    (``checks``) and failed ones (``objections``): the BL's overview."""
    return list(SupervisionReview.select(
        SupervisionReview, Team, Signer,
        fn.COUNT(SpotCheck.id).alias("checks"),
        fn.SUM(Case(None, [(SpotCheck.ok == False, 1)], 0)).alias("objections"))  # noqa: E712
        .join(Team).switch(SupervisionReview)
        .join(Signer, JOIN.LEFT_OUTER, on=(SupervisionReview.signed_by == Signer.id))
        .switch(SupervisionReview).join(SpotCheck, JOIN.LEFT_OUTER)
        .where(SupervisionReview.signed_at.is_null(False))
        .group_by(SupervisionReview.id, Team.id, Signer.id)
        .order_by(SupervisionReview.month.desc(), Team.name).limit(limit))


def issued_lists(team):
    """The archived Fachaufsicht lists of ``team``, newest first (no bytes)."""
    fields = [f for f in IssuedDocument._meta.sorted_fields if f.name != "content"]
    return list(IssuedDocument.select(*fields, User.name).join(User)
                .where(IssuedDocument.document == SUPERVISION_DOCUMENT, IssuedDocument.team == team.id)
                .order_by(IssuedDocument.id.desc()).limit(24)) if team else []
