"""What a fact of each kind may hold, for checking analysts' corrections before they are stored.

The extraction contract's records (``hoptac.records``) as pydantic models: an edit that would
leave a fact another shape than extraction gives it (a title that is an object, a period that
is a string, a count that is a word, a date outside the calendar a program can have) is
refused with the field it got wrong, instead of breaking the pages that read the fact later.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hoptac.text.dates import FIRST_DAY, LAST_DAY, in_range

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Year = Annotated[int, Field(ge=FIRST_DAY.year, le=LAST_DAY.year)]


def _day(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD)") from None
    if not in_range(day):
        raise ValueError(f"outside {FIRST_DAY} to {LAST_DAY}")
    return value


Day = Annotated[str, StringConstraints(max_length=10), AfterValidator(_day)]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Period(_Fact):
    start: Year | None = None
    end: Year | None = None


class EventFact(_Fact):
    type: Literal["signing", "working_visit", "review", "conference", "other"]
    date: Day | None = None
    part_of_day: Word | None = None
    location: Name | None = None
    label: Name | None = None


class PersonFact(_Fact):
    name: Name
    honorific: Word | None = None


class PositionFact(_Fact):
    title: Name
    organization: Name | None = None
    former: bool = False
    person: Name | None = None


class OrganizationFact(_Fact):
    name: Name
    kind: Word
    province: Name | None = None
    province_now: Name | None = None
    mentions: list[Name] = Field(default_factory=list, max_length=200)


class AgreementFact(_Fact):
    kind: Word
    title: Name | None = None
    parties: list[Name] = Field(default_factory=list, max_length=50)
    signed_on: Day | None = None
    period: Period | None = None
    orientation_to: Year | None = None
    content_items: Annotated[int, Field(ge=0, le=1000)] | None = None
    content_points: list[Text] = Field(default_factory=list, max_length=1000)


class LegalRefFact(_Fact):
    kind: Word | None = None
    number: Name | None = None
    issuer: Name | None = None
    date: Day | None = None
    subject: Text | None = None


class CommitmentFact(_Fact):
    kind: Word
    actor: Name | None = None
    text: Text = ""


KINDS: dict[str, type[_Fact]] = {
    "event": EventFact, "person": PersonFact, "position": PositionFact, "organization": OrganizationFact,
    "agreement": AgreementFact, "legal_ref": LegalRefFact, "commitment": CommitmentFact,
}


def checked(kind: str, data: object) -> dict:
    """``data`` as a fact of ``kind`` holds it (blanks trimmed), or ValueError naming each field wrong."""
    model = KINDS.get(kind)
    if model is None:
        raise ValueError(f"no fact kind {kind!r}; the kinds are {', '.join(KINDS)}")
    if not isinstance(data, dict):
        raise ValueError(f"a {kind}'s fields are an object, not {type(data).__name__}")
    try:
        return model.model_validate(data).model_dump()
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or kind}: {err['msg']}" for err in e.errors())
        raise ValueError(f"not a valid {kind}: {problems}") from None
