"""Writes of the MB's workspace: closing duties (singly or several at once), reopening
one, and the occupancy report to TL/BL. Each returns German messages per field
(empty on success) and writes in one transaction."""
from .. import audit
from ..caseload import planning
from ..db import database
from ..models import FollowUp
from ..validation import Checker
from ..web import db_int
from .models import OccupancyReport
from .queries import duties_condition

MAX_DUTIES = 200  # one bulk close at most (a measure's plan is far smaller)


def _ids(values):
    ids = []
    for raw in values[:MAX_DUTIES + 1]:
        try:
            ids.append(db_int(raw))
        except ValueError:
            return None
    return ids


def _duties_of(measure, ids, status):
    """The follow-ups with these ids that are MB duties of ``measure`` in ``status``."""
    return list(FollowUp.select().where(FollowUp.id.in_(ids), FollowUp.status == status,
                                        duties_condition([measure.id])))


def close_duties(measure, form, user):
    """Close the chosen open duties of ``measure`` with an optional outcome note.

    Every chosen id must be an open duty of this measure (else nothing is closed).
    Returns ``(closed follow-ups, errors)``.
    """
    c = Checker(form)
    outcome = c.text("outcome", "das Ergebnis", required=False, max_len=2000)
    # a row's own button sends "only"; the button below the list sends the ticked rows
    ids = _ids([form["only"]] if form.get("only") else form.getlist("followup"))
    if ids is None or len(ids) > MAX_DUTIES:
        c.fail("followup", "Unbekannte Auswahl.")
    elif not ids:
        c.fail("followup", "Bitte mindestens eine Aufgabe auswählen.")
    if not c.ok:
        return [], c.errors
    chosen = _duties_of(measure, ids, "open")
    if len(chosen) != len(set(ids)):
        return [], {"followup": "Mindestens eine gewählte Aufgabe ist nicht mehr offen oder gehört nicht zu "
                                "dieser Maßnahme. Bitte die Liste neu laden."}
    with database.atomic():
        for f in chosen:
            planning.mark_done(f, user, outcome=outcome,
                               reason="Aufgabe der Maßnahmebetreuung erledigt"
                               + (f" (mit {len(chosen) - 1} weiteren)" if len(chosen) > 1 else ""))
            audit.log("update", "followup", f.id, "erledigt (Maßnahmebetreuung)")
    return chosen, {}


def reopen_duty(measure, followup_id, user):
    """Open a closed duty of ``measure`` again; returns the follow-up or None (not one of its closed duties)."""
    found = _duties_of(measure, [followup_id], "done")
    if not found:
        return None
    planning.mark_done(found[0], user, done=False)
    audit.log("update", "followup", followup_id, "wieder offen (Maßnahmebetreuung)")
    return found[0]


def report_occupancy(measure, occupancy, form, user):
    """The MB's report to TL/BL that places stay empty, with the figures of today.

    Returns ``(OccupancyReport or None, errors)``.
    """
    c = Checker(form)
    text = c.text("report_text", "eine Begründung und die geplanten Schritte", max_len=2000)
    if not c.ok:
        return None, c.errors
    with database.atomic():
        report = OccupancyReport.create(measure=measure.id, reported_by=user, capacity=occupancy.capacity,
                                        occupied=occupancy.occupied, text=text)
        audit.log("create", "occupancy-report", report.id, f"Maßnahme {measure.measure_number}")
    return report, {}
