"""Issuing the Fachaufsicht list (PDF, A4 landscape): its plain-dict context, render and
archive; lists longer than ``SUPERVISION_PRINT_ASYNC_ROWS`` (default 300) are made in a
background job (a ``documents.models.BulkJob`` row polled by the progress page)."""
import datetime
import threading

from flask import current_app

from .. import audit
from ..db import database
from ..documents import context as document_context
from ..documents import operations as documents
from ..documents.models import BulkJob, IssuedDocument
from ..documents.render import DocumentError, registry
from ..formats import de_date, month_label
from ..models import Team, User, now
from . import queries, review_print
from .review_criteria import AM_STARTED_WORDS, CRITERIA, load_ratings, summary
from .review_operations import FEEDBACK, focus_of

SUPERVISION_DOCUMENT = queries.SUPERVISION_DOCUMENT
ASYNC_ROWS = 300
PEN_COLUMNS_PX = (76, 76)  # Handzeichen, Datum; the Bemerkung column takes the rest
JOB_STEPS = 3  # collect the data, lay out the PDF, archive it


def initials(name):
    """'Sabine Hoffmann' -> 'SH' (the Handzeichen of a digital check)."""
    return "".join(part[0] for part in name.replace(",", " ").split() if part[:1].isalpha()).upper()[:4]


def focus_text(review, names):
    """The focus and the sample in words, for the page and the printed list."""
    if review is None or not review.seed:
        return ""
    types, paps = focus_of(review)
    what = ", ".join(types) if types else "alle Maßnahmearten"
    who = ", ".join(names.get(i, f"#{i}") for i in paps) if paps else "alle pAp"
    size = f"{review.sample_share} %" if review.sample_share else f"{review.sample_size} Fälle"
    return f"Schwerpunkt: {what}; {who}. Stichprobe: {size} (Seed {review.seed})."


def _row(p, number, sampled=False, am="", result="", checker="", checked_on=""):
    return {"number": number, "customer_number": p.customer.customer_number, "customer_name": p.customer.full_name,
            "pap_name": p.customer.pap.name if p.customer.pap_id else "", "measure_type": p.measure.type_code,
            "measure_number": p.measure.measure_number, "measure_title": p.measure.title,
            "exit_planned": de_date(p.planned_end), "am_started": am, "sampled": sampled,
            "result": result, "initials": checker, "checked_on": checked_on}


def list_context(team, month, user=None, generated_on=None):
    """Context of 'fachaufsicht-liste' (see its sample.json "_doc"): the stored cases of the
    team's review of ``month`` (sampled ones marked, with their result), or the current list
    when no sample was drawn yet."""
    review = queries.review_for(team, month)
    lead = user if user is not None and user.has_role("TL") and user.team_id == team.id else queries.team_lead(team)
    rows, findings = [], []
    if review is not None:
        cases = list(queries.review_cases(review))
        names = queries.user_names([c.checked_by_id for c in cases] + [review.signed_by_id]
                                   + focus_of(review)[1])
        started = queries.am_started_map(c.participation_id for c in cases if not c.sampled)
        for number, case in enumerate(cases, 1):
            p, ratings = case.participation, load_ratings(case.ratings)
            am = AM_STARTED_WORDS.get(ratings.get("am_started"), "") if case.sampled else started[p.id]
            checker = initials(names.get(case.checked_by_id, "")) if case.sampled and case.checked_by_id else ""
            rows.append(_row(p, number, case.sampled, am, summary(ratings) if case.sampled else "", checker,
                             de_date(case.checked_at.date()) if checker else ""))
            if case.sampled and (case.finding or "nio" in ratings.values()):
                findings.append({"number": number, "customer_name": p.customer.full_name, "text": case.finding,
                                 "failed": ", ".join(label for key, label in CRITERIA if ratings.get(key) == "nio"),
                                 "feedback": FEEDBACK.get(case.feedback, "")})
    else:
        names = {}
        current = queries.supervision_rows(team, month, whole=False)
        started = queries.am_started_map(p.id for p in current)
        rows = [_row(p, number, am=started[p.id]) for number, p in enumerate(current, 1)]
    widths = review_print.column_widths()
    return {
        "jobcenter": document_context.jobcenter(),
        "team": {"name": team.name},
        "month_label": month_label(month),
        "generated_on": de_date(generated_on or datetime.date.today()),
        "focus": focus_text(review, names),
        "columns": [{"label": c[1], "width": w} for c, w in zip(review_print.COLUMNS, widths, strict=True)],
        "pen_columns": list(PEN_COLUMNS_PX),
        "grid": review_print.grid_lines() + [sum(widths) + PEN_COLUMNS_PX[0], sum(widths) + sum(PEN_COLUMNS_PX)],
        "rows": rows,
        "sampled_count": sum(1 for r in rows if r["sampled"]),
        "findings": findings,
        "team_findings": review.team_findings if review else "",
        "addenda": [{"date": de_date(a.created_at), "author": a.author.name, "text": a.text}
                    for a in (queries.addenda(review) if review and review.signed else [])],
        "signed": ({"by": names.get(review.signed_by_id, ""), "at": de_date(review.signed_at),
                    "sha256": review.signed_sha256} if review and review.signed else {}),
        "spot_checks": [{"by": s.user.name, "at": de_date(s.checked_at),
                         "result": "ohne Beanstandung" if s.ok else "mit Beanstandung", "remark": s.remark}
                        for s in (queries.spot_checks(review) if review and review.signed else [])],
        "team_lead": {"name": lead.name if lead else ""},
    }


