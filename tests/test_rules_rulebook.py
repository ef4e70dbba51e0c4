"""Loading and validating rulebooks (TOML data, hand-written schema check)."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from absolvent.rules import (
    ParticipationFacts,
    RulebookError,
    list_rulebooks,
    load_rulebook,
    plan,
    validate_file,
)
from absolvent.rules.rulebook import rulebook_dir
from absolvent.rules.vocabulary import MEASURE_TYPES

GOSLAR = rulebook_dir() / "goslar-2016.toml"

MINIMAL = '''\
id = "{id}"
title = "Testregelwerk"
jobcenter = "Jobcenter Test"
bundesland = "BY"
closure_days = ["12-24"]

[[agreement_terms]]
code = "KP"
name = "Kooperationsplan"

[aftercare]
end = {{ anchor = "end", offset = {{ months = 6 }} }}

[[aftercare.start]]
types = ["MAT"]
anchor = "end"
offset = {{ weeks = -2 }}

[[steps]]
id = "gespraech"
title = "Gespräch nach Ende"
phase = "nach"
role = "pAp"
mode = "FG"
types = ["MAT"]
anchor = "end"
due = {{ working_days = 1 }}
mandatory = true
checklist = ["Auswerten"]
'''


def write(tmp_path, text, name="test-jc.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mutated(tmp_path, old, new, count=1):
    text = GOSLAR.read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, text.replace(old, new, count), "goslar-2016.toml")


def test_bundled_rulebooks_are_valid():
    rulebooks = list_rulebooks()
    assert [rb.id for rb in rulebooks] == ["deutsche-weinstrasse-2022", "goslar-2016"]
    assert {rb.id: rb.bundesland for rb in rulebooks} == {
        "deutsche-weinstrasse-2022": "RP", "goslar-2016": "NI"}
    for path in sorted(rulebook_dir().glob("*.toml")):
        assert validate_file(path) == []


def test_rulebook_files_start_with_decision_comments():
    for path in sorted(rulebook_dir().glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ")
        assert "Entscheidungen" in text.split("\nid = ")[0]


def test_load_by_id_and_path():
    by_id = load_rulebook("goslar-2016")
    by_path = load_rulebook(GOSLAR)
    assert by_id == by_path
    assert by_id.jobcenter == "Jobcenter Goslar"
    assert by_id.closure_days == ((12, 24), (12, 31))
    assert by_id.step("abs-ev").earliest.unit == "months"


def test_unknown_rulebook():
    with pytest.raises(RulebookError, match="Unbekanntes Regelwerk"):
        load_rulebook("entenhausen-2030")
    with pytest.raises(RulebookError):
        load_rulebook("../etc/passwd")


def test_every_step_has_checklist_and_sane_values():
    for rb in list_rulebooks():
        for step in rb.steps:
            assert step.checklist, step.id
            assert set(step.types) <= set(MEASURE_TYPES)


@pytest.mark.parametrize(("rulebook_id", "expected"), [
    ("deutsche-weinstrasse-2022", {
        "am-beginn", "am-ende", "checkliste-am-fbw", "checkliste-am-optional",
        "kontakt-waehrend", "kontakt-8-wochen", "kontakt-agh", "kontakt-bvb",
        "bvb-kontaktdichte-maerz-april", "kontakt-eq", "eq-uebernahme-april-mai",
        "bae-anwesenheit", "bae-beratung-uebergang", "bae-kontakt-pruefung",
        "kontakt-foerderung-8-wochen", "auswertung-mag", "auswertung-bvb", "auswertung-eq",
        "auswertung-bae", "auswertung-16e-16i", "abbruch-grund", "abbruch-einladung",
        "abbruch-kenntnisse", "abbruch-wichtiger-grund", "abbruch-strategie-4pm",
        "abbruch-cosach", "ags-einbeziehen", "mb-integrationsbemuehungen",
        "iks-auslaufende-foerderung"}),
    ("goslar-2016", {
        "vor-foerder-check", "beginn-ev", "nach-auswertung", "am-ende", "agh-vor-pap",
        "agh-vor-mb", "agh-waehrend-mb", "agh-waehrend-pap", "agh-ende-pap", "agh-ende-mb",
        "mag-nach", "abs-probezeit", "abs-zwischenpruefung", "abs-uebergabe-bov",
        "abs-bov-vermittlung", "abs-ev", "fbw-vor-ende", "fbw-nach", "fbw-folgetermin",
        "bae-vor-foerder-check", "bae-vor-ev", "bae-vor-mb", "bae-erster-tag-mb",
        "bae-jahr1-pap", "bae-jahr1-mb", "bae-jahr2-pap", "bae-ende-pap",
        "bae-nach-pruefung", "bae-zielerreichung-mb", "mb-vor-information",
        "mb-informationsblatt-f21", "mb-eroeffnung", "mb-sprechstunde",
        "mb-sprechstunde-1-von-2", "mb-sprechstunde-2-von-2", "mb-sprechstunde-1-von-3",
        "mb-sprechstunde-2-von-3", "mb-sprechstunde-3-von-3", "mb-teilnehmerbefragung",
        "abbruch-cosach", "abbruch-auswertung"}),
])
def test_every_rule_row_is_encoded(rulebook_id, expected):
    ids = {s.id for s in load_rulebook(rulebook_id).steps}
    assert expected <= ids


def test_a_third_jobcenter_needs_only_a_toml_file(tmp_path):
    path = write(tmp_path, MINIMAL.format(id="test-jc"))
    assert validate_file(path) == []
    rulebook = load_rulebook(path)
    result = plan(rulebook, ParticipationFacts("MAT", date(2026, 1, 5), date(2026, 12, 23)))
    # Bavaria, 24.12. closed, 25./26. holidays, 27. Sunday -> Mon 28.12.
    assert [(s.step_id, s.due) for s in result.steps] == [("gespraech", date(2026, 12, 28))]
    assert result.am_start == date(2026, 12, 9)     # 23.12. - 2 weeks
    assert result.am_end == date(2027, 6, 23)


def test_anchor_error_message_format(tmp_path):
    path = mutated(tmp_path, 'anchor = "start"', 'anchor = "begin"')
    errors = validate_file(path)
    assert errors == ['goslar-2016.toml: steps[0].anchor: unbekannter Anker "begin"']
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    assert info.value.errors == errors


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('role = "pAp"', 'role = "Chef"', 'steps[0].role: unbekannte Rolle "Chef"'),
    ('types = ["MAT", "MAG", "AVGS", "AGH", "FBW", "FBW-ABS"]',
     'types = ["MAT", "XYZ"]', 'steps[0].types[1]: unbekannte Maßnahmeart "XYZ"'),
    ('phase = "vor"', 'phase = "vorher"', 'steps[0].phase: unbekannte Phase "vorher"'),
    ('mode = "FG"', 'mode = "Brief"', 'steps[0].mode: unbekannte Gesprächsform "Brief"'),
    ('form = "foerder-check"', 'form = "antrag"', 'steps[0].form: unbekanntes Formular "antrag"'),
    ('mandatory = true', 'mandatory = "ja"', "steps[0].mandatory: muss true oder false sein"),
    ('mandatory = true', 'mandatory = true\ncolour = "red"', "steps[0].colour: unbekannter Schlüssel"),
    ('id = "vor-foerder-check"', 'id = "beginn-ev"', 'steps[2].id: Kennung "beginn-ev" doppelt (schon in steps[0])'),
    ('id = "vor-foerder-check"', 'id = "Vor_Check"', 'steps[0].id: ungültige Kennung'),
    ('due = { days = 0 }', 'due = { days = 0, weeks = 1 }', "steps[0].due: genau eine Einheit"),
    ('due = { days = 0 }', 'due = { hours = 3 }', "steps[0].due.hours: unbekannte Einheit"),
    ('due = { days = 0 }', 'due = { days = 1.5 }', "steps[0].due.days: muss eine ganze Zahl sein"),
    ('due = { days = 0 }', 'due = { working_days = 0 }', "steps[0].due.working_days: Arbeitstage"),
    ('due = { days = 0 }', 'due = { month_day = "02-30" }', 'steps[0].due.month_day: ungültiger'),
    ('due = { days = 0 }', 'due = "morgen"', "steps[0].due: muss eine Tabelle sein"),
    ('bundesland = "NI"', 'bundesland = "XX"', 'bundesland: unbekanntes Bundesland "XX"'),
    ('closure_days = ["12-24", "12-31"]', 'closure_days = ["24.12."]', "closure_days[0]"),
    ('id = "goslar-2016"', 'id = "goslar-2017"', 'id: muss dem Dateinamen entsprechen'),
    ('jobcenter = "Jobcenter Goslar"\n', '', "jobcenter: Pflichtangabe fehlt"),
    ('first_step_of = ["ende", "nach"]', 'first_step_of = ["spaeter"]',
     'aftercare.start[0].first_step_of[0]: unbekannte Phase "spaeter"'),
])
def test_schema_errors(tmp_path, old, new, expected):
    errors = validate_file(mutated(tmp_path, old, new))
    assert any(e.startswith("goslar-2016.toml: ") and expected in e for e in errors), errors


def test_fraction_only_with_start_anchor(tmp_path):
    path = mutated(tmp_path, 'anchor = "start"\ndue = { fraction = 0.5 }',
                   'anchor = "end"\ndue = { fraction = 0.5 }')
    errors = validate_file(path)
    assert any("Anteil der Dauer nur mit Anker" in e for e in errors)


def test_unknown_top_level_key_and_all_errors_reported(tmp_path):
    text = GOSLAR.read_text(encoding="utf-8")
    text = text.replace('role = "pAp"', 'role = "X"').replace('bundesland = "NI"',
                                                             'bundesland = "NI"\nfarbe = 1')
    errors = validate_file(write(tmp_path, text, "goslar-2016.toml"))
    assert "goslar-2016.toml: farbe: unbekannter Schlüssel" in errors
    assert sum("unbekannte Rolle" in e for e in errors) > 10   # every step, not only the first


def test_toml_syntax_error(tmp_path):
    errors = validate_file(write(tmp_path, 'id = "x\n', "x.toml"))
    assert len(errors) == 1 and errors[0].startswith("x.toml: TOML-Syntaxfehler")


def test_unreadable_file(tmp_path):
    errors = validate_file(tmp_path / "fehlt.toml")
    assert errors and errors[0].startswith("fehlt.toml: Datei nicht lesbar")


def test_copy_of_bundled_file_is_valid(tmp_path):
    target = tmp_path / "goslar-2016.toml"
    shutil.copy(GOSLAR, target)
    assert validate_file(Path(target)) == []
