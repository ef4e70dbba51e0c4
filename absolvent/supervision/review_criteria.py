"""The criteria a sampled Fachaufsicht case is checked against, pre-filled from the case.

Each criterion is rated i.O. / n.i.O. / entfällt ("" = not rated yet: the TL
decides). ``suggest`` proposes a rating with its reason (German) from the
stored facts, a few queries for any number of cases. Missed (versäumt) and
overdue steps count as not done (RULES.md §3.1); steps cancelled by a re-plan
do not count at all.
"""
import datetime
import json
from collections import defaultdict

from ..formats import de_date
from ..guided_forms.models import FormSnapshot
from ..models import Agreement, FollowUp, Note, PlacementProposal
from . import queries

CRITERIA = (
    ("am_started", "AM rechtzeitig eingeleitet"),
    ("agreement", "Vereinbarung zum Ende aktuell"),
    ("contact", "Kontakt während der Maßnahme"),
    ("evaluation", "Auswertungsgespräch fristgerecht"),
    ("report", "Bericht/LuV ausgewertet"),
    ("followup", "Wiedervorlage gesetzt"),
    ("proposal", "VV unterbreitet"),
)
CRITERION_KEYS = tuple(key for key, _ in CRITERIA)
RATINGS = {"io": "i.O.", "nio": "n.i.O.", "entfaellt": "entfällt"}
# the "AM eingeleitet" column of a sampled case, from its rating of "am_started"
AM_STARTED_WORDS = {"io": "ja", "nio": "nein", "entfaellt": "entfällt"}
EVALUATION_FORM = "auswertungsgespraech"
# yes/no answers of the Auswertungsgespräch that say the Träger's report (LuV, certificate) was evaluated
REPORT_ANSWERS = ("provider_report_evaluated", "certificate_evaluated", "employer_report_evaluated")
PROPOSAL_WINDOW = datetime.timedelta(days=90)


def end_of(p):
    """The day the participation ends: the exit, else the planned end."""
    return p.exit or p.planned_end


def load_ratings(text):
    """The stored ratings (JSON) as {criterion: rating}, unknown keys and values dropped."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if k in CRITERION_KEYS and v in RATINGS} if isinstance(data, dict) else {}


def summary(ratings):
    """'i.O.', 'n.i.O. (2)' or 'offen (3)' for a sampled case's ratings."""
    missing = sum(1 for key in CRITERION_KEYS if key not in ratings)
    failed = sum(1 for value in ratings.values() if value == "nio")
    if failed:
        return f"n.i.O. ({failed})"
    return f"offen ({missing})" if missing else "i.O."


def _done_day(f):
    return f.done_at.date() if f.done_at else None


def _step_state(f, p, today):
    """(on_time, text) of a step whose due date passed, or None while it is not due yet."""
    done = _done_day(f)
    if f.status == "done":
        if done and done > f.due:
            return False, f"„{f.title}“ fällig {de_date(f.due)}, erst am {de_date(done)} erledigt"
        return True, f"„{f.title}“ erledigt{' am ' + de_date(done) if done else ''}"
    if f.due >= today:
        return None
    missed = f.state_on(today, participation=p) == "missed"
    return False, f"„{f.title}“ fällig {de_date(f.due)}: {'versäumt' if missed else 'nicht erledigt'}"


def _steps_rating(steps, p, today, none_text, none_rating=""):
    """Rating of planned steps: n.i.O. when one is late or not done, i.O. when all due ones are on time."""
    if not steps:
        return none_rating, none_text
    states = [s for s in (_step_state(f, p, today) for f in steps) if s is not None]
    failed = [text for ok, text in states if not ok]
    if failed:
        return "nio", "; ".join(failed)
    if states:
        return "io", "; ".join(text for _, text in states)
    first = min(steps, key=lambda f: f.due)
    return "", f"noch nicht fällig („{first.title}“ fällig {de_date(first.due)})"


def _am_started(p, steps, started, today):
    rating, text = _steps_rating(steps, p, today, "keine Schritte der Endphase geplant")
    if rating == "" and started == "ja":
        return "io", "Absolventenmanagement-Vermerk oder erledigter Schritt der Endphase vorhanden"
    return rating, text


def _agreement(p, agreements):
    end = end_of(p)
    concluded = [a for a in agreements if a.concluded_on <= end]
    if not concluded:
        return "nio", "keine Vereinbarung (EV/Kooperationsplan) erfasst"
    latest = max(concluded, key=lambda a: (a.concluded_on, a.id))
    until = latest.end_date
    label = f"{latest.kind} vom {de_date(latest.concluded_on)}"
    if until is None or until >= end:
        return "io", f"{label}, gültig bis {de_date(until) if until else 'auf Weiteres'}"
    return "nio", f"{label} gilt nur bis {de_date(until)} (Ende {de_date(end)})"


