"""Guided-forms engine (pure): expressions, conditions, validation, display, static check, CLI.

Needs no Flask fixtures and no database. Small forms are written inline as
TOML; the bundled forms under forms/ are checked as they ship.
"""

import copy
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from absolvent.guided_forms.cli import forms_cli
from absolvent.guided_forms.engine import (
    FACTS,
    SAMPLE_FACTS,
    ExpressionError,
    FormError,
    bind_options,
    check_form,
    computed_values,
    display_value,
    document_context,
    evaluate,
    initial_answers,
    list_forms,
    load_form,
    load_form_text,
    names_in,
    parse_step,
    review,
    review_sections,
    validate_all,
    validate_field,
    visible_fields,
    visible_steps,
)
from absolvent.guided_forms.engine.expressions import add_days, add_months, days_between
from absolvent.rules import list_rulebooks

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
BUNDLED = ["auswertungsgespraech", "checkliste-am", "eingliederungsvereinbarung", "foerder-check", "kontakt",
           "massnahmeabbruch", "sprechstunde", "teilnehmerbefragung", "vermittlungsvorschlag"]


def facts(**roots):
    """SAMPLE_FACTS with some roots changed: facts(measure={"type_code": "AGH"}, today="2026-05-01")."""
    result = copy.deepcopy(SAMPLE_FACTS)
    for root, value in roots.items():
        if isinstance(value, dict) and isinstance(result.get(root), dict):
            result[root].update(value)
        else:
            result[root] = value
    return result


def form(body: str, form_id: str = "probe"):
    """A small in-memory form; ``body`` is TOML after the top keys."""
    head = f'id = "{form_id}"\ntitle = "Probe"\nversion = "1"\n'
    return load_form_text(head + textwrap.dedent(body), source="probe.toml")


def bundled(name):
    return load_form(FORMS / name)


def write_form(tmp_path, body: str, form_id: str = "probe", head: bool = True) -> Path:
    folder = tmp_path / form_id
    folder.mkdir(exist_ok=True)
    text = (f'id = "{form_id}"\ntitle = "Probe"\nversion = "1"\n' if head else "") + textwrap.dedent(body)
    (folder / "form.toml").write_text(text, encoding="utf-8")
    return folder / "form.toml"


# ---------------------------------------------------------------- expressions

def test_date_functions_clamp_to_month_end_and_pass_none():
    assert add_months("2026-08-31", -6) == "2026-02-28"
    assert add_months("2026-08-31", 6) == "2027-02-28"
    assert add_months("2024-02-29", 12) == "2025-02-28"
    assert add_days("2027-01-31", -1) == "2027-01-30"
    assert days_between("2026-12-01", "2027-01-31") == 61
    assert add_months(None, 3) is None and add_days("2026-01-01", None) is None
    assert days_between(None, "2026-01-01") is None
    with pytest.raises(ExpressionError, match="kein Datum"):
        add_days("31.01.2027", 1)


def test_dotted_access_on_facts_and_none_semantics():
    names = {"measure": {"type_code": "AGH", "end": "2027-01-31"}, "x": None, "today": "2026-08-31"}
    assert evaluate("measure.type_code in ['AGH', 'MAT']", names) is True
    assert evaluate("measure.unknown", names) is None
    assert evaluate("x.anything", names) is None
    assert evaluate("x >= today", names) is None          # unknown, not an error
    assert evaluate("x + 1", names) is None
    assert evaluate("not x", names) is True
    assert evaluate("add_months(measure.end, -3)", names) == "2026-10-31"
    assert evaluate("len(measure)", names) == 2
    with pytest.raises(ExpressionError, match="unbekannter Name „y“"):
        evaluate("y", names)
    with pytest.raises(ExpressionError, match="nur auf Fakten"):
        evaluate("today.year", names)


@pytest.mark.parametrize("expr", [
    "().__class__",
    "customer.__class__.__mro__",
    "__import__('os').system('true')",
    "open('/etc/passwd')",
    "getattr(customer, 'x')",
    "eval('1')",
    "(lambda: 1)()",
    "[x for x in range(10**9)]",
    "[c for c in customer]",
    "'a' * 10**9",
    "'a' * 100000000",
    "[1] * 100000",
    "'%999999999d' % 1",
    "today.upper()",
    "today.format(x=1)",
    "{1: 2}",
    "f'{today}'",
    "x := 1",
    "1 if True else __import__('os')",
    "len(" * 40 + "'a'" + ")" * 40,
    "-" * 100 + "1",
    "1 + " * 200 + "1",
    "'" + "a" * 600 + "'",
    "import os",
    "",
])
def test_expressions_cannot_reach_python(expr):
    names = {"customer": {"last_name": "Müller"}, "today": "2026-08-31"}
    with pytest.raises(ExpressionError):
        evaluate(expr, names)


def test_facts_may_hold_date_objects():
    import datetime as dt
    defn = bundled("massnahmeabbruch")
    f = facts(participation={"entry": dt.date(2026, 2, 1), "planned_end": dt.date(2026, 12, 31)},
              today=dt.date(2026, 6, 30))
    raw = {"reported_by": ["kunde"], "exit_date": ["31.01.2026"], "dropout_reason": ["Umzug"]}
    _, errors = parse_step(defn, "mitteilung", raw, {}, f)
    assert errors == {"exit_date": "Der Austritt kann nicht vor dem Eintritt (01.02.2026) liegen."}


