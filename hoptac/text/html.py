"""The article inside an HTML page, found by trafilatura (a maintained boilerplate remover)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html

_HTML_SNIFF = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<article|<div|<p[\s>])", re.IGNORECASE)
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "br", "section", "article",
           "header", "footer", "span", "time", "address", "dd", "dt", "figcaption", "blockquote", "pre"}


@dataclass(frozen=True)
class Page:
    title: str | None
    text: str  # the main text, one paragraph a line
    lines: list[str]  # every visible line of the page, where portals put dateline, counter and byline


def looks_like_html(name: str, text: str) -> bool:
    return name.lower().endswith((".html", ".htm", ".xhtml")) or bool(_HTML_SNIFF.match(text[:512]))


def main_text(html: str) -> Page:
    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, include_images=False, favor_precision=True, with_metadata=True
    )
    # (a Document: a dict comes back only when asked for with as_dict)
    body = (getattr(doc, "text", None) if doc else "") or ""
    title = (getattr(doc, "title", None) if doc else None) or None
    first = body.split("\n", 1)[0].strip()
    if title and first.startswith(title) and len(first) <= 300:
        title = first  # the headline in full; <title> and og:title are often cut or suffixed
    return Page(title=title, text=body, lines=visible_lines(html))


def visible_lines(html: str) -> list[str]:
    """The page's text as it shows, one block a line (scripts and styles left out)."""
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return [" ".join(line.split()) for line in tree.text_content().split("\n") if line.strip()]
