"""Who may see and change what — the one place these rules live.

- pAp, boV, AG-S, TL and DQM: customers (and their participations) of their team;
- MB: the participants of the measures they supervise;
- BL: all teams (supervises the TLs);
- Admin: users, teams and settings, but no Sozialdaten by that role alone.
Providers and measures are no personal data: every logged-in user may read them.
"""
from flask import abort

from .models import Customer, FollowUp, Measure, Participation
from .vocabulary import CASE_EDITORS, MEASURE_EDITORS, TEAM_ROLES


def _any_of(clauses, nothing):
    if not clauses:
        return nothing
    expr = clauses[0]
    for clause in clauses[1:]:
        expr = expr | clause
    return expr


def customer_filter(user):
    """A where-clause selecting the customers ``user`` may see."""
    if user.has_role("BL"):
        return Customer.id.is_null(False)
    clauses = []
    if user.has_role(*TEAM_ROLES) and user.team_id:
        clauses.append(Customer.team == user.team_id)
    if user.has_role("MB"):
        own = (Participation.select(Participation.customer)
               .join(Measure).where(Measure.mb == user.id))
        clauses.append(Customer.id.in_(own))
    return _any_of(clauses, Customer.id < 0)


def participation_filter(user):
    """A where-clause for queries on Participation joined with Customer and Measure (the
    customer's team read from its copy on the participation: index (team, planned end))."""
    if user.has_role("BL"):  # everyone: true for every row, and no range a planner would walk instead of an index
        return Participation.id.is_null(False)
    clauses = []
    if user.has_role(*TEAM_ROLES) and user.team_id:
        clauses.append(Participation.team == user.team_id)
    if user.has_role("MB"):
        clauses.append(Measure.mb == user.id)
    return _any_of(clauses, Participation.id < 0)


def followup_filter(user):
    """A where-clause on FollowUp alone (no join): the steps ``user`` may see — the same
    people as ``participation_filter``, read from the step's own columns (FollowUp.team
    is the customer's team, FollowUp.mb the measure's MB, kept in sync by
    caseload/responsibility.py); an MB sees the steps of their own measures and of the
    participations in them. None for the BL, who sees every step (no clause at all)."""
    if user.has_role("BL"):
        return None
    clauses = []
    if user.has_role(*TEAM_ROLES) and user.team_id:
        clauses.append(FollowUp.team == user.team_id)
    if user.has_role("MB"):
        clauses.append(FollowUp.mb == user.id)
    return _any_of(clauses, FollowUp.id < 0)


def can_view_customer(user, customer):
    if user.has_role("BL"):
        return True
    if user.has_role(*TEAM_ROLES) and user.team_id and customer.team_id == user.team_id:
        return True
    if user.has_role("MB"):
        return (Participation.select().join(Measure)
                .where(Participation.customer == customer.id, Measure.mb == user.id).exists())
    return False


def can_edit_customer(user, customer=None):
    """Create (customer None) or edit: pAp and TL of the customer's team."""
    if not user.has_role(*CASE_EDITORS) or not user.team_id:
        return False
    return customer is None or customer.team_id == user.team_id


def _team_of(user, participation):
    """True when ``user`` works in the team of the participation's customer (a team role)."""
    return (user.has_role(*TEAM_ROLES) and user.team_id is not None
            and participation.customer.team_id == user.team_id)


def _mb_of(user, participation):
    return user.has_role("MB") and participation.measure.mb_id == user.id


def can_view_participation(user, participation):
    """BL; the customer's team; the MB of the participation's measure — and nobody else:
    an MB does not see a customer's participations in other MBs' measures."""
    return user.has_role("BL") or _team_of(user, participation) or _mb_of(user, participation)


def can_edit_participation(user, participation=None, customer=None):
    """pAp/TL of the customer's team; the MB of the measure may record entry and exit."""
    customer = customer or (participation.customer if participation else None)
    if participation is not None and _mb_of(user, participation):
        return True
    return bool(customer) and can_edit_customer(user, customer)


