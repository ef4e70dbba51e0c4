"""The tables every area reads (Team … PlanEvent, Agreement). Query helpers live
on the models; writes in the area's ``operations.py``. Tables only one area uses
live in that area's ``models.py`` (e.g. ``documents/models.py``).

Every change to these classes needs a numbered migration in ``migrations/``;
tests/test_migrations.py proves the migrated schema equals the models.
"""
import datetime

from flask import g, has_request_context
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

from .db import BaseModel
from .rules.calendar import add_months
from .search_keys import customer_keys
from .vocabulary import AGREEMENT_KINDS, MEASURE_TYPES


def now():
    return datetime.datetime.now().replace(microsecond=0)


class Team(BaseModel):
    name = CharField(unique=True)

    def __str__(self):
        return self.name


class User(BaseModel):
    username = CharField(unique=True)
    name = CharField()
    email = CharField(default="")
    phone = CharField(default="")
    password_hash = CharField()
    roles = CharField(default="")  # comma separated codes, see vocabulary.ROLES
    team = ForeignKeyField(Team, null=True, backref="members", on_delete="SET NULL")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=now)

    @property
    def role_set(self):
        return {r for r in self.roles.split(",") if r}

    def has_role(self, *codes):
        return bool(self.role_set.intersection(codes))

    # flask-login: the session carries the AuthSession token, not the user id
    is_authenticated = True
    is_anonymous = False
    auth_token = None

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return self.auth_token

    def __str__(self):
        return self.name


class AuditLog(BaseModel):
    at = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, backref="audit", on_delete="SET NULL")
    action = CharField()  # read, create, update, delete, export, login, logout …
    entity = CharField()
    entity_id = CharField(default="")
    detail = TextField(default="")
    address = CharField(default="")


class JobcenterSettings(BaseModel):
    name = CharField()
    street = CharField(default="")
    postal_code = CharField(default="")
    city = CharField(default="")
    letterhead = TextField(default="")
    phone = CharField(default="")
    email = CharField(default="")
    bundesland = CharField(max_length=2, default="NI")
    active_rulebook = CharField(default="goslar-2016")
    # addressees of the MB's escalation letters (one line each in the address fields)
    rez_name = CharField(default="")  # Regionales Einkaufszentrum: Vergabe, Deeskalationsstufe 2
    rez_address = TextField(default="")
    agentur_name = CharField(default="")  # Agentur für Arbeit, AG-/Trägerteam: §183 SGB III
    agentur_address = TextField(default="")

    @classmethod
    def current(cls):
        """The settings (the first row), read once per request (every page's header needs the
        name, many pages the rulebook); ``forget_current`` after a change within a request."""
        if not has_request_context():
            return cls.select().order_by(cls.id).first()
        if "jobcenter_settings" not in g:
            g.jobcenter_settings = cls.select().order_by(cls.id).first()
        return g.jobcenter_settings

    @staticmethod
    def forget_current():
        if has_request_context():
            g.pop("jobcenter_settings", None)


class Customer(BaseModel):
    customer_number = CharField(unique=True)
    salutation = CharField(default="")
    first_name = CharField()
    last_name = CharField(index=True)
    birth_date = DateField()
    street = CharField(default="")
    postal_code = CharField(default="")
    city = CharField(default="")
    team = ForeignKeyField(Team, backref="customers")
    pap = ForeignKeyField(User, null=True, backref="customers", on_delete="SET NULL")
    version = IntegerField(default=1)
    created_at = DateTimeField(default=now)
    # search keys (search_keys.fold): the customer search reads their indexes; set by ``save``,
    # by ``caseload.operations.save_customer`` and the import, which update by query
    last_name_key = CharField(default="", index=True)
    first_name_key = CharField(default="", index=True)
    number_key = CharField(default="", index=True)

    def save(self, *args, **kwargs):
        self.__data__.update(customer_keys(self.last_name, self.first_name, self.customer_number))
        return super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.last_name}, {self.first_name}"

    def __str__(self):
        return f"{self.full_name} ({self.customer_number})"


