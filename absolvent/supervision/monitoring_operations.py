"""Working off the "nicht eingeleitet" list: the DQM marks a case "behoben" or "erklärt".

When a mark can be set or changed: on the list of the current month only, by
the team's DQM (the view checks who). The 5th is the due date, not a lock: cases
left unmarked can still be marked after it (the list shows "überfällig", the
mark its time, "nach Frist"), and a mark can be corrected until the month ends —
a wrong mark that could not be corrected would mislead the DQM-Arbeitskreis more
than a late correction, and every set and change is in the audit log
(old → new status). Lists of past months are read-only; a month's list is
replaced by the next month's.
"""
import datetime

from peewee import IntegrityError

from .. import audit
from ..db import database
from ..models import now
from ..validation import Checker
from .models import NotInitiatedMark
from .monitoring import MARK_STATES

NOTE_MAX = 2000


def mark_case(row, month, form, user, today=None):
    """Set or change the mark of ``row`` (a ``monitoring.ListRow``) on the list of ``month``.

    ``form``: ``status`` (behoben | erklaert) and ``note`` (required for "erklärt").
    Returns ``(mark, {})`` or ``(None, errors)`` with German messages per field.
    """
    today = today or datetime.date.today()
    if month != today.replace(day=1):
        return None, {"_form": "Die Liste dieses Monats ist abgeschlossen; markiert wird nur die Liste des "
                               "laufenden Monats."}
    c = Checker(form)
    status = c.choice("status", "„behoben“ oder „erklärt“", MARK_STATES)
    note = c.text("note", "Die Erklärung", required=False, max_len=NOTE_MAX)
    if status == "erklaert" and not note:
        c.fail("note", "Bitte eine Erklärung eingeben: Bei „erklärt“ ist sie Pflicht.")
    if not c.ok:
        return None, c.errors
    p = row.participation
    before = row.mark.status if row.mark else ""
    try:
        with database.atomic():
            mark = NotInitiatedMark.get_or_none(NotInitiatedMark.participation == p.id,
                                                NotInitiatedMark.month == month)
            if mark is None:
                mark = NotInitiatedMark.create(participation=p.id, month=month, status=status, note=note,
                                               user=user, marked_at=now())
                action = "create"
            else:
                before = mark.status
                NotInitiatedMark.update(status=status, note=note, user=user, marked_at=now()).where(
                    NotInitiatedMark.id == mark.id).execute()
                mark = NotInitiatedMark.get_by_id(mark.id)
                action = "update"
            audit.log(action, "not-initiated-mark", mark.id,
                      f"Teilnahme {p.id}, Liste {month:%Y-%m}: {MARK_STATES.get(before, '–')} → "
                      f"{MARK_STATES[status]}", user=user)
    except IntegrityError:  # someone marked the same case at the same moment
        return None, {"_form": "Der Fall wurde gerade von einer anderen Person markiert. Bitte die Liste neu "
                               "laden und erneut prüfen."}
    mark.user = user
    return mark, {}
