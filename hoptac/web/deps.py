"""What the API's and the pages' handlers take: a connection, and parameters checked first.

Whatever a client sends must end in a clear 400, never in a database error: ids beyond what
a column holds, impossible dates, and NUL characters (PostgreSQL cannot store them).
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Path, Query, Request
from pydantic import AfterValidator
from sqlalchemy import Connection, Engine

from hoptac.extract import gazetteer
from hoptac.store.db import MAX_ID
from hoptac.text.dates import FIRST_DAY, LAST_DAY, in_range



class OnDemand:
    """A connection taken from the pool on first use, by the thread that uses it.

    A dependency that connected up front would hold a pooled connection while its request
    waits for a worker thread; with more requests in flight than the pool holds, every
    thread can end up waiting for a connection held by a request waiting for a thread.
    Taken in the handler's thread and given back on the event loop, a connection is only
    ever held by a request that is running or finishing.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine, self._conn = engine, None

    def __getattr__(self, name: str):
        if self._conn is None:
            self._conn = self._engine.connect()
        return getattr(self._conn, name)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


async def db(request: Request) -> AsyncIterator[Connection]:
    conn = OnDemand(request.app.state.engine)
    try:
        yield conn  # type: ignore[misc]  # it behaves as the Connection it opens
    finally:
        conn.close()


Db = Annotated[Connection, Depends(db)]


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def no_nul(request: Request) -> None:
    """Query parameters and form fields without NUL: the pages' forms refuse what the API refuses."""
    if any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items()):
        raise HTTPException(400, "query parameters cannot contain NUL characters")
    if request.method == "POST" and request.headers.get("content-type", "").startswith(_FORMS):
        form = await request.form()  # kept by the request: the handler's Form() fields read the same
        if any("\x00" in k or (isinstance(v, str) and "\x00" in v) for k, v in form.multi_items()):
            raise HTTPException(400, "form fields cannot contain NUL characters")


def _real_day(value: str | None) -> str | None:
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
        if not in_range(day):
            raise ValueError(f"{value!r} is outside the dates the store holds ({FIRST_DAY} to {LAST_DAY})")
    return value


def _known_province(value: str | None) -> str | None:
    if value and value.strip() and gazetteer.province_lookup(value.strip()) is None:
        raise ValueError(f"no province is called {value!r}")
    return value


Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
# A province in any spelling ("can tho", "TP. Cần Thơ"); one no gazetteer knows is a 400 on every page, not an empty one.
Province = Annotated[str | None, Query(max_length=100), AfterValidator(_known_province)]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, inclusive."), AfterValidator(_real_day)]
Year = Annotated[int | None, Query(ge=1945, le=2100)]
# Left empty (a form's blank date field), the day is today: what a program promised is judged as of it.
AsOf = Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="The day to judge by (YYYY-MM-DD); today when left out."),
                 AfterValidator(_real_day)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Page = Annotated[int, Query(ge=1, le=100_000)]
EventType = Literal["signing", "working_visit", "review", "conference", "other"]


def as_of_day(value: str | None) -> date:
    return date.fromisoformat(value) if value else date.today()

