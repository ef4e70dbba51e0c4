"""Guided forms in the browser: start from a case or a follow-up, one step per URL,
autosave with inline validation, review, submit; drafts and submitted snapshots.

A run is for a case (a participation) or – the MB's forms, ``context = "measure"`` –
for a measure; both share every route after the start. Every route checks that the
user may see the case, or is the measure's MB; a run belongs to the user who started it.
"""
import json

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from .. import access, audit
from ..caseload import queries as caseload
from ..documents.render import DocumentError
from ..formats import de_date, parse_date
from ..measures import queries as measures
from ..models import FollowUp
from ..web import db_int, redirect_to, render, wants_fragment
from . import engine, measure_operations, operations, queries

bp = Blueprint("guided_forms", __name__)
PAGE = "guided_forms/run.html"


def _may_fill(p, defn, followup):
    """pAp/TL of the customer's team; agreements only the pAp side; the step's role for its own step."""
    if "agreement" in defn.effects:
        return access.can_write_agreement(current_user, p)
    if followup is not None:
        return access.can_complete_followup(current_user, followup, p)
    return access.can_edit_participation(current_user, p)


def _inputs(defn, step, answers, raw):
    """The text each input of ``step`` shows: stored answers (dates as TT.MM.JJJJ), typed raw text over them."""
    values = engine.step_raw(defn, step.id, answers)
    for field in step.fields:
        if field.type == "date" and values.get(field.name):
            values[field.name] = [de_date(parse_date(v)) for v in values[field.name]]
    names = [f.name for f in step.fields]
    values.update({k: v for k, v in raw.items() if any(k == n or k.startswith(f"{n}-") for n in names)})
    return values


def _origin(subject):
    """(URL, label) of the page a run or snapshot belongs to: the participation or the measure."""
    if queries.is_measure_subject(subject):
        return (url_for("measures.detail", measure_id=subject.id),
                f"{subject.type_code} {subject.measure_number} · {subject.title}")
    return (url_for("participations.detail", participation_id=subject.id),
            f"{subject.customer.full_name} · {subject.measure.type_code} {subject.measure.measure_number}")


def _run_page(run, p, step_id=None, errors=None, status=200, push=None, review=False, problems=None):
    user = current_user._get_current_object()
    defn, facts, answers, raw, prefilled = operations.run_state(run, p, user)
    origin_url, origin_label = _origin(p)
    steps = engine.visible_steps(defn, answers, facts)
    step = None if review else next((s for s in steps if s.id == step_id), steps[0])
    if step is not None and errors is None and any(k.split("-")[0] in {f.name for f in step.fields} for k in raw):
        _, errors = engine.parse_step(defn, step.id, {**_inputs(defn, step, answers, {}), **raw}, answers, facts)
    context = dict(run=run, p=p, defn=defn, steps=steps, step=step, errors=errors or {}, prefilled=prefilled,
                   number=steps.index(step) + 1 if step else len(steps) + 1, total=len(steps) + 1,
                   fields=engine.visible_fields(step, answers, facts, defn) if step else [],
                   computed=engine.computed_values(defn, answers, facts), problems=problems or {},
                   inputs=_inputs(defn, step, answers, raw) if step else {},
                   checklists={f.name: [(item, item) for item in queries.checklist_items(defn, f, answers, facts)]
                               for f in (step.fields if step else ()) if f.type == "checklist"},
                   review=engine.review(defn, answers, facts) if review else [],
                   back_to=request.values.get("zurueck_zu"), origin_url=origin_url, origin_label=origin_label)
    return render(PAGE, "form_run", status=status, push_url=push, **context)


def _step_url(run, step_id):
    return url_for("guided_forms.step", run_id=run.id, step_id=step_id)


