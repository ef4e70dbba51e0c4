"""Reads of the MB's workspace, narrowed by ``access``: the measure as the MB's, its
occupancy, duties and participants."""
import datetime
from dataclasses import dataclass

from flask import abort
from peewee import JOIN, Case, fn

from .. import access
from ..models import Customer, FollowUp, Measure, Participation, Provider, User
from ..rules.calendar import add_months
from .models import OccupancyReport


def get_measure(measure_id):
    """The measure with its Träger, or abort 404."""
    measure = (Measure.select(Measure, Provider).join(Provider)
               .where(Measure.id == measure_id).first())
    if measure is None:
        abort(404)
    return measure


def get_own_measure(measure_id, user):
    """The measure when ``user`` is its MB (the one who does its MB work), else abort 404 / 403."""
    measure = get_measure(measure_id)
    access.require(access.is_mb_of_measure(user, measure))
    return measure


def get_supervised_measure(measure_id, user):
    """The measure when ``user`` may read its MB work (its MB, TL, BL), else abort 404 / 403."""
    measure = get_measure(measure_id)
    access.require(access.can_view_measure_work(user, measure))
    return measure


# ------------------------------------------------------------------ occupancy (Belegung)

OCCUPANCY_WARN_SHARE = 80  # percent: below this the MB should report to TL/BL (seed 000 1.3.3, 2.2.2)
OCCUPANCY_WARN_DAYS = 28  # … when the measure runs or starts within four weeks


@dataclass(frozen=True)
class Occupancy:
    """The places of a measure on ``today``: ``occupied`` counts who is in the measure or
    booked for it (after the end: who took part); who left early frees the place;
    ``vacancies`` the places still free."""

    capacity: int
    active: int  # entered, not (yet) left
    booked: int  # entry after today
    left: int  # exit before today (Abbruch or early end)
    started: bool
    ended: bool
    starts_soon: bool

    @property
    def occupied(self):
        if self.ended:  # who took part
            return self.active + self.left
        return self.active + self.booked

    @property
    def vacancies(self):
        return max(self.capacity - self.occupied, 0)

    @property
    def share(self):
        """Percent of the places occupied (None without a capacity)."""
        return round(100 * self.occupied / self.capacity) if self.capacity else None

    @property
    def warning(self):
        """A German warning when places stay empty, or "" (RULES.md §5.7: report occupancy, avoid empty places)."""
        if self.ended or not self.capacity or not self.vacancies:
            return ""
        free = f"{self.vacancies} von {self.capacity} Plätzen frei ({self.share} % belegt)"
        if self.share < OCCUPANCY_WARN_SHARE and (self.started or self.starts_soon):
            return (f"{free}: Die Platzkapazität wird voraussichtlich nicht ausgeschöpft – "
                    "bitte Vermittlungskräfte informieren und an TL/BL melden.")
        return f"{free}."

    @property
    def critical(self):
        return bool(self.warning) and self.share < OCCUPANCY_WARN_SHARE and (self.started or self.starts_soon)


def occupancies(measures, today=None):
    """{measure id: Occupancy} for ``measures`` (a list), counted in one GROUP BY query."""
    today = today or datetime.date.today()
    ids = [m.id for m in measures]
    counts = {i: {"active": 0, "booked": 0, "left": 0} for i in ids}
    if ids:
        state = Case(None, ((Participation.entry > today, "booked"),
                            (Participation.exit.is_null(False) & (Participation.exit < today), "left")), "active")
        rows = (Participation.select(Participation.measure, state.alias("state"), fn.COUNT(Participation.id).alias("n"))
                .where(Participation.measure.in_(ids)).group_by(Participation.measure, state).tuples())
        for measure_id, kind, n in rows:
            counts[measure_id][kind] = n
    return {m.id: Occupancy(capacity=m.capacity or 0, started=m.start <= today, ended=m.end < today,
                            starts_soon=m.start <= today + datetime.timedelta(days=OCCUPANCY_WARN_DAYS),
                            **counts[m.id]) for m in measures}


# ------------------------------------------------------------------ the MB's measures and duties

MEASURE_STATES = {"aktuell": "laufend und künftig", "beendet": "beendet", "alle": "alle"}


def own_measures(user, state="aktuell", today=None):
    """The measures ``user`` supervises as MB, with the Träger; "aktuell" keeps those not
    ended more than 6 months ago (their aftercare steps still run)."""
    today = today or datetime.date.today()
    query = (Measure.select(Measure, Provider).join(Provider).where(Measure.mb == user.id)
             .order_by(Measure.start, Measure.measure_number))
    if state == "aktuell":
        query = query.where(Measure.end >= add_months(today, -6))
    elif state == "beendet":
        query = query.where(Measure.end < today)
    return query