def _render(context):
    """Return (spec, PDF bytes, template version label); raises DocumentError."""
    spec = registry.get(documents.forms_dir(), SUPERVISION_DOCUMENT)
    return (spec, *documents.render(spec, "pdf", context))


def _archive(spec, data, label, team, month, user):
    return documents.archive(spec, "pdf", data, label, user, ("Fachaufsicht", team.name, f"{month:%Y-%m}"),
                             team=team, subject=f"Team {team.id} {month:%Y-%m}")


def issue_supervision_list(team, month, user):
    """Render and archive the Fachaufsicht list of ``team`` for ``month`` now; returns ``documents.Issued``.

    The sign-off block names the issuing user when they are the team's TL, else the team's TL.
    """
    try:
        spec, data, label = _render(list_context(team, month, user))
    except DocumentError as exc:
        return documents.Issued(error=str(exc))
    return documents.Issued(document=_archive(spec, data, label, team, month, user))


def list_length(team, month):
    """How many rows the printed list has (the stored cases, else the current list)."""
    review = queries.review_for(team, month)
    return queries.case_ids(review).count() if review is not None else queries.month_ids(team, month).count()


def print_list(team, month, user):
    """Issue the list now, or start a background job for a long list.

    Returns ``(Issued, None)`` or ``(None, BulkJob)``.
    """
    length = list_length(team, month)
    if length <= current_app.config.get("SUPERVISION_PRINT_ASYNC_ROWS", ASYNC_ROWS):
        return issue_supervision_list(team, month, user), None
    documents.check_job_limit(user)
    with database.atomic():
        job = BulkJob.create(user=user, document=SUPERVISION_DOCUMENT, format="pdf", total=JOB_STEPS,
                             participation_ids="", result_name="")
        audit.log("create", "bulk-job", job.id, f"Fachaufsicht {team.name} {month:%Y-%m}, {length} Zeilen", user=user)
    _start(job, team.id, month, user.id)
    return None, job


def _start(job, team_id, month, user_id):
    """Run now (config BULK_SYNC, for tests) or in a thread with its own app context and connection."""
    app = current_app._get_current_object()
    if app.config.get("BULK_SYNC", False):
        process_print_job(app, job.id, team_id, month, user_id)
        return
    threading.Thread(target=_run, args=(app, job.id, team_id, month, user_id), daemon=True,
                     name=f"fachaufsicht-job-{job.id}").start()


def _run(app, job_id, team_id, month, user_id):
    with app.app_context(), database.connection_context():
        process_print_job(app, job_id, team_id, month, user_id)


def process_print_job(app, job_id, team_id, month, user_id):
    """Collect, render and archive; the job's ``done`` counts the steps, ``result_name`` names the file."""
    def step(done):
        BulkJob.update(done=done, status="running", heartbeat_at=now()).where(BulkJob.id == job_id).execute()

    try:
        team, user = Team.get_by_id(team_id), User.get_by_id(user_id)
        step(0)
        context = list_context(team, month, user)
        step(1)
        spec, data, label = _render(context)
        step(2)
        doc = _archive(spec, data, label, team, month, user)
        BulkJob.update(done=JOB_STEPS, status="done", result_name=doc.file_name, finished_at=now()
                       ).where(BulkJob.id == job_id).execute()
    except Exception as exc:  # noqa: BLE001 - the job must end with a visible message
        message = str(exc) if isinstance(exc, DocumentError) else "Unerwarteter Fehler beim Erstellen der Liste."
        app.logger.exception("Fachaufsicht-Liste (Auftrag %s) fehlgeschlagen", job_id)
        BulkJob.update(status="failed", error=message, finished_at=now()).where(BulkJob.id == job_id).execute()


def job_document(job):
    """The IssuedDocument a finished job archived (found by its unique file name), or None."""
    if job.status != "done" or not job.result_name:
        return None
    fields = [f for f in IssuedDocument._meta.sorted_fields if f.name != "content"]
    return IssuedDocument.select(*fields).where(
        IssuedDocument.document == SUPERVISION_DOCUMENT, IssuedDocument.file_name == job.result_name,
        IssuedDocument.author == job.user_id).order_by(IssuedDocument.id.desc()).first()
