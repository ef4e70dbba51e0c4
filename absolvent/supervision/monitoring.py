"""Reads for the "nicht eingeleitet" list (Goslar 1.4.2, DORA 204) and the TL/BL dashboards.

The "nicht eingeleitet" list of a team for a month
==================================================
The list is a snapshot taken on its **Stichtag**, the first day of the month
(``month``); it is to be worked off by the 5th (``DUE_DAY``). A participation of
the team's customers is on it when

1. its exit — the actual exit, else the planned end — lies in
   ``[Stichtag, Stichtag + 2 Monate]`` (both days included, RULES.md §3: the
   list looks 2 months ahead, where the error can still be fixed), and
2. its aftercare was not started as the rulebook requires, as at the Stichtag:

   a. an end-phase step of the rulebook (phase "ende" or "nach"; follow-ups set
      by hand do not count here) was due before the Stichtag and was still open
      then (status open — versäumt included, RULES.md §3.1 — or done only
      on/after the Stichtag; cancelled steps do not count), or
   b. the AM start of the plan (``rules.planner.plan(...).am_start``) lies before
      the Stichtag and no AM start was recorded before it: no end-phase step
      done and no note "Absolventenmanagement" (kind or subject, as
      ``queries.am_started_map``) dated before the Stichtag.

Why: (a) is the rulebook's own deadline missed; (b) catches the case the stored
plan cannot show — AM that should be running although none of its steps is
overdue yet (Goslar: AM starts with the first end-phase step, e.g. the
hand-over to the boV 4 months before the end of an FBW-ABS). Judging "as at the
Stichtag" (``done_at``/note date before it) keeps the month's list stable while
the DQM works it: a case fixed on the 3rd stays on the list, shown as
"seit dem Stichtag … erfasst", so it can be marked "behoben". Measure types without
AM in the rulebook (no end-phase steps, no AM start) never appear. The plan is
the rulebook's plan on today's facts; past lists are recomputed the same way.

Marks (``NotInitiatedMark``) are kept per participation and month; only the
current month's list can be marked (``ListStatus.editable``), see
``monitoring_operations``.
"""
import datetime
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Case, fn

from ..caseload import tallies
from ..caseload.queries import missed_parts
from ..db import is_postgres, raw_rows, snapshot
from ..formats import first_of_next_month
from ..jobcenter import active_rulebook
from ..models import Customer, FollowUp, Measure, Note, Participation, Team, User
from ..rules.calendar import add_months
from ..rules.planner import ParticipationFacts, PlanError, plan
from .models import NotInitiatedMark, SpotCheck, SupervisionReview

DUE_DAY = 5  # the list is worked off by the 5th of the month (Goslar 1.4.2)
WINDOW_MONTHS = 2  # exits up to 2 months after the Stichtag
END_PHASES = ("ende", "nach")
LONG_MONTHS = 6  # "mehr als 6 Monate" (seed 001 §3)
CONTACT_DAYS = 56  # "alle 8 Wochen" (RULES.md §4.3)
LONG_PAGE_SIZE = 50  # rows of "lange Maßnahmen ohne Kontakt" per page of the team dashboard
MARK_STATES = {"behoben": "behoben", "erklaert": "erklärt"}


# ------------------------------------------------------------------ who may do what

# ------------------------------------------------------------------ the list

@dataclass
class ListRow:
    """One case of the list. ``overdue_steps``: [(title, due, done_at or None)]."""

    participation: Participation
    exit_date: datetime.date
    am_start: datetime.date | None
    not_started: bool
    overdue_steps: list = field(default_factory=list)
    started_since: bool = False
    mark: NotInitiatedMark | None = None


@dataclass
class ListStatus:
    month: datetime.date
    due: datetime.date
    editable: bool
    total: int
    unmarked: int
    overdue: bool


def list_status(month, rows, today):
    """Due date (the 5th), whether the list can still be marked (current month only) and
    whether it is overdue (after the 5th with unmarked cases)."""
    due = month.replace(day=DUE_DAY)
    unmarked = sum(1 for r in rows if r.mark is None)
    return ListStatus(month=month, due=due, editable=month == today.replace(day=1), total=len(rows),
                      unmarked=unmarked, overdue=today > due and unmarked > 0)


def _am_note():
    return (Note.kind == "absolventenmanagement") | (Note.subject == "Absolventenmanagement")


