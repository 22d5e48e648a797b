"""Dates a program's follow-up is judged by: its period's bounds and the deadlines sentences state.

A period "2022-2025" runs from 1 January 2022 to 31 December 2025. A deadline is read from
what Vietnamese official writing says: ``trước ngày 30/4/2023``, ``trong quý IV/2023``,
``trong tháng 7/2024``, ``vào cuối năm 2026``, ``sau 2 năm thực hiện``; a yearly one
(``trước ngày 15/12 hằng năm``) is its first occurrence after the promise.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_QUARTER_END = {"i": (3, 31), "ii": (6, 30), "iii": (9, 30), "iv": (12, 31), "1": (3, 31), "2": (6, 30), "3": (9, 30), "4": (12, 31)}

_BEFORE_DAY = re.compile(r"(?:trước|chậm nhất|hạn chót|hoàn thành trong)\s+(?:ngày\s+)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?", re.I)
_QUARTER = re.compile(r"quý\s+(IV|III|II|I|[1-4])\s*(?:/|năm\s+)(\d{4})", re.I)
_MONTH = re.compile(r"(?:trong|vào|cuối|trước)\s+tháng\s+(\d{1,2})\s*(?:/|năm\s+)(\d{4})", re.I)
_YEAR_END = re.compile(r"(?:cuối|trong|vào)\s+năm\s+(\d{4})", re.I)
_AFTER_YEARS = re.compile(r"sau\s+(\d+|một|hai|ba|bốn|năm)\s+năm", re.I)
_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5}


def period_bounds(start_year: int | None, end_year: int | None) -> tuple[date, date] | None:
    if not start_year or not end_year or end_year < start_year:
        return None
    return date(start_year, 1, 1), date(end_year, 12, 31)


def midpoint(start: date, end: date) -> date:
    return start + (end - start) / 2


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months``, the last day of the month where it has fewer days; a result
    beyond the calendar stops at its end, so a deadline stored as 9999-12-31 (before dates
    were checked) cannot take a page down."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if not 1 <= year <= 9999:
        return date.max if year > 9999 else date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: date, days: int) -> date:
    """``day`` plus ``days``, stopping at the calendar's ends as ``add_months`` does."""
    ordinal = day.toordinal() + days
    return date.fromordinal(min(max(ordinal, 1), date.max.toordinal()))


def parse(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def stated_due(text: str, made_on: date | None) -> date | None:
    """The earliest deadline the sentence states, or None."""
    found = [d for d in _candidates(text, made_on) if d is not None and (made_on is None or d >= made_on)]
    return min(found, default=None)


def _candidates(text: str, made_on: date | None):
    for m in _BEFORE_DAY.finditer(text):
        year = int(m[3]) if m[3] else (made_on.year if made_on else None)
        if year:
            day = _valid(year, int(m[2]), int(m[1]))
            if day and made_on and day < made_on and not m[3]:
                day = _valid(year + 1, int(m[2]), int(m[1]))  # "trước ngày 15/12 hằng năm" said in December
            yield day
    for m in _QUARTER.finditer(text):
        month, day = _QUARTER_END[m[1].lower()]
        yield date(int(m[2]), month, day)
    for m in _MONTH.finditer(text):
        month, year = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            yield date(year, month, calendar.monthrange(year, month)[1])
    for m in _YEAR_END.finditer(text):
        yield date(int(m[1]), 12, 31)
    if made_on:
        for m in _AFTER_YEARS.finditer(text):
            years = int(m[1]) if m[1].isdigit() else _WORDS[m[1].lower()]
            yield add_months(made_on, 12 * years)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def days_between(a: date, b: date) -> int:
    return (b - a) // timedelta(days=1)
