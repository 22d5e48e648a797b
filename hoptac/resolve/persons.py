"""People across articles: same name, and nothing in their positions says otherwise.

Names are only compared within a block (the folded full name), so the cost of resolving a
mention is the number of namesakes, never the number of documents. Within a block a
mention joins the candidate it agrees with best:

- ``same_org``: they held positions in the same organization (the deputy minister of the
  Ministry in a Cao Bằng signing and in a Cần Thơ visit);
- ``same_province``: their organizations are in the same post-2025 province;
- ``no_conflict``: nothing is known that tells them apart (a bare mention, or a national
  body on one side).

Two namesakes whose organizations sit in different provinces are different people, and
are kept apart even though they share a name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

RULES = {"same_org": 1.0, "same_province": 0.8, "no_conflict": 0.6}


@dataclass
class Profile:
    """What resolution knows of a person entity: where they have worked, how often seen."""

    entity_id: int
    orgs: set[int] = field(default_factory=set)
    provinces: set[str] = field(default_factory=set)
    mentions: int = 0

    def absorb(self, orgs: set[int], provinces: set[str]) -> None:
        self.orgs |= orgs
        self.provinces |= provinces
        self.mentions += 1


def compare(candidate: Profile, orgs: set[int], provinces: set[str]) -> str | None:
    """The rule under which a mention may be this candidate, or None when they conflict."""
    if orgs & candidate.orgs:
        return "same_org"
    if provinces and candidate.provinces:
        return "same_province" if provinces & candidate.provinces else None
    return "no_conflict"


def best_match(candidates: list[Profile], orgs: set[int], provinces: set[str]) -> tuple[Profile, str] | None:
    """The candidate with the strongest rule; among equals the most often seen, then the oldest."""
    scored = [(RULES[rule], c.mentions, -c.entity_id, c, rule) for c in candidates if (rule := compare(c, orgs, provinces))]
    if not scored:
        return None
    *_, profile, rule = max(scored, key=lambda s: s[:3])
    return profile, rule
