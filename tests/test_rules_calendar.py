"""Date arithmetic of RULES.md §3: months, weeks, working days, duration bands."""

import datetime as dt
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from absolvent.rules.calendar import (
    Calendar,
    add_months,
    add_weeks,
    duration_at_least,
    duration_at_most,
    duration_less_than,
    duration_months,
    duration_more_than,
    in_band,
    teilnahmedauer,
)
from dateutil.relativedelta import relativedelta

NI = Calendar("NI", [(12, 24), (12, 31)])
RP = Calendar("RP", [(12, 24), (12, 31)])


# --- months and weeks ---------------------------------------------------------

@pytest.mark.parametrize(("day", "n", "expected"), [
    (date(2026, 8, 31), -6, date(2026, 2, 28)),   # Feb 2026 has 28 days: clamp 31 -> 28
    (date(2024, 8, 31), -6, date(2024, 2, 29)),   # leap year: clamp 31 -> 29
    (date(2026, 1, 31), 1, date(2026, 2, 28)),    # forward clamp
    (date(2026, 5, 31), -3, date(2026, 2, 28)),   # "3 Monate vor" 31.05. = 28.02.
    (date(2026, 8, 31), 6, date(2027, 2, 28)),    # AM end 6 months after 31.08.
    (date(2026, 1, 15), 12, date(2027, 1, 15)),   # across the year
    (date(2026, 3, 31), -1, date(2026, 2, 28)),   # "1 Monat vor" 31.03.
    (date(2026, 7, 15), 0, date(2026, 7, 15)),
])
def test_add_months_clamps_to_month_end(day, n, expected):
    assert add_months(day, n) == expected


def test_add_weeks_is_seven_days_each():
    assert add_weeks(date(2026, 1, 5), 4) == date(2026, 2, 2)    # 5 + 28 = 33 -> 02.02.
    assert add_weeks(date(2026, 3, 2), -4) == date(2026, 2, 2)   # 02.03. - 28 days
    assert add_weeks(date(2026, 8, 31), -3) == date(2026, 8, 10)


# --- holidays of both Bundesländer ----------------------------------------------

def test_fronleichnam_counts_in_rp_not_in_ni():
    # 04.06.2026 is Fronleichnam, a Thursday
    assert RP.holiday_name(date(2026, 6, 4)) == "Fronleichnam"
    assert NI.holiday_name(date(2026, 6, 4)) is None
    assert not RP.is_working_day(date(2026, 6, 4))
    assert NI.is_working_day(date(2026, 6, 4))
    # first working day after Wed 03.06.2026
    assert RP.add_working_days(date(2026, 6, 3), 1) == date(2026, 6, 5)
    assert NI.add_working_days(date(2026, 6, 3), 1) == date(2026, 6, 4)


def test_allerheiligen_counts_in_rp_not_in_ni():
    # 01.11.2027 is Allerheiligen, a Monday
    assert RP.holiday_name(date(2027, 11, 1)) == "Allerheiligen"
    assert RP.add_working_days(date(2027, 10, 29), 1) == date(2027, 11, 2)   # Fri -> Tue
    assert NI.add_working_days(date(2027, 10, 29), 1) == date(2027, 11, 1)   # Fri -> Mon


def test_reformationstag_counts_in_ni_not_in_rp():
    # 31.10.2025 is Reformationstag, a Friday
    assert NI.holiday_name(date(2025, 10, 31)) == "Reformationstag"
    assert RP.holiday_name(date(2025, 10, 31)) is None
    assert NI.add_working_days(date(2025, 10, 30), 1) == date(2025, 11, 3)   # Thu -> Mon
    assert RP.add_working_days(date(2025, 10, 30), 1) == date(2025, 10, 31)  # Thu -> Fri


def test_closure_days_24_and_31_december():
    # Wed 23.12.2026: 24. closed, 25./26. holidays, 27. Sunday -> Mon 28.12.
    assert NI.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    # Wed 30.12.2026: 31. closed, 01.01. holiday, weekend -> Mon 04.01.2027
    assert RP.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert not NI.is_working_day(date(2026, 12, 24))
    assert NI.holiday_name(date(2026, 12, 24)) is None
    no_closure = Calendar("NI")
    assert no_closure.is_working_day(date(2026, 12, 24))


def test_single_date_closure_day():
    calendar = Calendar("NI", [date(2026, 5, 15)])   # Brückentag after Ascension
    assert not calendar.is_working_day(date(2026, 5, 15))
    assert calendar.is_working_day(date(2027, 5, 14))


