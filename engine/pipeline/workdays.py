"""Working days of mainland China, on the State Council's holiday schedule.

Statutory deadlines of the filing rules count working days (工作日). Which days are working days
is set each year by the State Council's holiday notice, with make-up working days (调休) on
some weekends, so the calendar cannot be computed: it is read from the maintained
``chinese-calendar`` package (import name ``chinese_calendar``), never from a table kept here.

The package only knows the years whose notice it encodes. A date outside them raises
:class:`CalendarGapError`; callers turn that into a clear note, never a silent guess.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from functools import cache, lru_cache

import chinese_calendar  # type: ignore[import-untyped]
from chinese_calendar.constants import holidays as _HOLIDAYS  # type: ignore[import-untyped]
from chinese_calendar.constants import workdays as _MAKE_UP_DAYS

from engine.errors import EngineError

CALENDAR_PACKAGE = "chinese-calendar"


class CalendarGapError(EngineError):
    """A working-day count reaches a year the holiday calendar does not cover."""

    def __init__(self, day: dt.date) -> None:
        first, last = covered_years()
        self.day = day
        super().__init__(
            f"the holiday calendar has no data for {day.year} (it covers {first}–{last})",
            hint=f"upgrade {CALENDAR_PACKAGE} once the State Council publishes the {day.year} holiday notice")


@cache
def covered_years() -> tuple[int, int]:
    """The first and last year whose holiday schedule the calendar package encodes."""
    years = [day.year for day in _HOLIDAYS]
    return min(years), max(years)


def calendar_version() -> str:
    """The calendar package and its version, quoted so a due date can be reproduced."""
    return f"{CALENDAR_PACKAGE} {getattr(chinese_calendar, '__version__', 'unknown')}"


def is_covered(day: dt.date) -> bool:
    """Whether ``day`` falls in a year the calendar covers."""
    first, last = covered_years()
    return first <= day.year <= last


def is_working_day(day: dt.date) -> bool:
    """Monday–Friday unless a public holiday, or a make-up working day (调休) on a weekend."""
    if not is_covered(day):
        raise CalendarGapError(day)
    return _is_workday(day)


@lru_cache(maxsize=8192)
def _is_workday(day: dt.date) -> bool:
    """The calendar package's answer, cached: due dates count the same days over and over."""
    return bool(chinese_calendar.is_workday(day))


def _nth_day_after(start: dt.date, count: int, counts: Callable[[dt.date], bool]) -> dt.date:
    """The ``count``-th day after ``start`` for which ``counts`` holds; ``start`` is never counted."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    seen = 0
    while seen < count:
        day += dt.timedelta(days=1)
        if counts(day):
            seen += 1
    return day


@cache
def _working_day_ordinals() -> tuple[int, ...]:
    """Every working day of the covered years, as ordinals in order: built once (about 8,000 days,
    a few milliseconds), so that a count from a date never seen before is one binary search
    instead of a walk of up to a month of days, each asked of the package.

    Read from the package's own tables of holidays and make-up working days with its rule (a
    make-up day works; otherwise Monday–Friday unless a holiday): its ``is_workday`` checks the
    year range again on every call, which made each day of a walk cost tens of microseconds.
    ``tests/test_workdays.py`` holds every covered day to ``chinese_calendar.is_workday``.
    """
    first, last = covered_years()
    day, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    found: list[int] = []
    while day <= end:
        if day in _MAKE_UP_DAYS or (day.weekday() < 5 and day not in _HOLIDAYS):
            found.append(day.toordinal())
        day += dt.timedelta(days=1)
    return tuple(found)


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start``; ``start`` itself is never counted.

    Day 1 is the first working day after ``start``, whatever ``start`` is (a working day, a
    weekend or a holiday). Raises :class:`CalendarGapError` for the first day the count would
    look at in a year the calendar does not cover, as a walk day by day would: the day after
    ``start`` when that is outside the calendar, else the first day after the last covered year
    when the covered working days run out first.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    first_looked_at = start + dt.timedelta(days=1)
    if not is_covered(first_looked_at):
        raise CalendarGapError(first_looked_at)
    ordinals = _working_day_ordinals()
    at = bisect_right(ordinals, start.toordinal()) + count - 1
    if at >= len(ordinals):
        raise CalendarGapError(dt.date(covered_years()[1] + 1, 1, 1))
    return dt.date.fromordinal(ordinals[at])


def add_weekdays(start: dt.date, count: int) -> dt.date:
    """The ``count``-th Monday–Friday after ``start``: an estimate only, for uncovered years."""
    return _nth_day_after(start, count, lambda day: day.weekday() < 5)
