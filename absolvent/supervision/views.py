"""Fachaufsicht (RULES.md §7, Goslar 1.4.3): the monthly list per team, the TL's sample,
case checks, feedback, sign-off and addenda, the BL's spot checks, and the printed PDF.

Who: the TL of the team does everything; the BL reads every team and spot-checks
signed lists (never signs for a TL); the DQM of the team reads. Thin handlers:
writes in ``review_operations`` / ``operations``, reads in ``queries``.
"""
import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from .. import access, audit, list_exports
from ..auth import roles_required
from ..vocabulary import SUPERVISORS
from ..documents import operations as documents_operations
from ..documents.models import BulkJob
from ..formats import first_of_next_month, month_label, parse_month
from ..models import Team
from ..web import Pages, count_label, db_int, page_number, redirect_to, render, wants_fragment
from . import operations, queries
from . import review_operations as reviews
from .review_criteria import AM_STARTED_WORDS, CRITERIA, RATINGS, load_ratings, suggest, summary

bp = Blueprint("supervision", __name__)
PAGE_SIZE = 50
VIEWS = {"stichprobe": "Stichprobe", "alle": "Alle Fälle"}
READERS = ("TL", "BL", "DQM")
PAGE, BLOCK = "supervision/index.html", "supervision_rows"
CASE_PAGE, CASE_BLOCK = "supervision/review_case.html", "case_check"
JOB_FIELDS = [f for f in BulkJob._meta.sorted_fields if f.name != "result"]


def can_read(user, team_id):
    """TL of the team and BL (``access.can_view_supervision_list``), and the team's DQM (reads)."""
    return access.can_view_supervision_list(user, team_id) or (
        user.has_role("DQM") and user.team_id is not None and user.team_id == team_id)


def can_write(user, team_id):
    """Only the team's own TL draws, checks, gives feedback, signs and adds addenda."""
    return user.has_role("TL") and user.team_id is not None and user.team_id == team_id


def _team(raw):
    """The team asked for (TL and DQM: their own by default); 403 for a team the user may not read."""
    try:
        team_id = db_int(raw)
    except ValueError:
        team_id = None
    if team_id is None and not raw and current_user.has_role("TL", "DQM"):
        team_id = current_user.team_id
    if team_id is None:
        return None
    access.require(can_read(current_user, team_id))
    return Team.get_or_none(Team.id == team_id) or abort(404)


def _case_rows(cases):
    """The stored cases as the page shows them."""
    started = queries.am_started_map([c.participation_id for c in cases if not c.sampled])
    rows = []
    for case in cases:
        ratings = load_ratings(case.ratings)
        rows.append({"p": case.participation, "case": case, "sampled": case.sampled,
                     "am": AM_STARTED_WORDS.get(ratings.get("am_started"), "") if case.sampled
                     else started.get(case.participation_id, ""), "result": summary(ratings) if case.sampled else ""})
    return rows


def _fresh_rows(participations):
    """The month's current list (no sample drawn yet) as the page shows it."""
    started = queries.am_started_map(p.id for p in participations)
    return [{"p": p, "case": None, "sampled": False, "am": started[p.id], "result": ""} for p in participations]


def _all_rows(team, month):
    """Every row of the month as the Excel file has them: the stored cases, else the current list."""
    review = queries.review_for(team, month)
    if review is None:
        return _fresh_rows(queries.supervision_rows(team, month, whole=False))
    return _case_rows(list(queries.review_cases(review)))


def _draw_values(review, values):
    """What the focus and sample form shows: the typed values, else the stored ones, else 10 %."""
    if values and "art" in values:
        return {"types": values.getlist("typ"), "paps": values.getlist("pap"), "art": values.get("art", ""),
                "umfang": values.get("umfang", "")}
    if review is not None and review.seed:
        types, paps = reviews.focus_of(review)
        return {"types": types, "paps": [str(i) for i in paps], "art": "anteil" if review.sample_share else "anzahl",
                "umfang": str(review.sample_share or review.sample_size or "")}
    return {"types": [], "paps": [], "art": "anteil", "umfang": "10"}