def holds_role_on(user, role, participation):
    """``user`` holds ``role`` for this participation: the MB of its measure, a team
    role in the customer's team, the BL for BL steps."""
    if not user.has_role(role):
        return False
    if role == "MB":
        return _mb_of(user, participation)
    if role == "BL":
        return True
    return role in TEAM_ROLES and user.team_id is not None and participation.customer.team_id == user.team_id


def can_write_agreement(user, participation):
    """EV/Kooperationsplan and its letters: the pAp side (pAp, TL) of the customer's team (RULES.md §9)."""
    return can_edit_customer(user, participation.customer)


def can_complete_followup(user, followup, participation):
    """The case's editors (pAp/TL of the team; the MB of the measure for MB steps),
    or whoever holds the step's role on this participation. Of the step, only its role counts
    (the participation page asks once per role)."""
    if _mb_of(user, participation) and not can_edit_customer(user, participation.customer):
        return followup.role == "MB"  # an MB closes and moves MB steps, not the pAp's
    return can_edit_participation(user, participation) or holds_role_on(user, followup.role, participation)


def can_view_supervision_list(user, team_id):
    """Fachaufsicht lists: the TL of the team (works it), the team's DQM (reads it), the BL (RULES.md §7)."""
    return user.has_role("BL") or (user.has_role("TL", "DQM") and user.team_id is not None
                                   and user.team_id == team_id)


def can_view_not_initiated(user, team_id):
    """The "nicht eingeleitet" list: the team's DQM (works it) and TL (reads it), the BL (every team)."""
    return user.has_role("BL") or (user.has_role("DQM", "TL") and user.team_id is not None
                                   and user.team_id == team_id)


def can_mark_not_initiated(user, team_id):
    """Only the DQM of the team marks cases fixed or explained."""
    return user.has_role("DQM") and user.team_id is not None and user.team_id == team_id


def can_edit_measure(user, measure=None):
    if user.has_role(*(r for r in MEASURE_EDITORS if r != "MB")):
        return True
    if user.has_role("MB"):
        return measure is None or measure.mb_id == user.id
    return False


def is_mb_of_measure(user, measure):
    """The MB who supervises ``measure``: the only one who does its MB work (first-day list,
    office hours, survey, defects and letters, AGH assignments, files)."""
    return user.has_role("MB") and measure.mb_id is not None and measure.mb_id == user.id


def can_view_measure_work(user, measure):
    """The measure's defects, letters to the Träger, office hours (without participant
    findings), survey results and occupancy reports: its MB, and TL and BL, who
    supervise and receive the MB's reports (seed 000 1.3.3, 2.2.2)."""
    return is_mb_of_measure(user, measure) or user.has_role("TL", "BL")


# measure documents that list participants (names, addresses): not for every TL
MEASURE_DOCUMENTS_WITH_PARTICIPANTS = ("bae-vormerkliste",)


def can_download_measure_document(user, measure, document):
    """An archived document of a measure: its letters to the Träger, REZ and Agentur and
    the survey prints for its MB, TL and BL; a list of its participants (BaE
    Vormerkliste) only for its MB and the BL (every team's customers are on it)."""
    if document in MEASURE_DOCUMENTS_WITH_PARTICIPANTS:
        return is_mb_of_measure(user, measure) or user.has_role("BL")
    return can_view_measure_work(user, measure)


def can_view_agh_assignment(user, participation):
    """An AGH Maßnahmezuweisung: the measure's MB writes it; the customer's pAp and TL
    and the BL read it (the letter concerns the case, seed 000 1.2.1)."""
    return is_mb_of_measure(user, participation.measure) or (
        can_view_participation(user, participation) and user.has_role("pAp", "TL", "BL"))


def require(allowed):
    """Abort with 403 unless ``allowed`` is truthy."""
    if not allowed:
        abort(403)