def test_sample_facts_match_the_facts_schema():
    assert set(SAMPLE_FACTS) == set(FACTS)
    for root, keys in FACTS.items():
        if keys:
            assert set(SAMPLE_FACTS[root]) == set(keys), root


def test_names_in_lists_roots_and_paths_but_not_functions():
    assert names_in("measure.type_code in ['AGH'] and ziel and add_days(today, 1) > step.checklist[0]") == {
        "measure", "measure.type_code", "ziel", "today", "step", "step.checklist"}
    with pytest.raises(ExpressionError, match="Syntaxfehler"):
        names_in("measure.type_code ==")


# ---------------------------------------------------------------- conditions

@pytest.mark.parametrize("type_code, agh, bae", [("AGH", True, False), ("BAE", False, True), ("MAT", False, False)])
def test_measure_specific_steps_of_the_foerder_check(type_code, agh, bae):
    ids = [s.id for s in visible_steps(bundled("foerder-check"), {}, facts(measure={"type_code": type_code}))]
    assert ("agh" in ids, "bae" in ids) == (agh, bae)
    assert ids[:2] == ["bedarf", "ziel"] and ids[-1] == "abschluss"


def test_field_show_if_and_hidden_fields_are_none():
    defn = form("""
        [[steps]]
        id = "a"
        title = "A"
          [[steps.fields]]
          name = "kind"
          label = "Art"
          type = "choice"
          options = [["x", "X"], ["y", "Y"]]
          [[steps.fields]]
          name = "detail"
          label = "Detail"
          type = "text"
          show_if = "kind == 'y'"
          [[steps.fields]]
          name = "echo"
          label = "Echo"
          type = "text"
          compute = "detail"
    """)
    step = defn.step("a")
    assert [f.name for f in visible_fields(step, {"kind": "x"}, {}, defn)] == ["kind", "echo"]
    assert [f.name for f in visible_fields(step, {"kind": "y"}, {})] == ["kind", "detail", "echo"]
    assert computed_values(defn, {"kind": "x", "detail": "stale"}, {}) == {"echo": None}
    assert computed_values(defn, {"kind": "y", "detail": "frisch"}, {}) == {"echo": "frisch"}
    values, errors = parse_step(defn, "a", {"kind": ["x"], "detail": ["weg"]}, {}, {})
    assert values == {"kind": "x", "detail": None} and errors == {}


def test_checklist_items_come_from_the_step():
    defn = bundled("foerder-check")
    with_step = facts(step={"checklist": ["Punkt A", "Punkt B"]}, measure={"type_code": "MAT"})
    names = [f.name for f in visible_fields(defn.step("abschluss"), {}, with_step, defn)]
    assert names == ["checklist", "remarks"]
    assert [f.name for f in visible_fields(defn.step("abschluss"), {}, facts(step=None), defn)] == ["remarks"]
    values, errors = parse_step(defn, "abschluss", {"checklist": ["Punkt B", "erfunden"]}, {}, with_step)
    assert errors == {"checklist": "Unbekannter Wert für Checkliste des Regelwerks: „erfunden“."}
    values, errors = parse_step(defn, "abschluss", {"checklist": ["Punkt B"]}, {}, with_step)
    assert values["checklist"] == ["Punkt B"] and errors == {}
    (_, rows), = [r for r in review(defn, {"checklist": ["Punkt B"]}, with_step) if r[0].id == "abschluss"]
    assert rows[0][1] == "☐ Punkt A\n☒ Punkt B"


# ---------------------------------------------------------------- parsing and validation

NUMBERS = """
    [[steps]]
    id = "a"
    title = "A"
      [[steps.fields]]
      name = "amount"
      label = "Betrag"
      type = "number"
      min = 0
      max = 100
      [[steps.fields]]
      name = "name"
      label = "Name"
      type = "text"
      required = true
      max_length = 10
"""


@pytest.mark.parametrize("text, value, message", [
    ("12", 12, None),
    ("12,5", 12.5, None),
    ("12.5", 12.5, None),
    (" -0,25 ", None, "Betrag muss mindestens 0 sein."),
    ("101", None, "Betrag darf höchstens 100 sein."),
    ("²", None, "Betrag: bitte eine Zahl eingeben (z. B. 12 oder 12,5)."),
    ("１２", None, "Betrag: bitte eine Zahl eingeben (z. B. 12 oder 12,5)."),
    ("1e400", None, "Betrag: bitte eine Zahl eingeben (z. B. 12 oder 12,5)."),
    ("NaN", None, "Betrag: bitte eine Zahl eingeben (z. B. 12 oder 12,5)."),
    ("inf", None, "Betrag: bitte eine Zahl eingeben (z. B. 12 oder 12,5)."),
    ("9" * 13, None, "Betrag: die Zahl ist zu groß."),
    ("1.000", None, "Betrag: bitte ohne Tausenderpunkt eingeben; Dezimalstellen mit Komma (z. B. 12,5)."),
])
def test_number_input(text, value, message):
    values, errors = parse_step(form(NUMBERS), "a", {"amount": [text], "name": ["x"]}, {}, {})
    assert errors.get("amount") == message
    if message is None:
        assert values["amount"] == value and type(values["amount"]) is type(value)
    elif not message.endswith("sein."):
        assert values["amount"] == text          # raw kept, nothing typed is lost


def test_required_and_length_messages():
    values, errors = parse_step(form(NUMBERS), "a", {"amount": [""], "name": ["  "]}, {}, {})
    assert errors == {"name": "Bitte Name angeben."} and values == {"amount": None, "name": None}
    _, errors = parse_step(form(NUMBERS), "a", {"name": ["x" * 11]}, {}, {})
    assert errors == {"name": "Name darf höchstens 10 Zeichen lang sein."}


