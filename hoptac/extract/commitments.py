"""Commitments: the follow-up an article promises or directs.

A commitment is a kind of follow-up (focal point, action plan, periodic review...) said in a
sentence that directs or promises (``chỉ đạo``, ``đề nghị``, ``sẽ``, ``cần``) rather than one
reporting what was done. Its actor is who is directed (``chỉ đạo Vụ X``), else the subject.
"""
from __future__ import annotations

import re
from functools import cache

from hoptac.extract.doc import Doc, leading_run
from hoptac.extract.lexicon import load
from hoptac.records import Commitment

_LISTED = re.compile(r"\s*(?:,|và|cùng|cùng với)\s*")
_PAIRED = re.compile(r"\s*(?:và|cùng|cùng với)\s*")
_COLLECTIVE = re.compile(r"\b(?:hai|các|hai bên|hai đơn vị|các bên|các đơn vị)\s*$", re.IGNORECASE)


@cache
def _spec() -> tuple[list[tuple[str, re.Pattern]], re.Pattern, re.Pattern, re.Pattern]:
    spec = load("commitments")
    kinds = [(kind, re.compile(p, re.IGNORECASE)) for kind, p in spec["kinds"]]
    return (
        kinds,
        re.compile(rf"(?<!\w){spec['directive']}(?!\w)", re.IGNORECASE),
        re.compile(spec["report"], re.IGNORECASE),
        re.compile(spec["actor_after"], re.IGNORECASE),
    )


def commitments(doc: Doc) -> list[Commitment]:
    kinds, directive, report, actor_after = _spec()
    found: dict[tuple[str, str | None], Commitment] = {}
    for a, b in doc.shadow_sentences():
        sentence = doc.s[a:b]
        if not _any_kind().search(sentence) or report.search(sentence):
            continue
        for kind, pattern in kinds:
            for m in pattern.finditer(sentence):
                if kind == "plan_building" and _is_action_plan(sentence, m):
                    continue
                if not directive.search(sentence, 0, m.end() + 40):
                    continue
                for actor in _actors(doc, a, a + m.start(), actor_after) or [None]:
                    key = (kind, actor)
                    if key not in found:
                        found[key] = Commitment(
                            kind=kind, actor=actor, text=" ".join(sentence.split()),
                            evidence=doc.evidence(a), confidence=0.75 if actor else 0.6,
                        )
    return list(found.values())


@cache
def _any_kind() -> re.Pattern:
    """A cheap scan to skip the sentences that hold no kind of commitment at all."""
    return re.compile("|".join(map(re.escape, load("commitments")["anchors"])), re.IGNORECASE)


def _is_action_plan(sentence: str, m: re.Match) -> bool:
    return bool(re.match(r"\s*(?:hành động|triển khai)", sentence[m.end() :]))


def _actors(doc: Doc, sentence_start: int, at: int, actor_after: re.Pattern) -> list[str]:
    """Who carries it out: the directed organizations, or the clause's subject."""
    clause_start = max(sentence_start, doc.s.rfind(";", sentence_start, at) + 1, doc.s.rfind(":", sentence_start, at) + 1)
    orgs = [o for o in doc.orgs if clause_start <= o.start and o.end <= at]
    directed = None
    for m in actor_after.finditer(doc.s, clause_start, at):
        directed = m
    if directed:
        after = [o for o in orgs if o.start >= directed.end()]
        if after:
            return leading_run(doc.s, after, _LISTED)
        if re.match(r"\s*(?:hai|các)\b", doc.s[directed.end() :]):
            return []
    if orgs and not _COLLECTIVE.search(doc.s[clause_start : orgs[0].start]):
        return leading_run(doc.s, orgs, _PAIRED, most=2)  # "Sở KH&CN và Công an thành phố sẽ..."
    return []
