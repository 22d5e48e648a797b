"""From a raw document to an article: decoded, main text found, chrome removed, metadata read.

The metadata lines a portal prints (dateline, source, view counter) are read and then
removed, so that ``text`` holds the headline and the body only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hoptac.text.chrome import is_chrome, starts_trailer
from hoptac.text.dates import parse_dateline
from hoptac.text.decode import decode, normalize
from hoptac.text.html import looks_like_html, main_text
from hoptac.text.letters import CAP_WORD


@dataclass(frozen=True)
class RawDocument:
    """One input document: its bytes and the name it is known by."""

    name: str
    data: bytes
    url: str | None = None
    media_type: str | None = None  # "text/html" or "text/plain"; None means sniff
    path: str | None = None  # where it was found, relative to the directory given


@dataclass(frozen=True)
class Article:
    name: str
    text: str  # headline (if any) then the body, blank-line separated paragraphs
    title: str | None
    published_at: str | None
    source: str | None
    views: int | None
    url: str | None
    encoding: str
    warnings: list[str] = field(default_factory=list)  # stored, but not as it came: say so


_SOURCE_RE = re.compile(r"\(?\s*nguồn\s*:\s*(?P<body>.+?)\s*\)?\s*\.?", re.IGNORECASE)
_VIEWS_RE = re.compile(r"(?:số\s+)?(?:lượt|lần)\s+(?:xem|đọc)\s*:?\s*(?P<n>\d[\d.,\s]*)", re.IGNORECASE)
_BYLINE_RE = re.compile(r"(?:tác giả|người viết|bài,? (?:và )?ảnh|tin,? (?:và )?ảnh)\s*:\s*(?P<who>.+?)\.?", re.IGNORECASE)
# A closing attribution line: "Sở KH&CN TP. Cần Thơ (ntqnhu)", "Thanh Hà - Sở KH&CN Bình Định",
# "Theo Báo Nghệ An". Organization-led or person-then-organization, never a sentence.
_ORG_HEAD = r"(?:Sở|Báo|Trung\s+tâm|Phòng|Viện|Cổng|Ban|Văn\s+phòng|Đài|Tạp\s+chí|Cục|Vụ|UBND|Bộ|Trường|Hội|Liên\s+hiệp)"
_NAME = rf"{CAP_WORD}(?:\s+{CAP_WORD}){{1,3}}"
_ATTRIBUTION_RE = re.compile(
    rf"(?:{_ORG_HEAD}\b[^;!?]{{0,80}}\(\s*[\w.@-]{{2,30}}\s*\)"  # Sở KH&CN TP. Cần Thơ (ntqnhu)
    rf"|{_NAME}\s*[-–]\s*{_ORG_HEAD}\b[^.;!?]{{0,80}}"  # Thanh Hà - Sở KH&CN Bình Định
    rf"|{_NAME}\s*\(\s*{_ORG_HEAD}\b[^;!?()]{{0,80}}\)"  # Bảo Ngọc (Sở KH&CN Huế)
    rf"|Theo\s+{_ORG_HEAD}\b[^.;!?]{{0,80}}"  # Theo Báo Nghệ An
    rf"|{_NAME})"  # a bare byline: Hồng Nhung
)
_TITLE_MAX = 300


def read(raw: RawDocument) -> Article:
    """Decode and clean one document. Raises ``DecodeError`` if it is not text."""
    decoded = decode(raw.data)
    text, title, page_lines = decoded.text, None, []
    if raw.media_type == "text/html" or (raw.media_type is None and looks_like_html(raw.name, text)):
        page = main_text(text)
        text, title, page_lines = page.text, page.title, [normalize(line) for line in page.lines]
    meta = _Metadata()
    kept: list[str] = []
    for line in (line.strip() for line in text.split("\n")):
        if starts_trailer(line):
            break
        if not meta.take(line) and not is_chrome(line):
            kept.append(line)
    paragraphs = _join_broken([p for p in kept if p])
    if meta.source is None and paragraphs and _ATTRIBUTION_RE.fullmatch(paragraphs[-1]):
        meta.source = _attribution(paragraphs.pop())
    body = set(paragraphs)
    for line in page_lines:  # what the portal printed around the article body
        if line not in body and not meta.take(line) and meta.source is None and _ATTRIBUTION_RE.fullmatch(line):
            meta.source = _attribution(line)
    if title is None and paragraphs and _looks_like_title(paragraphs[0]):
        title = paragraphs[0]
    elif title is not None:
        title = normalize(title).strip()
        if paragraphs and paragraphs[0] == title:
            paragraphs.pop(0)
        paragraphs.insert(0, title)
    return Article(
        name=raw.name,
        text="\n\n".join(paragraphs),
        title=title,
        published_at=meta.published_at,
        source=meta.source,
        views=meta.views,
        url=raw.url,
        encoding=decoded.encoding,
        warnings=[f"{decoded.damaged} byte(s) not valid in {decoded.encoding} were replaced by \ufffd or cut"] if decoded.damaged else [],
    )


class _Metadata:
    """The portal's stamp, counter and attribution, each taken from the first line that gives it."""

    def __init__(self) -> None:
        self.published_at: str | None = None
        self.views: int | None = None
        self.source: str | None = None
        self._byline: str | None = None

    def take(self, line: str) -> bool:
        """Read ``line`` if it is a metadata line; say whether it was one."""
        if self.published_at is None and (stamp := parse_dateline(line)):
            self.published_at = stamp
        elif m := _VIEWS_RE.fullmatch(line):
            self.views = self.views if self.views is not None else int(re.sub(r"\D", "", m["n"]))
        elif (m := _SOURCE_RE.fullmatch(line)) and len(line) <= 160:
            self.source = self.source or m["body"]
        elif (m := _BYLINE_RE.fullmatch(line)) and len(line) <= 100:
            self.source = self.source or m["who"]
        else:
            return False
        return True


def _attribution(line: str) -> str:
    return re.sub(r"^Theo\s+", "", line).strip()


# Scraped captions often break a line after an address word or a comma ("Đ/c\nNguyễn Phú Hùng").
_DANGLING_RE = re.compile(r"(?:,|\b(?:Đ/c|đ/c|Đồng chí|đồng chí|Ông|ông|Bà|bà|GS|PGS|TS|ThS)\.?(?:TS|TSKH)?\.?)$")


def _join_broken(paragraphs: list[str]) -> list[str]:
    joined: list[str] = []
    for p in paragraphs:
        if joined and _DANGLING_RE.search(joined[-1], max(0, len(joined[-1]) - 16)):  # it ends the line
            joined[-1] = f"{joined[-1]} {p}"
        else:
            joined.append(p)
    return joined


def _looks_like_title(line: str) -> bool:
    return len(line) <= _TITLE_MAX and len(line.split()) >= 3 and not line.endswith((".", ";", "…", ","))