@pytest.mark.parametrize("type_code, required", [("FBW", True), ("FBW-ABS", True), ("MAT", False)])
def test_required_if_over_facts(type_code, required):
    raw = {"talk_date": ["01.12.2026"], "talk_kind": ["fg"], "need": ["Bedarf"]}
    _, errors = parse_step(bundled("foerder-check"), "bedarf", raw, {}, facts(measure={"type_code": type_code}))
    assert ("learning_content" in errors) == required
    if required:
        assert errors["learning_content"] == "Bitte Notwendige Bildungsinhalte angeben."


@pytest.mark.parametrize("text, message", [
    ("31.02.2026", "Abgeschlossen am: Dieses Datum gibt es nicht."),
    ("morgen", "Abgeschlossen am: Bitte ein Datum im Format TT.MM.JJJJ eingeben."),
    ("01.01.1800", "Abgeschlossen am: Das Jahr muss zwischen 1900 und 2100 liegen."),
])
def test_date_parse_errors_keep_the_raw_text(text, message):
    defn = bundled("eingliederungsvereinbarung")
    values, errors = parse_step(defn, "art", {"agreement_kind": ["neu"], "concluded_on": [text]}, {}, facts())
    assert errors["concluded_on"] == message
    assert values["concluded_on"] == text


# FBW-ABS, step abs-ev, planned end 31.01.2027: window 31.10.2026 (end − 3 months) … 30.01.2027 (end − 1 day)
ABS_EV = dict(step={"id": "abs-ev"}, participation={"planned_end": "2027-01-31"}, today="2027-01-20",
              rulebook={"agreement_term": "KP"})


TOO_EARLY = "Das Datum muss zwischen dem 31.10.2026 und dem 30.01.2027 liegen."
TOO_LATE = "Die Vereinbarung ist spätestens 1 Tag vor Maßnahmeende abzuschließen (bis zum 30.01.2027)."


@pytest.mark.parametrize("day, message", [("30.10.2026", TOO_EARLY), ("31.10.2026", None), ("15.12.2026", None),
                                          ("30.01.2027", None), ("31.01.2027", TOO_LATE)])
def test_agreement_window_before_the_end_of_fbw_abs(day, message):
    raw = {"agreement_kind": ["neu"], "concluded_on": [day]}
    _, errors = parse_step(bundled("eingliederungsvereinbarung"), "art", raw, {}, facts(**ABS_EV))
    assert errors.get("concluded_on") == message


def test_agreement_window_only_for_its_rulebook_steps():
    defn = bundled("eingliederungsvereinbarung")
    raw = {"agreement_kind": ["neu"], "concluded_on": ["01.02.2027"]}
    fbw = facts(**{**ABS_EV, "step": {"id": "fbw-vor-ende"}, "today": "2027-01-20"})
    _, errors = parse_step(defn, "art", raw, {}, fbw)
    assert errors["concluded_on"] == ("Die Vereinbarung ist spätestens 1 Tag vor Maßnahmeende abzuschließen "
                                      "(bis zum 30.01.2027).")
    _, errors = parse_step(defn, "art", raw, {}, facts(**{**ABS_EV, "step": {"id": "beginn-ev"},
                                                         "today": "2027-01-20"}))
    assert "concluded_on" not in errors


def test_review_date_defaults_to_six_months_clamped_and_is_capped():
    defn = bundled("eingliederungsvereinbarung")
    kp = facts(rulebook={"agreement_term": "KP"}, step=None, today="2026-08-31")
    values, errors = parse_step(defn, "art", {"agreement_kind": ["neu"], "concluded_on": ["31.08.2026"]}, {}, kp)
    assert errors == {} and values["review_date"] == "2027-02-28" and values["valid_until"] is None
    raw = {"agreement_kind": ["neu"], "concluded_on": ["31.08.2026"], "review_date": ["01.03.2027"]}
    _, errors = parse_step(defn, "art", raw, {}, kp)
    assert errors == {"review_date": "Ein Kooperationsplan wird spätestens nach 6 Monaten überprüft "
                                     "(bis zum 28.02.2027)."}
    answers, prefilled = initial_answers(defn, facts(rulebook={"agreement_term": "KP"}, today="2026-08-31",
                                                     previous_agreement={"exists": False}))
    assert answers["concluded_on"] == "2026-08-31" and answers["review_date"] == "2027-02-28"
    assert "review_date" not in prefilled and "valid_until" not in answers


def test_ev_needs_valid_until_not_before_conclusion():
    defn = bundled("eingliederungsvereinbarung")
    ev = facts(rulebook={"agreement_term": "EV", "kp_from": None}, step=None, today="2026-08-31")
    raw = {"agreement_kind": ["neu"], "concluded_on": ["31.08.2026"]}
    values, errors = parse_step(defn, "art", raw, {}, ev)
    assert errors == {"valid_until": "Bitte Gültig bis angeben (TT.MM.JJJJ)."} and values["review_date"] is None
    _, errors = parse_step(defn, "art", {**raw, "valid_until": ["30.08.2026"]}, {}, ev)
    assert errors == {"valid_until": "Gültig bis darf nicht vor dem Abschlussdatum (31.08.2026) liegen."}


