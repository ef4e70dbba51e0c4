"""Regelwerk page (all roles): the rulebook as readable tables and a live plan simulator."""
from flask import Blueprint, abort, request
from flask_login import login_required

from ..jobcenter import active_rulebook, rulebook_choices
from ..rules.rulebook import RulebookError, load_rulebook
from ..rules.vocabulary import ANCHORS, MEASURE_TYPES, PHASES
from ..web import render, wants_fragment
from . import planning

bp = Blueprint("rulebook", __name__, url_prefix="/regelwerk")
ANCHOR_WORDS = {"start": "Eintritt", "end": "Maßnahmeende", "exit": "Austritt", "exam": "Prüfungstermin",
                "training_year_1_end": "Ende 1. Ausbildungsjahr", "training_year_2_end": "Ende 2. Ausbildungsjahr",
                "probation_end": "Ende Probezeit", "intermediate_exam": "Zwischenprüfung",
                "am_start": "AM-Beginn"}
UNITS = {"days": ("Tag", "Tage"), "weeks": ("Woche", "Wochen"), "months": ("Monat", "Monate"),
         "working_days": ("Arbeitstag", "Arbeitstage")}


def describe(anchor, offset):
    """German wording of a date rule, e.g. '3 Monate vor Maßnahmeende'."""
    where = ANCHOR_WORDS.get(anchor, ANCHORS.get(anchor, anchor))
    if offset is None:
        return where
    if offset.unit == "fraction":
        return f"nach {round(float(offset.value) * 100)} % der Dauer"
    if offset.unit == "month_day":
        month, day = str(offset.value).split("-")
        return f"am {day}.{month}. ab {where}"
    value = int(offset.value)
    if value == 0:
        return f"am Tag: {where}"
    singular, plural = UNITS[offset.unit]
    word = singular if abs(value) == 1 else plural
    return f"{abs(value)} {word} {'vor' if value < 0 else 'nach'} {where}"


def describe_duration(step):
    parts = []
    for bound, low in ((step.min_duration, True), (step.max_duration, False)):
        if bound:
            unit = {"months": "Monate", "weeks": "Wochen", "days": "Tage"}[bound.unit]
            op = (">" if bound.strict else "≥") if low else ("<" if bound.strict else "≤")
            parts.append(f"Dauer {op} {bound.value} {unit}")
    return ", ".join(parts)


def _rulebook():
    wanted = request.args.get("regelwerk", "")
    if not wanted:
        return active_rulebook()
    if wanted not in dict(rulebook_choices()):
        abort(404)
    try:
        return load_rulebook(wanted)
    except RulebookError:
        abort(404)


def _page(rulebook, block, steps, type_code, values, result, errors, status=200):
    return render("caseload/rulebook.html", block, status=status, rulebook=rulebook, steps=steps,
                  type_code=type_code, types=MEASURE_TYPES, phases=PHASES, choices=rulebook_choices(),
                  describe=describe, describe_duration=describe_duration, values=values, result=result,
                  errors=errors)


@bp.get("/")
@login_required
def index():
    rulebook = _rulebook()
    type_code = request.args.get("art", "")
    steps = [s for s in rulebook.steps if not type_code or type_code in s.types]
    return _page(rulebook, "rule_table", steps, type_code, {}, None, {})


@bp.get("/simulation")
@login_required
def simulate():
    """The plan for the typed facts; a fragment for htmx (updated while typing)."""
    rulebook = _rulebook()
    result, errors = planning.simulate(rulebook, request.args)
    # a live preview: while typing, htmx gets 200 with the messages in place
    return _page(rulebook, "simulation_result", rulebook.steps, "", request.args, result, errors,
                 status=422 if errors and not wants_fragment() else 200)
