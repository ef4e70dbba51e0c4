"""Write operations of the guided forms: start a run, save a step (draft), submit.

Submit is one transaction: the immutable snapshot, the Vermerk, the follow-up
closed with a link to the snapshot, the derived records (agreement, contact,
Vermittlungsvorschlag, exit/Abbruch), the re-plan and the archived document.
A failure anywhere leaves nothing written.
"""
import datetime
import hashlib
import json

from .. import audit
from ..caseload import operations as caseload
from ..caseload import planning
from ..db import database
from ..documents import context as document_context
from ..documents import operations as documents
from ..documents.render import registry
from ..formats import de_date
from ..jobcenter import active_rulebook, agreement_term
from ..models import Agreement, FollowUp, Note, Participation, PlacementProposal, now
from . import engine
from .models import FormDefinitionVersion, FormRun, FormSnapshot
from .queries import case_facts, run_facts, run_definition

AFTERCARE_PHASES = ("ende", "nach", "abbruch")


ALREADY_SUBMITTED = "Dieses Formular wurde bereits abgeschickt."


class AlreadySubmitted(Exception):
    """Another submit of the same run came first (a double click, a second tab): nothing written."""

    def __init__(self):
        super().__init__(ALREADY_SUBMITTED)


class SubmitRefused(Exception):
    """The answers are incomplete or the case changed; ``errors`` per step."""

    def __init__(self, errors):
        super().__init__("Formular unvollständig")
        self.errors = errors


