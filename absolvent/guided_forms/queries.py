"""Reads of the guided forms: the bundled definitions, the case facts a run sees,
a user's drafts and the snapshots of a participation."""
import datetime
import functools
import json

from flask import abort
from peewee import JOIN

from .. import access
from ..caseload import queries as caseload
from ..formats import de_date
from ..measures import queries as measures
from ..documents.operations import forms_dir
from ..jobcenter import active_rulebook
from ..models import Agreement, Customer, FollowUp, JobcenterSettings, Measure, Participation, User
from ..rules.calendar import duration_months
from ..documents.models import IssuedDocument
from .engine import list_forms, load_form_text, names_in, runtime
from .models import FormRun, FormSnapshot


@functools.lru_cache(maxsize=8)
def _definitions(folder, stamp):
    return {d.id: d for d in list_forms(folder)}


def definitions():
    """{form id: FormDefinition} of the bundled forms (reloaded when a form.toml changes)."""
    folder = forms_dir()
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.glob("*/form.toml")))
    return _definitions(folder, stamp)


def definition(form_id):
    """The current definition of ``form_id``, or abort 404."""
    defn = definitions().get(form_id)
    if defn is None:
        abort(404)
    return defn


@functools.lru_cache(maxsize=64)
def pinned(source):
    """The definition a run is pinned to, parsed from its stored text."""
    return load_form_text(source)


def run_definition(run):
    return pinned(run.definition.source)


def _iso(day):
    return day.isoformat() if day else None


def _measure(m):
    return {"type_code": m.type_code, "measure_number": m.measure_number, "title": m.title,
            "provider_name": m.provider.name, "start": _iso(m.start), "end": _iso(m.end), "capacity": m.capacity}


def _step(followup):
    return ({"id": followup.rule_id or followup.step_id, "title": followup.title, "phase": followup.phase,
             "due": _iso(followup.due), "checklist": followup.checklist_items} if followup else {})


def roster(measure):
    """[[participation id, "Name, Vorname (Kundennummer)"], …] of the measure's participations, by name."""
    rows = (Participation.select(Participation, Customer).join(Customer)
            .where(Participation.measure == measure.id)
            .order_by(Customer.last_name, Customer.first_name, Participation.id))
    return [[str(p.id), f"{p.customer.last_name}, {p.customer.first_name} ({p.customer.customer_number})"
             + (f" – ausgetreten am {de_date(p.exit)}" if p.exit else "")] for p in rows]


def measure_facts(measure, followup=None, user=None, today=None, with_roster=True):
    """The facts of a measure form (engine.CONTEXT_FACTS["measure"]): the measure and its Träger,
    the step that opened the form and – unless ``with_roster`` is false (the anonymous survey
    needs no names) – the measure's participants as choices."""
    today = today or datetime.date.today()
    rulebook = active_rulebook()
    term = rulebook.agreement_term_on(today)
    settings = JobcenterSettings.current()
    return {
        "measure": _measure(measure),
        "roster": roster(measure) if with_roster else [],
        "rulebook": {"id": rulebook.id, "agreement_term": term.code, "agreement_term_name": term.name,
                     "kp_from": _iso(next((t.valid_from for t in rulebook.agreement_terms if t.code == "KP"), None)),
                     "bundesland": rulebook.bundesland},
        "step": _step(followup),
        "user": {"name": user.name if user else ""},
        "jobcenter": {"name": settings.name if settings else ""},
        "today": today.isoformat(),
    }


def is_measure_run(run):
    """True for a run of a measure form (the MB's Sprechstunde, the survey), False for a case's."""
    return run.participation_id is None and run.measure_id is not None


def is_measure_subject(subject):
    """True when a run's or snapshot's subject is a measure (not a participation)."""
    return isinstance(subject, Measure)


def run_facts(run, subject, user):
    """The facts a run sees: the case's (``subject`` a Participation) or the measure's."""
    followup = FollowUp.get_or_none(FollowUp.id == run.followup_id) if run.followup_id else None
    if is_measure_run(run):
        defn = run_definition(run)
        return measure_facts(subject, followup, user, with_roster=_uses_roster(defn))
    return case_facts(subject, followup, user)


def _uses_roster(defn):
    return any(f.options_from or any(c.options_from for c in f.columns) for f in defn.fields)


def case_facts(p, followup=None, user=None, today=None):
    """The plain facts a form's conditions, prefill and document may use (engine.FACTS)."""
    today = today or datetime.date.today()
    c, m = p.customer, p.measure
    rulebook = active_rulebook()
    term = rulebook.agreement_term_on(today)
    span = duration_months(p.entry, p.planned_end)
    age = today.year - c.birth_date.year - ((today.month, today.day) < (c.birth_date.month, c.birth_date.day))
    previous = (Agreement.select().where(Agreement.customer == c.id)
                .order_by(Agreement.concluded_on.desc(), Agreement.id.desc()).first())
    settings = JobcenterSettings.current()
    return {
        "customer": {"customer_number": c.customer_number, "salutation": c.salutation, "first_name": c.first_name,
                     "last_name": c.last_name, "birth_date": _iso(c.birth_date), "age": age},
        "participation": {"entry": _iso(p.entry), "planned_end": _iso(p.planned_end), "exit": _iso(p.exit),
                          "exit_kind": p.exit_kind, "duration_months": span.years * 12 + span.months,
                          "duration_days": (p.planned_end - p.entry).days + 1},
        "measure": _measure(m),
        "rulebook": {"id": rulebook.id, "agreement_term": term.code, "agreement_term_name": term.name,
                     "kp_from": _iso(next((t.valid_from for t in rulebook.agreement_terms if t.code == "KP"), None)),
                     "bundesland": rulebook.bundesland},
        "step": _step(followup),
        "previous_agreement": ({"exists": True, **{k: (_iso(v) if isinstance(v, datetime.date) else v)
                                                   for k, v in previous.__data__.items()
                                                   if k not in ("id", "participation", "customer", "author",
                                                                "created_at", "version")}}
                               if previous else {"exists": False}),
        "user": {"name": user.name if user else ""},
        "jobcenter": {"name": settings.name if settings else ""},
        "today": today.isoformat(),
    }


