"""AGH Maßnahmezuweisung of one participation (seed 000 1.2.1). Thin handlers; writes in
``agh_operations``. The working area is the block ``agh_panel`` of the page: each POST
swaps it for htmx and redirects a plain form post (post/redirect/get).

Who: the MB of the participation's measure writes; the pAp and TL of the customer's team
and the BL read it and download its letters.
"""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user, login_required

from .. import access, audit
from ..caseload import queries as case_queries
from ..vocabulary import AGH_FIELDS, AGH_OUTCOMES
from ..web import after_post, render
from . import agh_operations as ops

bp = Blueprint("agh", __name__)
PAGE = "measures/agh_assignment.html"
BLOCK = "agh_panel"


def _load(participation_id, write=False):
    """The participation of an AGH measure, or 404; 403 unless the user may read (write) it."""
    p = case_queries.get_visible_participation(participation_id, current_user)
    if p.measure.type_code != "AGH":
        abort(404)
    is_mb = access.is_mb_of_measure(current_user, p.measure)
    access.require(is_mb if write else access.can_view_agh_assignment(current_user, p))
    return p, is_mb


def _load_latest(participation_id):
    """``_load`` for writing, and the participation's latest assignment; 404 when there is none."""
    p, is_mb = _load(participation_id, write=True)
    a = ops.latest(p)
    if a is None:
        abort(404)
    return p, is_mb, a


def _context(p, is_mb, errors=None, values=None, outcome_errors=None, outcome_values=None, issue_error=""):
    a = ops.latest(p)
    if values is None:
        values = ({**a.__data__, "compensation": ops.euro_input(a.compensation_cents)}
                  if a is not None and not a.outcome else {})
    return {"p": p, "a": a, "docs": ops.documents_of(a), "can_write": is_mb, "errors": errors or {},
            "values": values, "outcome_errors": outcome_errors or {}, "outcome_values": outcome_values or {},
            "issue_error": issue_error, "fields": list(AGH_FIELDS.items()), "outcomes": AGH_OUTCOMES,
            "euro": ops.euro, "max_hours": ops.MAX_HOURS}


def _url(p):
    return url_for("agh.assignment", participation_id=p.id)


def _done(p, is_mb, message):
    """After a successful post: flash ``message``; htmx gets the panel, a plain post the redirect."""
    flash(message, "success")
    return after_post(_url(p), PAGE, BLOCK, **_context(p, is_mb))


def _refused(p, is_mb, **errors):
    """The panel with the post's errors (``_context`` keywords), status 422."""
    return render(PAGE, BLOCK, status=422, **_context(p, is_mb, **errors))


@bp.get("/teilnahmen/<int:participation_id>/agh-zuweisung")
@login_required
def assignment(participation_id):
    p, is_mb = _load(participation_id)
    ctx = _context(p, is_mb)
    audit.log("read", "agh-assignment", ctx["a"].id if ctx["a"] else "", f"Teilnahme {p.id}")
    return render(PAGE, BLOCK, **ctx)


@bp.post("/teilnahmen/<int:participation_id>/agh-zuweisung")
@login_required
def save(participation_id):
    p, is_mb = _load(participation_id, write=True)
    a, errors = ops.save(p, request.form, current_user._get_current_object())
    if errors:
        return _refused(p, is_mb, errors=errors, values=request.form)
    return _done(p, is_mb, "Die Zuweisung wurde gespeichert. Erstellen Sie jetzt das Schreiben (Word und PDF).")


@bp.post("/teilnahmen/<int:participation_id>/agh-zuweisung/dokumente")
@login_required
def issue(participation_id):
    p, is_mb, a = _load_latest(participation_id)
    docs, error = ops.issue(a, p, current_user._get_current_object())
    if error:
        return _refused(p, is_mb, issue_error=error)
    return _done(p, is_mb, "Das Zuweisungsschreiben wurde als Word und PDF erstellt und archiviert.")


@bp.post("/teilnahmen/<int:participation_id>/agh-zuweisung/ergebnis")
@login_required
def outcome(participation_id):
    p, is_mb, a = _load_latest(participation_id)
    errors = ops.record_outcome(a, p, request.form, current_user._get_current_object())
    if errors:
        return _refused(p, is_mb, outcome_errors=errors, outcome_values=request.form)
    return _done(p, is_mb, f"Ergebnis „{AGH_OUTCOMES[request.form['outcome']]}“ erfasst; "
                           "die pAp hat eine Wiedervorlage.")
