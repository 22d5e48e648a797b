"""Who a program is between: its parties' entities, and the side of the administration each stands for.

Articles name the same side of a program differently over time: a program signed by a
province's People's Committee is reviewed by its Department of S&T, and after the 2025
merger by the merged province's bodies; a ministry's program is followed up by its units.
So a party matches another exactly (the same entity, after merges) or by side: the provincial
bodies of one (current) province, or the ministry and its units.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from hoptac.store.schema import entities
from hoptac.text.fold import fold

PROVINCIAL = {"provincial_government", "provincial_department", "party_body", "local_government"}
MINISTRY = "Bộ Khoa học và Công nghệ"
EXACT, SAME_SIDE = 1.0, 0.7  # how much a match by side is worth against one by entity


@dataclass(frozen=True)
class Party:
    entity_id: int
    name: str
    side: str
    province: str | None = None
    province_now: str | None = None


def side_of(entity_id: int, name: str, org_kind: str | None, province: str | None, province_now: str | None) -> str:
    if org_kind in PROVINCIAL and (province_now or province):
        return f"province:{province_now or province}"
    if org_kind == "ministry":
        return f"ministry:{name}"
    if org_kind == "ministry_unit":
        return f"ministry:{MINISTRY}"  # units are taken to be the Ministry of S&T's, as on organization pages
    return f"entity:{entity_id}"


def in_province(place: str, province: str | None, province_now: str | None) -> bool:
    """Whether a place, typed with or without accents, is this province before or after the 2025 merger."""
    return fold(place) in (fold(province or ""), fold(province_now or ""))


def survivors(conn: Connection, entity_ids: set[int]) -> dict[int, Party]:
    """Each entity id's surviving entity (analysts' merges followed), as a party."""
    found: dict[int, Party] = {}
    pending = {i: i for i in entity_ids}
    for _ in range(20):  # merge chains are short; the bound only guards against a cycle
        if not pending:
            break
        rows = conn.execute(select(entities.c.id, entities.c.name, entities.c.org_kind, entities.c.province,
                                   entities.c.province_now, entities.c.merged_into)
                            .where(entities.c.id.in_(set(pending.values())))).all()
        by_id = {r.id: r for r in rows}
        step: dict[int, int] = {}
        for original, current in pending.items():
            r = by_id.get(current)
            if r is None:
                continue
            if r.merged_into:
                step[original] = r.merged_into
            else:
                found[original] = Party(r.id, r.name, side_of(r.id, r.name, r.org_kind, r.province, r.province_now), r.province, r.province_now)
        pending = step
    return found


def match(ours: list[Party], theirs: list[Party]) -> tuple[float, int]:
    """How well ``theirs`` covers ``ours``: the weakest party's score (0 when one is missing), and exact matches."""
    if not ours:
        return 0.0, 0
    ids = {p.entity_id for p in theirs}
    sides = {p.side for p in theirs}
    scores = [EXACT if p.entity_id in ids else SAME_SIDE if p.side in sides else 0.0 for p in ours]
    return min(scores), scores.count(EXACT)
