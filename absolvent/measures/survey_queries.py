"""Reads of the Teilnehmerbefragung: the survey rounds of a measure, the answers
(guided-form snapshots of the measure, no customer) and the plain-dict contexts
of the two printed documents. The caller has checked access (``queries``).
"""
import datetime

from peewee import fn

from ..documents import context as document_context
from ..documents.models import IssuedDocument
from ..formats import de_date
from ..guided_forms.models import FormSnapshot
from ..models import FollowUp, User
from ..vocabulary import FOLLOWUP_STATES
from . import survey_results
from .survey_results import SURVEY_FORM

QUESTIONNAIRE_DOCUMENT = "teilnehmerfragebogen"
RESULTS_DOCUMENT = "befragung-ergebnis"
ALL, WITHOUT_ROUND = "", "ohne"  # the round filter besides a round's id


def rounds(measure):
    """The measure's survey rounds (its follow-ups with the form "teilnehmerbefragung"), by due date."""
    return list(FollowUp.select().where(FollowUp.measure == measure.id, FollowUp.form == SURVEY_FORM)
                .order_by(FollowUp.due, FollowUp.id))


def _snapshots(measure):
    return FormSnapshot.select().where(FormSnapshot.measure == measure.id, FormSnapshot.form_id == SURVEY_FORM,
                                       FormSnapshot.customer.is_null())


def answer_counts(measure):
    """{follow-up id or None (answers without a round): number of answers}."""
    query = (_snapshots(measure).select(FormSnapshot.followup, fn.COUNT(FormSnapshot.id).alias("n"))
             .group_by(FormSnapshot.followup))
    return {row.followup_id: row.n for row in query}


def round_filter(value, measure_rounds):
    """The filter chosen by ``?runde=``: ALL, WITHOUT_ROUND or the round (FollowUp); anything else is ALL."""
    value = (value or "").strip()
    if value == WITHOUT_ROUND:
        return WITHOUT_ROUND
    return next((r for r in measure_rounds if str(r.id) == value), ALL)


def filter_value(selected):
    return selected if isinstance(selected, str) else str(selected.id)


def round_label(followup):
    return f"Befragungsrunde, fällig am {de_date(followup.due)}"


def scope_label(selected):
    if selected == ALL:
        return "alle Antworten der Maßnahme"
    if selected == WITHOUT_ROUND:
        return "Antworten ohne Befragungsrunde"
    return round_label(selected)


def answer_groups(measure, selected=ALL):
    """The answer dicts of the measure's survey in the selected scope, grouped by round (the
    answers without a round are one group); in id order within a group (``evaluate`` sorts
    what could reveal the order). A filter always takes whole groups."""
    query = _snapshots(measure).select(FormSnapshot.followup, FormSnapshot.answers)
    if selected == WITHOUT_ROUND:
        query = query.where(FormSnapshot.followup.is_null())
    elif selected != ALL:
        query = query.where(FormSnapshot.followup == selected.id)
    groups = {}
    for row in query.order_by(FormSnapshot.id):
        groups.setdefault(row.followup_id, []).append(survey_results.payload_answers(row.answers))
    return list(groups.values())


def results(measure, selected=ALL):
    """The evaluated results of the selected scope: a round (or the answers without a round)
    with fewer than MIN_ANSWERS answers is only counted – in its own view and in "alle"."""
    return survey_results.evaluate_groups(answer_groups(measure, selected))


def round_rows(measure, measure_rounds, counts, today=None):
    """The rounds as the page shows them: due date, state (code and German label), answers."""
    today = today or datetime.date.today()
    rows = []
    for f in measure_rounds:
        state = f.state_on(today, measure=measure)
        rows.append({"followup": f, "state": state, "state_label": FOLLOWUP_STATES.get(state, state),
                     "answers": counts.get(f.id, 0)})
    return rows


def printed(measure):
    """The archived questionnaires and results of the measure, newest first (no bytes)."""
    return list(IssuedDocument.select(IssuedDocument.id, IssuedDocument.title, IssuedDocument.file_name,
                                      IssuedDocument.number, IssuedDocument.created_at, IssuedDocument.subject,
                                      User.name).join(User)
                .where(IssuedDocument.measure == measure.id,
                       IssuedDocument.document.in_([QUESTIONNAIRE_DOCUMENT, RESULTS_DOCUMENT]))
                .order_by(IssuedDocument.created_at.desc(), IssuedDocument.id.desc()).limit(50))


# ------------------------------------------------------------------ document contexts (plain dicts)

def _head(measure, user, today):
    mb = measure.mb
    return {"jobcenter": document_context.jobcenter(), "measure": document_context.measure(measure),
            "mb": document_context.person(mb) if mb else {"name": "", "phone": "", "email": "", "role": ""},
            "author": document_context.person(user), "issued_on": de_date(today)}


def questionnaire_context(measure, user, today=None):
    """Context of 'teilnehmerfragebogen': the measure, its MB and the questions (see its sample.json)."""
    today = today or datetime.date.today()
    return {**_head(measure, user, today), **survey_results.questionnaire_content()}


def results_context(measure, selected, user, today=None):
    """Context of 'befragung-ergebnis' for the selected round (see its sample.json)."""
    today = today or datetime.date.today()
    return results_document(_head(measure, user, today), results(measure, selected), scope_label(selected))


def results_document(head, evaluated, scope):
    """The results document's context from its head (jobcenter, measure, mb, author, issued_on),
    the evaluated results and the scope's label; the charts as ``data:`` URIs."""
    return {**head, "scope_label": scope, "results": evaluated,
            "charts": {"statements": survey_results.data_uri(survey_results.statements_chart(evaluated, id_prefix="p")),
                       "grades": survey_results.data_uri(survey_results.grades_chart(evaluated, id_prefix="g"))}}