def _candidates(team_id, month, participation_id=None):
    exit_date = fn.COALESCE(Participation.exit, Participation.planned_end)
    query = (Participation.select(Participation, Customer, Measure, User)
             .join(Customer).join(User, JOIN.LEFT_OUTER, on=(Customer.pap == User.id))
             .switch(Participation).join(Measure)
             .where(Customer.team == team_id, exit_date >= month,
                    exit_date <= add_months(month, WINDOW_MONTHS))
             .order_by(exit_date, Customer.last_name, Customer.first_name, Participation.id))
    if participation_id is not None:
        query = query.where(Participation.id == participation_id)
    return list(query)


def _am_starts(participations, rulebook):
    """The plan's AM start per participation id (one query for the contacts of all)."""
    contacts = {}
    for customer_id, day in (Note.select(Note.customer, Note.date)
                             .where(Note.customer.in_({p.customer_id for p in participations}),
                                    Note.qualified == True)  # noqa: E712
                             .order_by(Note.date).tuples()):
        contacts.setdefault(customer_id, []).append(day)
    starts = {}
    for p in participations:
        facts = ParticipationFacts(
            measure_type=p.measure.type_code, start=p.entry, end=p.planned_end, exit=p.exit,
            dropout=p.is_dropout, exam=p.exam_date, training_year_1_end=p.training_year_1_end,
            training_year_2_end=p.training_year_2_end, probation_end=p.probation_end,
            intermediate_exam=p.intermediate_exam,
            contacts=tuple(d for d in contacts.get(p.customer_id, ()) if d >= p.entry))
        try:
            starts[p.id] = plan(rulebook, facts).am_start
        except PlanError:
            starts[p.id] = None
    return starts


def not_initiated_rows(team_id, month, today=None, participation_id=None, rulebook=None):
    """The list of ``team_id`` for ``month`` (its first day) as [ListRow], by exit date.

    Six queries for the whole list, whatever its length; ``participation_id``
    narrows it to that one case (empty when it is not on the list).
    """
    today = today or datetime.date.today()
    candidates = _candidates(team_id, month, participation_id)
    if not candidates:
        return []
    ids = [p.id for p in candidates]
    stichtag = datetime.datetime.combine(month, datetime.time())
    end_steps = FollowUp.select(FollowUp.participation).where(FollowUp.participation.in_(ids),
                                                               FollowUp.phase.in_(END_PHASES))
    done_before = {pid for (pid,) in end_steps.where(FollowUp.status == "done", FollowUp.done_at < stichtag)
                   .distinct().tuples()}
    done_since = {pid for (pid,) in end_steps.where(FollowUp.status == "done", FollowUp.done_at >= stichtag)
                  .distinct().tuples()}
    overdue = {}
    for pid, title, due, done_at in (
            FollowUp.select(FollowUp.participation, FollowUp.title, FollowUp.due, FollowUp.done_at)
            .where(FollowUp.participation.in_(ids), FollowUp.phase.in_(END_PHASES), FollowUp.rule_id != "",
                   FollowUp.due < month,
                   (FollowUp.status == "open") | ((FollowUp.status == "done") & (FollowUp.done_at >= stichtag)))
            .order_by(FollowUp.due, FollowUp.id).tuples()):
        overdue.setdefault(pid, []).append((title, due, done_at))
    notes = {}
    for pid, day in Note.select(Note.participation, Note.date).where(Note.participation.in_(ids), _am_note()).tuples():
        notes.setdefault(pid, []).append(day)
    starts = _am_starts([p for p in candidates if p.id not in overdue], rulebook or active_rulebook())
    rows = []
    for p in candidates:
        recorded = p.id in done_before or any(day < month for day in notes.get(p.id, ()))
        am_start = starts.get(p.id)
        not_started = not recorded and am_start is not None and am_start < month
        if p.id in overdue or not_started:
            rows.append(ListRow(participation=p, exit_date=p.exit or p.planned_end, am_start=am_start,
                                not_started=not_started, overdue_steps=overdue.get(p.id, []),
                                started_since=p.id in done_since or any(d >= month for d in notes.get(p.id, ()))))
    marks = {m.participation_id: m for m in NotInitiatedMark.select(NotInitiatedMark, User).join(User).where(
        NotInitiatedMark.participation.in_([r.participation.id for r in rows]), NotInitiatedMark.month == month)}
    for row in rows:
        row.mark = marks.get(row.participation.id)
    return rows


def team_dqms(team_id):
    """The team's DQM experts (to whom the list is assigned), by name."""
    return list(User.select().where(User.team == team_id, User.roles.contains("DQM"),
                                    User.active == True).order_by(User.name))  # noqa: E712


def teams():
    return list(Team.select().order_by(Team.name))


# ------------------------------------------------------------------ dashboards

def _open_pap_steps(*columns):
    """Open case steps of role pAp, read from the steps alone (team and pAp are on the step):
    index-only reads of the partial indexes on open steps."""
    return FollowUp.select(*columns).where(FollowUp.status == "open", FollowUp.role == "pAp",
                                           FollowUp.team.is_null(False))  # a case step (team of its customer)


