"""Who is responsible for a case step, copied onto the step itself.

A worklist, a count or a dashboard filters open steps by the customer's team, the
customer's pAp and the participation's end (the versäumt rule, RULES.md §3.1). Kept on
``FollowUp.team``, ``FollowUp.pap`` and ``FollowUp.case_end``, these filters use the
partial indexes on open steps (migration 0019) and read only the rows a page shows,
instead of joining every step of a team to its participation and customer.

One rule, one statement: ``FollowUp.sync_case(condition)`` (models.py) sets the three
columns of the case steps matching ``condition`` from their participation and its
customer. Every step of a case carries them, open or closed: "the step shows its case as
it is now". Where they are set, always inside the caller's transaction:
- a new step (``FollowUp.save`` on insert: the re-plans, ``add_manual_followup``, forms);
- ``planning.replan`` after every re-plan (new dates, another customer or measure: every
  change of a participation re-plans it);
- the import's bulk planning of new participations (``insert_many`` skips ``save``);
- a customer's pAp or team changing (the customer form, the import).
A measure's own steps (no participation) keep NULL: nobody's team, the MB's by measure.
"""
from ..models import FollowUp, Participation

CHUNK = 500  # ids per statement (SQLite's variable limit, short statements)


def for_participations(ids):
    """Sync the steps of these participations (ids)."""
    ids = list(ids)
    return sum(FollowUp.sync_case(FollowUp.participation.in_(ids[i:i + CHUNK])) for i in range(0, len(ids), CHUNK))


def for_customers(ids):
    """Sync the steps of every participation of these customers (after a change of team or pAp)."""
    ids = list(ids)
    return sum(FollowUp.sync_case(FollowUp.participation.in_(
        Participation.select(Participation.id).where(Participation.customer.in_(ids[i:i + CHUNK]))))
        for i in range(0, len(ids), CHUNK))
