"""Resolution during ingest: each document's mentions to entities, with the reason why.

Links always point at the entity resolution chose; an analyst's merge only marks that
entity as merged into another, and every read follows the mark. Undoing the merge is
then just removing the mark.

A ``Resolver`` lives for one ingest and keeps what it has read of the entities in memory,
one block at a time, so a document costs a handful of lookups whatever the size of the
store. It writes new entities on the ingest's own connection: they commit or roll back
with the batch that needed them. After a rollback the resolver must be discarded.

A document read again (a new extractor, a new version of the article) is resolved with
its previous ``decisions`` at hand: each mention stays where it was, with the same rule
and reason, unless what the article now says conflicts with that entity.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from hoptac.resolve.organizations import alias_keys, org_block
from hoptac.resolve.persons import RULES, Profile, best_match, compare
from hoptac.store.db import now
from hoptac.store.facts import FactRow, key_part
from hoptac.store.schema import entities, facts, links
from hoptac.text.fold import fold


_INSERT_ENTITY = entities.insert().returning(entities.c.id)


@dataclass(frozen=True)
class Link:
    """A mention's entity and why it is that entity."""

    entity_id: int
    rule: str
    score: float
    reason: str


def decisions(conn: Connection, document_id: int) -> dict[str, Link]:
    """How a stored document's people and organizations were resolved, by fact key."""
    rows = conn.execute(
        select(facts.c.key, links.c.entity_id, links.c.rule, links.c.score, links.c.reason)
        .join(links, links.c.fact_id == facts.c.id)
        .where(facts.c.document_id == document_id, links.c.role == "subject", facts.c.kind.in_(["person", "organization"])))
    return {key: Link(entity_id, rule, score, reason) for key, entity_id, rule, score, reason in rows}


