"""Planner with rulebook goslar-2016 (RULES.md §5), dates by hand (NI)."""

from datetime import date

import pytest

from absolvent.rules import ParticipationFacts, load_rulebook, plan

RB = load_rulebook("goslar-2016")


def make_plan(measure, start, end, **facts):
    return plan(RB, ParticipationFacts(measure, start, end, **facts))


def steps_by_id(result):
    return {s.step_id: s for s in result.steps}


# --- 5.1 simplified AM (MAT, AVGS) --------------------------------------------------

@pytest.mark.parametrize("measure", ["MAT", "AVGS"])
def test_simplified_am(measure):
    result = make_plan(measure, date(2026, 1, 5), date(2026, 6, 30))
    ids = steps_by_id(result)
    entry = ids["beginn-ev"]
    assert entry.due == date(2026, 1, 5) and entry.phase == "vor" and entry.mandatory
    assert entry.form == "eingliederungsvereinbarung"
    assert "Lebenslaufveränderung, Fähigkeiten und 4PM berücksichtigen" in entry.checklist
    after = ids["nach-auswertung"]
    assert after.earliest == date(2026, 6, 30)
    assert after.due == date(2026, 7, 14)          # end + 14 days
    assert after.mode == "FG" and after.role == "pAp"
    assert ids["am-ende"].due == date(2026, 12, 30)  # end + 6 months
    assert ids["vor-foerder-check"].form == "foerder-check"
    # AM starts with the first end-phase step, ends 6 months after the end
    assert result.am_start == date(2026, 6, 30)
    assert result.am_end == date(2026, 12, 30)


def test_agreement_term_follows_the_conclusion_date():
    new = steps_by_id(make_plan("MAT", date(2026, 1, 5), date(2026, 6, 30)))["beginn-ev"]
    assert new.title == "Bei Eintritt: Vorbereitende Maßnahmen und Kooperationsplan abschließen"
    old = steps_by_id(make_plan("MAT", date(2022, 1, 5), date(2022, 6, 30)))["beginn-ev"]
    assert "Eingliederungsvereinbarung" in old.title
    assert RB.agreement_term.code == "KP"
    assert RB.agreement_term_on(date(2023, 6, 30)).code == "EV"
    assert RB.agreement_term_on(date(2023, 7, 1)).code == "KP"


# --- 5.2 AGH ----------------------------------------------------------------------------

def test_agh_steps():
    result = make_plan("AGH", date(2026, 2, 2), date(2026, 8, 31))
    ids = steps_by_id(result)
    assert ids["agh-vor-pap"].due == date(2026, 2, 2)
    assert ids["agh-vor-mb"].role == "MB" and ids["agh-vor-mb"].mode == "schriftlich"
    assert ids["agh-waehrend-mb"].earliest == date(2026, 2, 2)
    assert ids["agh-waehrend-pap"].due == date(2026, 8, 31)
    assert ids["agh-ende-pap"].due == date(2026, 8, 10)   # 31.08. - 21 days
    assert ids["agh-ende-mb"].due == date(2026, 8, 31)
    assert "nach-auswertung" not in ids and "beginn-ev" not in ids
    assert result.am_start == date(2026, 8, 10)           # first end-phase step
    assert result.am_end == date(2027, 2, 28)             # 31.08. + 6 months, clamped


# --- 5.3 MAG ----------------------------------------------------------------------------

def test_mag_after_end():
    result = make_plan("MAG", date(2026, 3, 2), date(2026, 3, 27))
    ids = steps_by_id(result)
    assert ids["mag-nach"].earliest == date(2026, 3, 27)
    assert ids["mag-nach"].due == date(2026, 4, 10)   # 27.03. + 14
    assert ids["beginn-ev"].due == date(2026, 3, 2)
    assert result.warnings == []


# --- 5.4 FBW-ABS / BAE ------------------------------------------------------------------

def test_fbw_abs_steps():
    result = make_plan("FBW-ABS", date(2025, 9, 1), date(2027, 8, 31),
                       probation_end=date(2025, 12, 31), intermediate_exam=date(2026, 11, 20))
    ids = steps_by_id(result)
    probation = ids["abs-probezeit"]
    # from Wed 31.12.2025: [1.1. holiday] 2 (1) 5..9 (6) 12..15 (10); 6.1. no holiday in NI
    assert (probation.earliest, probation.due) == (date(2025, 12, 31), date(2026, 1, 15))
    assert probation.mode == "Tel."
    exam = ids["abs-zwischenpruefung"]
    # from Fri 20.11.2026: 23..27 (5) 30, 1, 2, 3, 4 (10)
    assert (exam.earliest, exam.due) == (date(2026, 11, 21), date(2026, 12, 4))
    assert ids["abs-uebergabe-bov"].due == date(2027, 4, 30)   # 31.08. - 4 months, clamped
    assert ids["abs-bov-vermittlung"].due == date(2027, 5, 31)
    assert ids["abs-bov-vermittlung"].role == "boV"
    agreement = ids["abs-ev"]
    assert agreement.earliest == date(2027, 5, 31)             # end - 3 months
    assert agreement.due == date(2027, 8, 30)                  # end - 1 day
    assert agreement.mandatory
    assert result.am_start == date(2027, 4, 30)
    assert result.am_end == date(2028, 2, 29)                  # leap year clamp
    assert result.missing == []


