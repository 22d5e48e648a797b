"""Events: the happenings an article reports as its news.

A news article reports one main happening (a signing, a visit, a conference, a fair) and
sometimes happenings tied to it: a signing at the fair, the programme or the trip the main
one is part of, a second act joined in the lead (``đã ký kết ...; đồng thời, công bố ...``).
Everything else it names is background (``Trước đó``, ``năm 2009``, a meeting recalled in a
quote), how the news was told (a press conference, an interview), or an announcement with
no date. So:

* the main event is the first happening the headline, the lead or the body reports, that is
  neither a press conference nor recalled nor announced without a date;
* later happenings count when they are signings, the programme or trip holding the main
  event, or part of the lead sentence;
* a programme is one event: one per type, unless the article dates two of a type apart.

A date without a year takes the publication year. With no dateline the year must be certain
from the article itself: the happening's name carries it (``Techmart 2015``, ``hội nghị ...
năm 2017``), the article states it (``Năm 2017 là lần thứ 6 hội trại được tổ chức``), a lunar
year names it (``đầu xuân Đinh Dậu``), or the article dates the same month elsewhere (``có
hiệu lực từ tháng 1-2019`` for a signing on 9-1). Otherwise the date is null: a year taken
from other figures would be a guess.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from hoptac.extract.doc import Doc
from hoptac.extract.lexicon import alternation, load
from hoptac.extract.patterns import L, R, words_re
from hoptac.extract.tokens import Leads, leads
from hoptac.records import Event
from hoptac.text.dates import DateMention, find_dates

_PLACE = re.compile(r"\btại\s+(?P<where>[^,;.:]{3,90})")
_BACKGROUND_DAYS = 90
_YEAR = re.compile(r"(?<![\d/.\-])((?:19|20)\d{2})(?![\d/])")
_LUNAR = re.compile(r"(?i:xuân|tết|năm)\s+(?P<can>Giáp|Ất|Bính|Đinh|Mậu|Kỷ|Canh|Tân|Nhâm|Quý)\s+(?P<chi>Tý|Sửu|Dần|Mão|Mẹo|Thìn|Tỵ|Tị|Ngọ|Mùi|Thân|Dậu|Tuất|Hợi)(?![\wÀ-ỹ])")
_LUNAR_WORDS = frozenset({"xuân", "tết", "năm"})
_CAN = ["Canh", "Tân", "Nhâm", "Quý", "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ"]  # year % 10
_CHI = ["Thân", "Dậu", "Tuất", "Hợi", "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi"]  # year % 12
_MONTH_YEAR = re.compile(r"tháng\s+(?P<m>\d{1,2})\s*[-/]\s*(?P<y>(?:19|20)\d{2})(?!\d)", re.IGNORECASE)
_DEADLINE = re.compile(r"(?:trước|chậm nhất|hạn chót|hạn|đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?$", re.IGNORECASE)
# "hoàn thành hội thảo trước ngày 30/6": a task with a deadline, not a happening
_DEADLINE_IN = re.compile(r"(?:trước|chậm nhất|hạn chót)\s+(?:ngày\s+)?\d{1,2}\s*[/-]\s*\d{1,2}", re.IGNORECASE)
_RECALLED_SIGNING = re.compile(r"được\s+(?:\S+\s+){0,3}ký(?:\s+kết)?\s+(?:vào\s+)?(?:ngày\s+)?$", re.IGNORECASE)
_QUOTES = re.compile(r"[“\"][^”\"\n]{0,800}[”\"]")
_DATE_GLUE = re.compile(r"\s*(?:(?:19|20)\d{2}\s*)?(?:[\"“][^\"”]{0,80}[\"”]\s*)?(?:(?:đã|được|sẽ)\s+)?(?:diễn ra|tổ chức|khai mạc)?\s*(?:vào\s+)?", re.IGNORECASE)
_LEAD_JOIN = re.compile(r"[;,]\s*đồng thời[ ,]", re.IGNORECASE)


@cache
def _spec() -> dict:
    return load("events")


@cache
def _triggers() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: kind for kind, words in _spec()["types"] for w in words}
    table.update({w: "press" for w in _spec()["press"]})
    return re.compile(rf"{L}{alternation(table, fold=True)}{R}", re.IGNORECASE), table


@cache
def _trigger_words() -> Leads:
    return leads(_triggers()[1])


@cache
def _words(name: str) -> re.Pattern:
    return words_re(_spec()[name])


# happenings whose names carry their year ("Techmart 2015", "Hội nghị ... năm 2017")
_NAMED = frozenset({"other", "conference", "review"})
_PHRASE_END = re.compile(r"[,.;:\n]")
_NAMED_YEAR = re.compile(r"(?<![\d/\-–])(?:năm\s+)?(?P<y>(?:19|20)\d{2})(?![\d/]|\s*[-–]\s*\d)", re.IGNORECASE)


@dataclass
class _Mention:
    start: int  # shadow offsets of the trigger
    end: int
    type: str
    label: str
    sentence: tuple[int, int]
    date: DateMention | None  # the date of its clause, if any
    lead: bool  # in the headline, the sapo or the first sentence of the body
    background: bool
    future: bool
    quoted: bool


def events(doc: Doc) -> list[Event]:
    mentions = _mentions(doc)
    first_dated = next((m for m in mentions if m.lead and m.date is not None and not m.quoted), None)
    told = first_dated is not None and first_dated.type == "press"
    # an article told from a press conference reports only what it dates
    news = [m for m in mentions if m.type != "press" and not m.quoted and not m.background and (m.date is not None or not told)]
    main = next((m for m in news if m.lead and m.date is not None), None) or next((m for m in news if not (m.date is None and (m.future or _dated_only(m)))), None)
    if main is None:
        return []
    chosen = [main]
    for m in news:
        if m is main or (m.future and m.date is None and not _inside(doc, m, main)):
            continue
        if _same_lead_act(doc, m, main):
            m.date = m.date or main.date
            chosen.append(m)
        elif _dated_only(m) and m.date is None and not _inside(doc, m, main):
            continue  # "cuộc thi", "công bố báo cáo": no happening of the day without a date
        elif m.type == main.type or _holds(doc, m, main) or _own_happening(doc, m, main):
            if m.date is None and _SAME_DAY.search(doc.s, *m.sentence):
                m.date = main.date  # "Chiều cùng ngày"
            chosen.append(m)
    year = _article_year(doc, mentions)
    return _one_per_type(doc, chosen, main, year)


def _mentions(doc: Doc) -> list[_Mention]:
    trigger_re, table = _triggers()
    s = doc.s
    legal = doc.results.get("legal_spans", [])
    quoted = bytearray(len(s) + 1)  # 1 strictly inside a quotation: one look-up a happening, however long the text
    for q in _QUOTES.finditer(s):
        quoted[q.start() + 1 : q.end()] = b"\x01" * max(0, q.end() - q.start() - 1)
    lead_end = _lead_end(doc)
    triggers = []
    for t in _named_happenings(s, doc.matches(trigger_re, _trigger_words())):
        a, b = doc.sentence_of(t.start())
        triggers.append((t, (a, b), _clause(s, a, b, t.start())))
    owned = _owners(s, triggers, [d for d in find_dates(s) if not any(a <= d.start <= b for a, b in legal) and not _DEADLINE.search(s, max(0, d.start - 20), d.start)])
    out = []
    for i, (t, sentence, clause) in enumerate(triggers):
        date_ = owned.get(i)
        lead = t.start() < lead_end
        out.append(_Mention(
            t.start(), t.end(), table[t.group().lower()], t.group(), sentence, date_, lead,
            background=_recalled(doc, clause, t, date_, lead),
            future=bool(_words("future").search(s, clause[0], clause[1]) or _DEADLINE_IN.search(s, clause[0], clause[1])),
            quoted=bool(quoted[t.start()]),
        ))
    return out


_GENERIC = frozenset({"sự kiện", "chương trình"})


def _dated_only(m: _Mention) -> bool:
    return m.label.lower() in _dated_only_words()


@cache
def _dated_only_words() -> frozenset[str]:
    return frozenset(_spec()["dated_only"])


def _named_happenings(s: str, found: list[re.Match]) -> list[re.Match]:
    """Of two triggers written together, one happening: "sự kiện Hội nghị ..." is the
    Hội nghị; "Hội nghị công bố quy hoạch" is a conference whose name says what it does."""
    out: list[re.Match] = []
    for t in found:
        if out and not s[out[-1].end() : t.start()].strip():
            if out[-1].group().lower() in _GENERIC:
                out[-1] = t
            continue
        out.append(t)
    return out


def _owners(s: str, triggers: list, dates: list[DateMention]) -> dict[int, DateMention]:
    """Each date belongs to one happening of its clause: a clause-initial date ("Sáng 7/7,
    tại cuộc họp báo ...") to the first one after it, any other to the nearest. A press
    conference's date is its own."""
    owned: dict[int, DateMention] = {}
    # a clause lies inside its happening's sentence: only the happenings of the date's sentence can own it
    by_sentence: dict[int, list[int]] = {}
    for i, (_, sentence, _) in enumerate(triggers):
        by_sentence.setdefault(sentence[0], []).append(i)
    sentence_starts = sorted(by_sentence)
    for d in dates:
        if _RECALLED_SIGNING.search(s, max(0, d.start - 50), d.start):
            continue
        k = bisect_right(sentence_starts, d.start) - 1
        nearby = by_sentence[sentence_starts[k]] if k >= 0 else []
        candidates = [i for i in nearby if triggers[i][2][0] <= d.start < triggers[i][2][1]]
        if not candidates:
            continue
        clause = triggers[candidates[0]][2]
        after = [i for i in candidates if triggers[i][0].start() >= d.end]
        just_before = [i for i in candidates if 0 <= d.start - triggers[i][0].end() <= 30 and _DATE_GLUE.fullmatch(s, triggers[i][0].end(), d.start)]
        if just_before:
            owner = just_before[-1]  # "họp báo ngày 16/11", "diễn ra chiều 15/11"
        elif d.start - clause[0] <= _spec()["clause_initial"] and after:
            owner = after[0]
        else:
            owner = min(candidates, key=lambda i: abs(triggers[i][0].start() - d.start))
        owned.setdefault(owner, d)
    return owned


def _lead_end(doc: Doc) -> int:
    """The headline, the sapo and the first sentence of the body are the lead."""
    third = _paragraph_start(doc.s, 2)
    if third is None:
        first = doc.shadow_sentences()[:2]
        return first[-1][1] if first else 0
    return doc.sentence_of(third)[1] + 1


def _paragraph_start(s: str, n: int) -> int | None:
    """Where the ``n``-th paragraph (from 0) begins: paragraphs are parted by a blank line."""
    at: int | None = 0
    seen = -1
    while at is not None:
        while at < len(s) and s[at].isspace():
            at += 1
        if at == len(s):
            return None
        seen += 1
        if seen == n:
            return at
        nxt = s.find("\n\n", at)
        at = None if nxt == -1 else nxt + 2
    return None


def _clause(s: str, a: int, b: int, at: int) -> tuple[int, int]:
    """The part of the sentence ``at`` is in, between semicolons."""
    start = max(a, s.rfind(";", a, at) + 1)
    end = s.find(";", at, b)
    return start, b if end == -1 else end


def _recalled(doc: Doc, clause: tuple[int, int], t: re.Match, d: DateMention | None, lead: bool) -> bool:
    """History the article recalls rather than reports."""
    s = doc.s
    if d is not None and doc.published is not None:
        day = d.resolve(doc.published.year)
        if day is not None:
            return (doc.published - day).days > _BACKGROUND_DAYS
    if d is not None and d.year is not None and doc.published is None and not lead:
        # an undated article dates its own news in its lead; a dated past in its body is
        # history when it is told as past ("... được thông qua", "Trước đó, ngày ...")
        return bool(_PASSIVE_PAST.search(s, clause[0], clause[1]) or _words("background").search(s, clause[0], clause[1]))
    if lead:
        return False
    before = s[clause[0] : t.start()]
    if _words("background").search(before) or _words("background").search(_phrase(s, t.end(), clause[1])) or _RECALLED_SIGNING.search(s, max(0, t.start() - 50), t.start() + 1):
        return True
    # "Tại Hội nghị ... đầu năm 2017, Thủ tướng nhấn mạnh": a happening placed in a past year
    return doc.published is None and _past_time(s, clause, t)


_PAST_YEAR = re.compile(r"(?:năm|tháng\s+\d{1,2}\s*[/-])\s*(?:19|20)\d{2}|tháng\s+\d{1,2}\s+vừa qua", re.IGNORECASE)


def _past_time(s: str, clause: tuple[int, int], t: re.Match) -> bool:
    return bool(_PAST_YEAR.search(s, clause[0], min(clause[1], t.end() + 80))) and not _named_year_at(s, t)


def _named_year_at(s: str, t: re.Match) -> bool:
    return _year_in_name(s, t) is not None


def _inside(doc: Doc, m: _Mention, main: _Mention) -> bool:
    """"Trong khuôn khổ sự kiện sẽ diễn ra ký kết": announced, but inside the main event."""
    return bool(_words("programme").search(doc.s, m.sentence[0], m.sentence[1]))


_HOLDER_BEFORE = re.compile(r"(?:khuôn khổ|bên lề|hoạt động(?: chính)? của|thuộc chuỗi|trong chuỗi)\s+(?:của\s+)?(?:sự kiện\s+)?$", re.IGNORECASE)


def _holds(doc: Doc, m: _Mention, main: _Mention) -> bool:
    """The programme or trip the main event is part of: "Hội nghị là một trong những hoạt
    động chính của Techdemo", "đang có chuyến thăm Canada". A part named inside the main
    event ("Trong khuôn khổ sự kiện còn có hội nghị") is not."""
    if m.type == main.type:
        return False
    if m.type == "working_visit":
        return bool(_words("trip").match(doc.s, m.start))
    return bool(_HOLDER_BEFORE.search(doc.s, max(m.sentence[0], m.start - 40), m.start))


_PASSIVE_PAST = re.compile(r"(?<![\wÀ-ỹ])được(?![\wÀ-ỹ])[^.;]{0,60}(?:thông qua|phóng|thành lập|ký|phê duyệt|ban hành|công nhận)", re.IGNORECASE)
_SAME_DAY = re.compile(r"cùng ngày", re.IGNORECASE)
@cache
def _also_here() -> re.Pattern:
    """Words that place a part at the happening or right after it ("Tại diễn đàn, ...",
    "Cũng trong buổi làm việc", "bên lề Techmart", "Sau hội đàm", "nhân dịp này")."""
    places = alternation([*_triggers()[1], "sự kiện", "buổi", "lễ", "chương trình"], fold=True)
    return re.compile(rf"{L}(?:(?:cũng\s+)?(?:trong|tại)|trong khuôn khổ|bên lề|nhân dịp|(?:ngay\s+)?sau|kết thúc)\s+(?:các\s+)?{places}{R}|{L}(?:dịp này|cùng ngày){R}", re.IGNORECASE)


def _own_happening(doc: Doc, m: _Mention, main: _Mention) -> bool:
    """A part reported as a happening of its own: a signing at the event ("Cũng trong hội
    thảo, A và B đã ký", "trong khuôn khổ sự kiện sẽ diễn ra ký kết"), or a part of another
    type with its own time ("Chiều cùng ngày, ... chủ trì Hội thảo")."""
    if m.type == main.type:
        return False
    a, b = m.sentence
    here = bool(_also_here().search(doc.s, a, b)) or m.sentence == main.sentence
    if m.type == "signing":
        return here or m.date is not None
    return m.date is not None or bool(_SAME_DAY.search(doc.s, a, b))


def _same_lead_act(doc: Doc, m: _Mention, main: _Mention) -> bool:
    """"đã ký kết thỏa thuận ...; đồng thời, công bố định hướng": two acts of the lead sentence."""
    return m.sentence == main.sentence and m.type != main.type and bool(_LEAD_JOIN.search(doc.s, main.end, m.start + 1))


def _one_per_type(doc: Doc, chosen: list[_Mention], main: _Mention, year: int | None) -> list[Event]:
    found: dict[str, list[tuple[_Mention, str | None]]] = {}
    for m in chosen:
        day = _resolve(doc, m, year)
        same = found.setdefault(m.type, [])
        if any(d == day or d is None or day is None for _, d in same):
            for i, (n, d) in enumerate(same):
                if d is None and day is not None:
                    same[i] = (n, day)  # the dated mention of the same happening
            continue
        same.append((m, day))
    out = []
    for kind, items in found.items():
        for m, day in items:
            where = _PLACE.search(doc.s, m.sentence[0], m.sentence[1])
            out.append(Event(
                type=kind, date=day, part_of_day=m.date.part_of_day if m.date else None,
                location=where["where"].strip() if where else None, label=m.label,
                evidence=doc.evidence(m.start), confidence=0.9 if day else 0.6,
            ))
    order = {id(m): i for i, m in enumerate(chosen)}
    firsts = {kind: min(order[id(m)] for m, _ in items) for kind, items in found.items()}
    return sorted(out, key=lambda e: firsts[e.type])


def _resolve(doc: Doc, m: _Mention, article_year: int | None) -> str | None:
    if m.date is None:
        return None
    if m.date.year:
        day = m.date.resolve(None)
    elif doc.published is not None:
        day = m.date.resolve(doc.published.year)
    else:
        named = _year_in_name(doc.s, m) if m.type in _NAMED else None
        if named and m.type == "review" and m.date.month <= 3:
            named += 1  # "Hội nghị tổng kết năm 2017 ... sáng 9/1": a year is reviewed after it ends
        year = named or article_year or _year_of_month(doc, m.date.month)
        day = m.date.resolve(year) if year else None
    return day.isoformat() if day else None


def _phrase(s: str, a: int, b: int) -> str:
    """The text from ``a`` to the first comma, stop, colon or line end before ``b``."""
    end = _PHRASE_END.search(s, a, b)
    return s[a : end.start() if end else b]


def _year_in_name(s: str, m) -> int | None:
    """"Techmart 2015", "hội nghị Phát triển doanh nghiệp ... năm 2017": the year the
    happening's name carries, within its noun phrase."""
    start, end = (m.start, m.end) if isinstance(m, _Mention) else (m.start(), m.end())
    if s[start:end].lower() in _verbs():
        return None  # "trao tặng Giải thưởng ... năm 2017": the prize's year, not the happening's
    phrase = _phrase(s, end, end + 90)
    if (y := _NAMED_YEAR.search(phrase)) and not _time_word_before(phrase, y.start()):
        return int(y["y"])
    return None


@cache
def _verbs() -> frozenset[str]:
    return frozenset(_spec()["verbs"])


def _time_word_before(phrase: str, at: int) -> bool:
    parts = tuple(_spec()["part_of_year"])
    before = phrase[:at].rstrip().lower()
    return before.endswith(parts) or before.endswith(tuple(f"{p} năm" for p in parts)) or bool(re.search(r"(?:sẽ|đã|đang|được)\s", phrase[:at]))


def _article_year(doc: Doc, mentions: list[_Mention]) -> int | None:
    """The one year the article gives its happenings: in their names, in a sentence that
    dates one ("Năm 2017 là lần thứ 6 hội trại được tổ chức"), or as a lunar year."""
    s = doc.s
    years = {y for m in mentions if not m.background and m.type in _NAMED and (y := _year_in_name(s, m))}
    for m in mentions:
        a, b = m.sentence
        stated = re.match(r"\s*[Nn]ăm\s+(?P<y>(?:19|20)\d{2})\s+(?:là|đánh dấu)\b", s[a:b])
        if stated and re.search(r"tổ chức|diễn ra|đăng cai", s[a:b]):
            years.add(int(stated["y"]))
    if lunar := next(iter(doc.matches(_LUNAR, _LUNAR_WORDS)), None):
        years.add(_lunar_year(lunar["can"], lunar["chi"]))
    return years.pop() if len(years) == 1 else None


def _lunar_year(can: str, chi: str) -> int:
    """The year of a can-chi name in the sixty years around today's news (1984-2043)."""
    chi = {"Mẹo": "Mão", "Tị": "Tỵ"}.get(chi, chi)
    for year in range(1984, 2044):
        if _CAN[year % 10] == can and _CHI[year % 12] == chi:
            return year
    raise ValueError(f"no year is {can} {chi}")


def _year_of_month(doc: Doc, month: int) -> int | None:
    """"có hiệu lực từ tháng 1-2019": a happening in month 1 of an undated article is in 2019."""
    by_month = doc.memo.get("month years")
    if by_month is None:  # read once: a long text asks for many months
        by_month = doc.memo["month years"] = {}
        for m in _MONTH_YEAR.finditer(doc.s):
            by_month.setdefault(int(m["m"]), set()).add(int(m["y"]))
    years = by_month.get(month, set())
    return next(iter(years)) if len(years) == 1 else None

