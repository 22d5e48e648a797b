"""The extraction record: what `hoptac extract` prints, one per document.

Field names follow the contract that evaluation reads (``../shared/contract/extraction.md``);
anything beyond it (``evidence``, ``confidence``, ``url``, ``encoding``...) is additive.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """Character offsets ``[start, end)`` into the record's clean ``text``."""

    start: int
    end: int


@dataclass
class Fact:
    """What every extracted item carries: where it was read and how sure we are."""

    evidence: list[Span] = field(default_factory=list, kw_only=True)
    confidence: float = field(default=0.5, kw_only=True)


@dataclass
class Event(Fact):
    type: str  # signing | working_visit | review | conference | other
    date: str | None = None
    part_of_day: str | None = None  # "sáng", "chiều", "tối": kept as the article says it
    location: str | None = None
    label: str | None = None  # the phrase that names the event ("Lễ ký kết", "Hội nghị sơ kết")


@dataclass
class Position:
    title: str
    organization: str | None = None
    former: bool = False


@dataclass
class Person(Fact):
    name: str
    honorific: str | None = None
    positions: list[Position] = field(default_factory=list)


@dataclass
class Organization(Fact):
    name: str
    kind: str
    province: str | None = None  # as printed at the time of the article
    province_now: str | None = None  # the post-2025 province it belongs to
    mentions: list[str] = field(default_factory=list)


@dataclass
class Period:
    start: int | None = None
    end: int | None = None


@dataclass
class Agreement(Fact):
    kind: str  # cooperation_program | cooperation_agreement | framework_program | other
    title: str | None = None
    parties: list[str] = field(default_factory=list)
    signed_on: str | None = None
    period: Period | None = None
    orientation_to: int | None = None
    content_items: int | None = None
    content_points: list[str] = field(default_factory=list)


@dataclass
class LegalRef(Fact):
    kind: str | None
    number: str | None
    issuer: str | None = None
    date: str | None = None
    subject: str | None = None


@dataclass
class Commitment(Fact):
    kind: str
    actor: str | None = None
    text: str = ""


@dataclass
class Record:
    doc: str
    text: str
    title: str | None = None
    published_at: str | None = None
    source: str | None = None
    views: int | None = None
    url: str | None = None
    encoding: str | None = None
    events: list[Event] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    legal_refs: list[LegalRef] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what reading changed (bytes not valid in the encoding, replaced)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
