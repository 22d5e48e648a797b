"""Legal and policy references in their official number form.

State documents are numbered ``N/YEAR/TYPE-ISSUER`` or ``N/TYPE-ISSUER`` (``45/2022/QH15``,
``123/QĐ-UBND``); Party documents ``N-TYPE/ISSUER`` (``59-NQ/TW``, ``07-NQ/TU``), which news
often misprints as ``07/NQ-TU`` or shortens to ``Nghị quyết 45 của Bộ Chính trị``; both are
brought back to the official form.
"""
from __future__ import annotations

import re
from functools import cache

from hoptac.extract import gazetteer
from hoptac.extract.doc import Doc
from hoptac.extract.lexicon import alternation, load
from hoptac.extract.organizations import org_at
from hoptac.extract.patterns import L, R
from hoptac.extract.tokens import Leads, leads
from hoptac.records import LegalRef
from hoptac.text.dates import find_dates

NUMBER = r"\d{1,5}(?:/\d{4})?(?:\s?[-/]\s?[A-ZĐ][A-Za-zĐđ]{0,11}\d{0,2})+"
_ISSUER = re.compile(r"\s*,?\s*(?:của|do)\s+")
_PERSON_ISSUER = re.compile(r"Thủ tướng Chính phủ|Thủ tướng|Chủ tịch nước")
_DATE_AFTER = re.compile(r"\s*,?\s*(?:ban hành\s+)?ngày\s")


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    words = load("legal")["kinds"]
    kinds = alternation(words)
    # news writes the kind in lowercase inside a sentence ("theo quyết định số 138")
    any_case = alternation(words + [w[0].lower() + w[1:] for w in words])
    numbered = re.compile(
        rf"{L}(?P<kind>{any_case})(?:\s+(?P<name>(?:(?!{kinds}|ngày\s)[^.;:()]){{0,120}}?))?\s+(?:số\s+)?(?P<num>{NUMBER}){R}"
    )
    # "Nghị quyết 45 của Bộ Chính trị", "Nghị định 99 về ...", "Nghị định 80/2007", "quyết
    # định số 138 của ...": a number without its code, kept as printed unless its issuer fixes it
    bare = re.compile(
        rf"{L}(?:(?P<kind>{kinds})\s+(?:số\s+)?|(?P<lkind>{any_case})\s+số\s+)(?P<num>\d{{1,4}}(?:/(?:19|20)\d{{2}})?)(?![\d/\-])"
        rf"(?=\s*,?\s*(?:của|ngày|về|do|quy định|hướng dẫn|được|năm|và)\s|\s*[,.;])"
    )
    return numbered, bare


@cache
def _kind_words() -> Leads:
    return leads(load("legal")["kinds"])


def _kind_of(m: re.Match) -> str:
    kind = m["kind"] if m.re.groupindex.get("kind") and m["kind"] else m["lkind"]
    return kind[0].upper() + kind[1:]


def official_number(raw: str) -> str:
    """``07/NQ-TU`` → ``07-NQ/TU``; state numbers unchanged but for spaces."""
    n = re.sub(r"\s+", "", raw)
    spec = load("legal")
    m = re.fullmatch(r"(\d+)/([A-ZĐ]+)-([A-ZĐƯ]+)", n)
    if m and m[3] in spec["party_issuers"]:
        return f"{m[1]}-{m[2]}/{m[3]}"
    return n


def legal_refs(doc: Doc) -> list[LegalRef]:
    numbered, bare = _patterns()
    refs: list[LegalRef] = []
    seen: set[str] = set()
    starts = _kind_words()
    spans = sorted([(m, True) for m in doc.matches(numbered, starts)] + [(m, False) for m in doc.matches(bare, starts)], key=lambda x: x[0].start())
    for m, is_numbered in spans:
        kind = _kind_of(m)
        date, issuer, issuer_end = _date_and_issuer(doc, m.end())
        number = official_number(m["num"]) if is_numbered else _party_number(kind, m["num"], issuer)
        doc.results.setdefault("legal_spans", []).append((m.start(), issuer_end))
        if number in seen:
            earlier = next(r for r in refs if r.number == number)
            earlier.date = earlier.date or date
            earlier.issuer = earlier.issuer if issuer is None else issuer
            continue
        seen.add(number)
        refs.append(
            LegalRef(
                kind=kind,
                number=number,
                issuer=issuer or _issuer_from_code(number, doc),
                date=date,
                subject=(m["name"] or None) if is_numbered else None,
                evidence=doc.evidence(m.start()),
                confidence=0.95 if is_numbered else 0.7,
            )
        )
    return refs


def _date_and_issuer(doc: Doc, pos: int) -> tuple[str | None, str | None, int]:
    """``ngày 05 tháng 8 năm 2020 của Bộ Chính trị`` after a number, in either order."""
    date = issuer = None
    end = pos
    for _ in range(2):
        if date is None and (d := _DATE_AFTER.match(doc.s, end)):
            found = [x for x in find_dates(doc.s[d.start() : d.start() + 40]) if x.year]
            if found and found[0].start <= d.end() - d.start() + 1:
                day = found[0].resolve(None)
                date = day.isoformat() if day else None
                end = d.start() + found[0].end
                continue
        if issuer is None and (i := _ISSUER.match(doc.s, end)):
            who = _issuer_at(doc, i.end())
            if who:
                issuer, end = who
                continue
        break
    return date, issuer, end


def _issuer_at(doc: Doc, pos: int) -> tuple[str, int] | None:
    org = doc.org_starting(pos) or org_at(doc, pos)
    if org:
        return org.name, org.end
    m = _PERSON_ISSUER.match(doc.s, pos)
    if m:
        return "Thủ tướng Chính phủ" if m.group().startswith("Thủ tướng") else m.group(), m.end()
    return None


def _party_number(kind: str, n: str, issuer: str | None) -> str:
    spec = load("legal")
    code = spec["type_codes"].get(kind)
    body = next((v for k, v in spec["party_bodies"].items() if issuer and issuer.startswith(k)), None)
    return f"{n}-{code}/{body}" if code and body else n


def _issuer_from_code(number: str, doc: Doc) -> str | None:
    codes = load("legal")["issuer_codes"]
    tail = re.split(r"[/\-]", number)[-1]
    issuer = codes.get(tail) or codes.get(re.sub(r"\d+$", "", tail))
    if issuer in ("Tỉnh ủy", "Ủy ban nhân dân", "Sở Khoa học và Công nghệ", "Hội đồng nhân dân") and doc.province:
        return f"{issuer} {doc.province.name if issuer == 'Tỉnh ủy' else gazetteer.display(doc.province)}"
    return issuer
