"""Text made into safe HTML: an article with its facts marked where they were read, and
search snippets with the query's words marked.

Everything that comes from an article or an extraction passes through ``escape`` here;
only the tags this module writes are trusted.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

from hoptac.text.fold import fold

_WORD = re.compile(r"[\w&]+")


def link(url: object) -> str | None:
    """``url`` when it may be a link's target: http(s), or a path of this site. Anything else
    (``javascript:``, ``data:``, ``//elsewhere``) an ingested record or an edit carries is
    shown as text, never followed."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if re.match(r"(?i)https?://[^\s/]", url) or (url.startswith("/") and not url.startswith(("//", "/\\"))):
        return url
    return None


def highlight(text: str | None, query: str) -> Markup:
    """``text`` with every word of ``query`` marked, accents and case ignored."""
    wanted = set(fold(query).split())
    if not text:
        return Markup("")
    if not wanted:
        return escape(text)
    out, last = [], 0
    for m in _WORD.finditer(text):
        if fold(m.group()) in wanted:
            out += [escape(text[last:m.start()]), Markup("<mark>"), escape(m.group()), Markup("</mark>")]
            last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


SENTENCE_FACTS = ("commitment",)  # read from a whole sentence, so the whole sentence is marked


def mention_spans(text: str, fact: dict) -> list[tuple[int, int]]:
    """Where in ``text`` the fact was read: its words inside each evidence sentence.

    A commitment is its sentence. Other facts are marked only where their words are found,
    so that a name read from a long paragraph does not underline the paragraph.
    """
    spans = []
    needles = _needles(fact)
    for start, end in fact.get("evidence") or []:
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if fact["kind"] in SENTENCE_FACTS:
            spans.append((start, end))
            continue
        # Case-blind when lower() keeps every offset (it does for Vietnamese), else as written.
        window = text[start:end].lower()
        blind = len(window) == end - start
        window = window if blind else text[start:end]
        for needle in needles:
            if (i := window.find(needle.lower() if blind else needle)) >= 0:
                spans.append((start + i, start + i + len(needle)))
                break
    return spans


def _needles(fact: dict) -> list[str]:
    """The fact's own words, longest first (the full name before an abbreviation of it)."""
    data = fact.get("data") or {}
    names = [data.get("title"), data.get("name"), data.get("label"), data.get("number"), fact.get("label"), *(data.get("mentions") or [])]
    return sorted({n for n in names if isinstance(n, str) and len(n) > 1}, key=len, reverse=True)


def marked_article(text: str, facts: list[dict]) -> Markup:
    """The article with a link around each stretch that some facts were read from.

    Stretches of different facts may overlap (a person inside a position inside an event's
    sentence); the text is cut at every boundary and each piece lists all facts covering it,
    innermost (shortest) first, so a click opens the most specific one.
    """
    covering: list[tuple[int, int, int, str]] = []
    for f in facts:
        covering += [(s, e, f["id"], f["kind"]) for s, e in mention_spans(text, f)]
    cuts = sorted({0, len(text), *(p for s, e, _, _ in covering for p in (s, e))})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        over = sorted((e - s, fid, kind) for s, e, fid, kind in covering if s <= a and b <= e)
        piece = escape(text[a:b])
        if not over:
            out.append(piece)
            continue
        ids = " ".join(dict.fromkeys(str(fid) for _, fid, _ in over))
        kind = over[0][2]
        out.append(Markup('<a class="fact k-{}" href="#fact-{}" data-facts="{}">{}</a>').format(kind, over[0][1], ids, piece))
    return Markup("").join(out)