def _step_tallies(key, team_ids, today):
    """{key value: {"open", "overdue", "missed"}} over the open pAp steps of ``team_ids``, per
    pAp (``key`` FollowUp.pap) or per team (FollowUp.team).

    ``open`` counts steps still doable (overdue ones included), ``overdue`` those of them due
    before today, ``missed`` the versäumt ones (RULES.md §3.1, ``missed_condition``). All open
    steps are the kept counts of ``caseload.tallies`` (a few rows per pAp, not the 45,000 open
    steps of a team at full bench scale); the others are index ranges: those due before today
    (``follow_up_open_team_role``), and the missed ones by phase and case end
    (``follow_up_open_team_end``, 0024) with how many of them were due before today. Then
    open = all − missed and overdue = due before today − missed and due before today. All
    read in one snapshot, then a team's kept counts are compacted when they have grown long."""
    late = fn.SUM(Case(None, [(FollowUp.due < today, 1)], 0))
    rows = fn.COUNT(SQL("*"))  # not COUNT(id): PostgreSQL then reads the index alone, the id is not in it
    where = FollowUp.team.in_(list(team_ids))
    missed = _open_pap_steps(key, rows, late).where(where).group_by(key)
    per_pap = key is FollowUp.pap
    with snapshot():  # a step another user adds or closes meanwhile is in every count or in none
        kept, read = tallies.open_counts(team_ids)
        found = {}
        for (team_id, pap_id), number in kept.items():
            value = pap_id if per_pap else team_id
            found[value] = found.get(value, 0) + number
        counts = {value: {"open": number, "overdue": 0, "missed": 0} for value, number in found.items() if number}
        zero = {"open": 0, "overdue": 0, "missed": 0}
        for value, number in _open_pap_steps(key, rows).where(where, FollowUp.due < today).group_by(key).tuples():
            counts.setdefault(value, dict(zero))["overdue"] = number
        for phases, ended in missed_parts(today):
            for value, number, due_before in missed.where(FollowUp.phase.in_(phases),
                                                          FollowUp.case_end < ended).tuples():
                tally = counts.setdefault(value, dict(zero))
                tally["open"] -= number
                tally["overdue"] -= int(due_before or 0)
                tally["missed"] += number
    tallies.compact_if_long(read)
    return counts


def pap_step_counts(team_id, today):
    """Per pAp of the team: {"pap_id", "name", "open", "overdue", "missed"} over the open
    pAp steps of the customers they are responsible for (``_step_tallies``).

    ``open`` counts steps still doable (overdue ones included), ``missed`` the versäumt
    ones (RULES.md §3.1). Every active pAp of the team gets a row; customers without a
    pAp (or with one from another team) get rows too.
    """
    counts = _step_tallies(FollowUp.pap, [team_id], today)
    paps = {u.id: u.name for u in User.select(User.id, User.name).where(
        (User.team == team_id) & User.roles.contains("pAp") & (User.active == True)  # noqa: E712
        | User.id.in_([k for k in counts if k is not None]))}
    rows = [{"pap_id": pid, "name": name, **counts.get(pid, {"open": 0, "overdue": 0, "missed": 0})}
            for pid, name in sorted(paps.items(), key=lambda item: item[1].lower())]
    if None in counts:
        rows.append({"pap_id": None, "name": "ohne zuständige/n pAp", **counts[None]})
    return rows


def team_step_counts(today, team_ids=None):
    """{team_id: {"open", "overdue", "missed"}} over the open pAp steps (``_step_tallies``) of
    ``team_ids`` (default: every team), read team by team: each count is a range of one team's
    index entries, not a walk over every open step of the Jobcenter."""
    ids = [t.id for t in teams()] if team_ids is None else list(team_ids)
    return _step_tallies(FollowUp.team, ids, today) if ids else {}


def review_month(today):
    """The month the current Fachaufsicht is about: the next one (RULES.md §7)."""
    return first_of_next_month(today)


def review_status(team_ids, month):
    """{team_id: SupervisionReview (with ``signed_by``) or None} for ``month`` (one query)."""
    signer = User.alias()
    found = {r.team_id: r for r in SupervisionReview.select(SupervisionReview, signer)
             .join(signer, JOIN.LEFT_OUTER, on=(SupervisionReview.signed_by == signer.id))
             .where(SupervisionReview.team.in_(list(team_ids)), SupervisionReview.month == month)}
    return {team_id: found.get(team_id) for team_id in team_ids}


