"""Controlling "Absolventenmanagement erfüllt" (RULES.md §6, §8; Goslar 1.4.1).

``evaluate(participation)`` is pure: it takes a plain dict and returns a plain
dict with German reasons for every condition checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from .calendar import format_de, teilnahmedauer

ELIGIBLE_TYPES = ("FBW", "FBW-ABS", "MAT", "AVGS", "MAG", "BAE")
MIN_DAYS = 182
WINDOW_DAYS = 90
PROPOSAL_KINDS = ("Arbeit", "Künstler")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ControllingError(ValueError):
    """Input data is malformed; the message is German."""


def _date(value, what: str) -> dt.date | None:
    """Return a date from a date or "YYYY-MM-DD" string (None for empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ControllingError(f"{what}: ungültiges Datum \"{value}\" (erwartet JJJJ-MM-TT)")


def _valid_on(agreement: dict, others: list[dict], day: dt.date) -> bool:
    """Return True when ``agreement`` is valid on ``day`` (§8): not expired and
    not replaced by a later agreement concluded before that day."""
    if agreement["valid_until"] is not None and agreement["valid_until"] < day:
        return False
    return not any(agreement["concluded"] < other["concluded"] < day for other in others)


def evaluate(participation: dict) -> dict:
    """Return {"ref", "eligible", "fulfilled", "reasons"} for one participation.

    ``fulfilled`` is None when the participation is not eligible. Raises
    ControllingError for malformed dates or a missing entry date.
    """
    ref = participation.get("ref")
    label = f"Teilnahme {ref}" if ref not in (None, "") else "Teilnahme"
    measure = participation.get("measure")
    entry = _date(participation.get("entry"), f"{label}, Eintritt")
    exit_ = _date(participation.get("exit"), f"{label}, Austritt")
    if entry is None:
        raise ControllingError(f"{label}: Eintrittsdatum fehlt")
    abbruch = bool(participation.get("abbruch", False))
    reasons: list[str] = []
    eligible = True

    if measure in ELIGIBLE_TYPES:
        reasons.append(f"Maßnahmeart {measure} gehört zur Fördergruppe Absolventenmanagement.")
    else:
        eligible = False
        reasons.append(f"Maßnahmeart {measure} gehört nicht zur Fördergruppe "
                       f"Absolventenmanagement ({', '.join(ELIGIBLE_TYPES)}).")
    if exit_ is None:
        eligible = False
        reasons.append("Kein Austrittsdatum: die Teilnahme ist noch nicht beendet.")
    else:
        days = teilnahmedauer(entry, exit_)
        if days >= MIN_DAYS:
            reasons.append(f"Teilnahmedauer {days} Tage ({format_de(entry)} bis "
                           f"{format_de(exit_)}) erreicht mindestens {MIN_DAYS} Tage.")
        else:
            eligible = False
            reasons.append(f"Teilnahmedauer {days} Tage ({format_de(entry)} bis "
                           f"{format_de(exit_)}) liegt unter {MIN_DAYS} Tagen.")
    if abbruch:
        eligible = False
        reasons.append("Die Teilnahme endete mit einem Abbruch (nur reguläre Beendigungen zählen).")
    else:
        reasons.append("Kein Abbruch: reguläre Beendigung.")

    if not eligible:
        return {"ref": ref, "eligible": False, "fulfilled": None, "reasons": reasons}

    window_start = exit_ - dt.timedelta(days=WINDOW_DAYS)
    window = f"{format_de(window_start)} bis {format_de(exit_)}"
    agreements = [
        {"concluded": _date(a.get("concluded"), f"{label}, Vereinbarung vom"),
         "valid_until": _date(a.get("valid_until"), f"{label}, Vereinbarung gültig bis")}
        for a in participation.get("agreements") or []
    ]
    agreements = [a for a in agreements if a["concluded"] is not None]
    in_window = [a for a in agreements if window_start <= a["concluded"] <= exit_]
    valid = [a for a in in_window if _valid_on(a, agreements, exit_)]
    agreement_ok = bool(valid)
    if agreement_ok:
        best = max(valid, key=lambda a: a["concluded"])
        until = format_de(best["valid_until"]) if best["valid_until"] else "unbefristet"
        reasons.append(f"Vereinbarung vom {format_de(best['concluded'])} im Zeitfenster "
                       f"{window} geschlossen und am Austrittstag gültig (gültig bis {until}).")
    elif not in_window:
        reasons.append(f"Keine Vereinbarung (EV/Kooperationsplan) im Zeitfenster {window} "
                       "geschlossen.")
    else:
        details = []
        for a in in_window:
            if a["valid_until"] is not None and a["valid_until"] < exit_:
                details.append(f"die vom {format_de(a['concluded'])} galt nur bis "
                               f"{format_de(a['valid_until'])}")
            else:
                details.append(f"die vom {format_de(a['concluded'])} wurde vor dem "
                               "Austrittstag durch eine spätere ersetzt")
        reasons.append(f"Keine im Zeitfenster {window} geschlossene Vereinbarung ist am "
                       f"Austrittstag {format_de(exit_)} gültig: {'; '.join(details)}.")

    proposal_ok = False
    rejected: list[str] = []
    for proposal in participation.get("proposals") or []:
        day = _date(proposal.get("date"), f"{label}, Vermittlungsvorschlag vom")
        kind = proposal.get("job_kind")
        if day is None or not window_start <= day <= exit_:
            continue
        if not proposal.get("sv_pflichtig"):
            rejected.append(f"{format_de(day)} nicht sozialversicherungspflichtig")
        elif kind not in PROPOSAL_KINDS:
            rejected.append(f"{format_de(day)} Stellenart {kind}")
        elif not proposal_ok:
            proposal_ok = True
            reasons.append(f"Vermittlungsvorschlag im engeren Sinne vom {format_de(day)} "
                           f"(Stellenart {kind}, sozialversicherungspflichtig) im Zeitfenster.")
    if not proposal_ok:
        text = f"Kein Vermittlungsvorschlag im engeren Sinne im Zeitfenster {window}"
        if rejected:
            text += f" (zählen nicht: {'; '.join(rejected)})"
        reasons.append(text + ".")

    return {"ref": ref, "eligible": True, "fulfilled": agreement_ok and proposal_ok,
            "reasons": reasons}


def evaluate_all(participations: Iterable[dict]) -> list[dict]:
    """Return ``evaluate`` for each participation, in order."""
    return [evaluate(p) for p in participations]