class Provider(BaseModel):
    name = CharField(unique=True)
    street = CharField(default="")
    postal_code = CharField(default="")
    city = CharField(default="")
    contact_person = CharField(default="")
    email = CharField(default="")
    phone = CharField(default="")
    version = IntegerField(default=1)

    def __str__(self):
        return self.name


class Measure(BaseModel):
    type_code = CharField(index=True)
    measure_number = CharField(unique=True)
    title = CharField()
    provider = ForeignKeyField(Provider, backref="measures")
    start = DateField()
    end = DateField(index=True)
    capacity = IntegerField(default=0)
    location = CharField(default="")
    procurement = CharField(default="vergabe")  # vergabe | gutschein
    mb = ForeignKeyField(User, null=True, backref="supervised_measures", on_delete="SET NULL")
    version = IntegerField(default=1)

    @property
    def type_label(self):
        return MEASURE_TYPES.get(self.type_code, ("?", ""))[0]

    def __str__(self):
        return f"{self.measure_number} {self.title}"


class Participation(BaseModel):
    customer = ForeignKeyField(Customer, backref="participations", on_delete="CASCADE")
    measure = ForeignKeyField(Measure, backref="participations", index=False)  # (measure, entry, exit) below
    entry = DateField()
    planned_end = DateField(index=True)
    exit = DateField(null=True, index=True)
    exit_kind = CharField(null=True)  # regulaer | abbruch
    dropout_reason = TextField(default="")
    important_reason = BooleanField(null=True)  # wichtiger Grund
    # further dates some rules are anchored on (entered when known)
    probation_end = DateField(null=True)
    intermediate_exam = DateField(null=True)
    exam_date = DateField(null=True)
    training_year_1_end = DateField(null=True)
    training_year_2_end = DateField(null=True)
    version = IntegerField(default=1)
    created_at = DateTimeField(default=now)
    # the customer's team, copied (caseload/responsibility.py): a team's participations by planned end
    team = ForeignKeyField(Team, null=True, backref="+", on_delete="SET NULL", index=False)
    last_contact = DateField(null=True)  # the customer's last qualified contact (triggers: caseload/contact_dates.py)

    class Meta:  # running by planned end; a team's month; a measure's occupancy; a team's running ones (dashboards)
        indexes = ((("exit", "planned_end"), False), (("team", "planned_end"), False),
                   (("measure", "entry", "exit"), False),  # counted from the index alone, like the next
                   (("team", "exit", "planned_end", "entry", "last_contact", "id"), False))

    def save(self, *args, **kwargs):
        if self.team_id is None:  # a new participation: its customer's team (later: responsibility.py)
            self.team_id = Customer.select(Customer.team).where(Customer.id == self.customer_id).scalar()
        return super().save(*args, **kwargs)

    @property
    def is_dropout(self):
        return self.exit_kind == "abbruch"


class Note(BaseModel):
    customer = ForeignKeyField(Customer, backref="notes", on_delete="CASCADE", index=False)  # Meta index
    participation = ForeignKeyField(Participation, null=True, backref="notes", on_delete="SET NULL")
    subject = CharField()
    text = TextField(default="")
    author = ForeignKeyField(User, backref="notes")
    date = DateField()
    kind = CharField(default="vermerk")
    channel = CharField(default="")  # persoenlich | telefonisch (contacts)
    qualified = BooleanField(default=False)  # a qualified contact (seed 001 §5)
    created_at = DateTimeField(default=now)

    class Meta:  # a customer's notes; "a qualified contact since …?" from the index alone
        indexes = ((("customer", "kind", "qualified", "date"), False),)