def _view(review, sampled_count):
    """Which cases the table shows: ``anzeige=alle`` or ``stichprobe``; the sample by default once drawn."""
    asked = request.args.get("anzeige", "")
    if review is None or not sampled_count:
        return "alle"
    return asked if asked in VIEWS else "stichprobe"


def _context(team, month, raw_month, errors=None, values=None):
    """Everything the Fachaufsicht page shows for ``team`` and ``month`` (either may be None): of the
    list one page of PAGE_SIZE rows (``seite``), all cases or the sample's (``anzeige``); the
    counts and the changes since the draw are counted by the database, not read."""
    review = queries.review_for(team, month) if team and month else None
    user = current_user
    ctx = {"team": team, "month": month, "raw_month": raw_month, "month_label": month_label(month) if month else "",
           "errors": errors or {}, "values": values or {}, "review": review, "rows": [], "changes": None,
           "teams": queries.teams() if user.has_role("BL") else [], "types": queries.SUPERVISION_TYPES,
           "kinds": reviews.SAMPLE_KINDS, "criteria": CRITERIA, "ratings": RATINGS,
           "can_write": bool(team) and can_write(user, team.id), "can_spot_check": user.has_role("BL"),
           "can_print": bool(team) and access.can_view_supervision_list(user, team.id),
           "signed_reviews": [(r, month_label(r.month)) for r in queries.signed_reviews()]
           if user.has_role("BL") else [],
           "issued": queries.issued_lists(team), "paps": [], "focus": "", "verified": None, "views": VIEWS,
           "view": "alle", "pages": None, "total": "0", "sampled_count": 0, "unrated": 0,
           "addenda": [], "spot_checks": [], "signer": "", "draw_values": _draw_values(review, values)}
    if team and month and review is None:
        pages = Pages(queries.supervision_query(team, month, whole=False), page_number(), PAGE_SIZE,
                      counted=queries.month_ids(team, month))
        ctx.update(rows=_fresh_rows(list(pages.rows)), pages=pages, total=pages.total_label,
                   paps=queries.pap_choices(team, month) if ctx["can_write"] else [])
    elif review is not None:  # the stored cases; a signed month is never queried afresh
        sampled_count = queries.case_ids(review, sampled=True).count()
        view = _view(review, sampled_count)
        sampled = True if view == "stichprobe" else None
        pages = Pages(queries.review_cases(review, sampled), page_number(), PAGE_SIZE,
                      counted=queries.case_ids(review, sampled))
        names = queries.user_names([review.signed_by_id, *reviews.focus_of(review)[1]])
        ctx.update(rows=_case_rows(list(pages.rows)), pages=pages, view=view, sampled_count=sampled_count,
                   total=pages.total_label if sampled is None else count_label(queries.case_ids(review).count()),
                   focus=operations.focus_text(review, names), signer=names.get(review.signed_by_id, ""),
                   addenda=queries.addenda(review), spot_checks=queries.spot_checks(review))
        if review.signed:
            ctx["verified"] = reviews.verify(review)
        else:
            ctx["changes"] = queries.month_changes(review)
            if ctx["can_write"]:  # the focus form and the sign-off are the TL's
                ctx.update(paps=queries.pap_choices(team, month),
                           unrated=len(reviews.unchecked(queries.review_cases(review, sampled=True))))
    return ctx


def _month():
    raw = request.values.get("monat", f"{first_of_next_month(datetime.date.today()):%Y-%m}")
    return raw[:7] if parse_month(raw) else raw[:20], parse_month(raw)


def _page(team, month, raw_month, status=200, **kw):
    return render(PAGE, BLOCK, status=status, **_context(team, month, raw_month, **kw))


def _index_url(team, month):
    return url_for("supervision.index", monat=f"{month:%Y-%m}", team=team.id)


