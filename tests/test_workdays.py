"""Working days on the State Council's holiday schedule, make-up working days included.

The expected dates are counted by hand from the State Council's 2025 holiday notice: National
Day and Mid-Autumn Festival off from 1 to 8 October 2025, with Sunday 28 September and Saturday
11 October as make-up working days (调休).
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from engine.pipeline.workdays import (
    CalendarGapError,
    _working_day_ordinals,
    add_weekdays,
    add_working_days,
    calendar_version,
    covered_years,
    is_working_day,
)

D = dt.date


def test_national_day_2025_as_the_notice_sets_it() -> None:
    assert is_working_day(D(2025, 9, 28))  # Sunday, make-up working day
    assert is_working_day(D(2025, 10, 11))  # Saturday, make-up working day
    assert not any(is_working_day(D(2025, 10, day)) for day in range(1, 9))
    assert not is_working_day(D(2025, 9, 27))  # an ordinary Saturday
    assert not is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_the_ten_working_days_after_30_september_2025() -> None:
    by_hand = [D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11), D(2025, 10, 13), D(2025, 10, 14),
               D(2025, 10, 15), D(2025, 10, 16), D(2025, 10, 17), D(2025, 10, 20), D(2025, 10, 21)]
    assert [add_working_days(D(2025, 9, 30), n) for n in range(1, 11)] == by_hand


@pytest.mark.parametrize(("start", "count", "due"), [
    (D(2025, 9, 30), 10, D(2025, 10, 21)),  # launch on the last day before the holiday
    (D(2025, 9, 28), 10, D(2025, 10, 17)),  # launch on the Sunday make-up day: not counted itself
    (D(2025, 9, 26), 20, D(2025, 10, 30)),  # termination: 28 Sep counts, 1-8 Oct do not, 11 Oct counts
    (D(2025, 10, 4), 1, D(2025, 10, 9)),  # an event on a holiday: day 1 is the first working day after
    (D(2025, 9, 29), 1, D(2025, 9, 30)),  # the event day is never counted, even a working day
    (D(2025, 12, 29), 10, D(2026, 1, 13)),  # across New Year 2026, with Sunday 4 January worked
])
def test_due_dates_count_from_the_day_after(start: dt.date, count: int, due: dt.date) -> None:
    assert add_working_days(start, count) == due


def test_weekday_estimate_ignores_holidays() -> None:
    assert add_weekdays(D(2025, 9, 30), 10) == D(2025, 10, 14)
    assert add_weekdays(D(2025, 9, 30), 10) != add_working_days(D(2025, 9, 30), 10)


def test_years_outside_the_calendar_are_refused_not_guessed() -> None:
    first, last = covered_years()
    assert first <= 2025 <= last
    with pytest.raises(CalendarGapError) as info:
        add_working_days(D(last, 12, 31), 1)
    assert str(last + 1) in info.value.render() and f"{first}–{last}" in info.value.render()
    with pytest.raises(CalendarGapError):
        is_working_day(D(first - 1, 6, 1))


def test_the_calendar_names_its_package() -> None:
    assert calendar_version().startswith("chinese-calendar ")


@functools.cache
def _package_says(day: dt.date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def _walked(start: dt.date, count: int) -> dt.date:
    """The count as the package answers it, day by day: what the working-day table must equal."""
    day, seen = start, 0
    while seen < count:
        day += dt.timedelta(days=1)
        seen += _package_says(day)
    return day


def test_the_working_day_table_is_the_package_day_by_day() -> None:
    first, last = covered_years()
    day, end = D(first, 1, 1), D(last, 12, 31)
    working = set(_working_day_ordinals())
    while day <= end:
        assert (day.toordinal() in working) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("year", [2020, 2024, 2025, 2026])
def test_counts_across_holidays_and_make_up_days_equal_the_walk(year: int) -> None:
    """Every start of a year that has make-up working days (调休) around its holidays, every count
    the catalogue uses and more: the binary search gives the day the walk gives."""
    _, last = covered_years()
    start = D(year, 1, 1)
    while start.year == year:
        for count in (1, 5, 10, 15, 20, 30):
            try:
                expected: dt.date | None = _walked(start, count)
            except NotImplementedError:  # the package refuses a year it lacks
                expected = None
            if expected is None:
                with pytest.raises(CalendarGapError) as info:
                    add_working_days(start, count)
                assert info.value.day == D(last + 1, 1, 1)
            else:
                assert add_working_days(start, count) == expected, (start, count)
        start += dt.timedelta(days=1)


def test_the_gap_is_reported_at_the_first_day_a_walk_would_look_at() -> None:
    first, last = covered_years()
    with pytest.raises(CalendarGapError) as before:
        add_working_days(D(first - 1, 6, 1), 10)
    assert before.value.day == D(first - 1, 6, 2)
    with pytest.raises(CalendarGapError) as after:
        add_working_days(D(last + 1, 3, 1), 1)
    assert after.value.day == D(last + 1, 3, 2)
    with pytest.raises(ValueError):
        add_working_days(D(2025, 9, 30), 0)
