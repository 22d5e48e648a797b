"""Reports and feeds of follow-up tracking: per-province or per-year reports (HTML, PDF), alerts as Atom, due dates as iCalendar."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
