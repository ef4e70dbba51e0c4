"""The BAE Vormerkliste (seed 000 1.3.3): the measure's MB sees who is pre-registered, what changed
since the last list, issues the Excel list with its cover letter and finds the past lists.

The list holds personal data for the Träger: only the measure's MB uses this page. Other
measure types have no Vormerkliste (404 with a German explanation).
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from .. import audit
from ..web import redirect_to, render
from . import bae_list, queries

bp = Blueprint("bae", __name__)
PAGE = "measures/bae_list.html"
LETTER_FORMATS = (("pdf", "PDF (zum Versand)"), ("docx", "Word (zum Bearbeiten)"))


def _not_bae(measure):
    return render("errors/error.html", status=404, code=404, title="Keine BAE-Maßnahme",
                  text=f"Eine Vormerkliste gibt es nur für die Berufsausbildung in außerbetrieblichen "
                       f"Einrichtungen (BAE). Die Maßnahme {measure.measure_number} ist eine "
                       f"{measure.type_code}-Maßnahme.")


def _own_bae(measure_id):
    """The user's own measure (404, 403 as ``queries.get_own_measure``); the German 404 page
    unless it is a BAE measure."""
    measure = queries.get_own_measure(measure_id, current_user)
    if not bae_list.is_bae(measure):
        abort(_not_bae(measure))
    return measure


def _page(measure, status=200, error="", fmt="pdf"):
    rows, removed, previous = bae_list.marked_list(measure)
    return render(PAGE, "bae_panel", status=status, measure=measure, rows=bae_list.for_display(rows + removed),
                  count=len(rows),
                  previous=previous, lists=bae_list.past_lists(measure), error=error, fmt=fmt,
                  formats=LETTER_FORMATS)


@bp.get("/massnahmen/<int:measure_id>/vormerkliste")
@login_required
def index(measure_id):
    measure = _own_bae(measure_id)
    audit.log("read", "bae-list", measure.id)
    return _page(measure)


@bp.post("/massnahmen/<int:measure_id>/vormerkliste")
@login_required
def issue(measure_id):
    measure = _own_bae(measure_id)
    fmt = request.form.get("format", "pdf")
    row, error = bae_list.issue(measure, current_user._get_current_object(), fmt)
    if error:
        return _page(measure, status=422, error=error, fmt=fmt)
    flash("Die Vormerkliste (Excel) und das Anschreiben wurden erstellt und archiviert.", "success")
    return redirect_to(url_for("bae.index", measure_id=measure.id))