class FollowUp(BaseModel):
    """A Wiedervorlage created from a rulebook step. Case steps belong to a participation; the MB's
    measure-level steps (group measures: Sprechstunden, Teilnehmerbefragung …) to a measure.
    ``rule_due``/``rule_earliest`` keep the rulebook's dates: a date changed by hand shows the difference."""

    participation = ForeignKeyField(Participation, null=True, backref="followups", on_delete="CASCADE")
    measure = ForeignKeyField(Measure, null=True, backref="followups", on_delete="CASCADE")
    step_id = CharField()
    rule_id = CharField(default="")
    title = CharField()
    role = CharField()
    phase = CharField(default="")
    mode = CharField(default="")
    mandatory = BooleanField(default=False)
    form = CharField(default="")
    checklist = TextField(default="")  # one item per line
    earliest = DateField(null=True)
    due = DateField(index=True)
    rule_earliest = DateField(null=True)
    rule_due = DateField(null=True)
    status = CharField(default="open", index=True)  # open | done | cancelled (versäumt is derived: state_on)
    cancel_reason = CharField(default="")
    outcome = TextField(default="")  # what was done, when closed without a form
    done_by = ForeignKeyField(User, null=True, backref="done_followups", on_delete="SET NULL")
    done_at = DateTimeField(null=True)
    edited_by_hand = BooleanField(default=False)
    version = IntegerField(default=1)
    # who is responsible, copied so worklists and counts read only the step (caseload/responsibility.py
    # keeps them in sync; team, pap, case_end are NULL on a measure's own steps):
    team = ForeignKeyField(Team, null=True, backref="+", on_delete="SET NULL", index=False)  # the customer's team
    pap = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL", index=False)  # the customer's pAp
    case_end = DateField(null=True)  # the participation's exit, else its planned end (versäumt, RULES.md §3.1)
    mb = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL", index=False)  # the measure's MB

    class Meta:
        indexes = (
            (("participation", "step_id"), True),
            (("measure", "step_id"), True),
            (("status", "due"), False),  # worklists: open follow-ups by due date
        )

    def save(self, *args, **kwargs):
        """A new step gets its copies (``sync``) in the same transaction."""
        new, result = self.id is None, super().save(*args, **kwargs)
        if new and self.mb_id is None and self.case_end is None:
            FollowUp.sync(FollowUp.id == self.id)
            self.__data__.update(FollowUp.select(FollowUp.team, FollowUp.pap, FollowUp.case_end, FollowUp.mb)
                                 .where(FollowUp.id == self.id).dicts().get())
        return result

    @classmethod
    def sync(cls, condition):
        """The one rule for the copies (caseload/responsibility.py), in two UPDATEs of the steps matching
        ``condition``: a case step gets team and pAp of the customer, the participation's exit or planned
        end and the MB of the participation's measure (one join: UPDATE … FROM); a measure's own step
        the measure's MB."""
        return (cls.update(team=Customer.team, pap=Customer.pap, mb=Measure.mb,
                           case_end=fn.COALESCE(Participation.exit, Participation.planned_end))
                .from_(Participation, Customer, Measure)
                .where(cls.participation == Participation.id, Participation.customer == Customer.id,
                       Participation.measure == Measure.id, condition).execute()
                + cls.update(mb=Measure.select(Measure.mb).where(Measure.id == cls.measure))
                .where(cls.participation.is_null(), condition).execute())

    @property
    def checklist_items(self):
        return [line for line in self.checklist.splitlines() if line.strip()]

    @property
    def is_manual(self):
        """A follow-up set by hand or by a form (not from the rulebook): re-plans leave it alone."""
        return not self.rule_id

    def state_on(self, today, participation=None, measure=None):
        """open | done | cancelled | missed (versäumt, RULES.md §3.1) on ``today``: an open step is missed
        when it can no longer be done in its phase: a "vor"/"waehrend" step once the participation (or, for
        an MB step, the measure) has ended; an "ende"/"nach" step once aftercare has ended (end + 6 months)."""
        if self.status != "open":
            return self.status
        if participation is not None:
            end = participation.exit or participation.planned_end
        elif measure is not None:
            end = measure.end
        else:
            return "open"
        if self.phase in ("vor", "waehrend") and end < today:
            return "missed"
        if self.phase in ("ende", "nach") and add_months(end, 6) < today:
            return "missed"
        return "open"


