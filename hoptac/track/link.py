"""Does an article follow up a program, and as what? Each answer comes with a rule, a confidence and a reason.

An article that names the program (its agreement fact was grouped into the program) is about
it for sure. One that does not name it is attached when it is between the program's parties
(by entity or by side, see ``parties``) and speaks of a cooperation instrument, or, for a
working visit, when the parties alone meet. An article naming another program is about that
one. What the article does for the program — a review, an action plan, a visit, a task — is
read from its events and the words of ``data/followup.json``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from hoptac.extract.lexicon import load
from hoptac.track.dates import period_bounds
from hoptac.track.parties import Party, match

ROLES = ("signing", "action_plan", "review_interim", "review_final", "visit", "task", "response", "mention")
FOLLOW_UPS = ("action_plan", "review_interim", "review_final", "visit", "task", "response")  # what shows a program is alive


@dataclass
class Event:
    type: str
    date: date | None
    label: str


@dataclass
class Agreement:
    key: str
    data: dict
    parties: list[Party]


@dataclass
class Article:
    """What linking knows of one document."""

    id: int
    key: str
    date: date | None
    title: str
    text: str
    events: list[Event] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)  # every organization it names


@dataclass
class Program:
    id: int
    title: str
    signed_on: date | None
    period_start: int | None
    period_end: int | None
    parties: list[Party]
    members: set[tuple[int, str]] = field(default_factory=set)  # (document id, agreement fact key) naming it


@dataclass(frozen=True)
class Assessment:
    role: str
    date: date | None
    rule: str
    confidence: float
    reason: str
    agreement_key: str | None = None


@cache
def _words() -> dict[str, re.Pattern]:
    spec = load("followup")
    return {k: re.compile(v, re.IGNORECASE) for k, v in spec.items() if isinstance(v, str) and not k.startswith("_")}


def assess(article: Article, program: Program) -> Assessment | None:
    named = next((a.key for a in article.agreements if (article.id, a.key) in program.members), None)
    if named:
        role, day, what = _role(article, program)
        return Assessment(role, day, "names_program", 0.95, f"names the program; {what}", named)
    if article.agreements:
        return None  # it names another instrument: it is about that one
    if article.date and program.signed_on and article.date < program.signed_on:
        return None
    score, exact = match(program.parties, article.parties)
    if score == 0 or exact == 0:
        return None
    between = "between the program's parties" if score == 1 else "between the program's parties' sides (the same province or ministry)"
    role, day, what = _role(article, program)
    if _words()["instrument"].search(article.title + "\n" + article.text) and role != "mention":
        return Assessment(role, day, "same_parties_instrument", round(0.55 + 0.3 * score, 2),
                          f"{what}; {between}, and speaks of a cooperation instrument without naming another")
    if role == "visit":
        return Assessment(role, day, "visit_between_parties", round(0.4 + 0.25 * score, 2), f"{what}; {between}")
    return None


def _role(article: Article, program: Program) -> tuple[str, date | None, str]:
    words = _words()
    text = article.title + "\n" + article.text
    for e in article.events:
        if e.type == "review":
            final = _is_final(e, article, program)
            return ("review_final" if final else "review_interim", e.date,
                    f"reports {'a final' if final else 'an interim'} review ('{e.label}') on {e.date or 'an unstated date'}")
    days = load("followup")["signing_days"]
    for e in article.events:
        if e.type == "signing" and (program.signed_on is None or (e.date and abs((e.date - program.signed_on).days) <= days)):
            return "signing", e.date, f"reports its signing on {e.date or 'an unstated date'}"
    if m := words["plan_issued"].search(text):
        return "action_plan", article.date, f"reports an action plan ('{m[0]}')"
    if m := words["response"].search(text):
        return "response", article.date, f"reports a response to recommendations ('{m[0]}')"
    if (m := words["task"].search(text)) and words["under"].search(text):
        return "task", article.date, f"reports an S&T task carried out under a cooperation instrument ('{m[0]}')"
    for e in article.events:
        if e.type == "working_visit":
            return "visit", e.date, f"reports a working visit on {e.date or 'an unstated date'}"
    return "mention", article.date, "mentions it"


def _is_final(review: Event, article: Article, program: Program) -> bool:
    words = _words()
    said_final = words["final"].search(review.label) or (words["final"].search(article.title) and not words["interim"].search(article.title))
    if not said_final:
        return False
    bounds = period_bounds(program.period_start, program.period_end)
    if bounds is None or review.date is None:
        return True
    low, high = load("followup")["final_review_window_years"]
    # "tổng kết năm 2023" early in a five-year program is a yearly stock-taking, not the closing review
    return program.period_end + low <= review.date.year <= program.period_end + high
