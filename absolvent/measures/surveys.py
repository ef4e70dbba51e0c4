"""Teilnehmerbefragung of a measure: the survey rounds, the results (table and SVG chart,
filtered by round), closing a round, and the printed questionnaire and results.

Results and prints: the measure's MB, TL and BL (``access.can_view_measure_work``);
closing a round: only the measure's MB. The results block ``survey_results`` and the
rounds block ``survey_rounds`` swap in place for htmx.
"""
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import access, audit, list_exports
from ..documents import views as document_views
from ..formats import de_date
from ..models import FollowUp
from ..web import redirect_to, render, wants_fragment
from . import queries, survey_operations, survey_queries, survey_results
from .survey_results import SURVEY_FORM

bp = Blueprint("surveys", __name__)
PAGE = "measures/surveys.html"
START_ENDPOINT = "guided_forms.start_measure"  # the guided form's start (another part of the app)


def page_context(measure, selected, errors=None):
    """Everything the survey page shows for ``measure`` with the round filter ``selected``."""
    measure_rounds = survey_queries.rounds(measure)
    counts = survey_queries.answer_counts(measure)
    results = survey_queries.results(measure, selected)
    return {"measure": measure, "rounds": survey_queries.round_rows(measure, measure_rounds, counts),
            "without_round": counts.get(None, 0), "total_answers": sum(counts.values()),
            "selected": survey_queries.filter_value(selected), "scope_label": survey_queries.scope_label(selected),
            "results": results, "statements_svg": survey_results.statements_chart(results),
            "grades_svg": survey_results.grades_chart(results), "printed": survey_queries.printed(measure),
            "is_mb": access.is_mb_of_measure(current_user, measure),
            "can_enter": START_ENDPOINT in current_app.view_functions, "start_endpoint": START_ENDPOINT,
            "survey_form": SURVEY_FORM, "errors": errors or {}}


def _selected(measure):
    return survey_queries.round_filter(request.values.get("runde"), survey_queries.rounds(measure))


@bp.get("/massnahmen/<int:measure_id>/befragung")
@login_required
def index(measure_id):
    measure = queries.get_supervised_measure(measure_id, current_user)
    selected = _selected(measure)
    audit.log("read", "survey-results", measure.id, survey_queries.scope_label(selected))
    return render(PAGE, "survey_results", push_url=True, **page_context(measure, selected))


@bp.get("/massnahmen/<int:measure_id>/befragung/ergebnis.xlsx")
@login_required
def export(measure_id):
    """The results of the selected round as an Excel file; below 3 answers only their number (as the page)."""
    measure = queries.get_supervised_measure(measure_id, current_user)
    selected = _selected(measure)
    results = survey_queries.results(measure, selected)
    return list_exports.send("survey-results", f"Teilnehmerbefragung {measure.measure_number}",
                             list_exports.survey_sheets(results), survey_queries.scope_label(selected),
                             entity_id=measure.id)


@bp.post("/massnahmen/<int:measure_id>/befragung/<int:followup_id>/abschliessen")
@login_required
def close(measure_id, followup_id):
    measure = queries.get_own_measure(measure_id, current_user)
    followup = FollowUp.get_or_none(FollowUp.id == followup_id, FollowUp.measure == measure.id,
                                    FollowUp.form == SURVEY_FORM)
    if followup is None:
        abort(404)
    error = survey_operations.close_round(followup, current_user._get_current_object())
    if error:
        return render(PAGE, "survey_rounds", status=422,
                      **page_context(measure, survey_queries.ALL, errors={followup.id: error}))
    audit.log("update", "followup", followup.id, "Teilnehmerbefragung abgeschlossen")
    outcome = FollowUp.get_by_id(followup.id).outcome
    message = f"Die Befragungsrunde vom {de_date(followup.due)} wurde abgeschlossen: {outcome}."
    if wants_fragment():
        return render(PAGE, "survey_rounds", message=message, **page_context(measure, survey_queries.ALL))
    flash(message, "success")
    return redirect(url_for("surveys.index", measure_id=measure.id))


def _download(measure, issued, what):
    if issued.document is None:
        flash(f"{what} konnte nicht erstellt werden: {issued.reason('den Ausdruck')}", "error")
        return redirect_to(url_for("surveys.index", measure_id=measure.id))
    doc = issued.document
    audit.log("export", "issued-document", doc.id, f"{doc.file_name} sha256={doc.sha256}")
    return document_views._send(doc.data, doc.mime_type, doc.file_name)  # like every archived document


@bp.post("/massnahmen/<int:measure_id>/befragung/fragebogen")
@login_required
def print_questionnaire(measure_id):
    measure = queries.get_supervised_measure(measure_id, current_user)
    issued = survey_operations.issue_questionnaire(measure, current_user._get_current_object())
    return _download(measure, issued, "Der Fragebogen")


@bp.post("/massnahmen/<int:measure_id>/befragung/ergebnis")
@login_required
def print_results(measure_id):
    measure = queries.get_supervised_measure(measure_id, current_user)
    selected = _selected(measure)
    issued = survey_operations.issue_results(measure, selected, current_user._get_current_object())
    return _download(measure, issued, "Das Ergebnis")
