"""Server-side SVG pictures for the web pages.

The pages must read without JavaScript, so the charts are drawn here, on the
server, as strings of SVG markup that a template wraps in ``markupsafe.Markup``:

* ``bar_chart``: counts per label (provinces across, years upright);
* ``tile_map``: a tile-grid map of Vietnam's provinces, one square per unit,
  before (``"legacy"``, 63 units) or after (``"current"``, 34 units) the
  merger of 1 July 2025; positions from ``hoptac/data/tilemap.json``;
* ``timeline``: a person's positions over time, one lane per position;
* ``program_timeline``: a cooperation program's life: its period, milestones,
  articles and commitments' deadlines, and the day it is judged by;
* ``network``: organizations and people and the ties between them, laid out
  by ``networkx.spring_layout`` with a fixed seed (``layout``).

Every SVG has ``role="img"``, an ``aria-label``, a ``<title>`` and a
``viewBox`` with ``width="100%"`` so it scales with its container (cap its
size in CSS: the tile map is tall and narrow).  With nothing to draw, each
returns a small fixed-width SVG holding the caller's ``empty`` text.  Each bar, tile, span and node
has its own ``<title>`` (the browser's tooltip) and, when the caller gives a
link, an ``<a href>``.

Everything that comes from data (labels, names, links, kinds) goes through
``markupsafe.escape``; links whose scheme is not http(s) or mailto are
dropped, since escaping alone would let ``javascript:`` through.

Elements carry CSS classes (``bar``, ``tile q0``..``q4``, ``span``,
``node organization``, ``edge visit``...) for the site's stylesheet.  Colours
are also given as presentation attributes (``fill="..."``), which any CSS rule
overrides, so a chart saved on its own still looks right.

Same input, same bytes: nothing here reads the clock or depends on set order,
and coordinates are rounded to 0.1 px.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from importlib import resources

import networkx as nx
from markupsafe import escape

from hoptac.text.dates import in_range

__all__ = ["bar_chart", "layout", "network", "program_timeline", "tile_map", "timeline"]

_FONT = 12
_CHAR = 7  # approximate width of one character at _FONT px, to size label columns
_INK = "#1f2937"
_MUTED = "#6b7280"
_RULE = "#d1d5db"
_BAR_FILL = "#3b6ea5"


# --------------------------------------------------------------------------- common


def _e(value: object) -> str:
    return str(escape(value))


def _n(x: float) -> str:
    """A coordinate, rounded so output does not vary with float noise."""
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _safe_href(href: str | None) -> str | None:
    """The link, or None when its scheme could run script.

    Browsers ignore tabs and newlines inside a scheme ("java\\tscript:"), so
    the scheme is read with them removed.
    """
    if not href:
        return None
    m = _SCHEME.match(_CONTROL.sub("", str(href)))
    if m and m.group(1).lower() not in ("http", "https", "mailto"):
        return None
    return str(href).strip()


def _linked(href: str | None, inner: str) -> str:
    href = _safe_href(href)
    return f'<a href="{_e(href)}">{inner}</a>' if href else inner


def _token(kind: object) -> str:
    """A kind as one CSS class name: data must not add classes of its own."""
    return re.sub(r"[^a-z0-9_-]+", "-", str(kind or "").lower()).strip("-") or "other"


def _svg(kind: str, width: float, height: float, title: str, body: Iterable[str], size: str = "100%") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{size}" role="img" aria-label="{_e(title)}" '
        f'font-family="system-ui, sans-serif" font-size="{_FONT}" fill="{_INK}">'
        f"<title>{_e(title)}</title>" + "".join(body) + "</svg>"
    )


def _empty(kind: str, title: str, text: str) -> str:
    body = f'<text class="empty" x="150" y="20" text-anchor="middle" dy=".35em" fill="{_MUTED}">{_e(text)}</text>'
    # A fixed width: at 100% of a page the message would be set in huge type.
    return _svg(kind, 300, 40, title, [body], size="300")


# --------------------------------------------------------------------------- bars


def bar_chart(
    items: list[tuple[str, int, str | None]],
    *,
    title: str,
    horizontal: bool = True,
    max_bars: int = 20,
    empty: str = "—",
) -> str:
    """Bars in the order given: (label, count, link or None) each."""
    items = [(str(label), max(int(count or 0), 0), link) for label, count, link in list(items)[:max_bars]]
    if not items:
        return _empty("bar", title, empty)
    top = max(count for _, count, _ in items) or 1
    draw = _horizontal_bars if horizontal else _vertical_bars
    return draw(items, top, title)


def _bar(label: str, count: int, link: str | None, parts: str) -> str:
    return _linked(link, f'<g class="bar"><title>{_e(label)}: {count}</title>{parts}</g>')


def _horizontal_bars(items: list[tuple[str, int, str | None]], top: int, title: str) -> str:
    width, row, thick, pad = 600, 22, 16, 6
    label_w = min(max(len(label) for label, _, _ in items), 30) * _CHAR + 10
    plot_w = width - label_w - 50  # room for the value after the longest bar
    rows = []
    for i, (label, count, link) in enumerate(items):
        y = pad + i * row
        w = count / top * plot_w
        parts = (
            f'<text class="bar-label" x="{_n(label_w - 6)}" y="{_n(y + thick / 2)}" text-anchor="end" '
            f'dy=".35em">{_e(_clip(label, 30))}</text>'
            f'<rect class="bar-rect" x="{_n(label_w)}" y="{_n(y)}" width="{_n(w)}" height="{thick}" fill="{_BAR_FILL}"/>'
            f'<text class="bar-value" x="{_n(label_w + w + 4)}" y="{_n(y + thick / 2)}" '
            f'dy=".35em">{count}</text>'
        )
        rows.append(_bar(label, count, link, parts))
    return _svg("bar", width, 2 * pad + len(items) * row - (row - thick), title, rows)


def _vertical_bars(items: list[tuple[str, int, str | None]], top: int, title: str) -> str:
    height, pad, base = 240, 10, 212  # base: the bars' bottom; labels below
    # Wider than 600 rather than crowd the labels: a year needs about 36 px.
    slot = max((600 - 2 * pad) / len(items), 36)
    width = 2 * pad + slot * len(items)
    bar_w = min(slot * 0.7, 48)
    plot_h = base - 24  # room for the value above the tallest bar
    chars = max(int(slot / _CHAR), 2)
    cols = [f'<line class="axis" x1="{pad}" y1="{base}" x2="{_n(width - pad)}" y2="{base}" stroke="{_RULE}"/>']
    for i, (label, count, link) in enumerate(items):
        mid = pad + (i + 0.5) * slot
        h = count / top * plot_h
        parts = (
            f'<rect class="bar-rect" x="{_n(mid - bar_w / 2)}" y="{_n(base - h)}" width="{_n(bar_w)}" '
            f'height="{_n(h)}" fill="{_BAR_FILL}"/>'
            f'<text class="bar-value" x="{_n(mid)}" y="{_n(base - h - 4)}" text-anchor="middle">{count}</text>'
            f'<text class="bar-label" x="{_n(mid)}" y="{base + 16}" text-anchor="middle">{_e(_clip(label, chars))}</text>'
        )
        cols.append(_bar(label, count, link, parts))
    return _svg("bar chart-bar-vertical", width, height, title, cols)


# --------------------------------------------------------------------------- tile map

_TILE, _STEP, _MARGIN = 40, 44, 8
# Sequential blues, pale grey for none; the darker two need light text.
_SHADES = ("#e5e7eb", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
_TILE_INK = (_INK, _INK, _INK, "#ffffff", "#ffffff")


@cache
def _tilemap() -> dict:
    return json.loads((resources.files("hoptac") / "data" / "tilemap.json").read_text("utf-8"))


def _tiles(era: str) -> dict[str, dict]:
    if era not in ("legacy", "current"):
        raise ValueError(f'era must be "legacy" or "current", not {era!r}')
    return _tilemap()[era]


def _grade(count: int, top: int) -> int:
    """0 for none, else 1-4 on a log scale: Hà Nội and HCM would otherwise leave everyone else pale."""
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * math.log1p(count) / math.log1p(top))))


def tile_map(
    counts: dict[str, int],
    *,
    era: str,
    links: dict[str, str] | None = None,
    title: str,
    legend: tuple[str, str] = ("0", "max"),
) -> str:
    """Vietnam's provinces as a grid of tiles, shaded by count.

    ``counts`` and ``links`` are keyed by the ``name`` of provinces.json; names
    that are not units of ``era`` are ignored.
    """
    tiles = _tiles(era)
    links = links or {}
    top = max((_count(counts, name) for name in tiles), default=0)
    body = [
        _tile(name, spot, _count(counts, name), top, links.get(name))
        for name, spot in sorted(tiles.items(), key=lambda kv: (kv[1]["row"], kv[1]["col"]))
    ]
    width = max(t["col"] for t in tiles.values()) * _STEP + _TILE + 2 * _MARGIN
    grid_h = max(t["row"] for t in tiles.values()) * _STEP + _TILE + 2 * _MARGIN
    body.append(_legend(legend, width, grid_h))
    return _svg(f"tilemap chart-tilemap-{era}", width, grid_h + 28, title, body)


def _count(counts: dict[str, int], name: str) -> int:
    return max(int(counts.get(name) or 0), 0)


def _tile(name: str, spot: dict, count: int, top: int, link: str | None) -> str:
    q = _grade(count, top)
    x, y = _MARGIN + spot["col"] * _STEP, _MARGIN + spot["row"] * _STEP
    inner = (
        f'<g class="tile q{q}" data-name="{_e(name)}" data-count="{count}">'
        f"<title>{_e(name)}: {count}</title>"
        f'<rect x="{x}" y="{y}" width="{_TILE}" height="{_TILE}" rx="4" fill="{_SHADES[q]}"/>'
        f'<text x="{x + _TILE // 2}" y="{y + _TILE // 2}" text-anchor="middle" dy=".35em" '
        f'font-size="11" fill="{_TILE_INK[q]}">{_e(spot["abbr"])}</text></g>'
    )
    return _linked(link, inner)


def _legend(labels: tuple[str, str], width: float, top: float) -> str:
    low, high = labels
    swatch, gap = 14, 2
    ramp_w = 5 * (swatch + gap) - gap
    x0 = (width - ramp_w) / 2
    cells = "".join(
        f'<rect class="q{q}" x="{_n(x0 + q * (swatch + gap))}" y="{_n(top)}" width="{swatch}" height="{swatch}" fill="{_SHADES[q]}"/>'
        for q in range(5)
    )
    mid = top + swatch / 2
    return (
        f'<g class="legend">{cells}'
        f'<text x="{_n(x0 - 4)}" y="{_n(mid)}" text-anchor="end" dy=".35em" font-size="11">{_e(low)}</text>'
        f'<text x="{_n(x0 + ramp_w + 4)}" y="{_n(mid)}" dy=".35em" font-size="11">{_e(high)}</text></g>'
    )


# --------------------------------------------------------------------------- timeline

_DAY = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def _day(text: object) -> date | None:
    """A date from ISO text; a year or a year-month alone stands for its first day. A day
    outside what the store can mean (``in_range``) is not drawn: one stored deadline in year
    9999 would stretch an axis over eight thousand years."""
    m = _DAY.match(str(text)) if text else None
    if not m:
        return None
    try:
        day = date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None
    return day if in_range(day) else None


def _dated(span: dict) -> dict | None:
    """The span with parsed dates, or None when it has no date at all."""
    event = span.get("kind") == "event"
    raw_start = (span.get("date") or span.get("start")) if event else span.get("start")
    start = _day(raw_start)
    end = None if event else _day(span.get("end"))
    # No usable end ("nay", missing): the position is held still, as far as we know.
    open_ = not event and start is not None and end is None
    if start is None:
        if end is None:
            return None
        start, raw_start = end, span.get("end")  # only the end is known: a point
    raw_end = span.get("end") if end else None
    if end and end < start:
        start, end, raw_start, raw_end = end, start, raw_end, raw_start
    return {
        "label": str(span.get("label") or ""),
        "start": start,
        "end": end or start,
        "open": open_,
        "event": event,
        "link": span.get("link"),
        "when": _when(raw_start, raw_end, open_, start == (end or start)),
    }


def _when(raw_start: object, raw_end: object, open_: bool, point: bool) -> str:
    if open_:
        return f"{raw_start} – …"
    return str(raw_start) if point or raw_end is None else f"{raw_start} – {raw_end}"


def _year_step(years: int) -> int:
    return next(step for step in (1, 2, 5, 10, 20, 50, 100) if years / step <= 12 or step == 100)


def timeline(
    spans: list[dict],
    *,
    title: str,
    today: str | None = None,
    empty: str = "—",
    events_label: str = "•",
) -> str:
    """A person's positions over time, one lane per distinct label.

    A span without an end is open: it runs to ``today`` when given, else to
    the latest date on the chart (nothing here reads the clock).  Spans with
    ``kind == "event"`` are markers on one lane of their own, at ``date`` or
    ``start``.
    """
    items = [d for d in (_dated(s) for s in spans) if d]
    if not items:
        return _empty("timeline", title, empty)
    lo = min(d["start"] for d in items)
    hi = max([d["end"] for d in items] + [t for t in [_day(today)] if t])
    first, last = lo.year, hi.year + 1
    for d in items:
        if d["open"]:
            d["end"] = hi
    lanes = _lanes(items, events_label)

    width, label_w, pad, lane_h = 900, 240, 20, 26
    axis_y = pad + len(lanes) * lane_h
    span_days = (date(last, 1, 1) - date(first, 1, 1)).days

    def x(day: date) -> float:
        return label_w + (day - date(first, 1, 1)).days / span_days * (width - label_w - pad)

    body = _year_ticks(first, last, x, pad, axis_y)
    for i, (name, members) in enumerate(lanes):
        mid = pad + i * lane_h + lane_h / 2
        body.append(
            f'<g class="lane"><title>{_e(name)}</title><text class="lane-label" x="{label_w - 8}" y="{_n(mid)}" '
            f'text-anchor="end" dy=".35em">{_e(_clip(name, 34))}</text></g>'
        )
        body.extend(_mark(d, x, mid) for d in members)
    return _svg("timeline", width, axis_y + 24, title, body)


def _lanes(items: list[dict], events_label: str) -> list[tuple[str, list[dict]]]:
    """Positions by label, earliest first; events last, on one lane."""
    by_label: dict[str, list[dict]] = {}
    for d in sorted((d for d in items if not d["event"]), key=lambda d: d["start"]):
        by_label.setdefault(d["label"], []).append(d)
    lanes = list(by_label.items())
    events = [d for d in items if d["event"]]
    return lanes + ([(events_label, events)] if events else [])


def _year_ticks(first: int, last: int, x: Callable[[date], float], top: float, axis_y: float) -> list[str]:
    step = _year_step(last - first)
    out = [f'<line class="axis" x1="{_n(x(date(first, 1, 1)))}" y1="{_n(axis_y)}" x2="{_n(x(date(last, 1, 1)))}" y2="{_n(axis_y)}" stroke="{_MUTED}"/>']
    for year in range(math.ceil(first / step) * step, last + 1, step):
        tx = _n(x(date(year, 1, 1)))
        out.append(
            f'<g class="tick" data-year="{year}"><line x1="{tx}" y1="{_n(top)}" x2="{tx}" y2="{_n(axis_y)}" stroke="{_RULE}"/>'
            f'<text x="{tx}" y="{_n(axis_y + 16)}" text-anchor="middle" font-size="11">{year}</text></g>'
        )
    return out


def _mark(d: dict, x: Callable[[date], float], mid: float) -> str:
    x0, x1 = x(d["start"]), x(d["end"])
    tip = f"<title>{_e(d['label'])}: {_e(d['when'])}</title>"
    if d["event"]:
        shape = f'<g class="event">{tip}<circle cx="{_n(x0)}" cy="{_n(mid)}" r="5" fill="#b45309"/></g>'
    elif x1 - x0 < 1:
        # A dated mention rather than a term of office: a diamond, not a bar.
        path = f"M{_n(x0)},{_n(mid - 7)} L{_n(x0 + 7)},{_n(mid)} L{_n(x0)},{_n(mid + 7)} L{_n(x0 - 7)},{_n(mid)} Z"
        shape = f'<g class="span point{" open" if d["open"] else ""}">{tip}<path d="{path}" fill="{_BAR_FILL}"/></g>'
    else:
        opacity = ' fill-opacity="0.55"' if d["open"] else ""
        shape = (
            f'<g class="span{" open" if d["open"] else ""}">{tip}<rect x="{_n(x0)}" y="{_n(mid - 7)}" '
            f'width="{_n(x1 - x0)}" height="14" rx="3" fill="{_BAR_FILL}"{opacity}/></g>'
        )
    return _linked(d["link"], shape)


# --------------------------------------------------------------------------- a program's life

# Fills by what a mark stands for: an article's role in the program, a milestone, a commitment's state.
_LIFE_FILL = {
    "period": "#b2ccff",
    "signing": "#039855", "action_plan": "#7a5af8", "review_interim": "#f79009", "review_final": "#c4320a",
    "visit": "#1570ef", "task": "#0e9384", "response": "#dd2590", "mention": "#98a2b3",
    "action_plan_due": "#7a5af8", "interim_review_due": "#f79009", "period_end": "#475467", "final_review_due": "#c4320a",
    "open": "#98a2b3", "overdue": "#d92d20", "followed_up": "#1570ef", "fulfilled": "#039855", "dropped": "#667085",
}
_TODAY = "#b42318"
_NUDGE = (0, -8, 8, -4, 4)  # marks on the same day in one lane, spread up and down so that each can be hovered


def program_timeline(
    lanes: list[tuple[str, str, list[dict]]],
    *,
    title: str,
    today: str | None = None,
    today_label: str = "",
    legend: Iterable[tuple[str, str, str]] = (),
    empty: str = "—",
) -> str:
    """A program's life on one time axis, one lane per ``(label, shape, items)``, top to bottom.

    An item is ``{"start", "end", "kind", "label", "link"}``. One whose ``end`` is after its
    ``start`` is a bar (the program's period); any other is a mark of its lane's shape (``dot``,
    ``diamond`` or ``flag``), filled by its ``kind`` (an article's role, a milestone, a
    commitment's state) and classed ``mark KIND``. ``today`` is the day the program is judged
    by, drawn as a line across the lanes; ``legend`` is ``(kind, text, shape)`` for the key below.
    """
    rows = [(label, shape, [d for d in map(_life_item, items) if d]) for label, shape, items in lanes]
    rows = [row for row in rows if row[2]]
    day = _day(today)
    if not rows:
        return _empty("program", title, empty)
    days = [x for _, _, items in rows for d in items for x in (d["start"], d["end"])] + ([day] if day else [])
    first, last = min(days).year, max(days).year + 1
    width, label_w, top, lane_h = 900, 170, 26, 30
    axis_y = top + len(rows) * lane_h
    span_days = (date(last, 1, 1) - date(first, 1, 1)).days

    def x(d: date) -> float:
        return label_w + (d - date(first, 1, 1)).days / span_days * (width - label_w - 20)

    body = _year_ticks(first, last, x, top, axis_y)
    for i, (label, shape, items) in enumerate(rows):
        mid = top + i * lane_h + lane_h / 2
        body.append(
            f'<g class="lane"><title>{_e(label)}</title><text class="lane-label" x="{label_w - 8}" y="{_n(mid)}" '
            f'text-anchor="end" dy=".35em">{_e(_clip(label, 24))}</text></g>'
        )
        body.extend(_life_lane(items, shape, x, mid))
    if day:
        body.append(_today_line(x(day), top, axis_y, today_label or str(today), width))
    key_h, key = _life_key(list(legend), width, axis_y + 36)
    return _svg("program", width, axis_y + 26 + key_h, title, body + key)


def _life_item(item: dict) -> dict | None:
    start = _day(item.get("start"))
    if start is None:
        return None
    end = _day(item.get("end")) or start
    return {"start": min(start, end), "end": max(start, end), "kind": _token(item.get("kind")),
            "label": str(item.get("label") or ""), "link": item.get("link")}


def _life_lane(items: list[dict], shape: str, x: Callable[[date], float], mid: float) -> list[str]:
    """Bars first, marks over them; marks that would hide each other are spread."""
    out, seen = [], {}
    for d in sorted(items, key=lambda d: d["end"] == d["start"]):
        tip = f"<title>{_e(d['label'])}</title>"
        fill = _LIFE_FILL.get(d["kind"], _MUTED)
        x0 = x(d["start"])
        if d["end"] > d["start"]:
            inner = (f'<g class="bar {d["kind"]}">{tip}<rect x="{_n(x0)}" y="{_n(mid - 8)}" width="{_n(x(d["end"]) - x0)}" '
                     f'height="16" rx="3" fill="{fill}"/></g>')
        else:
            n = seen[round(x0 / 8)] = seen.get(round(x0 / 8), -1) + 1
            inner = f'<g class="mark {d["kind"]}">{tip}{_shape(shape, x0, mid + _NUDGE[n % len(_NUDGE)], fill)}</g>'
        out.append(_linked(d["link"], inner))
    return out


def _shape(shape: str, cx: float, cy: float, fill: str) -> str:
    if shape == "bar":
        return f'<rect x="{_n(cx - 8)}" y="{_n(cy - 5)}" width="16" height="10" rx="2" fill="{fill}"/>'
    if shape == "diamond":
        return (f'<path d="M{_n(cx)},{_n(cy - 7)} L{_n(cx + 7)},{_n(cy)} L{_n(cx)},{_n(cy + 7)} L{_n(cx - 7)},{_n(cy)} Z" '
                f'fill="{fill}" stroke="#ffffff"/>')
    if shape == "flag":  # a pole with its pennant: a deadline
        return (f'<path d="M{_n(cx)},{_n(cy + 9)} L{_n(cx)},{_n(cy - 9)} L{_n(cx + 10)},{_n(cy - 5)} L{_n(cx)},{_n(cy - 1)}" '
                f'fill="{fill}" stroke="{fill}" stroke-width="1.5"/>')
    return f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="6" fill="{fill}" stroke="#ffffff" stroke-width="1.5"/>'


def _today_line(x0: float, top: float, bottom: float, label: str, width: float) -> str:
    right = x0 > width - 160  # the label goes to the side with room for it
    return (
        f'<g class="today"><title>{_e(label)}</title>'
        f'<line x1="{_n(x0)}" y1="{_n(top - 6)}" x2="{_n(x0)}" y2="{_n(bottom)}" stroke="{_TODAY}" stroke-width="2" stroke-dasharray="5 3"/>'
        f'<text x="{_n(x0 - 4 if right else x0 + 4)}" y="{_n(top - 10)}" text-anchor="{"end" if right else "start"}" '
        f'font-size="11" fill="{_TODAY}">{_e(label)}</text></g>'
    )


def _life_key(entries: list[tuple[str, str, str]], width: float, top: float) -> tuple[float, list[str]]:
    """The key, in rows as wide as the picture; its height and its elements."""
    out, x, y = [], 10.0, top
    for kind, text, shape in entries:
        step = 30 + len(text) * _CHAR
        if x > 10 and x + step > width - 10:
            x, y = 10.0, y + 20
        out.append(f'<g class="life-key {_token(kind)}">{_shape(shape, x + 8, y, _LIFE_FILL.get(_token(kind), _MUTED))}'
                   f'<text x="{_n(x + 22)}" y="{_n(y)}" dy=".35em" font-size="11">{_e(text)}</text></g>')
        x += step
    return (y - top + 24 if out else 0), out


# --------------------------------------------------------------------------- network

# networkx's spring_layout needs scipy from 500 nodes on, and scipy is not a dependency.
_LAYOUT_LIMIT = 499
_KIND_FILL = {"organization": "#2b6cb0", "person": "#dd6b20"}
_OTHER_FILL = "#718096"
_LABELLED = 40  # nodes whose label shows without hovering; the rest only on hover


def _unique(nodes: list[dict]) -> list[dict]:
    seen: dict[int, dict] = {}
    for node in nodes:
        seen.setdefault(int(node["id"]), node)
    return [seen[k] for k in sorted(seen)]


def _weight(item: dict) -> int:
    return max(int(item.get("weight") or 0), 0)


def _kept(nodes: list[dict], max_nodes: int, center: int | None) -> list[dict]:
    """The heaviest nodes, the centre always among them; ties go to the lower id."""
    ranked = sorted(nodes, key=lambda n: (int(n["id"]) != center, -_weight(n), int(n["id"])))
    return sorted(ranked[: max(min(max_nodes, _LAYOUT_LIMIT), 1)], key=lambda n: int(n["id"]))


def _pairs(edges: list[dict], ids: set[int]) -> list[dict]:
    """Edges between kept nodes, in a fixed order whatever order they came in."""
    kept = [e for e in edges if int(e["source"]) in ids and int(e["target"]) in ids and int(e["source"]) != int(e["target"])]
    return sorted(kept, key=lambda e: (int(e["source"]), int(e["target"]), str(e.get("kind") or ""), str(e.get("label") or "")))


def layout(
    nodes: list[dict],
    edges: list[dict],
    seed: int = 7,
    max_nodes: int = 150,
    center: int | None = None,
) -> dict[int, tuple[float, float]]:
    """Spring-layout positions (about -1..1) of the nodes kept: at most ``max_nodes``, heaviest first."""
    kept = _kept(_unique(nodes), max_nodes, center)
    ids = {int(n["id"]) for n in kept}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(ids))
    graph.add_edges_from((int(e["source"]), int(e["target"])) for e in _pairs(edges, ids))
    if not graph:
        return {}
    return _packed([graph.subgraph(c) for c in sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))], seed)


def _packed(components: list, seed: int) -> dict[int, tuple[float, float]]:
    """Each connected part laid out on its own, in a square cell sized to it, cells in rows.

    One spring layout of the whole graph pushes unconnected parts to the picture's edges
    and leaves its middle empty; packing keeps every part readable.
    """
    sides = [math.sqrt(len(c)) for c in components]
    row_width = max(max(sides), math.sqrt(sum(s * s for s in sides)) * 1.6)  # a picture wider than tall
    # At most four small parts to a row: their labels need the width.
    sides = [max(side, row_width / 4) for side in sides]
    pos: dict[int, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for component, side in zip(components, sides):
        if x and x + side > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        members = sorted(component)
        if len(members) <= 2:  # one above the other, so that both labels fit in the cell
            spring = {node: (0.0, 0.0 if len(members) == 1 else (-0.4, 0.4)[i]) for i, node in enumerate(members)}
        else:  # twice networkx's default spacing (k = 1/sqrt(n)): the labels need the room
            spring = nx.spring_layout(component, k=2 / math.sqrt(len(component)), seed=seed)
        for node, (px, py) in sorted(spring.items()):
            # Nodes in the left part of their cell: labels are written to the right of them.
            pos[int(node)] = (x + side * (0.35 + 0.25 * float(px)), y + side * (0.5 + 0.4 * float(py)))
        x, row_height = x + side, max(row_height, side)
    return pos


def _fit(pos: dict[int, tuple[float, float]], width: int, height: int, margin: float) -> dict[int, tuple[float, float]]:
    """Stretch the layout to fill the picture; a lone node goes in the middle."""
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]

    def scale(v: float, lo: float, hi: float, size: int) -> float:
        return size / 2 if hi - lo < 1e-9 else margin + (v - lo) / (hi - lo) * (size - 2 * margin)

    return {k: (scale(x, min(xs), max(xs), width), scale(y, min(ys), max(ys), height)) for k, (x, y) in pos.items()}


def network(
    nodes: list[dict],
    edges: list[dict],
    *,
    title: str,
    center: int | None = None,
    width: int = 900,
    height: int = 600,
    seed: int = 7,
    max_nodes: int = 150,
    empty: str = "—",
    omitted: str = "+{n}",
) -> str:
    """Organizations, people and their ties.

    Only the ``max_nodes`` heaviest nodes are drawn (``center`` always); when
    some are left out, ``omitted`` with ``{n}`` replaced by their number is
    printed below the picture.  Nodes are ``<g class="node KIND" data-id>``, edges
    ``<line class="edge KIND" data-source data-target>``, all inside
    ``<g class="viewport">`` for a page script to highlight and pan/zoom.
    """
    nodes = _unique(nodes)
    if not nodes:
        return _empty("network", title, empty)
    raw = layout(nodes, edges, seed=seed, max_nodes=max_nodes, center=center)
    if _parts(raw, edges) > 1:
        height = _height_for(raw, width, height)
    pos = _fit(raw, width, height, 24)
    kept = [n for n in nodes if int(n["id"]) in pos]
    by_id = {int(n["id"]): n for n in kept}
    top = max((_weight(n) for n in kept), default=0) or 1
    labelled = {int(n["id"]) for n in sorted(kept, key=lambda n: (-_weight(n), int(n["id"])))[:_LABELLED]} | {center}

    lines = [_edge(e, pos, by_id) for e in _pairs(edges, set(by_id))]
    # Heavier nodes drawn last, so on top; the centre above all.
    order = sorted(kept, key=lambda n: (int(n["id"]) == center, _weight(n), int(n["id"])))
    circles = [_node(n, pos, top, width, int(n["id"]) == center, int(n["id"]) in labelled) for n in order]
    body = [f'<g class="viewport"><g class="edges">{"".join(lines)}</g><g class="nodes">{"".join(circles)}</g></g>']
    left_out = len(nodes) - len(kept)
    if left_out:
        # Below the picture, where no node can cover it.
        note = omitted.replace("{n}", str(left_out))
        body.append(f'<text class="note" x="8" y="{height + 14}" fill="{_MUTED}">{_e(note)}</text>')
    return _svg("network", width, height + (22 if left_out else 0), title, body)


def _parts(pos: dict[int, tuple[float, float]], edges: list[dict]) -> int:
    graph = nx.Graph()
    graph.add_nodes_from(pos)
    graph.add_edges_from((int(e["source"]), int(e["target"])) for e in _pairs(edges, set(pos)))
    return nx.number_connected_components(graph)


def _height_for(pos: dict[int, tuple[float, float]], width: int, height: int) -> int:
    """Taller than ``height`` (up to 2.5 times) when the packed parts need more rows."""
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    if span_x < 1e-9:
        return height
    return int(min(max(height, width * span_y / span_x), 2.5 * height))


def _edge(e: dict, pos: dict, by_id: dict) -> str:
    s, t = int(e["source"]), int(e["target"])
    (x1, y1), (x2, y2) = pos[s], pos[t]
    w = _weight(e)
    stroke = 1 + min(3.0, math.log2(w)) if w > 1 else 1
    what = e.get("label") or e.get("kind") or ""
    tip = f"{by_id[s].get('label') or ''} — {by_id[t].get('label') or ''}" + (f": {what}" if what else "")
    return (
        f'<line class="edge {_token(e.get("kind"))}" data-source="{s}" data-target="{t}" '
        f'x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="#9ca3af" stroke-width="{_n(stroke)}">'
        f"<title>{_e(tip)}</title></line>"
    )


def _node(n: dict, pos: dict, top: int, width: int, is_center: bool, labelled: bool) -> str:
    nid, kind = int(n["id"]), _token(n.get("kind"))
    x, y = pos[nid]
    r = 4 + 14 * math.sqrt(_weight(n) / top) + (4 if is_center else 0)
    label = str(n.get("label") or "")
    # Labels point away from the nearer side edge so they are not cut off.
    right = x < width / 2
    tx = x + r + 3 if right else x - r - 3
    hidden = "" if labelled else ' display="none"'
    classes = f"node {kind}" + (" center" if is_center else "")
    inner = (
        f'<g class="{classes}" data-id="{nid}"><title>{_e(label)}</title>'
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{_KIND_FILL.get(kind, _OTHER_FILL)}" '
        f'stroke="{"#111827" if is_center else "#ffffff"}" stroke-width="{3 if is_center else 1}"/>'
        f'<text class="label{"" if labelled else " minor"}" x="{_n(tx)}" y="{_n(y)}" '
        f'text-anchor="{"start" if right else "end"}" dy=".35em" font-size="11"{hidden}>'
        f"{_e(_clip(label, 32))}</text></g>"
    )
    return _linked(n.get("link"), inner)


# --------------------------------------------------------------------------- follow-up reports
# Two pictures of hoptac.track.report: follow-up rates by province, and programs by period.

_FR_REFERENCE = _MUTED  # the national figure's bar, beside the provinces' blue
_PT_SIGNING = "#b45309"  # as the events of ``timeline``
_PT_PLAN = "#7c3aed"
_PT_REVIEW = "#15803d"
_PT_OTHER = "#f59e0b"
_PT_AS_OF = "#b42318"


def followup_rates(items: list[dict], *, title: str, empty: str = "—", max_bars: int = 40) -> str:
    """Rates as bars on a 0–100 % scale, in the order given.

    Each item: ``label``, ``numerator``, ``denominator`` (a bar of ``numerator /
    denominator``; none, and a dash, when the denominator is 0), ``reference``
    (drawn grey: the national figure a province is set against) and ``link``.
    """
    items = list(items)[:max_bars]
    if not items:
        return _empty("rates", title, empty)
    width, row, thick, top = 600, 22, 16, 22
    label_w = min(max(len(str(i.get("label") or "")) for i in items), 30) * _CHAR + 10
    plot_w = width - label_w - 96  # room for "100% (12/12)" after a full bar
    body = []
    for pct in (0, 25, 50, 75, 100):
        x = label_w + pct / 100 * plot_w
        body.append(
            f'<g class="grid"><line x1="{_n(x)}" y1="{top - 4}" x2="{_n(x)}" y2="{_n(top + len(items) * row - (row - thick))}" '
            f'stroke="{_RULE}"/><text x="{_n(x)}" y="{top - 8}" text-anchor="middle" font-size="10" fill="{_MUTED}">{pct}%</text></g>'
        )
    for i, item in enumerate(items):
        label = str(item.get("label") or "")
        num, den = max(int(item.get("numerator") or 0), 0), max(int(item.get("denominator") or 0), 0)
        y = top + i * row
        rate = min(num / den, 1.0) if den else None
        value = f"{round(rate * 100)}% ({num}/{den})" if rate is not None else "—"
        fill = _FR_REFERENCE if item.get("reference") else _BAR_FILL
        w = (rate or 0) * plot_w
        bar = (f'<rect class="bar-rect" x="{_n(label_w)}" y="{_n(y)}" width="{_n(w)}" height="{thick}" fill="{fill}"/>'
               if rate is not None else "")
        weight = ' font-weight="bold"' if item.get("reference") else ""
        parts = (
            f'<text class="bar-label" x="{_n(label_w - 6)}" y="{_n(y + thick / 2)}" text-anchor="end" dy=".35em"{weight}>'
            f"{_e(_clip(label, 30))}</text>{bar}"
            f'<text class="bar-value" x="{_n(label_w + w + 4)}" y="{_n(y + thick / 2)}" dy=".35em">{_e(value)}</text>'
        )
        kind = "bar rate reference" if item.get("reference") else "bar rate"
        body.append(_linked(item.get("link"), f'<g class="{kind}"><title>{_e(label)}: {_e(value)}</title>{parts}</g>'))
    return _svg("rates", width, top + len(items) * row - (row - thick) + 6, title, body)


_PT_WORDS = {"signing": "signing", "action_plan": "action plan", "review_interim": "interim review",
             "review_final": "final review", "other": "visit, task, response", "as_of": "as of", "period": "period"}


def programs_timeline(
    programs: list[dict],
    *,
    title: str,
    as_of: str | None = None,
    empty: str = "—",
    labels: dict[str, str] | None = None,
    max_rows: int = 40,
    more: str = "+{n}",
) -> str:
    """Programs by period, one lane each, in the order given.

    Each program: ``label``, ``start`` and ``end`` (ISO dates of its period, or
    none), ``signed`` (a diamond), ``marks`` (``{"kind", "date"}``: an action
    plan is a triangle, a review a circle — hollow for an interim one — and any
    other follow-up a small square) and ``link``.  ``as_of`` is a dashed line.
    ``labels`` words the legend (keys as ``_PT_WORDS``); beyond ``max_rows``
    programs, ``more`` (``{n}`` the number left out) is printed below.
    """
    words = {**_PT_WORDS, **(labels or {})}
    rows = []
    for p in programs:
        start, end, signed = _day(p.get("start")), _day(p.get("end")), _day(p.get("signed"))
        if start and end and end < start:
            start, end = end, start
        marks = [(str(m.get("kind") or "other"), d) for m in p.get("marks") or [] if (d := _day(m.get("date")))]
        days = [d for d in (start, end, signed, *(d for _, d in marks)) if d]
        if days:
            rows.append({"label": str(p.get("label") or ""), "start": start, "end": end, "signed": signed, "marks": marks,
                         "link": p.get("link"), "days": days})
    if not rows:
        return _empty("programs-timeline", title, empty)
    left_out = max(len(rows) - max_rows, 0)
    rows = rows[:max_rows]
    today = _day(as_of)
    lo = min(d for r in rows for d in r["days"])
    hi = max([d for r in rows for d in r["days"]] + ([today] if today else []))
    first, last = lo.year, hi.year + 1

    width, label_w, pad, lane_h = 900, 260, 20, 24
    axis_y = pad + len(rows) * lane_h
    total = (date(last, 1, 1) - date(first, 1, 1)).days

    def x(day: date) -> float:
        return label_w + (day - date(first, 1, 1)).days / total * (width - label_w - pad)

    body = _year_ticks(first, last, x, pad, axis_y)
    for i, r in enumerate(rows):
        body.append(_pt_lane(r, x, pad + i * lane_h + lane_h / 2, label_w, words))
    if today:
        tx = _n(x(today))
        body.append(
            f'<g class="as-of"><title>{_e(words["as_of"])}: {_e(today.isoformat())}</title>'
            f'<line x1="{tx}" y1="{_n(pad - 6)}" x2="{tx}" y2="{_n(axis_y)}" stroke="{_PT_AS_OF}" stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{tx}" y="{_n(pad - 9)}" text-anchor="middle" font-size="10" fill="{_PT_AS_OF}">'
            f'{_e(words["as_of"])} {_e(today.isoformat())}</text></g>'
        )
    bottom = axis_y + 30
    body.append(_pt_legend(words, 20, bottom))
    if left_out:
        body.append(f'<text class="note" x="8" y="{bottom + 24}" fill="{_MUTED}">{_e(more.replace("{n}", str(left_out)))}</text>')
    return _svg("programs-timeline", width, bottom + (32 if left_out else 14), title, body)


def _pt_lane(r: dict, x: Callable[[date], float], mid: float, label_w: float, words: dict[str, str]) -> str:
    parts = [f'<text class="lane-label" x="{_n(label_w - 8)}" y="{_n(mid)}" text-anchor="end" dy=".35em">{_e(_clip(r["label"], 38))}</text>']
    if r["start"] and r["end"]:
        when = f'{r["start"].year}–{r["end"].year}' if r["start"].year != r["end"].year else str(r["start"].year)
        parts.append(
            f'<g class="span period"><title>{_e(r["label"])}: {_e(words["period"])} {_e(when)}</title>'
            f'<rect x="{_n(x(r["start"]))}" y="{_n(mid - 6)}" width="{_n(max(x(r["end"]) - x(r["start"]), 2))}" height="12" rx="3" '
            f'fill="{_BAR_FILL}"/></g>'
        )
    if r["signed"]:
        parts.append(_pt_shape("signing", x(r["signed"]), mid, f'{words["signing"]} {r["signed"].isoformat()}'))
    for kind, day in r["marks"]:
        parts.append(_pt_shape(kind, x(day), mid, f'{words.get(kind, kind)} {day.isoformat()}'))
    return _linked(r["link"], f'<g class="lane program"><title>{_e(r["label"])}</title>{"".join(parts)}</g>')


def _pt_shape(kind: str, cx: float, cy: float, tip: str) -> str:
    tip = f"<title>{_e(tip)}</title>"
    if kind == "signing":
        path = f"M{_n(cx)},{_n(cy - 8)} L{_n(cx + 8)},{_n(cy)} L{_n(cx)},{_n(cy + 8)} L{_n(cx - 8)},{_n(cy)} Z"
        return f'<g class="mark signing">{tip}<path d="{path}" fill="{_PT_SIGNING}" stroke="#ffffff" stroke-width="1.5"/></g>'
    if kind == "action_plan":
        path = f"M{_n(cx)},{_n(cy - 8)} L{_n(cx + 7)},{_n(cy + 6)} L{_n(cx - 7)},{_n(cy + 6)} Z"
        return f'<g class="mark action_plan">{tip}<path d="{path}" fill="{_PT_PLAN}" stroke="#ffffff" stroke-width="1.5"/></g>'
    if kind in ("review_interim", "review_final"):
        fill = _PT_REVIEW if kind == "review_final" else "#ffffff"
        return (f'<g class="mark {kind}">{tip}<circle cx="{_n(cx)}" cy="{_n(cy)}" r="6" fill="{fill}" '
                f'stroke="{_PT_REVIEW}" stroke-width="2.5"/></g>')
    return (f'<g class="mark {_token(kind)}">{tip}<rect x="{_n(cx - 4)}" y="{_n(cy - 4)}" width="8" height="8" '
            f'fill="{_PT_OTHER}" stroke="#ffffff" stroke-width="1"/></g>')


def _pt_legend(words: dict[str, str], left: float, y: float) -> str:
    items = [("period", None), ("signing", "signing"), ("action_plan", "action_plan"), ("review_interim", "review_interim"),
             ("review_final", "review_final"), ("other", "visit"), ("as_of", None)]
    out, cx = [], left
    for key, kind in items:
        if key == "period":
            shape = f'<rect x="{_n(cx - 8)}" y="{_n(y - 6)}" width="16" height="12" rx="3" fill="{_BAR_FILL}"/>'
        elif key == "as_of":
            shape = f'<line x1="{_n(cx)}" y1="{_n(y - 8)}" x2="{_n(cx)}" y2="{_n(y + 8)}" stroke="{_PT_AS_OF}" stroke-width="2" stroke-dasharray="5 3"/>'
        else:
            shape = re.sub(r"<title>.*?</title>", "", _pt_shape(kind, cx, y, ""))
        text = words.get(key, key)
        out.append(f'<g class="key">{shape}<text x="{_n(cx + 12)}" y="{_n(y)}" dy=".35em" font-size="11">{_e(text)}</text></g>')
        cx += 12 + len(text) * 6.5 + 26
    return f'<g class="legend">{"".join(out)}</g>'


__all__ += ["followup_rates", "programs_timeline"]
