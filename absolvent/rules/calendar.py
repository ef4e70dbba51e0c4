"""Date arithmetic of the rulebooks (RULES.md §3).

Months are calendar months clamped to the month's last day, weeks are
7·N calendar days, working days are Monday to Friday without the public
holidays of one Bundesland and without the Jobcenter's closure days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays
from dateutil.relativedelta import relativedelta

from .vocabulary import BUNDESLAENDER

ONE_DAY = dt.timedelta(days=1)



class Calendar:
    """Working-day calendar of one Bundesland plus fixed closure days.

    ``closure_days`` holds ``(month, day)`` pairs that recur every year
    (e.g. ``(12, 24)``) or single ``datetime.date`` values.
    """

    def __init__(self, bundesland: str, closure_days: Iterable = ()):
        if bundesland not in BUNDESLAENDER:
            raise ValueError(f"Unbekanntes Bundesland: {bundesland!r}")
        self.bundesland = bundesland
        self._recurring: set[tuple[int, int]] = set()
        self._single: set[dt.date] = set()
        for item in closure_days:
            if isinstance(item, dt.date):
                self._single.add(item)
            else:
                month, day = item
                self._recurring.add((int(month), int(day)))
        self._by_year: dict[int, dict[dt.date, str]] = {}

    def _holidays_of(self, year: int) -> dict[dt.date, str]:
        """Return {date: German name} for ``year``, computed once per year."""
        table = self._by_year.get(year)
        if table is None:
            table = dict(holidays.country_holidays(
                "DE", subdiv=self.bundesland, years=year, language="de"
            ))
            self._by_year[year] = table
        return table

    def holiday_name(self, day: dt.date) -> str | None:
        """Return the German name of the public holiday on ``day`` or None."""
        return self._holidays_of(day.year).get(day)

    def is_closure_day(self, day: dt.date) -> bool:
        """Return True when the Jobcenter is closed on ``day`` (24.12., 31.12. …)."""
        return day in self._single or (day.month, day.day) in self._recurring

    def is_working_day(self, day: dt.date) -> bool:
        """Return True for Monday–Friday that is neither holiday nor closure day."""
        return (
            day.weekday() < 5
            and self.holiday_name(day) is None
            and not self.is_closure_day(day)
        )

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """Return the n-th working day after ``day`` (counting starts the day after).

        Raises ValueError when n < 1.
        """
        if n < 1:
            raise ValueError("Anzahl der Arbeitstage muss mindestens 1 sein")
        current = day
        found = 0
        while found < n:
            current += ONE_DAY
            if self.is_working_day(current):
                found += 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Return the number of working days in the half-open interval (start, end]."""
        count = 0
        current = start
        while current < end:
            current += ONE_DAY
            if self.is_working_day(current):
                count += 1
        return count


def add_months(day: dt.date, n: int) -> dt.date:
    """Return ``day`` shifted by n calendar months, clamped to the month end."""
    return day + relativedelta(months=n)


def add_weeks(day: dt.date, n: int) -> dt.date:
    """Return ``day`` shifted by 7·n calendar days."""
    return day + dt.timedelta(weeks=n)


def duration_months(start: dt.date, end: dt.date) -> relativedelta:
    """Return the measure duration ``(end + 1 day) − start`` as relativedelta."""
    return relativedelta(end + ONE_DAY, start)


def duration_days(start: dt.date, end: dt.date) -> int:
    """Return the duration in calendar days, both days included."""
    return (end - start).days + 1


def teilnahmedauer(entry: dt.date, exit_: dt.date) -> int:
    """Return the Teilnahmedauer for controlling: (exit − entry) + 1 days."""
    return (exit_ - entry).days + 1


def _month_key(delta: relativedelta) -> tuple[int, int]:
    """Return (whole months, remaining days) of a non-negative relativedelta."""
    return (delta.years * 12 + delta.months, delta.days)


def compare_duration(start: dt.date, end: dt.date, *, months: int = 0,
                     weeks: int = 0, days: int = 0) -> int:
    """Compare the measure duration with a band limit; return -1, 0 or 1.

    Exactly one of months/weeks/days should be given (months and weeks/days
    are not mixed: a month limit compares calendar months, a week or day
    limit compares calendar days).
    """
    if months:
        actual = _month_key(duration_months(start, end))
        limit = (months, 0)
    else:
        actual = duration_days(start, end)
        limit = weeks * 7 + days
    return (actual > limit) - (actual < limit)


def duration_at_most(start: dt.date, end: dt.date, **limit: int) -> bool:
    """Return True for "bis zu N": duration ≤ limit."""
    return compare_duration(start, end, **limit) <= 0


def duration_more_than(start: dt.date, end: dt.date, **limit: int) -> bool:
    """Return True for "mehr als N" / "> N": duration strictly above limit."""
    return compare_duration(start, end, **limit) > 0


def duration_at_least(start: dt.date, end: dt.date, **limit: int) -> bool:
    """Return True for "mindestens N" / "ab N": duration ≥ limit."""
    return compare_duration(start, end, **limit) >= 0


def duration_less_than(start: dt.date, end: dt.date, **limit: int) -> bool:
    """Return True for "unter N": duration strictly below limit."""
    return compare_duration(start, end, **limit) < 0


def in_band(start: dt.date, end: dt.date, low_months: int, high_months: int) -> bool:
    """Return True for "low bis zu high Monate": low < duration ≤ high."""
    return (duration_more_than(start, end, months=low_months)
            and duration_at_most(start, end, months=high_months))


def format_de(day: dt.date | None) -> str:
    """Return ``day`` as TT.MM.JJJJ, or an empty string for None (as ``strftime("%d.%m.%Y")``,
    at a quarter of its cost: the controlling trend writes 60,000 dates into its reasons)."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}" if day else ""