def test_agreement_term_follows_the_conclusion_date():
    """RULES.md §8: EV until 30.06.2023, Kooperationsplan from 01.07.2023 (rulebook kp_from)."""
    defn = bundled("eingliederungsvereinbarung")
    now = facts(rulebook={"agreement_term": "KP", "kp_from": "2023-07-01"}, step=None, today="2026-08-31")
    values, errors = parse_step(defn, "art", {"agreement_kind": ["neu"], "concluded_on": ["30.06.2023"]}, {}, now)
    assert errors == {"valid_until": "Bitte Gültig bis angeben (TT.MM.JJJJ)."} and values["review_date"] is None
    values, errors = parse_step(defn, "art", {"agreement_kind": ["neu"], "concluded_on": ["01.07.2023"]}, {}, now)
    assert errors == {} and values["review_date"] == "2024-01-01" and values["valid_until"] is None


def test_cross_field_rules():
    defn = bundled("massnahmeabbruch")
    f = facts(participation={"entry": "2026-02-01", "planned_end": "2026-12-31"}, today="2027-01-15")
    raw = {"reported_by": ["traeger"], "reported_on": ["02.01.2027"], "dropout_reason": ["Krankheit"]}
    _, errors = parse_step(defn, "mitteilung", {**raw, "exit_date": ["31.12.2026"]}, {}, f)
    assert errors == {"exit_date": "Ein Abbruch liegt vor dem geplanten Ende der Teilnahme; bei Austritt am oder "
                                   "nach dem geplanten Ende ist es ein reguläres Ende."}
    _, errors = parse_step(defn, "mitteilung", {**raw, "exit_date": ["31.01.2026"]}, {}, f)
    assert errors == {"exit_date": "Der Austritt kann nicht vor dem Eintritt (01.02.2026) liegen."}
    values, errors = parse_step(defn, "mitteilung", {**raw, "exit_date": ["15.06.2026"]}, {}, f)
    assert errors == {} and values["exit_date"] == "2026-06-15"


SPANNING = """
    [[steps]]
    id = "a"
    title = "A"
      [[steps.fields]]
      name = "start"
      label = "Beginn"
      type = "date"
      required = true
    [[steps]]
    id = "b"
    title = "B"
      [[steps.fields]]
      name = "until"
      label = "Ende"
      type = "date"
    [[rules]]
    assert = "until >= start"
    when = "until and start"
    field = "until"
    message = "Ende vor Beginn."
"""


def test_rules_across_steps_are_checked_on_submit():
    defn = form(SPANNING)
    _, errors = parse_step(defn, "b", {"until": ["01.01.2026"]}, {"start": "2026-02-01"}, {})
    assert errors == {}                                   # rule spans two steps: not checked per step
    wrong = {"start": "2026-02-01", "until": "2026-01-01"}
    assert validate_all(defn, wrong, {}) == {"b": {"until": "Ende vor Beginn."}}
    assert validate_all(defn, {"start": "2026-02-01", "until": "2026-03-01"}, {}) == {}
    assert validate_all(defn, {"until": "2026-03-01"}, {}) == {"a": {"start": "Bitte Beginn angeben (TT.MM.JJJJ)."}}


def test_validate_all_rechecks_stored_values_and_skips_hidden_steps():
    defn = bundled("foerder-check")
    mat = facts(measure={"type_code": "MAT"}, step=None)
    answers = {"talk_date": "31.02.2026", "talk_kind": "eg", "need": "x", "goals": "y", "suitability": "gibt-es-nicht"}
    assert validate_all(defn, answers, mat) == {
        "bedarf": {"talk_date": "Datum des Beratungsgesprächs: Dieses Datum gibt es nicht."},
        "ziel": {"suitability": "Unbekannter Wert für Eignung für die Maßnahme: „gibt-es-nicht“."},
    }
    agh = validate_all(defn, {**answers, "talk_date": "2026-11-30", "suitability": "geeignet"},
                       facts(measure={"type_code": "AGH"}, step=None))
    assert set(agh) == {"agh"} and agh["agh"]["agh_subordination"] == "Bitte die Nachrangigkeit der AGH begründen."


def test_validate_field_inline_matches_submit():
    defn = bundled("kontakt")
    f = facts(today="2026-12-01")
    assert validate_field(defn, "kontakt", "contact_date", "02.12.2026", {}, f) == \
        "Ein Kontakt kann nicht in der Zukunft liegen."
    assert validate_field(defn, "kontakt", "contact_date", "30.11.2026", {}, f) is None
    assert validate_field(defn, "kontakt", "channel", {"channel": ["brief"]}, {}, f) == \
        "Unbekannter Wert für Kontaktart: „brief“."


def test_computed_qualified_contact():
    defn = bundled("kontakt")
    answers = {"contact_date": "2026-11-30", "channel": "telefonisch", "status_analysed": True,
               "process_structured": True, "status": "läuft", "impulses": "Bewerbungen"}
    assert computed_values(defn, answers, facts()) == {"qualified": True}
    assert computed_values(defn, {**answers, "process_structured": False}, facts()) == {"qualified": False}
    assert computed_values(defn, {**answers, "channel": None}, facts()) == {"qualified": False}
    values, errors = parse_step(defn, "inhalt", {"status_analysed": ["ja"], "process_structured": ["vielleicht"]},
                                {}, facts())
    assert errors == {"status": "Bitte Aktueller Stand (Maßnahmeverlauf, Anwesenheit, Leistungsstand) angeben.",
                      "process_structured": "Bitte „ja“ oder „nein“ wählen."}
    assert "qualified" not in values


