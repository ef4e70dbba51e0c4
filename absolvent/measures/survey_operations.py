"""Writes of the Teilnehmerbefragung: closing a survey round, and issuing (render +
archive) the blank questionnaire and the results. One business action per
function; German messages, never an exception for bad input.
"""
from ..caseload import planning
from ..documents import operations as documents
from ..guided_forms.models import FormSnapshot
from . import survey_queries
from .survey_results import SURVEY_FORM

NO_ANSWERS = ("Die Befragung kann erst abgeschlossen werden, wenn mindestens eine Antwort erfasst ist. "
              "Bitte zuerst die Antworten (auch von Papierbögen) eintragen.")
ALREADY_CLOSED = "Diese Befragungsrunde ist bereits abgeschlossen."


def answers_text(n):
    return "1 Antwort ausgewertet" if n == 1 else f"{n} Antworten ausgewertet"


def close_round(followup, user):
    """Close the survey round ``followup`` (the measure's step with the survey form) with the
    outcome "N Antworten ausgewertet"; returns "" or a German reason why not."""
    if followup.status != "open":
        return ALREADY_CLOSED
    n = (FormSnapshot.select().where(FormSnapshot.followup == followup.id, FormSnapshot.form_id == SURVEY_FORM,
                                     FormSnapshot.customer.is_null()).count())
    if not n:
        return NO_ANSWERS
    planning.mark_done(followup, user, outcome=answers_text(n), reason="Teilnehmerbefragung abgeschlossen")
    return ""


def issue_questionnaire(measure, user):
    """Pre-flight, render and archive the blank questionnaire of ``measure``; returns ``documents.Issued``."""
    context = survey_queries.questionnaire_context(measure, user)
    return documents.issue(survey_queries.QUESTIONNAIRE_DOCUMENT, "pdf", context, user,
                           ("Teilnehmerfragebogen", measure.measure_number), measure=measure, subject="Fragebogen")


def issue_results(measure, selected, user):
    """Pre-flight, render and archive the results of ``measure`` for the selected round; returns
    ``documents.Issued``."""
    context = survey_queries.results_context(measure, selected, user)
    value = survey_queries.filter_value(selected)
    subject = "alle" if not value else ("ohne Runde" if value == survey_queries.WITHOUT_ROUND else f"Runde {value}")
    return documents.issue(survey_queries.RESULTS_DOCUMENT, "pdf", context, user,
                           ("Befragungsergebnis", measure.measure_number, subject), measure=measure, subject=subject)
