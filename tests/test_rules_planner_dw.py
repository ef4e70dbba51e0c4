"""Planner with rulebook deutsche-weinstrasse-2022 (RULES.md §4), dates by hand (RP)."""

from datetime import date

import pytest

from absolvent.rules import ParticipationFacts, PlanError, load_rulebook, plan

RB = load_rulebook("deutsche-weinstrasse-2022")


def make_plan(measure, start, end, **facts):
    return plan(RB, ParticipationFacts(measure, start, end, **facts))


def steps_by_id(result):
    return {s.step_id: s for s in result.steps}


# --- §4.1 AM start and end --------------------------------------------------------

@pytest.mark.parametrize(("end", "am_start"), [
    (date(2026, 3, 31), date(2026, 3, 31)),   # exactly 3 months: AM starts at the end
    (date(2026, 4, 1), date(2026, 3, 4)),     # 3 months + 1 day: end - 28 days (01.04. - 28)
    (date(2026, 6, 30), date(2026, 6, 2)),    # exactly 6 months: 30.06. - 28 days
    (date(2026, 7, 1), date(2026, 4, 1)),     # 6 months + 1 day: end - 3 months
])
def test_am_start_by_duration_band(end, am_start):
    result = make_plan("MAT", date(2026, 1, 1), end)
    assert result.am_start == am_start
    assert steps_by_id(result)["am-beginn"].due == am_start


def test_am_start_clamps_and_am_end_six_months_after():
    # 01.11.2025–31.05.2026 (7 months): 31.05. - 3 months = 28.02.; + 6 months = 30.11.
    result = make_plan("FBW", date(2025, 11, 1), date(2026, 5, 31))
    assert result.am_start == date(2026, 2, 28)
    assert result.am_end == date(2026, 11, 30)
    assert steps_by_id(result)["am-ende"].due == date(2026, 11, 30)


def test_am_start_for_types_outside_the_table_is_the_end():
    result = make_plan("BVB", date(2025, 9, 1), date(2026, 6, 30))
    assert result.am_start == date(2026, 6, 30)
    assert result.am_end == date(2026, 12, 30)
    assert "am-beginn" not in steps_by_id(result)


# --- §4.2 Auswertungsgespräch within 10 working days (RP) -------------------------

def test_mag_two_weeks_exactly_has_no_evaluation():
    result = make_plan("MAG", date(2026, 3, 2), date(2026, 3, 15))   # 14 days
    assert "auswertung-mag" not in steps_by_id(result)


def test_mag_more_than_two_weeks_has_evaluation():
    result = make_plan("MAG", date(2026, 3, 2), date(2026, 3, 16))   # 15 days
    step = steps_by_id(result)["auswertung-mag"]
    # from Mon 16.03.: 17,18,19,20 (4) 23,24,25,26,27 (9) 30 (10)
    assert step.due == date(2026, 3, 30)
    assert step.earliest == date(2026, 3, 17)
    assert step.form == "auswertungsgespraech"
    assert step.mandatory


def test_bvb_eight_weeks_boundary():
    assert "auswertung-bvb" not in steps_by_id(
        make_plan("BVB", date(2025, 9, 1), date(2025, 10, 26)))   # 56 days = 8 weeks
    step = steps_by_id(make_plan("BVB", date(2025, 9, 1), date(2025, 10, 27)))["auswertung-bvb"]
    # from Mon 27.10.2025: 28,29,30,31 (4; 31.10. no holiday in RP) 3,4,5,6,7 (9) 10 (10)
    assert step.due == date(2025, 11, 10)


def test_eq_evaluation_skips_fronleichnam():
    step = steps_by_id(make_plan("EQ", date(2025, 9, 1), date(2026, 5, 29)))["auswertung-eq"]
    # from Fri 29.05.2026: 1,2,3 (3) [4.6. Fronleichnam] 5 (4) 8,9,10,11,12 (9) 15 (10)
    assert step.due == date(2026, 6, 15)


def test_eq_eight_weeks_exactly_has_no_evaluation():
    result = make_plan("EQ", date(2026, 2, 2), date(2026, 3, 29))   # 56 days
    assert "auswertung-eq" not in steps_by_id(result)


def test_bae_evaluation_always_and_skips_allerheiligen():
    result = make_plan("BAE", date(2024, 11, 1), date(2027, 10, 29))
    step = steps_by_id(result)["auswertung-bae"]
    # from Fri 29.10.2027: [1.11. Allerheiligen] 2,3,4,5 (4) 8..12 (9) 15 (10)
    assert step.due == date(2027, 11, 15)