def test_prefill_from_previous_agreement_is_marked():
    defn = bundled("eingliederungsvereinbarung")
    answers, prefilled = initial_answers(defn, facts())
    assert answers["agreement_kind"] == "fortschreibung" and answers["goal"] == "Abschluss der Umschulung"
    assert answers["own_efforts_number"] == 4
    assert {"agreement_kind", "goal", "steps", "own_efforts_number"} <= prefilled
    assert "concluded_on" not in prefilled and answers["concluded_on"] == SAMPLE_FACTS["today"]
    none = {k: None for k in FACTS["previous_agreement"]} | {"exists": False}
    answers, prefilled = initial_answers(defn, facts(previous_agreement=none))
    assert answers["agreement_kind"] == "neu" and "goal" not in answers and "goal" not in prefilled
    assert answers["customer_duties"].startswith("Sie nehmen regelmäßig")   # default, not prefilled
    assert "customer_duties" not in prefilled


# ---------------------------------------------------------------- list fields

LIST = """
    [[steps]]
    id = "a"
    title = "A"
      [[steps.fields]]
      name = "rows"
      label = "Bewerbungen"
      type = "list"
      min_rows = 1
      max_rows = 2
        [[steps.fields.columns]]
        name = "day"
        label = "Datum"
        type = "date"
        required = true
        [[steps.fields.columns]]
        name = "employer"
        label = "Arbeitgeber"
        type = "text"
        [[steps.fields.columns]]
        name = "hours"
        label = "Stunden"
        type = "number"
        max = 40
"""


def test_list_rows_parse_with_blank_rows_dropped():
    raw = {"rows-0-day": ["01.02.2026"], "rows-0-employer": ["A & B"], "rows-0-hours": ["38,5"],
           "rows-1-day": [""], "rows-1-employer": [""], "rows-3-day": ["2026-03-01"], "rows-3-employer": [""]}
    values, errors = parse_step(form(LIST), "a", raw, {}, {})
    assert errors == {}
    assert values["rows"] == [{"day": "2026-02-01", "employer": "A & B", "hours": 38.5},
                              {"day": "2026-03-01", "employer": None, "hours": None}]


def test_list_cell_errors_and_row_limits():
    raw = {"rows-0-day": ["31.02.2026"], "rows-0-hours": ["41"], "rows-1-employer": ["X"]}
    values, errors = parse_step(form(LIST), "a", raw, {}, {})
    assert errors == {"rows-0-day": "Datum: Dieses Datum gibt es nicht."}
    assert values["rows"][0]["day"] == "31.02.2026"      # raw kept in the bad cell
    _, errors = parse_step(form(LIST), "a", {"rows-0-day": ["01.02.2026"], "rows-0-hours": ["41"],
                                             "rows-1-employer": ["X"]}, {}, {})
    assert errors == {"rows-0-hours": "Stunden darf höchstens 40 sein.",
                      "rows-1-day": "Bitte Datum angeben (TT.MM.JJJJ)."}
    _, errors = parse_step(form(LIST), "a", {}, {}, {})
    assert errors == {"rows": "Bitte mindestens 1 Zeile ausfüllen."}
    three = {f"rows-{i}-day": ["01.02.2026"] for i in range(3)}
    _, errors = parse_step(form(LIST), "a", three, {}, {})
    assert errors == {"rows": "Höchstens 2 Zeilen möglich."}
    assert validate_field(form(LIST), "a", "rows-0-day", {"rows-0-day": ["1.2."]}, {}, {}) == \
        "Datum: Bitte ein Datum im Format TT.MM.JJJJ eingeben."


def test_list_review_shows_rows():
    answers = {"rows": [{"day": "2026-02-01", "employer": "A & B", "hours": 38.5},
                        {"day": "2026-03-01", "employer": None, "hours": None}]}
    (_, [(_, text)]), = review(form(LIST), answers, {})
    assert text == ("Datum: 01.02.2026 · Arbeitgeber: A & B · Stunden: 38,5\n"
                    "Datum: 01.03.2026 · Arbeitgeber: – · Stunden: –")


# ---------------------------------------------------------------- review and document context

def test_review_displays_german_values():
    defn = bundled("vermittlungsvorschlag")
    answers = {"proposal_date": "2026-11-30", "employer": "Harz GmbH", "job_title": "Bürokauffrau",
               "job_kind": "kuenstler", "sv_pflichtig": True}
    (step, rows), = review(defn, answers, facts())
    shown = {field.name: text for field, text in rows}
    assert shown == {"proposal_date": "30.11.2026", "employer": "Harz GmbH", "job_title": "Bürokauffrau",
                     "job_kind": "Künstler", "sv_pflichtig": "ja", "remarks": "–", "narrow_sense": "ja"}
    assert computed_values(defn, {**answers, "job_kind": "minijob"}, facts()) == {"narrow_sense": False}


def test_review_sections_have_the_shape_of_the_gespraechsvermerk():
    defn = bundled("checkliste-am")
    answers = {"checked_on": "2026-11-30", "am_checklist": ["Eigenbemühungen des Kunden eingefordert"],
               "search_done": False}
    sections = review_sections(defn, answers, facts())
    assert [s["title"] for s in sections] == ["Checkliste", "Ergebnis und offene Punkte"]
    assert sections[0]["rows"][0] == {"label": "Bearbeitet am", "value": "30.11.2026"}
    checklist = sections[0]["rows"][1]["value"].splitlines()
    assert "☒ Eigenbemühungen des Kunden eingefordert" in checklist and len(checklist) == 15
    assert sum(line.startswith("☐ ") for line in checklist) == 14
    assert sections[1]["rows"][0] == {"label": "StEA-/VV-Suchlauf durchgeführt", "value": "nein"}
    assert [r["label"] for r in sections[1]["rows"]][1:] == ["Offene Punkte und nächste Schritte", "Bemerkungen"]