def test_ten_working_days_over_easter_rp():
    # from Tue 31.03.2026: 1.4.(1) 2.4.(2) [Karfreitag 3.4., WE, Ostermontag 6.4.]
    # 7.(3) 8.(4) 9.(5) 10.(6) 13.(7) 14.(8) 15.(9) 16.(10)
    assert RP.add_working_days(date(2026, 3, 31), 10) == date(2026, 4, 16)


def test_counting_starts_the_day_after():
    # Friday 06.03.2026 -> first working day is Monday 09.03.
    assert NI.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    # starting on a Saturday
    assert NI.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)


def test_add_working_days_rejects_zero():
    with pytest.raises(ValueError):
        NI.add_working_days(date(2026, 3, 6), 0)


def test_unknown_bundesland_is_rejected():
    with pytest.raises(ValueError):
        Calendar("XX")


# --- durations ------------------------------------------------------------------

def test_duration_months_is_end_plus_one_minus_start():
    assert duration_months(date(2026, 1, 1), date(2026, 3, 31)) == relativedelta(months=3)
    assert duration_months(date(2026, 1, 1), date(2026, 4, 1)) == relativedelta(months=3, days=1)
    assert duration_months(date(2026, 1, 1), date(2026, 6, 30)) == relativedelta(months=6)


def test_band_exactly_three_months_is_up_to_three():
    start = date(2026, 1, 1)
    assert duration_at_most(start, date(2026, 3, 31), months=3)        # exactly 3 months
    assert not duration_more_than(start, date(2026, 3, 31), months=3)
    assert duration_more_than(start, date(2026, 4, 1), months=3)       # 3 months + 1 day
    assert not duration_at_most(start, date(2026, 4, 1), months=3)


def test_band_three_to_six_months():
    start = date(2026, 1, 1)
    assert not in_band(start, date(2026, 3, 31), 3, 6)   # exactly 3: lower band
    assert in_band(start, date(2026, 4, 1), 3, 6)        # 3 months + 1 day
    assert in_band(start, date(2026, 6, 30), 3, 6)       # exactly 6 months
    assert not in_band(start, date(2026, 7, 1), 3, 6)    # 6 months + 1 day: "mehr als 6"
    assert duration_more_than(start, date(2026, 7, 1), months=6)


def test_weeks_compare_strictly():
    start = date(2026, 1, 5)
    # 05.01.–01.03.2026 = 56 days = exactly 8 weeks: not "> 8 Wochen"
    assert not duration_more_than(start, date(2026, 3, 1), weeks=8)
    assert duration_more_than(start, date(2026, 3, 2), weeks=8)        # 57 days
    assert duration_at_least(start, date(2026, 3, 1), weeks=8)
    assert duration_less_than(start, date(2026, 2, 28), weeks=8)


def test_teilnahmedauer_counts_both_days():
    # 01.01.–01.07.2026: 181 days difference + 1
    assert teilnahmedauer(date(2026, 1, 1), date(2026, 7, 1)) == 182
    assert teilnahmedauer(date(2026, 1, 1), date(2026, 6, 30)) == 181
    assert teilnahmedauer(date(2026, 1, 1), date(2026, 1, 1)) == 1


# --- properties -------------------------------------------------------------------

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@settings(max_examples=200, deadline=None)
@given(day=dates, n=st.integers(min_value=1, max_value=40),
       land=st.sampled_from(["NI", "RP"]))
def test_add_working_days_properties(day, n, land):
    calendar = RP if land == "RP" else NI
    result = calendar.add_working_days(day, n)
    assert calendar.is_working_day(result)
    assert result > day
    assert calendar.working_days_between(day, result) == n
    # exactly n working days in (day, result]: none of the days just before is one too many
    count = sum(calendar.is_working_day(day + dt.timedelta(days=k))
                for k in range(1, (result - day).days + 1))
    assert count == n


@settings(max_examples=300, deadline=None)
@given(day=dates, n=st.integers(min_value=-120, max_value=120))
def test_add_months_properties(day, n):
    result = add_months(day, n)
    assert result.day <= day.day
    months = (result.year - day.year) * 12 + result.month - day.month
    assert months == n   # never overflows into the next month
    if result.day < day.day:   # clamped: must be the last day of its month
        assert (result + dt.timedelta(days=1)).day == 1