def duties_condition(measure_ids):
    """Open and closed MB duties of these measures: the measure's own steps and the
    MB steps of its participations (AGH assignment, BaE first day …). (A filter on rows
    already chosen otherwise, e.g. by id: as the only condition its OR across two ways to
    the measure reads every step.)"""
    own, of_cases = _duty_parts(measure_ids)
    return own | of_cases


def _duty_parts(measure_ids):
    """The two halves of ``duties_condition``, each a way an index can go: the measures' own
    steps (by measure) and the MB steps of their participations (by participation)."""
    of_cases = Participation.select(Participation.id).where(Participation.measure.in_(measure_ids))
    return (FollowUp.measure.in_(measure_ids),
            (FollowUp.role == "MB") & FollowUp.measure.is_null() & FollowUp.participation.in_(of_cases))


def open_duty_counts(measures, today=None):
    """{measure id: (open, overdue)} of the MB duties: the measures' own open steps (index
    follow_up_open_measure) and the open MB steps of their participations, read through
    the MB's open steps (index follow_up_open_mb: a step carries its measure's MB) and then
    their participations' measures — an OR of both in one query read every open step of the
    Jobcenter (130 ms twice at full bench scale), a join from the participations every step
    of every participant (26 ms)."""
    today = today or datetime.date.today()
    ids = [m.id for m in measures]
    if not ids:
        return {}
    result = {i: [0, 0] for i in ids}
    late = fn.SUM(Case(None, ((FollowUp.due < today, 1),), 0))
    own = (FollowUp.select(FollowUp.measure, fn.COUNT(FollowUp.id), late)
           .where(FollowUp.status == "open", FollowUp.measure.in_(ids)).group_by(FollowUp.measure))
    mbs = {m.mb_id for m in measures}
    by_mb = FollowUp.mb.in_([i for i in mbs if i is not None] or [0])
    if None in mbs:
        by_mb |= FollowUp.mb.is_null()
    of_cases = dict((pid, (n, overdue)) for pid, n, overdue in (
        FollowUp.select(FollowUp.participation, fn.COUNT(FollowUp.id), late)
        .where(FollowUp.status == "open", by_mb, FollowUp.role == "MB", FollowUp.measure.is_null(),
               FollowUp.participation.is_null(False))
        .group_by(FollowUp.participation).tuples()))
    measure_of = dict(Participation.select(Participation.id, Participation.measure)
                      .where(Participation.id.in_(list(of_cases))).tuples()) if of_cases else {}
    rows = list(own.tuples()) + [(measure_of.get(pid), n, overdue) for pid, (n, overdue) in of_cases.items()]
    for measure_id, n, overdue in rows:
        if measure_id in result:
            result[measure_id][0] += n
            result[measure_id][1] += overdue or 0
    return {k: tuple(v) for k, v in result.items()}


def duties(measure, status="open", limit=None):
    """The MB duties of one measure (open, by due date; or the ``limit`` last closed ones),
    with the participation and customer of case steps and who closed them: the measure's own
    steps and its participations' MB steps read separately (each through its index) and merged."""
    closer = User.alias()
    found = []
    for part in _duty_parts([measure.id]):
        query = (FollowUp.select(FollowUp, Participation, Customer, closer)
                 .join(Participation, JOIN.LEFT_OUTER, on=(FollowUp.participation == Participation.id))
                 .join(Customer, JOIN.LEFT_OUTER, on=(Participation.customer == Customer.id))
                 .join(closer, JOIN.LEFT_OUTER, on=(FollowUp.done_by == closer.id))
                 .where(part))
        if status == "open":
            found.extend(query.where(FollowUp.status == "open"))
        else:  # (a list's += on a query would make it a UNION)
            found.extend(query.where(FollowUp.status != "open").order_by(
                FollowUp.done_at.desc(), FollowUp.id.desc()).limit(limit))
    if status == "open":
        return sorted(found, key=lambda f: (f.due, f.id))
    latest = sorted(found, key=lambda f: (f.done_at is not None, f.done_at or datetime.datetime.min, f.id),
                    reverse=True)
    return latest[:limit] if limit else latest


def participants(measure):
    """The measure's participations with customer and pAp, by name (the MB sees them, access.py)."""
    pap = User.alias()
    return list(Participation.select(Participation, Customer, pap).join(Customer)
                .join(pap, JOIN.LEFT_OUTER, on=(Customer.pap == pap.id))
                .where(Participation.measure == measure.id)
                .order_by(Customer.last_name, Customer.first_name))


def occupancy_reports(measure=None, since=None):
    """The MB's reports to TL/BL (newest first), with measure and reporter."""
    query = (OccupancyReport.select(OccupancyReport, Measure, User).join(Measure)
             .switch(OccupancyReport).join(User).order_by(OccupancyReport.reported_at.desc()))
    if measure is not None:
        query = query.where(OccupancyReport.measure == measure.id)
    if since is not None:
        query = query.where(OccupancyReport.reported_at >= since)
    return query