def test_16e_evaluation_only_above_three_months():
    assert "auswertung-16e-16i" not in steps_by_id(
        make_plan("16E", date(2026, 1, 1), date(2026, 3, 31)))    # exactly 3 months
    step = steps_by_id(make_plan("16I", date(2026, 1, 1), date(2026, 4, 1)))["auswertung-16e-16i"]
    # from Wed 01.04.2026: 2 (1) [3.4. Karfreitag, WE, 6.4. Ostermontag] 7,8,9,10 (5) 13..17 (10)
    assert step.due == date(2026, 4, 17)


# --- §4.3 contacts ------------------------------------------------------------------

def test_single_contact_above_three_months():
    assert "kontakt-waehrend" not in steps_by_id(
        make_plan("MAT", date(2026, 1, 1), date(2026, 3, 31)))
    step = steps_by_id(make_plan("AVGS", date(2026, 1, 1), date(2026, 4, 1)))["kontakt-waehrend"]
    assert step.earliest == date(2026, 1, 2)   # day after entry
    assert step.due == date(2026, 4, 1)        # at the latest at the end
    assert step.form == "kontakt"


def test_six_months_exactly_single_contact_no_eight_weeks():
    ids = steps_by_id(make_plan("FBW", date(2026, 1, 1), date(2026, 6, 30)))
    assert "kontakt-waehrend" in ids
    assert not any(i.startswith("kontakt-8-wochen") for i in ids)


def test_eight_week_contacts_without_recorded_contact():
    result = make_plan("FBW", date(2026, 1, 5), date(2026, 12, 18))
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-8-wochen"]
    # 05.01.+56 = 02.03.; +56 = 27.04.; 22.06.; 17.08.; 12.10.; 07.12.; next 01.02.2027 > end
    assert dues == [date(2026, 3, 2), date(2026, 4, 27), date(2026, 6, 22),
                    date(2026, 8, 17), date(2026, 10, 12), date(2026, 12, 7)]
    ids = [s.step_id for s in result.steps if s.rule_id == "kontakt-8-wochen"]
    assert ids[:2] == ["kontakt-8-wochen-1", "kontakt-8-wochen-2"]
    assert "kontakt-waehrend" not in steps_by_id(result)


def test_recorded_contact_moves_next_due_date():
    result = make_plan("FBW", date(2026, 1, 5), date(2026, 12, 18),
                       contacts=(date(2026, 2, 10), date(2025, 12, 20)))
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-8-wochen"]
    # 1st due 02.03. (fulfilled by contact 10.02.); next 10.02.+56 = 07.04.; then 02.06.,
    # 28.07., 22.09., 17.11.; 12.01.2027 > end. The contact before entry is ignored.
    assert dues == [date(2026, 3, 2), date(2026, 4, 7), date(2026, 6, 2),
                    date(2026, 7, 28), date(2026, 9, 22), date(2026, 11, 17)]


def test_late_contact_moves_following_due_date():
    # no contact until 10.03.2026: the 1st occurrence (due 02.03.) is met late on
    # 10.03.; next = 10.03. + 56 = 05.05.; + 56 = 30.06.; 25.08. > end
    result = make_plan("MAT", date(2026, 1, 5), date(2026, 7, 31), contacts=(date(2026, 3, 10),))
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-8-wochen"]
    assert dues == [date(2026, 3, 2), date(2026, 5, 5), date(2026, 6, 30)]


def test_latest_on_time_contact_counts():
    # contacts 20.01. and 01.03. both in (05.01., 02.03.]: the later one counts:
    # next 01.03. + 56 = 26.04.; + 56 = 21.06.; 16.08. > end
    result = make_plan("MAT", date(2026, 1, 5), date(2026, 7, 31),
                       contacts=(date(2026, 3, 1), date(2026, 1, 20)))
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-8-wochen"]
    assert dues == [date(2026, 3, 2), date(2026, 4, 26), date(2026, 6, 21)]


def test_contact_on_entry_day_does_not_count():
    result = make_plan("MAT", date(2026, 1, 5), date(2026, 7, 31), contacts=(date(2026, 1, 5),))
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-8-wochen"]
    assert dues[:2] == [date(2026, 3, 2), date(2026, 4, 27)]


def test_last_contact_on_the_end_day_is_included():
    # 05.01.+56 = 02.03.; +56 = 27.04. = end -> included ("not after the end")
    result = make_plan("16E", date(2026, 1, 5), date(2026, 4, 27))
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-foerderung-8-wochen"]
    assert dues == [date(2026, 3, 2), date(2026, 4, 27)]


def test_agh_single_contact():
    step = steps_by_id(make_plan("AGH", date(2026, 1, 1), date(2026, 4, 1)))["kontakt-agh"]
    assert (step.earliest, step.due) == (date(2026, 1, 2), date(2026, 4, 1))
    assert "kontakt-agh" not in steps_by_id(make_plan("AGH", date(2026, 1, 1), date(2026, 3, 31)))


