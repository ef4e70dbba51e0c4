"""The Fachaufsicht list's rows (RULES.md §7) and the "AM eingeleitet" column."""
import datetime

from peewee import JOIN

from ..formats import first_of_next_month
from ..models import Customer, FollowUp, Measure, Note, Participation, Team, User

SUPERVISION_TYPES = ("FBW", "FBW-ABS", "MAT", "AGH", "BAE")


def supervision_rows(team, month_start, types=SUPERVISION_TYPES):
    """Participations of ``team``'s customers whose planned end is in the month (RULES.md §7)."""
    query = (Participation.select(Participation, Customer, Measure, User)
             .join(Customer).join(User, on=(Customer.pap == User.id), join_type=JOIN.LEFT_OUTER)
             .switch(Participation).join(Measure)
             .where(Customer.team == team.id, Measure.type_code.in_(list(types)),
                    Participation.planned_end >= month_start,
                    Participation.planned_end < first_of_next_month(month_start),
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


def am_started(participation, today=None):
    """'AM eingeleitet' of one participation ('ja', 'nein' or '')."""
    return am_started_map([participation.id], today)[participation.id]


def team_lead(team):
    """The team's TL (the first by id), or None."""
    return (User.select().where(User.team == team.id, User.roles.contains("TL"), User.active == True)  # noqa: E712
            .order_by(User.id).first())


def teams():
    return list(Team.select().order_by(Team.name))