def _json(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def pin(defn):
    row = FormDefinitionVersion.get_or_none(FormDefinitionVersion.sha256 == defn.sha256)
    return row or FormDefinitionVersion.create(form_id=defn.id, version=defn.version, sha256=defn.sha256,
                                               source=defn.source_text)


def start_run(defn, p, user, followup=None):
    """Resume the user's draft of this form for this case (and step), or start one pinned to ``defn``."""
    with database.atomic():
        existing = (FormRun.select().where(FormRun.user == user.id, FormRun.participation == p.id,
                                           FormRun.form_id == defn.id, FormRun.status == "draft",
                                           FormRun.followup == (followup.id if followup else None))
                    .order_by(FormRun.updated_at.desc()).first())
        if existing is not None:
            return existing
        facts = case_facts(p, followup, user)
        answers, prefilled = engine.initial_answers(engine.bind_options(defn, facts), facts)
        first = engine.visible_steps(defn, answers, facts)[0]
        run = FormRun.create(definition=pin(defn), form_id=defn.id, customer=p.customer_id, participation=p.id,
                             followup=followup, user=user, current_step=first.id, answers=_json(answers),
                             prefilled=_json(sorted(prefilled)))
        audit.log("create", "form-run", run.id, f"{defn.id} Teilnahme {p.id}")
    return run


def run_state(run, subject, user):
    """(definition, facts, answers, raw, prefilled) of a run as stored; ``subject`` is the
    case's participation or (a measure form) the measure. The definition's ``options_from``
    choices are bound to the facts."""
    facts = run_facts(run, subject, user)
    return (engine.bind_options(run_definition(run), facts), facts, json.loads(run.answers), json.loads(run.raw),
            set(json.loads(run.prefilled)))


def save_step(run, subject, step_id, form, user):
    """Store the typed input of one step in the draft: clean values as answers, bad
    input as raw text (nothing typed is lost). Returns (errors, definition, facts)."""
    defn, facts, answers, raw, prefilled = run_state(run, subject, user)
    step = defn.step(step_id)
    submitted = {k: v for k, v in form.lists() if k not in ("csrf_token", "aktion", "zurueck_zu")}
    values, errors = engine.parse_step(defn, step_id, submitted, answers, facts)
    names = [f.name for f in step.fields if not f.compute]
    raw = {k: v for k, v in raw.items() if not any(k == n or k.startswith(f"{n}-") for n in names)}
    bad = {key if key in values else key.split("-")[0] for key in errors}
    for name in bad:
        raw.update({k: v for k, v in submitted.items() if k == name or k.startswith(f"{name}-")})
    for name in names:
        if name not in bad:
            answers[name] = values.get(name)
            if name in prefilled and values.get(name) != json.loads(run.answers).get(name):
                prefilled.discard(name)
    with database.atomic():
        FormRun.update(answers=_json(answers), raw=_json(raw), prefilled=_json(sorted(prefilled)),
                       current_step=step_id, updated_at=now(), version=FormRun.version + 1
                       ).where(FormRun.id == run.id).execute()
        audit.log("update", "form-run", run.id, f"Schritt {step_id}")
    return errors, defn, facts


def discard(run, user):
    with database.atomic():
        FormRun.update(status="discarded", updated_at=now()).where(FormRun.id == run.id).execute()
        audit.log("delete", "form-run", run.id, "Entwurf verworfen", user=user)


# ------------------------------------------------------------------ submit

def _note_subject(defn, followup):
    if followup is not None and followup.phase in AFTERCARE_PHASES:
        return "Absolventenmanagement"
    return defn.note_subject or defn.title


def note_text(defn, answers, facts):
    """The Vermerk: every answer under its step, as the review shows it."""
    lines = []
    for step, rows in engine.review(defn, answers, facts):
        lines.append(step.title)
        lines += [f"  {field.label}: {text}" for field, text in rows]
    return "\n".join(lines)


def _target_followup(run, defn, p):
    """The follow-up the submit closes: the one that opened the form, else the first
    open step of the case whose rulebook step the form ``completes``."""
    if run.followup_id:
        f = FollowUp.get_or_none(FollowUp.id == run.followup_id)
        return f if f is not None and f.status == "open" else None
    if not defn.completes:
        return None
    return (FollowUp.select().where(FollowUp.participation == p.id, FollowUp.status == "open",
                                    FollowUp.rule_id.in_(list(defn.completes)))
            .order_by(FollowUp.due, FollowUp.id).first())


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _agreement(p, answers, user):
    concluded = _date(answers["concluded_on"])
    term = agreement_term(concluded)
    number = answers.get("own_efforts_number")
    a = Agreement.create(
        participation=p.id, customer=p.customer_id, author=user, kind=term.code,
        agreement_kind=answers.get("agreement_kind") or "neu", concluded_on=concluded,
        valid_until=_date(answers.get("valid_until")) if term.code == "EV" else None,
        review_date=_date(answers.get("review_date")) if term.code == "KP" else None,
        goal=answers.get("goal") or "", steps=answers.get("steps") or "",
        customer_duties=answers.get("customer_duties") or "",
        own_efforts_number=int(number) if number is not None else None,
        own_efforts_period=answers.get("own_efforts_period") or "",
        own_efforts_proof=answers.get("own_efforts_proof") or "",
        jobcenter_support=answers.get("jobcenter_support") or "",
        contacts_during_measure=answers.get("contacts_during_measure") or "")
    audit.log("create", "agreement", a.id, f"Formular, Teilnahme {p.id}")
    return a


def _exit(p, answers, user):
    """Record the Abbruch on the participation and re-plan it; the invitation step follows
    whether the customer becomes unemployed (seed 001 §8)."""
    before = Participation.get_by_id(p.id)
    exit_day = _date(answers["exit_date"])
    Participation.update(exit=exit_day, exit_kind="abbruch", dropout_reason=answers.get("dropout_reason") or "",
                         important_reason=answers.get("important_reason"), version=Participation.version + 1
                         ).where(Participation.id == p.id).execute()
    audit.log("update", "participation", p.id, "Abbruch (Formular)")
    after = Participation.get_by_id(p.id)
    planning.replan(after, planning.reason_for_change(before, after), user)
    invitation = (FollowUp.select().where(FollowUp.participation == p.id, FollowUp.rule_id == "abbruch-einladung")
                  .first())
    if answers.get("unemployed"):
        if invitation is None or invitation.status == "cancelled":
            due = active_rulebook().calendar.add_working_days(exit_day, 5)
            planning.add_manual_followup(after, "Abbruch: Kunden zum Gespräch einladen (arbeitslos)",
                                         max(due, datetime.date.today()), user, phase="abbruch",
                                         reason="Maßnahmeabbruch erfasst")
    elif invitation is not None and invitation.status == "open":
        FollowUp.update(status="cancelled", cancel_reason="entfällt: laut Abbruchformular nicht arbeitslos",
                        version=FollowUp.version + 1).where(FollowUp.id == invitation.id).execute()
    return after


def _follow_ups(p, defn, answers, user):
    """The follow-ups a conversation sets (Auswertungsgespräch: next talk, new agreement)."""
    created = []
    if answers.get("next_followup"):
        created.append(planning.add_manual_followup(
            p, f"Folgetermin nach {defn.title}", _date(answers["next_followup"]), user, reason=defn.title).id)
    if answers.get("new_agreement_needed"):
        term = agreement_term()
        created.append(planning.add_manual_followup(
            p, f"{term.name} neu abschließen", datetime.date.today() + datetime.timedelta(days=14), user,
            form="eingliederungsvereinbarung", reason=defn.title).id)
    return created


def _document(defn, p, answers, facts, user, snapshot, subject, agreement=None):
    """Render and archive the form's document (PDF); returns the IssuedDocument."""
    spec = registry.get(documents.forms_dir(), defn.produces)
    term = agreement_term(agreement.concluded_on) if agreement else agreement_term()
    context = {
        "jobcenter": document_context.jobcenter(), "customer": document_context.customer(p.customer),
        "measure": document_context.measure(p.measure),
        "participation": {"entry": de_date(p.entry), "planned_end": de_date(p.planned_end)},
        "author": document_context.person(user), "issued_on": de_date(datetime.date.today()),
        "reference": f"{p.customer.customer_number}-TN{p.id}-F{snapshot.id}",
        "term": term.name, "kind": agreement.kind if agreement else term.code,
        "form": {"title": defn.title, "note_subject": subject, "submitted_at": de_date(snapshot.submitted_at),
                 "sha256": snapshot.sha256, "sections": engine.review_sections(defn, answers, facts)},
    }
    for key, value in engine.document_context(defn, answers, facts).items():
        context[key] = {**context.get(key, {}), **value} if isinstance(value, dict) else value
    fmt = "pdf" if "pdf" in spec.formats else spec.formats[0]
    data, label = documents.render(spec, fmt, context)
    return documents.archive(spec, fmt, data, label, user,
                             (spec.title.split(" /")[0], p.customer.customer_number, f"F{snapshot.id}"),
                             participation=p, agreement=agreement, subject=f"Formular {snapshot.id}")


def checked(run, subject, user):
    """The answers of a draft ready to submit: (definition, facts, effective answers, canonical
    JSON); raises SubmitRefused with the problems per step (the case path and the measure path)."""
    defn, facts, answers, raw, _ = run_state(run, subject, user)
    problems = engine.validate_all(defn, answers, facts)
    for key in raw:  # input kept as typed that is still invalid: back to the step that asks for it
        name = key.split("-")[0]
        step = defn.step_of(name).id
        if key not in problems.get(step, {}):
            _, errors = engine.parse_step(defn, step, raw, answers, facts)
            problems.setdefault(step, {}).update({k: m for k, m in errors.items() if k.split("-")[0] == name}
                                                 or {key: "Ungültige Eingabe – bitte korrigieren."})
    if problems:
        raise SubmitRefused(problems)
    effective = engine.effective_answers(defn, answers, facts)
    canonical = _json({"form": defn.id, "version": defn.version, "definition_sha256": defn.sha256,
                       "answers": effective, "review": engine.review_sections(defn, effective, facts)})
    return defn, facts, effective, canonical


def create_snapshot(run, defn, canonical, user, **subject):
    """The immutable snapshot row (``subject``: customer and participation, or measure)."""
    return FormSnapshot.create(run=run.id, form_id=defn.id, title=defn.title, definition=run.definition_id,
                               answers=canonical, sha256=hashlib.sha256(canonical.encode()).hexdigest(),
                               submitted_by=user, **subject)


def claim(run):
    """First write of every submit's transaction (case and measure forms): mark the draft
    submitted only if it still is a draft. The status read before the transaction may be
    stale – two submits at once both saw "draft"; the row lock (PostgreSQL) or the write
    lock (SQLite, BEGIN IMMEDIATE) lets one claim it and the other find 0 rows: that one
    raises AlreadySubmitted and its transaction writes nothing (no IntegrityError on the
    snapshot's unique run)."""
    claimed = (FormRun.update(status="submitted", submitted_at=now(), updated_at=now())
               .where(FormRun.id == run.id, FormRun.status == "draft").execute())
    if not claimed:
        raise AlreadySubmitted()


def finish(run, snapshot, derived):
    """Store what the submit created on the snapshot (in the transaction; ``claim`` marked the run)."""
    FormSnapshot.update(derived=_json(derived)).where(FormSnapshot.id == snapshot.id).execute()
    audit.log("create", "form-snapshot", snapshot.id, f"{snapshot.form_id} sha256={snapshot.sha256}")


def submit(run, p, user):
    """Submit a draft of a case form in one transaction; returns the FormSnapshot.

    Raises SubmitRefused (answers incomplete: errors per step), DocumentError (the
    document could not be rendered) or AlreadySubmitted; nothing is written then.
    """
    defn, facts, effective, canonical = checked(run, p, user)
    contact = "contact" in defn.effects
    with database.atomic():
        claim(run)
        if contact:  # only a qualified contact fulfils a contact step (seed 001 §5): the one it opened,
            # else the one its date answers (planning.complete_by_contact)
            opened = FollowUp.get_or_none(FollowUp.id == run.followup_id) if run.followup_id else None
            followup = opened if opened is not None and opened.status == "open" and effective.get("qualified") \
                else None
        else:
            followup = _target_followup(run, defn, p)
        subject = _note_subject(defn, followup)
        snapshot = create_snapshot(run, defn, canonical, user, customer=p.customer_id, participation=p.id,
                                   followup=followup)
        if followup is not None:  # closed first: a re-plan below must not re-date the step it answers
            planning.mark_done(FollowUp.get_by_id(followup.id), user, outcome=f"{defn.title} abgeschickt",
                               reason=f"Wiedervorlage durch Formular erledigt: {defn.title}")
        derived = {}
        text = note_text(defn, effective, facts)
        if contact:
            note, fulfilled = caseload.add_contact(p, _date(effective["contact_date"]), effective.get("channel") or "",
                                                   subject, text, bool(effective.get("qualified")), user,
                                                   complete=followup is None)
            derived["note"] = note.id
            if fulfilled is not None:
                FormSnapshot.update(followup=fulfilled.id).where(FormSnapshot.id == snapshot.id).execute()
        elif "note" in defn.effects:
            note = Note.create(customer=p.customer_id, participation=p.id, subject=subject,
                               text=f"{defn.title}\n{text}", author=user, date=datetime.date.today(), kind="vermerk")
            audit.log("create", "note", note.id, defn.title)
            derived["note"] = note.id
        agreement = _agreement(p, effective, user) if "agreement" in defn.effects else None
        if agreement:
            derived["agreement"] = agreement.id
        if "placement_proposal" in defn.effects:
            vv = PlacementProposal.create(
                customer=p.customer_id, participation=p.id, proposal_date=_date(effective["proposal_date"]),
                employer=effective["employer"], job_title=effective["job_title"], job_kind=effective["job_kind"],
                sv_pflichtig=bool(effective["sv_pflichtig"]), remarks=effective.get("remarks") or "", author=user)
            audit.log("create", "placement-proposal", vv.id, f"Teilnahme {p.id}")
            derived["placement_proposal"] = vv.id
        case = _exit(p, effective, user) if "exit" in defn.effects else p
        if "replan" in defn.effects:
            derived["followups"] = _follow_ups(case, defn, effective, user)
        if defn.produces:
            derived["document"] = _document(defn, case, effective, facts, user, snapshot, subject, agreement).id
        finish(run, snapshot, derived)
    return FormSnapshot.get_by_id(snapshot.id)