def _done(team, month, message):
    """After a successful write: htmx swaps the list in place (with ``message``), a plain post
    is redirected to the page (the message flashed)."""
    if wants_fragment():
        return render(PAGE, BLOCK, notice=message, **_context(team, month, f"{month:%Y-%m}"))
    flash(message, "success")
    return redirect(_index_url(team, month))


@bp.route("/fachaufsicht/liste", methods=["GET", "POST"])
@roles_required(*READERS)
def index():
    """The list of a team and month (GET monat=YYYY-MM, team=ID); POST prints it as PDF."""
    raw_month, month = _month()
    team = _team(request.values.get("team"))
    errors = {} if month else {"monat": "Bitte einen Monat im Format JJJJ-MM wählen."}
    if team is None:
        errors["team"] = "Bitte ein Team auswählen."
    if request.method == "POST" and not errors:  # printing issues an archived version: TL and BL, not the DQM
        access.require(current_user.has_role(*SUPERVISORS) and access.can_view_supervision_list(current_user, team.id))
        try:
            result, job = operations.print_list(team, month, current_user._get_current_object())
        except documents_operations.TooManyJobs as exc:
            result, job = documents_operations.Issued(error=str(exc)), None
        if job is not None:
            return redirect_to(url_for("supervision.print_job", job_id=job.id))
        if result.document:
            flash(f"Die Fachaufsicht-Liste wurde erstellt und archiviert (Version {result.document.number}).",
                  "success")
            return redirect_to(_index_url(team, month))
        errors["_form"] = result.error
    if team:
        audit.log("read", "supervision-list", team.id, f"Monat {raw_month}")
    return _page(team, month, raw_month, status=422 if errors and request.method == "POST" else 200,
                 errors=errors)


@bp.get("/fachaufsicht/liste/export.xlsx")
@roles_required(*READERS)
def export():
    """The month's list as the page shows it (sample, results, ratings) as an Excel file."""
    raw_month, month = _month()
    team = _team(request.args.get("team"))
    if team is None or month is None:
        flash("Bitte einen Monat im Format JJJJ-MM und ein Team wählen.", "error")
        return redirect(url_for("supervision.index", monat=raw_month, team=request.args.get("team", "")[:20]))
    rows = list_exports.fetch(_all_rows(team, month))
    if rows is None:
        return list_exports.refuse(_index_url(team, month))
    return list_exports.send("supervision-list", f"Fachaufsicht {team.name} {month_label(month)}",
                             [list_exports.supervision_sheet(rows, CRITERIA, RATINGS, load_ratings)],
                             f"Team {team.name} · {month_label(month)}", entity_id=team.id)


@bp.post("/fachaufsicht/liste/stichprobe")
@roles_required("TL")
def draw():
    """Set the focus and draw the sample (new seed, or ``ziehung=gleich``: the stored one)."""
    raw_month, month = _month()
    team = _team(request.form.get("team"))
    if team is None or month is None:
        return _page(team, month, raw_month, 422, errors={"monat": "Bitte einen Monat im Format JJJJ-MM wählen."}
                     if month is None else {"team": "Bitte ein Team auswählen."})
    access.require(can_write(current_user, team.id))
    try:
        review, errors = reviews.draw_sample(team, month, request.form, current_user._get_current_object())
    except reviews.Locked as exc:
        return _page(team, month, raw_month, 409, errors={"_form": str(exc)})
    if errors:
        return _page(team, month, raw_month, 422, errors=errors, values=request.form)
    return _done(team, month, f"Die Stichprobe wurde gezogen (Seed {review.seed}).")


# ------------------------------------------------------------------ one case

def _case_context(case, errors=None, values=None):
    p = case.participation
    suggestions = {} if case.review.signed else suggest([p]).get(p.id, {})
    return {"case": case, "p": p, "review": case.review, "team": case.review.team, "criteria": CRITERIA,
            "ratings": RATINGS, "stored": load_ratings(case.ratings), "suggestions": suggestions,
            "feedback": reviews.FEEDBACK, "errors": errors or {}, "values": values or {},
            "can_write": can_write(current_user, case.review.team_id) and not case.review.signed and case.sampled,
            "default_due": datetime.date.today() + datetime.timedelta(days=7),
            "checker": queries.user_names([case.checked_by_id]).get(case.checked_by_id, ""),
            "back": _index_url(case.review.team, case.review.month)}