@bp.post("/teilnahmen/<int:participation_id>/formulare/<form_id>")
@login_required
def start(participation_id, form_id):
    p = caseload.get_visible_participation(participation_id, current_user)
    defn = queries.definition(form_id)
    if defn.context != "case":
        abort(404)  # a measure form is started from its measure
    followup = None
    if request.form.get("followup"):
        followup_id = request.form.get("followup", type=db_int)
        followup = FollowUp.get_or_none(FollowUp.id == followup_id) if followup_id is not None else None
        if followup is None or followup.participation_id != p.id or followup.form != defn.id:
            abort(404)  # a step is closed by its own form only
    access.require(_may_fill(p, defn, followup))
    run = operations.start_run(defn, p, current_user._get_current_object(), followup)
    return redirect_to(_step_url(run, run.current_step))


@bp.post("/massnahmen/<int:measure_id>/formulare/<form_id>")
@login_required
def start_measure(measure_id, form_id):
    """Start (or resume) a measure form: only the measure's MB; optionally from one of the
    measure's follow-ups that this form answers (field ``followup``)."""
    measure = measures.get_own_measure(measure_id, current_user)
    defn = queries.definition(form_id)
    if defn.context != "measure":
        abort(404)
    followup = None
    if request.form.get("followup"):
        followup_id = request.form.get("followup", type=db_int)
        followup = FollowUp.get_or_none(FollowUp.id == followup_id) if followup_id is not None else None
        if followup is None or followup.measure_id != measure.id or followup.form != defn.id:
            abort(404)
    run = measure_operations.start_run(defn, measure, current_user._get_current_object(), followup)
    return redirect_to(_step_url(run, run.current_step))


@bp.get("/formulare/entwuerfe")
@login_required
def drafts():
    runs = queries.drafts_of(current_user)
    audit.log("read", "form-run-list", detail=f"{len(runs)} Entwürfe")
    return render("guided_forms/drafts.html", runs=runs, titles={d.id: d.title for d in queries.definitions().values()})


@bp.get("/formulare/<int:run_id>/schritt/<step_id>")
@login_required
def step(run_id, step_id):
    run, p = queries.get_own_run(run_id, current_user)
    if step_id not in {s.id for s in queries.run_definition(run).steps}:
        abort(404)
    audit.log("read", "form-run", run.id, f"Schritt {step_id}")
    return _run_page(run, p, step_id)


@bp.post("/formulare/<int:run_id>/schritt/<step_id>")
@login_required
def save(run_id, step_id):
    """Save the step; "weiter" moves on when it is valid, "zurueck" always moves back."""
    run, p = queries.get_own_run(run_id, current_user)
    user = current_user._get_current_object()
    try:
        errors, defn, facts = operations.save_step(run, p, step_id, request.form, user)
    except KeyError:
        abort(404)
    action = request.form.get("aktion", "weiter")
    _, _, answers, _, _ = operations.run_state(run, p, user)
    steps = [s.id for s in engine.visible_steps(defn, answers, facts)]
    here = steps.index(step_id) if step_id in steps else 0
    if action == "zurueck":
        target = steps[max(here - 1, 0)]
    elif errors:
        return _run_page(queries.get_own_run(run.id, current_user)[0], p, step_id, errors=errors, status=422)
    elif action == "speichern":
        target = step_id
    elif request.form.get("zurueck_zu") == "pruefen" or here + 1 >= len(steps):
        return _after(run, p, url_for("guided_forms.review", run_id=run.id), review=True)
    else:
        target = steps[here + 1]
    return _after(run, p, _step_url(run, target), step_id=target)


def _after(run, p, url, step_id=None, review=False):
    """htmx: the next view in place with its URL pushed; without JavaScript: a redirect."""
    if not wants_fragment():
        return redirect_to(url)
    run = queries.get_own_run(run.id, current_user)[0]
    return _run_page(run, p, step_id, push=url, review=review)