def test_bvb_contacts():
    ids = steps_by_id(make_plan("BVB", date(2025, 9, 1), date(2026, 6, 30)))
    assert ids["kontakt-bvb"].due == date(2026, 6, 2)             # 30.06. - 28 days
    assert ids["kontakt-bvb"].earliest == date(2025, 9, 2)
    spring = ids["bvb-kontaktdichte-maerz-april"]
    assert (spring.earliest, spring.due) == (date(2026, 3, 1), date(2026, 5, 31))
    # evaluation: from Tue 30.06.: 1,2,3 (3) 6..10 (8) 13,14 (10)
    assert ids["auswertung-bvb"].due == date(2026, 7, 14)


def test_bvb_end_of_may_moves_to_an_earlier_end():
    ids = steps_by_id(make_plan("BVB", date(2025, 9, 1), date(2026, 4, 30)))
    assert ids["bvb-kontaktdichte-maerz-april"].due == date(2026, 4, 30)
    assert ids["bvb-kontaktdichte-maerz-april"].earliest == date(2026, 3, 1)


def test_bvb_three_months_exactly_has_no_contact_rules():
    ids = steps_by_id(make_plan("BVB", date(2026, 1, 1), date(2026, 3, 31)))
    assert "kontakt-bvb" not in ids and "bvb-kontaktdichte-maerz-april" not in ids


def test_eq_contacts():
    ids = steps_by_id(make_plan("EQ", date(2025, 10, 1), date(2026, 7, 31)))
    assert ids["kontakt-eq"].due == date(2026, 7, 3)              # 31.07. - 28 days
    check = ids["eq-uebernahme-april-mai"]
    assert (check.earliest, check.due) == (date(2026, 4, 1), date(2026, 5, 31))


def test_bae_contacts_and_monthly_attendance():
    result = make_plan("BAE", date(2025, 9, 1), date(2028, 8, 31), exam=date(2028, 6, 15))
    ids = steps_by_id(result)
    assert ids["bae-kontakt-pruefung"].due == date(2028, 3, 15)   # exam - 3 months
    assert ids["bae-kontakt-pruefung"].earliest == date(2025, 9, 2)
    talk = ids["bae-beratung-uebergang"]
    assert (talk.earliest, talk.due) == (date(2026, 2, 1), date(2026, 4, 30))
    monthly = [s for s in result.steps if s.rule_id == "bae-anwesenheit"]
    # 01.10.2025 … 01.08.2028 (start + 35 months); 01.09.2028 > end
    assert len(monthly) == 35
    assert monthly[0].due == date(2025, 10, 1) and monthly[0].step_id == "bae-anwesenheit-1"
    assert monthly[-1].due == date(2028, 8, 1)
    assert result.missing == []


def test_bae_without_exam_date_reports_missing():
    result = make_plan("BAE", date(2025, 9, 1), date(2028, 8, 31))
    assert "bae-kontakt-pruefung" not in steps_by_id(result)
    assert any(m.startswith("Prüfungstermin fehlt: Schritt") for m in result.missing)


def test_16e_contacts_every_eight_weeks():
    result = make_plan("16E", date(2026, 1, 1), date(2026, 3, 31))
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-foerderung-8-wochen"]
    assert dues == [date(2026, 2, 26)]   # 01.01.+56; +56 = 23.04. > end


# --- §4.4 other duties --------------------------------------------------------------

def test_checklist_mandatory_for_fbw_optional_for_others():
    ids = steps_by_id(make_plan("FBW-ABS", date(2026, 1, 5), date(2026, 12, 18)))
    step = ids["checkliste-am-fbw"]
    assert step.mandatory and step.form == "checkliste-am"
    assert step.earliest == date(2026, 9, 18)   # AM start: 18.12. - 3 months
    # from Fri 18.12.2026: 21,22,23 (3) [24 closed, 25/26 holiday] 28,29,30 (6)
    # [31 closed, 1.1. holiday] 4,5,6,7 (10)
    assert step.due == date(2027, 1, 7)
    other = steps_by_id(make_plan("MAT", date(2026, 1, 5), date(2026, 12, 18)))
    assert not other["checkliste-am-optional"].mandatory
    assert "checkliste-am-fbw" not in other


def test_mb_step_only_for_group_measures():
    assert "mb-integrationsbemuehungen" not in steps_by_id(
        make_plan("MAT", date(2026, 1, 5), date(2026, 12, 18)))
    assert "mb-integrationsbemuehungen" in steps_by_id(
        make_plan("MAT", date(2026, 1, 5), date(2026, 12, 18), group_measure=True))


# --- Abbruch and exit ---------------------------------------------------------------