def _running_long(today):
    """Running participations that started more than 8 weeks ago, run more than 6 months and
    whose customer had no qualified contact in the last 8 weeks (``last_contact``, kept by
    triggers). Every column is in the participation index (team, exit, planned end, entry, last
    contact, id; 0026): the database decides from the index alone."""
    cutoff = today - datetime.timedelta(days=CONTACT_DAYS)
    return (Participation.entry < cutoff, Participation.exit.is_null(), Participation.planned_end >= today,
            Participation.last_contact.is_null() | (Participation.last_contact < cutoff),
            Participation.planned_end >= _months_after_entry(LONG_MONTHS))


def _months_after_entry(months):
    """The entry shifted by ``months`` calendar months, clamped to the month end (``add_months``:
    31.08. + 6 Monate = 28./29.02.), computed by the database. "Mehr als 6 Monate" from entry to
    planned end (``duration_more_than(entry, planned_end, months=6)``) holds exactly when the
    planned end is on or after that day. PostgreSQL's interval clamps; SQLite's ``date()`` runs
    over into the next month (31.08. + 6 months = 03.03.), so the smaller of it and the last day
    of the target month is taken (ISO text compares as the date)."""
    if is_postgres():
        return Participation.entry + SQL(f"interval '{int(months)} months'")
    return fn.min(fn.date(Participation.entry, f"+{int(months)} months"),
                  fn.date(Participation.entry, "start of month", f"+{int(months) + 1} months", "-1 day"))


def _long_ids(team_id, today):
    """The team's long participations without contact, in list order (entry, id): a query."""
    return (Participation.select(Participation.id)
            .where(Participation.team == team_id, *_running_long(today))
            .order_by(Participation.entry, Participation.id))


# what the dashboard shows of a long participation (whole rows of the four tables: 13 of 24 ms)
SHOWN_LONG = (Participation.id, Participation.customer, Participation.measure, Participation.entry,
              Participation.planned_end, Participation.last_contact, Customer.id, Customer.first_name,
              Customer.last_name, Customer.customer_number, Customer.pap, User.id, User.name, Measure.id,
              Measure.type_code, Measure.measure_number)


def long_without_contact(team_id, today, number=None, size=LONG_PAGE_SIZE):
    """(rows, total): the team's running participations of more than 6 months (entry to planned
    end) without a qualified contact in the last 8 weeks (seed 001 §3), by entry (then id), each with
    ``last_contact`` (date or None), with what the dashboard shows of customer, pAp and measure
    (``SHOWN_LONG``); with ``number`` only that page's rows (``size`` each): a large team has
    thousands, and the page reads the rows it shows. One query: the database picks and sorts the
    page's ids from the participation index and counts them all in the same pass (``COUNT(*)
    OVER ()``, computed before the LIMIT), then joins customer, pAp and measure to those ids.
    Only a page beyond the last one (no row to carry the total) asks for the count apart."""
    ids = _long_ids(team_id, today).select_extend(fn.COUNT(SQL("*")).over().alias("total"))
    if number is not None:
        ids = ids.limit(size).offset((number - 1) * size)
    page = ids.alias("page")
    rows = list(Participation.select(*SHOWN_LONG, page.c.total.alias("long_total"))
                .join(page, on=(Participation.id == page.c.id), attr="page")
                .switch(Participation).join(Customer).join(User, JOIN.LEFT_OUTER, on=(Customer.pap == User.id))
                .switch(Participation).join(Measure)
                .order_by(Participation.entry, Participation.id))
    if rows:
        return rows, rows[0].page.long_total
    return [], (_long_ids(team_id, today).order_by().count() if number not in (None, 1) else 0)


def long_without_contact_counts(today, team_ids=None):
    """{team_id: number} of those participations per team of ``team_ids`` (default: every team),
    teams without any left out; one query counted by the database."""
    team_ids = [t.id for t in teams()] if team_ids is None else list(team_ids)
    query = (Participation.select(Participation.team, fn.COUNT(Participation.id))
             .where(Participation.team.in_(team_ids), *_running_long(today))
             .group_by(Participation.team))
    return dict(raw_rows(query))


def unchecked_reviews():
    """Signed reviews without a BL spot check, oldest month first, with team and signer."""
    signer = User.alias()
    return list(SupervisionReview.select(SupervisionReview, Team, signer).join(Team)
                .switch(SupervisionReview)
                .join(signer, JOIN.LEFT_OUTER, on=(SupervisionReview.signed_by == signer.id))
                .where(SupervisionReview.signed_at.is_null(False),
                       SupervisionReview.id.not_in(SpotCheck.select(SpotCheck.review)))
                .order_by(SupervisionReview.month, Team.name))