@bp.route("/fachaufsicht/fall/<int:case_id>", methods=["GET", "POST"])
@roles_required(*READERS)
def case(case_id):
    """Check one case of the sample against the criteria (GET shows, POST saves)."""
    case = queries.get_case(case_id)
    access.require(can_read(current_user, case.review.team_id))
    if request.method == "GET":
        audit.log("read", "supervision-case", case.id, f"Teilnahme {case.participation_id}")
        return render(CASE_PAGE, CASE_BLOCK, **_case_context(case))
    access.require(can_write(current_user, case.review.team_id))
    try:
        errors = reviews.check_case(case, request.form, current_user._get_current_object())
    except reviews.Locked as exc:
        return render(CASE_PAGE, CASE_BLOCK, status=409, **_case_context(case, {"_form": str(exc)}))
    if errors:
        return render(CASE_PAGE, CASE_BLOCK, status=422, **_case_context(case, errors, request.form))
    message = "Die Prüfung des Falls wurde gespeichert."
    if wants_fragment():
        return render(CASE_PAGE, CASE_BLOCK, notice=message, **_case_context(queries.get_case(case.id)))
    flash(message, "success")
    return redirect(url_for("supervision.case", case_id=case.id))


# ------------------------------------------------------------------ the review

def _review_write(review_id, action, allowed, message):
    """Load the review, check ``allowed(user, team_id)``, run ``action(review, form, user)``, answer."""
    review = queries.get_review(review_id)
    access.require(can_read(current_user, review.team_id) and allowed(current_user, review.team_id))
    team, month = review.team, review.month
    try:
        errors = action(review, request.form, current_user._get_current_object())
    except reviews.Locked as exc:
        return _page(team, month, f"{month:%Y-%m}", 409, errors={"_form": str(exc)})
    if errors:
        return _page(team, month, f"{month:%Y-%m}", 422, errors=errors, values=request.form)
    return _done(team, month, message)


@bp.post("/fachaufsicht/pruefung/<int:review_id>/team")
@roles_required("TL")
def team_findings(review_id):
    return _review_write(review_id, reviews.save_team_findings, can_write,
                         "Die Rückmeldung an das Team wurde gespeichert.")


@bp.post("/fachaufsicht/pruefung/<int:review_id>/abzeichnen")
@roles_required("TL")
def sign(review_id):
    return _review_write(review_id, reviews.sign_off, can_write,
                         "Die Fachaufsicht wurde abgezeichnet. Änderungen sind jetzt nur noch als Nachtrag möglich.")


@bp.post("/fachaufsicht/pruefung/<int:review_id>/nachtrag")
@roles_required("TL")
def addendum(review_id):
    return _review_write(review_id, reviews.add_addendum, can_write, "Der Nachtrag wurde gespeichert.")


@bp.post("/fachaufsicht/pruefung/<int:review_id>/stichprobenkontrolle")
@roles_required("BL")
def spot_check(review_id):
    return _review_write(review_id, reviews.spot_check, lambda user, team_id: user.has_role("BL"),
                         "Die stichprobenartige Prüfung wurde gespeichert.")


# ------------------------------------------------------------------ background print

@bp.get("/fachaufsicht/druckauftrag/<int:job_id>")
@roles_required("TL", "BL")
def print_job(job_id):
    """Progress of a long list's PDF (polls itself while running), then the link to the archive."""
    documents_operations.reap_stale_jobs(current_user.id)
    job = BulkJob.select(*JOB_FIELDS).where(BulkJob.id == job_id,
                                            BulkJob.document == operations.SUPERVISION_DOCUMENT).first()
    if job is None:
        abort(404)
    access.require(job.user_id == current_user.id)
    return render("supervision/review_job.html", "print_progress", job=job, steps=operations.JOB_STEPS,
                  document=operations.job_document(job))