def _contact(p, notes, today):
    last = min(end_of(p), today)
    during = [n for n in notes if p.entry <= n.date <= last]
    if during:
        n = max(during, key=lambda n: n.date)
        return "io", f"Kontakt am {de_date(n.date)}{' (' + n.channel + ')' if n.channel else ''}"
    return "nio", f"kein Kontakt seit dem Eintritt ({de_date(p.entry)}) erfasst"


def _report(snapshot):
    if snapshot is None:
        return "", "bitte selbst prüfen (kein Auswertungsgespräch abgeschickt)"
    try:
        answers = json.loads(snapshot.answers).get("answers", {})
    except (ValueError, AttributeError):
        answers = {}
    given = {k: answers[k] for k in REPORT_ANSWERS if isinstance(answers.get(k), bool)}
    if not given:
        return "", "bitte selbst prüfen (das Auswertungsgespräch sagt nichts zum Bericht)"
    day = de_date(snapshot.submitted_at.date())
    if all(given.values()):
        return "io", f"laut Auswertungsgespräch vom {day} ausgewertet"
    return "nio", f"laut Auswertungsgespräch vom {day} nicht ausgewertet"


def _followup(steps, today):
    future = [f for f in steps if f.status == "open" and f.due >= today]
    if future:
        f = min(future, key=lambda f: f.due)
        return "io", f"nächste Wiedervorlage „{f.title}“ am {de_date(f.due)}"
    return "nio", "keine offene Wiedervorlage ab heute"


def _proposal(p, proposals):
    end = end_of(p)
    start = end - PROPOSAL_WINDOW
    within = [v for v in proposals if start <= v.proposal_date <= end]
    if within:
        return "io", f"VV am {de_date(max(v.proposal_date for v in within))}"
    return "nio", f"kein VV zwischen {de_date(start)} und {de_date(end)}"


def suggest(participations, today=None):
    """{participation id: {criterion: (rating, reason)}} for ``participations``
    (with customer and measure loaded); rating "" means the TL decides."""
    today = today or datetime.date.today()
    cases = list(participations)
    ids = [p.id for p in cases]
    if not ids:
        return {}
    customers = list({p.customer_id for p in cases})
    steps = defaultdict(list)
    for f in FollowUp.select().where(FollowUp.participation.in_(ids), FollowUp.status != "cancelled"):
        steps[f.participation_id].append(f)
    agreements, notes, proposals = defaultdict(list), defaultdict(list), defaultdict(list)
    for a in Agreement.select().where(Agreement.customer.in_(customers)):
        agreements[a.customer_id].append(a)
    for n in Note.select(Note.customer, Note.date, Note.channel).where(Note.customer.in_(customers),
                                                                       Note.kind == "kontakt"):
        notes[n.customer_id].append(n)
    for v in PlacementProposal.select(PlacementProposal.customer, PlacementProposal.proposal_date).where(
            PlacementProposal.customer.in_(customers)):
        proposals[v.customer_id].append(v)
    snapshots = {}
    for s in (FormSnapshot.select(FormSnapshot.participation, FormSnapshot.answers, FormSnapshot.submitted_at)
              .where(FormSnapshot.participation.in_(ids), FormSnapshot.form_id == EVALUATION_FORM)
              .order_by(FormSnapshot.submitted_at)):
        snapshots[s.participation_id] = s  # the latest wins
    started = queries.am_started_map(ids, today)
    result = {}
    for p in cases:
        own = steps[p.id]
        result[p.id] = {
            "am_started": _am_started(p, [f for f in own if f.phase == "ende"], started[p.id], today),
            "agreement": _agreement(p, agreements[p.customer_id]),
            "contact": _contact(p, notes[p.customer_id], today),
            "evaluation": _steps_rating([f for f in own if f.form == EVALUATION_FORM], p, today,
                                        "das Regelwerk sieht kein Auswertungsgespräch vor", "entfaellt"),
            "report": _report(snapshots.get(p.id)),
            "followup": _followup(own, today),
            "proposal": _proposal(p, proposals[p.customer_id]),
        }
    return result


def suggested_ratings(suggestions):
    """Only the ratings of ``suggest``'s answer for one case (what a draw stores)."""
    return {key: rating for key, (rating, _) in suggestions.items() if rating}

