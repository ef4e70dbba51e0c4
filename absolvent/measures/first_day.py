"""Teilnehmerliste am 1. Maßnahmetag: the measure's MB confirms who started and who did not
(seed 000 2.2.2, 1.3.3). Thin handlers; writes in ``participant_operations``.

The page's list is the block ``first_day_list``; a row (``first_day_row``) is confirmed or
changed on its own with htmx, and the status above the list reloads on the event
``first-day-changed``.
"""
import datetime

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from .. import audit
from ..models import Participation
from ..web import redirect_to, render, wants_fragment
from . import participant_operations as ops
from . import queries

bp = Blueprint("first_day", __name__)
PAGE = "measures/first_day.html"
CHANGED = "first-day-changed"


def _context(measure, rows, row_errors=None, values=None, form_error="", changed=None):
    return {"measure": measure, "rows": rows, "state": ops.summary(measure, rows),
            "row_errors": row_errors or {}, "values": values or {}, "form_error": form_error,
            "changed": changed, "too_early": ops.too_early(measure, datetime.date.today())}


@bp.get("/massnahmen/<int:measure_id>/erster-tag")
@login_required
def index(measure_id):
    measure = queries.get_own_measure(measure_id, current_user)
    rows = ops.rows_of(measure)
    audit.log("read", "first-day-list", measure.id, f"{len(rows)} Teilnahmen")
    return render(PAGE, "first_day_list", **_context(measure, rows))


@bp.post("/massnahmen/<int:measure_id>/erster-tag")
@login_required
def confirm_all(measure_id):
    measure = queries.get_own_measure(measure_id, current_user)
    count, errors, message = ops.confirm_list(measure, request.form, current_user._get_current_object())
    if count:
        flash(f"Teilnehmerliste: {count} {'Person' if count == 1 else 'Personen'} bestätigt; die pAp haben "
              "je eine Wiedervorlage erhalten.", "success")
        return redirect_to(url_for("first_day.index", measure_id=measure.id))
    rows = ops.rows_of(measure)
    return render(PAGE, "first_day_list", status=422,
                  **_context(measure, rows, row_errors=errors, form_error=message,
                               values={r.participation.id: request.form for r in rows}))


@bp.post("/massnahmen/<int:measure_id>/erster-tag/<int:participation_id>")
@login_required
def confirm_row(measure_id, participation_id):
    measure = queries.get_own_measure(measure_id, current_user)
    p = Participation.get_or_none(Participation.id == participation_id, Participation.measure == measure.id)
    if p is None:
        abort(404)
    user = current_user._get_current_object()
    confirmation = ops.StartConfirmation.get_or_none(ops.StartConfirmation.participation == p.id)
    if confirmation is None:
        errors = ops.confirm(measure, p, request.form, user)
    else:
        errors = ops.change(measure, p, confirmation, request.form, user)
    if not errors and not wants_fragment():
        flash(f"{p.customer.full_name}: gespeichert; die pAp hat eine Wiedervorlage erhalten.", "success")
        return redirect_to(url_for("first_day.index", measure_id=measure.id) + f"#tn-{p.id}")
    rows = ops.rows_of(measure)
    row = next(r for r in rows if r.participation.id == p.id)
    context = _context(measure, rows, row_errors={p.id: errors}, values={p.id: request.form} if errors else {},
                       changed=None if errors else p.id)
    return render(PAGE, "first_day_row", status=422 if errors else 200, trigger=None if errors else CHANGED,
                  row=row, **context)