@bp.post("/formulare/<int:run_id>/schritt/<step_id>/entwurf")
@login_required
def autosave(run_id, step_id):
    """Autosave on every change: stores the draft quietly and answers with the status and
    the changed field's message (inline validation, the same messages as on submit)."""
    run, p = queries.get_own_run(run_id, current_user)
    try:
        errors, defn, facts = operations.save_step(run, p, step_id, request.form, current_user._get_current_object())
    except KeyError:
        abort(404)
    trigger = request.htmx.trigger_name or ""
    name = trigger.split("-")[0]
    if queries.is_dependency(defn, name):  # other fields or steps depend on it: show the step anew
        response = _run_page(queries.get_own_run(run.id, current_user)[0], p, step_id, errors=errors)
        response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#form-run", "outerHTML"
        return response
    keys = [k for k in dict.fromkeys((trigger, name)) if k]
    return render(PAGE, "autosave", shown={k: errors[k] for k in keys if k in errors},
                  cleared=[k for k in keys if k not in errors])


@bp.get("/formulare/<int:run_id>/pruefen")
@login_required
def review(run_id):
    run, p = queries.get_own_run(run_id, current_user)
    audit.log("read", "form-run", run.id, "Prüfen")
    return _run_page(run, p, review=True)


@bp.post("/formulare/<int:run_id>/absenden")
@login_required
def submit(run_id):
    run, p = queries.get_own_run(run_id, current_user, statuses=("draft", "submitted"))
    if run.status != "draft":
        return _already_submitted(run, p)
    submitting = measure_operations if queries.is_measure_run(run) else operations
    try:
        snapshot = submitting.submit(run, p, current_user._get_current_object())
    except operations.AlreadySubmitted:  # a submit of the same run at the same moment came first
        return _already_submitted(run, p)
    except operations.SubmitRefused as refused:
        return _run_page(run, p, review=True, status=422, problems=refused.errors)
    except DocumentError as exc:
        return _run_page(run, p, review=True, status=422, problems={"_document": {"_form": str(exc)}})
    derived = json.loads(snapshot.derived)
    parts = [text for key, text in (("note", "Vermerk angelegt"), ("agreement", "Vereinbarung gespeichert"),
                                    ("placement_proposal", "Vermittlungsvorschlag gespeichert"),
                                    ("document", "Dokument archiviert"),
                                    ("office_hour", "Sprechstunde gespeichert")) if key in derived]
    parts += [f"{len(derived['notes'])} Vermerk(e) bei Teilnehmenden"] if derived.get("notes") else []
    parts += [f"{len(derived['followups'])} Wiedervorlage(n) für pAp"] if derived.get("followups") else []
    parts += ["anonym gespeichert"] if derived.get("survey") else []
    parts += ["Wiedervorlage erledigt"] if snapshot.followup_id and not derived.get("survey") else []
    flash(f"{snapshot.title} abgeschickt" + (": " + ", ".join(parts) if parts else "") + ".", "success")
    return redirect_to(url_for("guided_forms.snapshot", snapshot_id=snapshot.id))


def _already_submitted(run, p):
    """A second submit of a run: the message, and the snapshot the first one made."""
    flash(operations.ALREADY_SUBMITTED, "info")
    snap = queries.snapshot_of_run(run)
    return redirect_to(url_for("guided_forms.snapshot", snapshot_id=snap.id) if snap else _origin(p)[0])


@bp.post("/formulare/<int:run_id>/verwerfen")
@login_required
def discard(run_id):
    run, p = queries.get_own_run(run_id, current_user)
    operations.discard(run, current_user._get_current_object())
    flash("Der Entwurf wurde verworfen.", "info")
    return redirect_to(_origin(p)[0])


@bp.get("/formulare/ergebnisse/<int:snapshot_id>")
@login_required
def snapshot(snapshot_id):
    snap, p = queries.get_visible_snapshot(snapshot_id, current_user)
    audit.log("read", "form-snapshot", snap.id)
    origin_url, origin_label = _origin(p)
    return render("guided_forms/snapshot.html", snapshot=snap, p=p, origin_url=origin_url, origin_label=origin_label,
                  measure_form=queries.is_measure_subject(p), **queries.snapshot_view(snap, p))