def test_document_context_of_the_agreement():
    defn = bundled("eingliederungsvereinbarung")
    answers, _ = initial_answers(defn, facts(rulebook={"agreement_term": "KP"}))
    context = document_context(defn, answers, facts(rulebook={"agreement_term": "KP"}))
    agreement = context["agreement"]
    assert agreement["agreement_kind"] == "Fortschreibung"
    assert agreement["concluded_on"] == "01.12.2026" and agreement["review_date"] == "01.06.2027"
    assert agreement["valid_until"] == ""
    assert agreement["own_efforts"] == {"number": "4", "period": "je Monat", "proof": "Liste der Bewerbungen"}
    assert set(context) == {"agreement"}


def test_every_bundled_form_runs_on_sample_facts_for_every_measure_type():
    for defn in list_forms(FORMS):
        for code in ("MAT", "MAG", "AVGS", "AGH", "FBW", "FBW-ABS", "BAE", "BVB", "EQ", "16E", "16I"):
            f = facts(measure={"type_code": code})
            answers, _ = initial_answers(defn, f)
            assert isinstance(validate_all(defn, answers, f), dict)
            assert review(defn, answers, f)
            document_context(defn, answers, f)


# ---------------------------------------------------------------- static check (one problem kind each)

def run_check(path: Path) -> list[str]:
    """check_form and `forms check PATH` must agree: the same lines, exit 2."""
    lines = check_form(path)
    result = CliRunner().invoke(forms_cli, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stdout.splitlines() == lines
    return lines


FIELD = """
[[steps]]
id = "a"
title = "A"
  [[steps.fields]]
  name = "{name}"
  label = "L"
  type = "{type}"
  {extra}
"""


def one_field(tmp_path, name="x", type="text", extra="", tail="", head_extra=""):
    return write_form(tmp_path, head_extra + FIELD.format(name=name, type=type, extra=extra) + tail)


def test_check_toml_syntax(tmp_path):
    path = write_form(tmp_path, 'title = "kaputt\n', head=False)
    line, = run_check(path)
    assert line.startswith(f"{path}: Zeile 1: TOML-Syntaxfehler: ")


def test_check_required_keys_and_folder_name(tmp_path):
    path = write_form(tmp_path, 'id = "anders"\n[[steps]]\nid = "a"\ntitle = "A"\n', head=False)
    assert run_check(path) == [f"{path}: title: Pflichtangabe fehlt", f"{path}: version: Pflichtangabe fehlt",
                               f"{path}: id: muss dem Ordnernamen „probe“ entsprechen",
                               f"{path}: steps[0].fields: Pflichtangabe fehlt",
                               f"{path}: steps[0].fields: muss eine nicht leere Liste von Feldern sein "
                               "([[steps.fields]])"]


def test_check_unknown_key_and_unknown_type(tmp_path):
    path = one_field(tmp_path, type="dropdown", extra='colour = "rot"')
    assert run_check(path) == [
        f"{path}: steps[0].fields[0].colour: unbekannter Schlüssel",
        f"{path}: steps[0].fields[0].type: unbekannter Feldtyp „dropdown“ (erlaubt: text, textarea, date, number, "
        "choice, multichoice, yesno, checklist, list)"]


def test_check_key_not_fitting_the_type(tmp_path):
    path = one_field(tmp_path, extra='options = [["a", "A"]]')
    assert run_check(path) == [f"{path}: steps[0].fields[0].options: passt nicht zum Feldtyp „text“"]


def test_check_duplicate_step_ids_and_field_names(tmp_path):
    second = FIELD.format(name="x", type="text", extra="")
    path = one_field(tmp_path, tail=second)
    assert run_check(path) == [f"{path}: steps[1].id: Schritt „a“ doppelt (schon in steps[0])",
                               f"{path}: steps[1].fields[0].name: Feld „x“ doppelt (schon in steps[0].fields[0])"]


def test_check_field_name_colliding_with_a_fact(tmp_path):
    path = one_field(tmp_path, name="measure")
    line, = run_check(path)
    assert line.startswith(f"{path}: steps[0].fields[0].name: „measure“ ist ein Fakt und als Feldname nicht erlaubt")


@pytest.mark.parametrize("expr, message", [
    ("foo == 1", "unbekannter Name „foo“ (erlaubt: Fakten wie measure.type_code, Felder dieses Formulars, "
                 "Funktionen add_days, add_months, days_between, len)"),
    ("measure.typ == 'AGH'", "unbekannter Fakt „measure.typ“ (bekannt: type_code, measure_number, title, "
                             "provider_name, start, end, capacity)"),
    ("today.year", "„today“ hat keine Unterschlüssel"),
    ("x.y", "„x“ ist ein Feld und hat keine Unterschlüssel"),
    ("measure.type_code ==", "Ausdruck ungültig: Syntaxfehler: der Ausdruck ist unvollständig."),
    ("measure.type_code = 1", "Ausdruck ungültig: Syntaxfehler in Spalte 19."),
    ("open('x')", "Ausdruck ungültig: unbekannte Funktion „open“ (erlaubt: add_days, add_months, days_between, len)."),
    ("add_days(today, 'x')", "Ausdruck kann nicht ausgewertet werden: „x“ ist keine ganze Zahl zwischen -100000 "
                             "und 100000."),
])
def test_check_names_in_expressions(tmp_path, expr, message):
    path = one_field(tmp_path, extra=f'show_if = "{expr}"')
    assert run_check(path) == [f"{path}: steps[0].fields[0].show_if: {message}"]


def test_check_every_expression_key(tmp_path):
    extra = 'prefill = "x"\n  default = "nope"'
    tail = ('\n[[rules]]\nassert = "zz"\nfield = "gone"\nmessage = "m"\n'
            '[[steps.fields]]\nname = "d"\nlabel = "D"\ntype = "date"\nmax = "measure.end + 1"\n')
    path = one_field(tmp_path, extra=extra, tail=tail)
    lines = run_check(path)
    assert lines == [
        f"{path}: steps[0].fields[0].prefill: prefill darf nur Fakten verwenden, nicht das Feld „x“",
        f"{path}: steps[0].fields[0].default: unbekannter Name „nope“ (erlaubt: Fakten wie measure.type_code, "
        "Felder dieses Formulars, Funktionen add_days, add_months, days_between, len)",
        f"{path}: steps[0].fields[1].max: Ausdruck kann nicht ausgewertet werden: „+“ passt nicht zu Text und Zahl.",
        f"{path}: rules[0].field: unbekanntes Feld „gone“",
        f"{path}: rules[0].assert: unbekannter Name „zz“ (erlaubt: Fakten wie measure.type_code, Felder dieses "
        "Formulars, Funktionen add_days, add_months, days_between, len)",
    ]


def test_check_default_may_only_use_earlier_fields(tmp_path):
    tail = FIELD.replace("[[steps]]\nid = \"a\"\ntitle = \"A\"\n", "").format(name="later", type="text", extra="")
    path = one_field(tmp_path, extra='default = "later"', tail=tail)
    assert run_check(path) == [f"{path}: steps[0].fields[0].default: default darf nur Felder verwenden, die davor "
                               "stehen („later“ steht nicht davor)"]


@pytest.mark.parametrize("where", ["field", "step"])
def test_check_required_field_never_shown(tmp_path, where):
    if where == "field":
        path = one_field(tmp_path, extra='required = true\n  show_if = "1 == 2"')
    else:
        path = write_form(tmp_path, FIELD.format(name="x", type="text", extra="required = true")
                          .replace('title = "A"', 'title = "A"\nshow_if = "False"'))
    assert run_check(path) == [f"{path}: steps[0].fields[0].required: Pflichtfeld wird nie angezeigt "
                               "(show_if ist immer falsch)"]


def test_check_completes_effects_and_produces(tmp_path):
    head = ('completes = ["abs-ev", "gibt-es-nicht"]\neffects = ["note", "fax", "exit"]\n'
            'produces = "nirgends"\n')
    path = one_field(tmp_path, head_extra=head)
    assert run_check(path) == [
        f"{path}: completes[1]: kein mitgeliefertes Regelwerk hat den Schritt „gibt-es-nicht“",
        f"{path}: effects[1]: unbekannte Wirkung „fax“ (erlaubt: note, agreement, contact, placement_proposal, exit, "
        "replan, office_hour, survey)",
        f"{path}: effects[2]: die Wirkung „exit“ braucht die Felder exit_date, dropout_reason, important_reason, "
        "unemployed",
        f"{path}: produces: Dokument „nirgends“ gibt es nicht (kein Ordner forms/nirgends mit definition.toml)",
    ]
    assert check_form(path, rulebook_step_ids={"gibt-es-nicht", "abs-ev"})[0].startswith(f"{path}: effects[1]")


def test_check_document_placeholders_nobody_fills(tmp_path):
    tail = '\n[document]\n"agreement.goal" = "x"\n"agreement.own_efforts" = "x"\n'
    path = one_field(tmp_path, head_extra='produces = "eingliederungsvereinbarung"\n', tail=tail)
    lines = run_check(path)
    missing = [line.split("„")[1].split("“")[0] for line in lines]
    assert lines[0] == (f"{path}: document: Platzhalter „agreement.concluded_on“ des Dokuments "
                        "„eingliederungsvereinbarung“ wird von keinem Feld und keinem Fakt befüllt")
    assert "agreement.goal" not in missing and "agreement.own_efforts.number" not in missing
    assert "agreement.steps" in missing and "customer.last_name" not in missing and "term" not in missing


def test_load_form_raises_with_all_lines(tmp_path):
    path = one_field(tmp_path, type="dropdown")
    with pytest.raises(FormError) as info:
        load_form(path)
    assert info.value.errors == [f"{path}: steps[0].fields[0].type: unbekannter Feldtyp „dropdown“ (erlaubt: text, "
                                 "textarea, date, number, choice, multichoice, yesno, checklist, list)"]


# ---------------------------------------------------------------- bundled forms

@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_form_passes_the_check(name):
    assert check_form(FORMS / name) == []
    defn = bundled(name)
    assert defn.id == name and len(defn.sha256) == 64 and defn.source == f"forms/{name}/form.toml"


def test_completes_names_exactly_the_rulebook_steps_that_open_the_form():
    opened: dict[str, set] = {}
    for rulebook in list_rulebooks():
        for step in rulebook.steps:
            if step.form:
                opened.setdefault(step.form, set()).add(step.id)
    for defn in list_forms(FORMS):
        # one survey answer never closes its round (many answers belong to it): it completes nothing
        expected = set() if "survey" in defn.effects else opened.get(defn.id, set())
        assert set(defn.completes) == expected, defn.id
    assert set(opened) <= set(BUNDLED)


def test_effect_field_contracts():
    assert [f.name for f in bundled("eingliederungsvereinbarung").fields] == [
        "agreement_kind", "concluded_on", "valid_until", "review_date", "goal", "steps", "customer_duties",
        "own_efforts_number", "own_efforts_period", "own_efforts_proof", "jobcenter_support",
        "contacts_during_measure"]
    assert [f.name for f in bundled("vermittlungsvorschlag").fields if not f.compute] == [
        "proposal_date", "employer", "job_title", "job_kind", "sv_pflichtig", "remarks"]
    assert bundled("auswertungsgespraech").note_subject == "Absolventenmanagement"
    assert bundled("checkliste-am").note_subject == "Absolventenmanagement"


# ---------------------------------------------------------------- CLI

def test_cli_list():
    result = CliRunner().invoke(forms_cli, ["list"])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines()}
    assert sorted(lines) == BUNDLED
    assert lines["foerder-check"] == ["foerder-check", "Förder-Check", "5 Schritte",
                                      "vor-foerder-check,bae-vor-foerder-check", "gespraechsvermerk"]
    assert lines["vermittlungsvorschlag"] == ["vermittlungsvorschlag", "Vermittlungsvorschlag", "1 Schritt", "–", "–"]