def test_fbw_abs_without_probation_and_exam_dates_reports_missing():
    result = make_plan("FBW-ABS", date(2025, 9, 1), date(2027, 8, 31))
    assert len(result.missing) == 2
    assert any(m.startswith("Ende der Probezeit fehlt") for m in result.missing)
    assert any(m.startswith("Termin der Zwischenprüfung fehlt") for m in result.missing)


# --- 5.5 FBW ----------------------------------------------------------------------------

def test_fbw_general():
    result = make_plan("FBW", date(2026, 1, 5), date(2026, 11, 30))
    ids = steps_by_id(result)
    before = ids["fbw-vor-ende"]
    assert (before.earliest, before.due) == (date(2026, 10, 30), date(2026, 11, 29))
    assert before.mandatory and before.form == "eingliederungsvereinbarung"
    assert (ids["fbw-nach"].earliest, ids["fbw-nach"].due) == (date(2026, 11, 30),
                                                               date(2026, 12, 14))
    assert ids["fbw-folgetermin"].due == date(2027, 1, 30)    # end + 2 months
    assert ids["am-ende"].due == date(2027, 5, 30)            # end + 6 months
    assert ids["vor-ev-fbw"].due == date(2026, 1, 5)
    assert result.am_start == date(2026, 10, 30)


def test_fbw_one_month_before_clamps():
    ids = steps_by_id(make_plan("FBW", date(2025, 10, 1), date(2026, 3, 31)))
    assert ids["fbw-vor-ende"].earliest == date(2026, 2, 28)  # 31.03. - 1 month


# --- 5.6 BAE ----------------------------------------------------------------------------

def test_bae_three_years():
    result = make_plan("BAE", date(2025, 9, 1), date(2028, 8, 31),
                       training_year_1_end=date(2026, 8, 31),
                       training_year_2_end=date(2027, 8, 31), exam=date(2028, 6, 20))
    ids = steps_by_id(result)
    for step_id in ("bae-vor-foerder-check", "bae-vor-ev", "bae-vor-mb"):
        assert ids[step_id].due == date(2025, 9, 1)
    assert ids["bae-erster-tag-mb"].due == date(2025, 9, 4)   # Mon 01.09. + 3 working days
    assert ids["bae-jahr1-pap"].due == date(2026, 5, 31)      # 31.08.2026 - 3 months
    assert ids["bae-jahr1-mb"].due == date(2026, 5, 31)
    assert ids["bae-jahr2-pap"].due == date(2027, 5, 31)
    assert ids["bae-ende-pap"].due == date(2028, 5, 31)
    after_exam = ids["bae-nach-pruefung"]
    assert (after_exam.earliest, after_exam.due) == (date(2028, 6, 21), date(2028, 7, 4))
    assert ids["bae-zielerreichung-mb"].due == date(2028, 7, 20)
    # as FBW-ABS (5.4): hand-over 4 months before, EV between 3 months and 1 day before
    assert ids["abs-uebergabe-bov"].due == date(2028, 4, 30)
    assert (ids["abs-ev"].earliest, ids["abs-ev"].due) == (date(2028, 5, 31), date(2028, 8, 30))
    assert result.am_start == date(2028, 4, 30)


def test_bae_two_years_has_no_second_year_step():
    result = make_plan("BAE", date(2025, 9, 1), date(2027, 8, 31),   # exactly 24 months
                       training_year_1_end=date(2026, 8, 31), exam=date(2027, 6, 20))
    assert "bae-jahr2-pap" not in steps_by_id(result)
    assert not any("2. Ausbildungsjahres fehlt" in m for m in result.missing)


def test_bae_missing_training_year_dates():
    result = make_plan("BAE", date(2025, 9, 1), date(2028, 8, 31))
    missing = " | ".join(result.missing)
    assert "Ende des 1. Ausbildungsjahres fehlt" in missing
    assert "Ende des 2. Ausbildungsjahres fehlt" in missing
    assert "Prüfungstermin fehlt" in missing


# --- 5.7 Maßnahmebetreuung ---------------------------------------------------------------

def test_mb_steps_only_for_group_measures():
    result = make_plan("MAT", date(2026, 3, 2), date(2026, 6, 30))
    assert not any(s.role == "MB" for s in result.steps)