# Partial indexes on open steps (0019, 0020, 0023, 0024): a page walks one team's, pAp's, MB's or role's open steps
# in its order (due, id) and stops (0024: a team's by phase and case end, for the missed ones); the columns after
# id (status too, for SQLite) let counts read the index alone.
_OPEN = FollowUp.status == "open"
for _name, _columns, _where in (("team", "team due id role phase case_end pap status", _OPEN),
                                ("team_role", "team role due id phase case_end pap status", _OPEN),  # 0023
                                ("team_end", "team role phase case_end pap due status", _OPEN),  # 0024
                                ("pap", "pap due id role phase case_end team status", _OPEN),
                                ("measure", "measure due id", _OPEN),
                                ("mb", "mb role due id phase case_end team status", _OPEN),
                                ("role", "role due id phase case_end team status", _OPEN),
                                ("mb_tasks", "mb due id", _OPEN & FollowUp.participation.is_null())):  # MB's own
    FollowUp.add_index(FollowUp.index(*(getattr(FollowUp, c) for c in _columns.split()), where=_where,
                                      name=f"follow_up_open_{_name}"))


class PlacementProposal(BaseModel):
    """A Vermittlungsvorschlag (VV). Controlling counts those in the narrow sense:
    subject to social insurance, job kind Arbeit or Künstler (RULES.md §6)."""

    customer = ForeignKeyField(Customer, backref="placement_proposals", on_delete="CASCADE")
    participation = ForeignKeyField(Participation, null=True, backref="placement_proposals", on_delete="SET NULL")
    proposal_date = DateField(index=True)
    employer = CharField()
    job_title = CharField()
    job_kind = CharField()  # vocabulary.JOB_KINDS
    sv_pflichtig = BooleanField()
    remarks = TextField(default="")
    author = ForeignKeyField(User, backref="placement_proposals")
    created_at = DateTimeField(default=now)


class PlanEvent(BaseModel):
    """The history of a participation's (or measure's) plan: every re-plan and hand edit."""

    participation = ForeignKeyField(Participation, null=True, backref="plan_events", on_delete="CASCADE")
    measure = ForeignKeyField(Measure, null=True, backref="plan_events", on_delete="CASCADE")
    at = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, backref="plan_events", on_delete="SET NULL")
    reason = CharField()
    summary = CharField(default="")
    detail = TextField(default="")


class Agreement(BaseModel):
    """An Eingliederungsvereinbarung (kind EV) or Kooperationsplan (kind KP), RULES.md §8;
    ``agreement_kind`` says how it was concluded (vocabulary.AGREEMENT_KINDS)."""

    participation = ForeignKeyField(Participation, backref="agreements", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="agreements", on_delete="CASCADE")
    kind = CharField(max_length=2)  # EV | KP
    agreement_kind = CharField(default="neu")  # neu | fortschreibung
    concluded_on = DateField()
    valid_until = DateField(null=True)  # EV
    review_date = DateField(null=True)  # KP
    goal = TextField()
    steps = TextField()
    customer_duties = TextField(default="")
    own_efforts_number = IntegerField(null=True)
    own_efforts_period = CharField(default="")
    own_efforts_proof = TextField(default="")
    jobcenter_support = TextField(default="")
    contacts_during_measure = TextField(default="")
    author = ForeignKeyField(User, backref="agreements")
    created_at = DateTimeField(default=now)
    version = IntegerField(default=1)

    @property
    def kind_label(self):
        return AGREEMENT_KINDS.get(self.agreement_kind, self.agreement_kind)

    @property
    def end_date(self):
        """Valid-until (EV) or review date (KP)."""
        return self.valid_until if self.kind == "EV" else self.review_date

    @classmethod
    def latest_for(cls, participation_id):
        """The participation's most recent agreement, or None."""
        return (cls.select().where(cls.participation == participation_id)
                .order_by(cls.concluded_on.desc(), cls.id.desc()).first())


MODELS = [Team, User, AuditLog, JobcenterSettings, Customer, Provider, Measure,
          Participation, Note, FollowUp, PlacementProposal, PlanEvent, Agreement]
