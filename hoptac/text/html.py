"""The article inside an HTML page, found by trafilatura (a maintained boilerplate remover)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

_HTML_SNIFF = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<article|<div|<p[\s>])", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    title: str | None
    text: str


def looks_like_html(name: str, text: str) -> bool:
    return name.lower().endswith((".html", ".htm", ".xhtml")) or bool(_HTML_SNIFF.match(text[:512]))


def main_text(html: str) -> Page:
    """The headline and main text, with the page's dateline lines kept for metadata parsing.

    trafilatura keeps the body; it drops the portal's stamp and attribution lines when they
    sit outside the content block, so those are looked for in the whole page's text too.
    """
    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, include_images=False, favor_precision=True, with_metadata=True
    )
    body = (doc.text if doc else "") or ""
    title = (doc.title if doc else None) or None
    around = trafilatura.html2txt(html) or ""
    stamps = [line for line in around.split("\n") if _maybe_metadata(line) and line not in body]
    return Page(title=title, text="\n".join(stamps + [body]))


_METADATA_HINT = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|nguồn\s*:|lượt\s+xem", re.IGNORECASE)


def _maybe_metadata(line: str) -> bool:
    return len(line) <= 160 and bool(_METADATA_HINT.search(line))