def test_dropout_replans_from_exit():
    result = make_plan("MAT", date(2026, 1, 5), date(2026, 12, 18),
                       exit=date(2026, 6, 1), dropout=True)
    assert {s.phase for s in result.steps} == {"abbruch"}
    due = {s.step_id: s.due for s in result.steps}
    # from Mon 01.06.2026: 2,3 (2) [4.6. Fronleichnam] 5 (3) 8 (4) 9 (5) 10,11,12 (8) 15,16 (10)
    assert due["abbruch-grund"] == date(2026, 6, 5)
    assert due["abbruch-strategie-4pm"] == date(2026, 6, 5)
    assert due["abbruch-cosach"] == date(2026, 6, 5)
    assert due["abbruch-einladung"] == date(2026, 6, 9)
    assert due["abbruch-kenntnisse"] == date(2026, 6, 16)
    assert due["abbruch-wichtiger-grund"] == date(2026, 6, 16)
    assert result.am_start is None and result.am_end is None


def test_dropout_after_am_start_keeps_due_end_steps():
    result = make_plan("FBW", date(2026, 1, 5), date(2026, 12, 18),
                       exit=date(2026, 10, 1), dropout=True)
    ids = steps_by_id(result)
    assert "am-beginn" in ids                      # due 18.09. <= exit
    assert "checkliste-am-fbw" not in ids          # due after the exit
    assert "am-ende" not in ids
    assert not any(s.phase == "waehrend" for s in result.steps)
    assert result.am_start == date(2026, 9, 18)
    assert result.am_end == date(2026, 10, 1)


def test_no_abbruch_steps_without_dropout():
    result = make_plan("MAT", date(2026, 1, 5), date(2026, 12, 18))
    assert not any(s.phase == "abbruch" for s in result.steps)


def test_regular_early_exit_uses_exit_as_end():
    result = make_plan("MAT", date(2026, 1, 5), date(2026, 12, 18), exit=date(2026, 10, 30))
    assert result.am_start == date(2026, 7, 30)    # 30.10. - 3 months
    assert result.am_end == date(2027, 4, 30)      # 30.10. + 6 months
    dues = [s.due for s in result.steps if s.rule_id == "kontakt-8-wochen"]
    assert dues[-1] == date(2026, 10, 12)          # 07.12. is after the exit
    assert not any(s.phase == "abbruch" for s in result.steps)


def test_steps_are_sorted_by_due_then_id():
    result = make_plan("BAE", date(2025, 9, 1), date(2028, 8, 31), exam=date(2028, 6, 15))
    keys = [(s.due, s.step_id) for s in result.steps]
    assert keys == sorted(keys)


# --- invalid facts and warnings ------------------------------------------------------

@pytest.mark.parametrize(("facts", "fragment"), [
    (ParticipationFacts("XYZ", date(2026, 1, 1), date(2026, 2, 1)), "Unbekannte Maßnahmeart"),
    (ParticipationFacts("MAT", date(2026, 2, 1), date(2026, 1, 1)), "liegt vor dem Eintritt"),
    (ParticipationFacts("MAT", date(2026, 2, 1), date(2026, 5, 1), exit=date(2026, 1, 1)),
     "Austrittsdatum"),
    (ParticipationFacts("MAT", date(2026, 2, 1), date(2026, 5, 1), dropout=True), "Abbruch"),
])
def test_invalid_facts_raise_plan_error(facts, fragment):
    with pytest.raises(PlanError, match=fragment):
        plan(RB, facts)


@pytest.mark.parametrize(("measure", "start", "end", "warned"), [
    ("MAG", date(2026, 3, 2), date(2026, 4, 12), False),   # 42 days = 6 weeks
    ("MAG", date(2026, 3, 2), date(2026, 4, 13), True),    # 43 days
    ("AGH", date(2024, 1, 1), date(2025, 12, 31), False),  # exactly 24 months
    ("AGH", date(2024, 1, 1), date(2026, 1, 1), True),
    ("BVB", date(2025, 9, 1), date(2026, 6, 30), False),   # exactly 10 months
    ("BVB", date(2025, 9, 1), date(2026, 7, 1), True),
    ("EQ", date(2026, 1, 1), date(2026, 4, 30), False),    # exactly 4 months
    ("EQ", date(2026, 1, 1), date(2026, 4, 29), True),     # below 4 months
    ("EQ", date(2026, 1, 1), date(2026, 12, 31), False),   # exactly 12 months
    ("EQ", date(2026, 1, 1), date(2027, 1, 1), True),
    ("16E", date(2026, 1, 1), date(2028, 1, 1), True),     # 24 months + 1 day
    ("16I", date(2026, 1, 1), date(2030, 12, 31), False),  # exactly 5 years
    ("16I", date(2026, 1, 1), date(2031, 1, 1), True),
])
def test_plausibility_warnings(measure, start, end, warned):
    result = make_plan(measure, start, end)
    assert bool(result.warnings) is warned