def subject_of(run, user):
    """The run's participation (a case form) or measure (a measure form), or abort: 404
    unknown, 403 when ``user`` may no longer see the case or is no longer the measure's MB."""
    if is_measure_run(run):
        return measures.get_own_measure(run.measure_id, user)
    if run.participation_id is None:
        abort(404)
    return caseload.get_visible_participation(run.participation_id, user)


def get_own_run(run_id, user, statuses=("draft",)):
    """The run with its participation or measure, or abort: 404 unknown (or not in
    ``statuses``), 403 when it is not ``user``'s or ``user`` may no longer see its subject."""
    run = FormRun.get_or_none(FormRun.id == run_id)
    if run is None or run.status not in statuses:
        abort(404)
    subject = subject_of(run, user)
    access.require(run.user_id == user.id)
    return run, subject


def snapshot_of_run(run):
    """The snapshot a submitted run made, or None."""
    return FormSnapshot.select(FormSnapshot.id).where(FormSnapshot.run == run.id).first()


def drafts_of(user):
    """The user's drafts, newest first: case drafts with customer and measure, measure drafts
    with their measure (``run.own_measure``; no customer)."""
    own = Measure.alias()
    return list(FormRun.select(FormRun, Participation, Customer, Measure, own)
                .join(Participation, JOIN.LEFT_OUTER).join(Customer, JOIN.LEFT_OUTER)
                .switch(Participation).join(Measure, JOIN.LEFT_OUTER)
                .switch(FormRun).join(own, JOIN.LEFT_OUTER, on=(FormRun.measure == own.id), attr="own_measure")
                .where(FormRun.user == user.id, FormRun.status == "draft")
                .order_by(FormRun.updated_at.desc()))


def drafts_by_followup(p, user):
    """{follow-up id: run} of the user's drafts opened from steps of ``p``; key None for the others."""
    runs = FormRun.select().where(FormRun.participation == p.id, FormRun.user == user.id,
                                  FormRun.status == "draft").order_by(FormRun.updated_at.desc())
    result = {}
    for run in runs:
        result.setdefault(run.followup_id, []).append(run)
    return result


def snapshots_by_followup(p):
    """{follow-up id: snapshot} of the forms that closed steps of ``p``."""
    return {s.followup_id: s for s in FormSnapshot.select(FormSnapshot.id, FormSnapshot.followup,
                                                          FormSnapshot.title, FormSnapshot.form_id)
            .where(FormSnapshot.participation == p.id, FormSnapshot.followup.is_null(False))}


def get_visible_snapshot(snapshot_id, user):
    """The snapshot with its participation, or (a measure form) its measure, which only the
    measure's MB sees (the Sprechstunde names participants); else abort 404 / 403."""
    snapshot = (FormSnapshot.select(FormSnapshot, User).join(User, JOIN.LEFT_OUTER,
                                                              on=(FormSnapshot.submitted_by == User.id))
                .where(FormSnapshot.id == snapshot_id).first())
    if snapshot is None:
        abort(404)
    if snapshot.participation_id is None and snapshot.measure_id is not None:
        return snapshot, measures.get_own_measure(snapshot.measure_id, user)
    p = caseload.get_visible_participation(snapshot.participation_id, user)
    return snapshot, p


def checklist_items(defn, field, answers, facts):
    """The items of a checklist field (fixed, or from the rulebook step via ``items_from``)."""
    return runtime.checklist_items(field, {**runtime.fact_names(facts), **answers})


def is_dependency(defn, name):
    """True when a condition, default or computed value of the form refers to field ``name``."""
    if not name:
        return False
    exprs = [step.show_if for step in defn.steps]
    exprs += [getattr(field, key) for field in defn.fields
              for key in ("show_if", "required_if", "compute", "default", "min", "max")]
    return any(isinstance(e, str) and name in {n.split(".")[0] for n in names_in(e)} for e in exprs)


def snapshot_view(snapshot, p):
    """What the snapshot page shows: the review as submitted and the records it created."""
    data = json.loads(snapshot.answers)
    derived = json.loads(snapshot.derived)
    document = (IssuedDocument.select(IssuedDocument.id, IssuedDocument.title, IssuedDocument.format,
                                      IssuedDocument.number, IssuedDocument.file_name)
                .where(IssuedDocument.id == derived["document"]).first()) if derived.get("document") else None
    followups = list(FollowUp.select().where(FollowUp.id.in_(derived.get("followups", []))))
    closed = FollowUp.get_or_none(FollowUp.id == snapshot.followup_id) \
        if snapshot.followup_id and not derived.get("survey") else None
    return {"sections": data.get("review", []), "derived": derived, "document": document,
            "followups": followups, "closed": closed, "version": data.get("version", "")}
