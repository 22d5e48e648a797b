"""The extraction pipeline: named, independent components over one document.

``extract`` is a pure function of a document's bytes and name: no database, no network, no
state kept between calls (lexicons are read-only caches), so it can be mapped over any
number of documents on any number of workers.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from importlib import resources

from hoptac import __version__
from hoptac.extract.agreements import agreements
from hoptac.extract.commitments import commitments
from hoptac.extract.doc import Doc
from hoptac.extract.events import events
from hoptac.extract.legal import legal_refs
from hoptac.extract.organizations import organizations
from hoptac.extract.persons import persons
from hoptac.records import Organization, Record
from hoptac.text.article import Article, RawDocument, read
from hoptac.text.decode import DecodeError

# Order matters only where a component reads an earlier one's results: persons and
# agreements use the organizations; events skip dates inside legal references; agreements
# take their signing date from the events.
COMPONENTS: list[tuple[str, Callable[[Doc], list]]] = [
    ("organizations", organizations),
    ("persons", persons),
    ("legal_refs", legal_refs),
    ("events", events),
    ("agreements", agreements),
    ("commitments", commitments),
]


@cache
def extractor_version() -> str:
    """The release plus a digest of the rules and data: any change to either is a new version.

    The store re-extracts every document whose facts came from another version, so a fixed
    rule reaches old articles without anyone having to ask for it.
    """
    package = resources.files("hoptac")
    digest = hashlib.sha256()
    for folder in ("text", "extract", "data", "data/encodings"):
        for item in sorted((f for f in package.joinpath(folder).iterdir() if f.is_file() and f.name.endswith((".py", ".json", ".tsv"))), key=lambda f: f.name):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def extract(raw: RawDocument) -> Record:
    """Read and extract one document. Raises ``DecodeError`` if it is not text, or holds none
    (an empty file, a page of menus and scripts only): there is nothing to store."""
    article = read(raw)
    if not article.text:
        raise DecodeError("no article text in it")
    return extract_article(article)


def extract_article(article: Article) -> Record:
    doc = Doc.from_article(article)
    for name, component in COMPONENTS:
        doc.results[name] = component(doc)
    _add_position_orgs(doc)
    r = doc.results
    return Record(
        doc=article.name,
        text=article.text,
        title=article.title,
        published_at=article.published_at,
        source=article.source,
        views=article.views,
        url=article.url,
        encoding=article.encoding,
        events=r["events"],
        persons=r["persons"],
        organizations=r["organizations"],
        agreements=r["agreements"],
        legal_refs=r["legal_refs"],
        commitments=r["commitments"],
        warnings=list(article.warnings),
    )


def _add_position_orgs(doc: Doc) -> None:
    """Bodies known only through a title ("Tỉnh ủy viên" → the Tỉnh ủy) are organizations too."""
    orgs: list[Organization] = doc.results["organizations"]
    known = {o.name.casefold() for o in orgs}
    kinds = {"Tỉnh ủy": "party_body", "Thành ủy": "party_body", "Huyện ủy": "party_body"}
    for person in doc.results["persons"]:
        for position in person.positions:
            name = position.organization
            if name and name.casefold() not in known:
                orgs.append(Organization(
                    name=name, kind=next((v for k, v in kinds.items() if name.startswith(k)), "other"),
                    province=doc.province.name if doc.province and name.endswith(doc.province.name) else None,
                    evidence=list(person.evidence[:1]), confidence=0.7, mentions=[position.title],
                ))
                known.add(name.casefold())
