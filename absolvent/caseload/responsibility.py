"""Who is responsible for a step, copied onto the step itself (and the customer's team onto
the participation: ``Participation.team``, the Fachaufsicht list's month of one team).

A worklist, a count or a dashboard filters open steps by the customer's team, the
customer's pAp, the measure's MB and the participation's end (the versäumt rule,
RULES.md §3.1). Kept on ``FollowUp.team``, ``FollowUp.pap``, ``FollowUp.mb`` and
``FollowUp.case_end``, these filters use the partial indexes on open steps (migrations
0019, 0020) and read only the rows a page shows, instead of joining every step of a
team or of an MB's measures to its participation, customer and measure.

One rule: ``FollowUp.sync(condition)`` (models.py) sets the copies of the steps matching
``condition``: a case step's from its participation, customer and measure, a measure's
own step's MB from the measure. Every step carries them, open or closed: "the step shows
its case as it is now". Where they are set, always inside the caller's transaction:
- a new step (``FollowUp.save`` on insert: the re-plans, ``add_manual_followup``, forms,
  the MB's defect deadlines);
- ``planning.replan`` after every re-plan (new dates, another customer or measure: every
  change of a participation re-plans it);
- a measure's MB changing (``measures.operations.save_measure``: its own steps and those
  of its participations);
- the import's bulk planning of new participations writes the same values with the new rows
  (``imports.operations._plan_new``; tests/test_import.py compares them with ``FollowUp.sync``);
- a customer's pAp or team changing (the customer form, the import).
"""
from ..models import Customer, FollowUp, Participation

CHUNK = 500  # ids per statement (SQLite's variable limit, short statements)


def _team(condition):
    """The customer's team onto the participations matching ``condition`` (``Participation.team``)."""
    team = Customer.select(Customer.team).where(Customer.id == Participation.customer)
    return Participation.update(team=team).where(condition).execute()


def for_participations(ids):
    """Sync these participations (ids) and their steps."""
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        _team(Participation.id.in_(ids[i:i + CHUNK]))
    return sum(FollowUp.sync(FollowUp.participation.in_(ids[i:i + CHUNK])) for i in range(0, len(ids), CHUNK))


def for_customers(ids):
    """Sync every participation of these customers and their steps (after a change of team or pAp)."""
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        _team(Participation.customer.in_(ids[i:i + CHUNK]))
    return sum(FollowUp.sync(FollowUp.participation.in_(
        Participation.select(Participation.id).where(Participation.customer.in_(ids[i:i + CHUNK]))))
        for i in range(0, len(ids), CHUNK))


def for_measure(measure_id):
    """Sync a measure's own steps and those of its participations (after a change of its MB)."""
    return FollowUp.sync(FollowUp.measure == measure_id) + FollowUp.sync(FollowUp.participation.in_(
        Participation.select(Participation.id).where(Participation.measure == measure_id)))
