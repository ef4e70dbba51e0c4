"""Writes of the MB's workspace: closing duties (singly or several at once), reopening
one, the occupancy report to TL/BL and the Träger's documents kept with the measure.
Each returns German messages per field (empty on success) and writes in one transaction."""
from .. import audit
from ..caseload import planning
from ..db import database
from ..models import FollowUp
from ..validation import Checker
from ..vocabulary import MEASURE_FILE_KINDS
from ..web import db_int
from . import files
from .models import MeasureFile, OccupancyReport
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
    stale = {"followup": "Mindestens eine gewählte Aufgabe ist nicht mehr offen oder gehört nicht zu "
                         "dieser Maßnahme. Bitte die Liste neu laden."}
    with database.atomic() as transaction:
        chosen = _duties_of(measure, ids, "open")
        # claim the rows: a second tab closing the same duties at the same moment waits here
        # (row locks on PostgreSQL; SQLite writes one at a time) and then finds them closed
        claimed = (FollowUp.update(version=FollowUp.version + 1)
                   .where(FollowUp.id.in_([f.id for f in chosen]), FollowUp.status == "open").execute())
        if len(chosen) != len(set(ids)) or claimed != len(chosen):
            transaction.rollback()
            return [], stale
        chosen = _duties_of(measure, ids, "open")
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


# a file that fulfils a before-start duty: kind -> the rulebook step it closes (goslar-2016)
FILE_CLOSES = {"konzept": "mb-konzept", "leistungsbeschreibung": "mb-konzept",
               "informationsblatt": "mb-informationsblatt-f21", "flyer": "mb-flyer-fbw"}


def attach_file(measure, form, upload, user):
    """Keep the Träger's concept, Leistungsbeschreibung, F.2.1 sheet or flyer with the measure
    (``files.store_file``); the open duty it fulfils is closed with it.

    Returns ``(MeasureFile or None, errors, closed FollowUp or None)``.
    """
    kind = form.get("kind", "")
    if kind not in files.MEASURE_KINDS:
        return None, {"kind": "Bitte die Art der Unterlage auswählen."}, None
    with database.atomic():
        row, errors = files.store_file(measure, kind, upload, user, title=form.get("title", ""))
        if errors:
            return None, errors, None
        duty = (FollowUp.select().where(FollowUp.measure == measure.id, FollowUp.status == "open",
                                        FollowUp.rule_id == FILE_CLOSES[kind]).first())
        if duty is not None:
            planning.mark_done(duty, user, outcome=f"{MEASURE_FILE_KINDS[kind]} abgelegt: {row.title}",
                               reason="Unterlage bei der Maßnahme abgelegt")
    return row, {}, duty


def measure_documents(measure):
    """The measure's own documents (no participant's reports), newest first, without the bytes."""
    return list(MeasureFile.select(*files.FILE_FIELDS).where(MeasureFile.measure == measure.id,
                                                              MeasureFile.participation.is_null())
                .order_by(MeasureFile.uploaded_at.desc(), MeasureFile.id.desc()))
