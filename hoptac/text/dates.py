"""Vietnamese date, time and period expressions.

Vietnamese writes day before month (``25/4/2022``, ``ngày 05 tháng 8 năm 2020``); news omits
the year when it is the publication year (``chiều 5/11``) and names the part of the day
(``Sáng``, ``Chiều``). Periods are year ranges (``giai đoạn 2022-2025``) with an orientation
horizon (``định hướng đến 2030``, ``tầm nhìn đến năm 2045``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# The core of a date starts with a digit or "ngày"; the part of the day ("Sáng ngày 25/4",
# "chiều thứ Ba, 5/11") is looked for just before it. Each pattern opens with the character
# it needs (the test on what precedes comes after it), so the regex engine skips to the
# next digit or "n" instead of trying the pattern at every character.
_NUMERIC_DATE_RE = re.compile(
    r"(?P<d>\d(?<![\d/.\-]\d)\d?)\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?(?![\d/\-]|\.\d)"
)
_WORDED_DATE_RE = re.compile(r"[Nn](?i:gày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*(?:năm|,)\s*(?P<y>\d{4}))?)")
_LEAD_RE = re.compile(
    r"(?P<part>sáng|chiều|trưa|tối|đêm)\s+(?:(?:hôm\s+)?(?:thứ\s+\w+|chủ\s+nhật),?\s+)?(?:ngày\s+)?$"
    r"|(?:(?:hôm\s+)?(?:thứ\s+\w+|chủ\s+nhật),?\s+)?ngày\s+$",
    re.IGNORECASE,
)
# "từ ngày 24 đến 26/7", "từ 1 – 4/10", "2 ngày 17 và 18/11": a span is dated by its first day
_SPAN_RE = re.compile(r"(?P<first>\d{1,2})\s*(?:đến|tới|–|—|-|và)\s*(?:ngày\s+)?$", re.IGNORECASE)
TIME_RE = re.compile(r"(?<!\d)(?P<h>[01]?\d|2[0-3])\s*[:hg]\s*(?P<min>[0-5]\d)(?::[0-5]\d)?(?!\d)")
OFFSET_RE = re.compile(r"\(?\s*(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?\s*\)?", re.IGNORECASE)
# the years first (the engine skips to the next "1" or "2"), then the word that may lead them
PERIOD_RE = re.compile(r"(?P<start>[12](?<!\d[12])[09]\d{2})\s*(?:[-–—]|(?i:đến)(?:\s+(?i:năm))?)\s*(?P<end>(?:19|20)\d{2})(?!\d)")
_PERIOD_LEAD = re.compile(r"(?:giai\s+đoạn|thời\s+kỳ|nhiệm\s+kỳ|từ\s+năm|trong\s+(?:các\s+)?năm)\s*$", re.IGNORECASE)
ORIENTATION_RE = re.compile(
    r"(?:định\s+hướng|tầm\s+nhìn)\s*(?:đến|tới)?\s*(?:năm\s+)?(?P<year>(?:19|20)\d{2})(?!\d)", re.IGNORECASE
)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    day: int
    month: int
    year: int | None
    part_of_day: str | None

    def resolve(self, default_year: int | None) -> date | None:
        """The calendar date, taking a missing year from ``default_year``."""
        year = self.year or default_year
        if year is None:
            return None
        return _valid(year, self.month, self.day)


# The days a registry of cooperation programs can mean: an article's "năm 9999" or an editor's
# typo outside them is not a date, and arithmetic on the ones inside (a deadline plus its
# grace months) stays far from the calendar's end.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if in_range(found) else None


def find_dates(text: str) -> list[DateMention]:
    """Every day-month(-year) mention that names a real calendar day."""
    found = []
    for numeric, m in [(True, m) for m in _NUMERIC_DATE_RE.finditer(text)] + [(False, m) for m in _WORDED_DATE_RE.finditer(text)]:
        day, month, year = int(m["d"]), int(m["m"]), int(m["y"]) if m["y"] else None
        if not (1 <= month <= 12 and 1 <= day <= 31) or _valid(year or 2000, month, day) is None:
            continue
        start, part = m.start(), None
        if numeric and (span := _SPAN_RE.search(text, max(0, start - 16), start)) and _valid(year or 2000, month, int(span["first"])):
            if int(span["first"]) < day:
                start, day = span.start(), int(span["first"])
        if numeric and (lead := _LEAD_RE.search(text, max(0, start - 30), start)):
            start, part = lead.start(), lead["part"]
        found.append(DateMention(start, m.end(), day, month, year, part.lower() if part else None))
    return sorted(found, key=lambda d: d.start)


def parse_dateline(line: str) -> str | None:
    """An ISO datetime from a portal's publication stamp, or None if the line is not one.

    ``Thứ năm, 28/04/2022 09:20 GMT+7`` → ``2022-04-28T09:20:00+07:00``. The line must be
    nothing but the stamp (weekday, date, time, zone and a label such as ``Cập nhật``), so
    that a body sentence that happens to hold a date is never taken for it.
    """
    s = line.strip()
    if not s or len(s) > 80:
        return None
    dates = [d for d in find_dates(s) if d.year]
    if len(dates) != 1:
        return None
    d = dates[0]
    day = d.resolve(None)
    rest = s[: d.start] + " " + s[d.end :]
    clock = TIME_RE.search(rest)
    zone = OFFSET_RE.search(rest)
    for m in sorted((x for x in (zone, clock) if x), key=lambda x: -x.start()):
        rest = rest[: m.start()] + " " + rest[m.end() :]
    rest = re.sub(
        r"thứ\s+(hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s+nhật|ngày|lúc|cập\s+nhật|đăng(\s+ngày)?|"
        r"ngày\s+đăng|thời\s+gian|xuất\s+bản|published|updated|[\s,|:\-–—/()]",
        "",
        rest,
        flags=re.IGNORECASE,
    )
    if rest or day is None:
        return None
    if clock is None:
        return day.isoformat()
    stamp = f"{day.isoformat()}T{int(clock['h']):02d}:{clock['min']}:00"
    if zone:
        stamp += f"{zone['sign']}{int(zone['oh']):02d}:{zone['om'] or '00'}"
    return stamp


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    first: int
    last: int


def find_periods(text: str) -> list[PeriodMention]:
    """Year ranges such as ``giai đoạn 2021 – 2025`` (first ≤ last, spans under 50 years)."""
    out = []
    for m in PERIOD_RE.finditer(text):
        first, last = int(m["start"]), int(m["end"])
        if first <= last < first + 50 and first // 100 in (19, 20):
            lead = _PERIOD_LEAD.search(text, max(0, m.start() - 24), m.start())
            out.append(PeriodMention(lead.start() if lead else m.start(), m.end(), first, last))
    return out


def find_orientations(text: str) -> list[tuple[int, int]]:
    """(offset, year) of each ``định hướng đến 2030`` / ``tầm nhìn đến năm 2045``."""
    return [(m.start(), int(m["year"])) for m in ORIENTATION_RE.finditer(text)]