class Resolver:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._orgs: dict[str, int] = {}  # block key -> entity id
        self._aliases: dict[str, int] = {
            alias: row.id
            for row in conn.execute(select(entities.c.id, entities.c.aliases).where(entities.c.kind == "organization"))
            for alias in row.aliases
        }
        self._people: dict[str, list[Profile]] = {}  # block key -> profiles of the entities in it
        self._provinces: dict[int, str | None] = {}
        self._created: list[tuple[int, str, list[str]]] = []

    # ------------------------------------------------------------------ documents

    def resolve(self, rows: list[FactRow], before: dict[str, Link] | None = None) -> list[list[tuple[str, Link]]]:
        """For each fact row, its (role, link) pairs; new entities are created as needed.

        ``before``: the document's ``decisions`` from its previous extraction, if any.
        """
        before = before or {}
        local = self._document_orgs(rows, before)
        here: dict[int, str | None] = {}  # the post-2025 province of each organization, as this article gives it
        for row in rows:
            if row.kind == "organization":
                here.setdefault(local[org_block(row.label)].entity_id, row.province_now)
        out: list[list[tuple[str, Link]]] = [[] for _ in rows]
        affiliations: dict[str, tuple[set[int], set[str]]] = {}
        for i, row in enumerate(rows):
            for role, kind, name in row.mentions:
                if kind == "organization" and role != "subject":
                    link = local.get(org_block(name)) or (self._organization(name, {}) if role != "actor" else None)
                    if link:
                        out[i].append((role, link))
                        if row.kind == "position":
                            orgs, places = affiliations.setdefault(fold(row.data["person"]), (set(), set()))
                            orgs.add(link.entity_id)
                            if province := self._province_now(link.entity_id, here):
                                places.add(province)
                elif kind == "organization":
                    out[i].append((role, local[org_block(name)]))
        people: dict[str, Link] = {}
        for i, row in enumerate(rows):
            for role, kind, name in row.mentions:
                if kind == "person":
                    key = fold(name)
                    if key not in people:
                        people[key] = self._person(name, *affiliations.get(key, (set(), set())), before.get(f"person:{key_part(name)}"))
                    out[i].append((role, people[key]))
        return out

    def _document_orgs(self, rows: list[FactRow], before: dict[str, Link]) -> dict[str, Link]:
        return {org_block(row.label): self._organization(row.label, row.data, before.get(row.key)) for row in rows if row.kind == "organization"}

    def _province_now(self, entity_id: int, here: dict[int, str | None]) -> str | None:
        if entity_id in here:
            return here[entity_id]
        if entity_id not in self._provinces:
            self._provinces[entity_id] = self.conn.execute(select(entities.c.province_now).where(entities.c.id == entity_id)).scalar()
        return self._provinces[entity_id]

    # ------------------------------------------------------------------ organizations

    def _organization(self, name: str, data: dict, before: Link | None = None) -> Link:
        link = self._find_organization(name, data)
        # Read again, the mention keeps the decision that first put it there ("first mention"
        # stays a first mention, not a merge with the entity it created).
        return before if before is not None and before.entity_id == link.entity_id else link

    def _find_organization(self, name: str, data: dict) -> Link:
        block = org_block(name)
        if block not in self._orgs:
            found = self.conn.execute(select(entities.c.id).where(and_(entities.c.kind == "organization", entities.c.block == block))
                                      .order_by(entities.c.id).limit(1)).scalar()
            if found is not None:
                self._orgs[block] = found
        if block in self._orgs:
            return Link(self._orgs[block], "same_name", 1.0, f"same name after spelling out: {block}")
        aliases = alias_keys(name, data.get("mentions", []))
        for alias in sorted(aliases):
            if alias in self._aliases:
                self._orgs[block] = self._aliases[alias]
                return Link(self._orgs[block], "alias", 0.9, f"written {alias.upper()}, as this organization is known")
        entity_id = self._create("organization", name, block, org_kind=data.get("kind"), province=data.get("province"),
                                 province_now=data.get("province_now"), aliases=sorted(aliases))
        for alias in aliases:
            self._aliases.setdefault(alias, entity_id)
        self._orgs[block] = entity_id
        return Link(entity_id, "new", 1.0, "first mention")

    # ------------------------------------------------------------------ people

    def _person(self, name: str, orgs: set[int], provinces: set[str], before: Link | None = None) -> Link:
        block = fold(name)
        candidates = self._people_in(block)
        # A mention read again stays where it was, rule and reason included, unless the article
        # now conflicts with that entity: resolved from scratch, namesakes (and the analysts'
        # merges of them) would swap entities whenever documents are read in another order.
        kept = next((c for c in candidates if before is not None and c.entity_id == before.entity_id), None)
        if kept is not None and compare(kept, orgs, provinces) is not None:
            kept.absorb(orgs, provinces)
            return before
        match = best_match(candidates, orgs, provinces)
        if match is None:
            profile = Profile(self._create("person", name, block))
            candidates.append(profile)
            profile.absorb(orgs, provinces)
            why = "first mention" if len(candidates) == 1 else "namesakes work in other provinces"
            return Link(profile.entity_id, "new", 1.0, why)
        profile, rule = match
        profile.absorb(orgs, provinces)
        reason = {
            "same_org": "same name, positions in the same organization",
            "same_province": f"same name, organizations in {', '.join(sorted(provinces & profile.provinces))}",
            "no_conflict": "same name, nothing known that tells them apart",
        }[rule]
        return Link(profile.entity_id, rule, RULES[rule], reason)

    def _people_in(self, block: str) -> list[Profile]:
        if block in self._people:
            return self._people[block]
        ids = self.conn.execute(select(entities.c.id).where(and_(entities.c.kind == "person", entities.c.block == block))).scalars()
        profiles = {i: Profile(i) for i in ids}
        if profiles:
            org = links.alias("org")
            org_entity = entities.alias("org_entity")
            rows = self.conn.execute(
                select(links.c.entity_id, org.c.entity_id.label("org_id"), org_entity.c.province_now)
                .select_from(links.join(facts, facts.c.id == links.c.fact_id)
                             .outerjoin(org, and_(org.c.fact_id == facts.c.id, org.c.role == "organization"))
                             .outerjoin(org_entity, org_entity.c.id == org.c.entity_id))
                .where(links.c.entity_id.in_(profiles), links.c.role == "subject", facts.c.kind.in_(["person", "position"])))
            for person_id, org_id, province in rows:
                p = profiles[person_id]
                p.orgs |= {org_id} if org_id else set()
                p.provinces |= {province} if province else set()
                p.mentions += 1
        self._people[block] = list(profiles.values())
        return self._people[block]

    # ------------------------------------------------------------------ entities

    def _create(self, kind: str, name: str, block: str, **fields) -> int:
        values = {"kind": kind, "name": name, "block": block, "aliases": [], "created_at": now(),
                  "org_kind": None, "province": None, "province_now": None, **fields}
        entity_id = self.conn.execute(_INSERT_ENTITY, values).scalar_one()
        self._created.append((entity_id, name, values["aliases"]))
        return entity_id

    def take_created(self) -> list[tuple[int, str, list[str]]]:
        """Entities created since the last call, for the search index (written once per batch)."""
        created, self._created = self._created, []
        return created
