"""Sprechstunden beim Träger (RULES.md §5.7, seed 000 2.2.2): the planned ones of a
measure with a button to record each, and the held ones with their findings.

The MB of the measure records them (the guided form "sprechstunde", started through
``guided_forms.start_measure``) and sees the findings about participants; TL and BL
see the page without them.
"""
from flask import Blueprint
from flask_login import current_user, login_required

from .. import access, audit
from ..web import render
from . import office_hour_queries, queries

bp = Blueprint("office_hours", __name__)


@bp.get("/massnahmen/<int:measure_id>/sprechstunden")
@login_required
def index(measure_id):
    measure = queries.get_supervised_measure(measure_id, current_user)
    is_mb = access.is_mb_of_measure(current_user, measure)
    held = office_hour_queries.held(measure, with_participants=is_mb)
    audit.log("read", "office-hour-list", measure.id, "mit Feststellungen zu Teilnehmenden" if is_mb else "")
    return render("measures/office_hours.html", "office_hours_panel", measure=measure, is_mb=is_mb,
                  planned=office_hour_queries.planned(measure), held=held,
                  form_id=office_hour_queries.FORM_ID)
