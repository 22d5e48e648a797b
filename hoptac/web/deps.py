"""What the API's and the pages' handlers take: a connection, and parameters checked first.

Whatever a client sends must end in a clear 400, never in a database error: ids beyond what
a column holds, impossible dates, and NUL characters (PostgreSQL cannot store them).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Path, Query, Request
from pydantic import AfterValidator
from sqlalchemy import Connection

MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL


def db(request: Request) -> Iterator[Connection]:
    with request.app.state.engine.connect() as conn:
        yield conn


Db = Annotated[Connection, Depends(db)]


def no_nul(request: Request) -> None:
    if any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items()):
        raise HTTPException(400, "query parameters cannot contain NUL characters")


def _real_day(value: str | None) -> str | None:
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, inclusive."), AfterValidator(_real_day)]
Year = Annotated[int | None, Query(ge=1945, le=2100)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Page = Annotated[int, Query(ge=1, le=100_000)]
EventType = Literal["signing", "working_visit", "review", "conference", "other"]
