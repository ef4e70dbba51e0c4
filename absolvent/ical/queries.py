"""The steps a user's calendar feed shows: their own open Wiedervorlagen, the same rule as
the worklist's default view ("meine", own roles), within a window.

Window: every open step due up to ``HORIZON_DAYS`` ahead, overdue ones included (they
are still open), versäumt ones excluded (they can no longer be done in their phase,
RULES.md §3.1). A pAp gets the pAp steps of their own customers only; any other case
role the steps of its role in the cases it sees (a TL: the TL steps of the team); an MB
the MB steps of participations in their own measures and their measures' own tasks.
"""
import datetime

from ..caseload import queries as case_queries
from ..models import FollowUp
from ..vocabulary import CASE_ROLES

HORIZON_DAYS = 365


def can_subscribe(user):
    """Only case roles have Wiedervorlagen (Admin and DS have none)."""
    return user.has_role(*CASE_ROLES)


def feed_steps(user, today=None):
    """[(kind, FollowUp)] of the feed, by due date: kind "case" (with participation,
    customer and measure) or "measure" (a measure's own task, with the measure)."""
    today = today or datetime.date.today()
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    steps = []
    if can_subscribe(user):
        case = case_queries.case_followups(user, "alle", "meine", today=today).where(FollowUp.due <= horizon)
        if user.has_role("MB"):  # MB steps only of the MB's own measures, even if a team role sees more
            case = case.where((FollowUp.role != "MB") | (FollowUp.mb == user.id))
        steps += [("case", f) for f in case_queries.with_cases(case)]
    if user.has_role("MB"):
        tasks = case_queries.measure_followups(user, "alle", today).where(FollowUp.due <= horizon)
        steps += [("measure", f) for f in tasks]
    return sorted(steps, key=lambda s: (s[1].due, s[1].id))