def test_cli_check_all_bundled_forms():
    result = CliRunner().invoke(forms_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"OK forms/{name}/form.toml" for name in BUNDLED]


def test_cli_check_one_folder_or_file(tmp_path):
    for arg in (FORMS / "kontakt", FORMS / "kontakt" / "form.toml"):
        result = CliRunner().invoke(forms_cli, ["check", str(arg)])
        assert result.exit_code == 0 and result.stdout == "OK forms/kontakt/form.toml\n"


@pytest.mark.parametrize("make", [lambda p: p / "gibt-es-nicht", lambda p: p])
def test_cli_check_unknown_path(tmp_path, make):
    result = CliRunner().invoke(forms_cli, ["check", str(make(tmp_path))])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fehler: ") and result.stdout == ""
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- measure forms: context and options_from

def test_check_context_and_its_facts_and_effects(tmp_path):
    path = one_field(tmp_path, extra='show_if = "customer.age > 18"',
                     head_extra='context = "measure"\neffects = ["note"]\n')
    assert run_check(path) == [
        f"{path}: steps[0].fields[0].show_if: „customer“ gibt es in einem Formular mit context = \"measure\" nicht "
        "(dort: measure, roster, rulebook, step, user, jobcenter, today)",
        f"{path}: effects[0]: die Wirkung „note“ braucht context = \"case\"",
    ]
    path = one_field(tmp_path, extra='show_if = "len(roster) > 0"', head_extra='effects = ["survey"]\n')
    assert run_check(path) == [
        f"{path}: steps[0].fields[0].show_if: „roster“ gibt es in einem Formular mit context = \"case\" nicht "
        "(dort: customer, participation, measure, rulebook, step, previous_agreement, user, jobcenter, today)",
        f"{path}: effects[0]: die Wirkung „survey“ braucht context = \"measure\"",
    ]
    path = one_field(tmp_path, head_extra='context = "verein"\n')
    assert run_check(path) == [f"{path}: context: unbekannter Kontext „verein“ (erlaubt: case, measure)"]