def test_mb_short_measure_one_office_hour():
    # 02.03.–30.06.2026: 3 months 29 days (> 1, < 6 months): 1 Sprechstunde at half:
    # 121 days, half = 60 -> 02.03. + 60 = 01.05.; < 4 months: no survey
    ids = steps_by_id(make_plan("MAT", date(2026, 3, 2), date(2026, 6, 30), group_measure=True))
    assert ids["mb-sprechstunde"].due == date(2026, 5, 1)
    assert ids["mb-sprechstunde"].form == "sprechstunde"
    assert "mb-teilnehmerbefragung" not in ids
    assert ids["mb-informationsblatt-f21"].due == date(2026, 2, 2)   # 02.03. - 4 weeks
    assert ids["mb-vor-information"].due == date(2026, 2, 2)
    assert ids["mb-eroeffnung"].due == date(2026, 3, 2)
    assert ids["mb-teilnehmerbericht-mat"].due == date(2026, 6, 30)


def test_f21_only_for_mat():
    ids = steps_by_id(make_plan("FBW", date(2026, 3, 2), date(2026, 6, 30), group_measure=True))
    assert "mb-informationsblatt-f21" not in ids
    assert "mb-berichte-fbw" in ids


def test_survey_from_exactly_four_months():
    # 01.01.–30.04.2026 = exactly 4 months, 120 days, half = 60 -> 02.03.
    ids = steps_by_id(make_plan("MAT", date(2026, 1, 1), date(2026, 4, 30), group_measure=True))
    assert ids["mb-teilnehmerbefragung"].due == date(2026, 3, 2)
    assert ids["mb-teilnehmerbefragung"].form == "teilnehmerbefragung"
    ids = steps_by_id(make_plan("MAT", date(2026, 1, 1), date(2026, 4, 29), group_measure=True))
    assert "mb-teilnehmerbefragung" not in ids


def test_office_hours_exactly_one_month_none():
    ids = steps_by_id(make_plan("MAT", date(2026, 2, 1), date(2026, 2, 28), group_measure=True))
    assert not any(i.startswith("mb-sprechstunde") for i in ids)
    ids = steps_by_id(make_plan("MAT", date(2026, 2, 1), date(2026, 3, 1), group_measure=True))
    assert "mb-sprechstunde" in ids


def test_office_hours_exactly_six_months_two():
    # 01.01.–30.06.2026: 181 days; 1/3 -> 60 days -> 02.03.; 2/3 -> 120 days -> 01.05.
    ids = steps_by_id(make_plan("MAT", date(2026, 1, 1), date(2026, 6, 30), group_measure=True))
    assert "mb-sprechstunde" not in ids
    assert ids["mb-sprechstunde-1-von-2"].due == date(2026, 3, 2)
    assert ids["mb-sprechstunde-2-von-2"].due == date(2026, 5, 1)


def test_office_hours_over_twelve_months_three():
    # 01.09.2025–31.08.2027: 730 days; 1/4 -> 182 -> 02.03.2026; 1/2 -> 365 -> 01.09.2026;
    # 3/4 -> 547 -> 02.03.2027
    ids = steps_by_id(make_plan("FBW-ABS", date(2025, 9, 1), date(2027, 8, 31),
                                group_measure=True))
    assert ids["mb-sprechstunde-1-von-3"].due == date(2026, 3, 2)
    assert ids["mb-sprechstunde-2-von-3"].due == date(2026, 9, 1)
    assert ids["mb-sprechstunde-3-von-3"].due == date(2027, 3, 2)
    assert "mb-sprechstunde-1-von-2" not in ids


# --- Abbruch -----------------------------------------------------------------------------

def test_dropout_keeps_due_end_steps_and_adds_abbruch():
    result = make_plan("FBW-ABS", date(2025, 9, 1), date(2027, 8, 31),
                       exit=date(2027, 5, 10), dropout=True, group_measure=True)
    ids = steps_by_id(result)
    assert "abs-uebergabe-bov" in ids              # due 30.04.2027 <= exit
    assert "abs-bov-vermittlung" not in ids        # due 31.05.2027 > exit
    assert "abs-ev" not in ids and "am-ende" not in ids
    assert not any(s.phase == "waehrend" for s in result.steps)
    assert "vor-foerder-check" in ids
    # from Mon 10.05.2027 (NI): 11,12,13 (3); 14 (4) [17.05. Pfingstmontag] 18..21 (8) 24,25 (10)
    assert ids["abbruch-cosach"].due == date(2027, 5, 13)
    assert ids["abbruch-auswertung"].due == date(2027, 5, 25)
    assert result.am_start == date(2027, 4, 30)
    assert result.am_end == date(2027, 5, 10)


def test_types_without_rules_get_a_warning():
    result = make_plan("BVB", date(2025, 9, 1), date(2026, 6, 30))
    assert result.steps == []
    assert result.am_start is None and result.am_end is None
    assert any("keine Schritte" in w for w in result.warnings)