def test_check_options_from(tmp_path):
    path = one_field(tmp_path, type="choice", extra='options_from = "roster"\n  options = [["a", "A"]]',
                     head_extra='context = "measure"\n')
    assert run_check(path) == [f"{path}: steps[0].fields[0]: entweder options oder options_from angeben"]
    path = one_field(tmp_path, type="choice", extra='options_from = "measure.title"',
                     head_extra='context = "measure"\n')
    assert run_check(path) == [f"{path}: steps[0].fields[0].options_from: muss eine Liste von [Wert, Bezeichnung] "
                               "ergeben"]
    path = one_field(tmp_path, type="text", extra='options_from = "roster"', head_extra='context = "measure"\n')
    assert run_check(path) == [f"{path}: steps[0].fields[0].options_from: passt nicht zum Feldtyp „text“"]


def test_options_from_are_bound_to_the_facts():
    defn = bundled("sprechstunde")
    facts = {**SAMPLE_FACTS, "roster": [["7", "Albrecht, Erika"], ["8", "Berger, Jan"], "kaputt", ["", "leer"]]}
    bound = bind_options(defn, facts)
    column = bound.field("participant_findings").columns[0]
    assert column.options == (("7", "Albrecht, Erika"), ("8", "Berger, Jan"))
    assert defn.field("participant_findings").columns[0].options == ()  # the definition itself is unchanged
    kontakt = bundled("kontakt")
    assert bind_options(kontakt, facts) is kontakt  # nothing to bind
    raw = {"participant_findings-0-participant": ["9"], "participant_findings-0-finding": ["x"],
           "participant_findings-0-inform_pap": ["ja"]}
    _, errors = parse_step(bound, "teilnehmende", raw, {}, facts)
    assert errors == {"participant_findings-0-participant": "Unbekannter Wert für Teilnehmer/in: „9“."}
    values, errors = parse_step(bound, "teilnehmende", {**raw, "participant_findings-0-participant": ["8"]}, {}, facts)
    assert errors == {} and values["participant_findings"] == [{"participant": "8", "finding": "x", "inform_pap": True}]
    assert "Berger, Jan" in display_value(column, "8")
