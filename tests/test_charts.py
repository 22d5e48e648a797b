"""The web pages' SVG pictures: safe with any data, complete, and readable without JavaScript."""

import json
import re
from importlib import resources
from xml.etree import ElementTree as ET

import pytest

from hoptac.web.charts import bar_chart, layout, network, tile_map, timeline

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & "quoted"'
EVIL_LINK = '/p?a=1&b="><script>alert(1)</script>'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def find(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(SVG + tag))


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def units(era: str) -> set[str]:
    data = json.loads((resources.files("hoptac") / "data" / "provinces.json").read_text("utf-8"))
    return {p["name"] for p in data["provinces"] if p[era]}


def tiles(svg: str) -> dict[str, ET.Element]:
    return {g.get("data-name"): g for g in find(parse(svg), "g") if "tile" in classes(g)}


def tilemap_data() -> dict:
    return json.loads((resources.files("hoptac") / "data" / "tilemap.json").read_text("utf-8"))


NODES = [
    {"id": i, "label": f"Org {i}", "kind": "organization" if i % 2 else "person", "link": f"/n/{i}", "weight": i % 7 + 1}
    for i in range(1, 31)
]
EDGES = [{"source": i, "target": (i * 7) % 30 + 1, "kind": "visit", "label": "thăm", "weight": 2} for i in range(1, 31)]

SAMPLES = {
    "bars": lambda: bar_chart([("Hà Nội", 5, "/p/1"), ("Cần Thơ", 2, None)], title="Theo tỉnh"),
    "bars-vertical": lambda: bar_chart([("2020", 5, None), ("2021", 0, None)], title="Theo năm", horizontal=False),
    "bars-empty": lambda: bar_chart([], title="Theo tỉnh", empty="Chưa có"),
    "tilemap-legacy": lambda: tile_map({"Hà Nội": 3}, era="legacy", title="Bản đồ"),
    "tilemap-current": lambda: tile_map({"Huế": 3}, era="current", title="Bản đồ"),
    "timeline": lambda: timeline([{"label": "Giám đốc", "start": "2019-01-01", "end": "2021-06-30"}], title="Công tác"),
    "timeline-empty": lambda: timeline([{"label": "Giám đốc", "start": None, "end": None}], title="Công tác", empty="Không có"),
    "network": lambda: network(NODES, EDGES, title="Mạng lưới", center=3),
    "network-empty": lambda: network([], [], title="Mạng lưới", empty="Không có"),
}


# --------------------------------------------------------------------------- all pictures


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_picture_is_accessible_scalable_xml(name):
    root = parse(SAMPLES[name]())
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.find(SVG + "title").text == root.get("aria-label")
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))


def test_data_is_escaped_everywhere():
    svgs = [
        bar_chart([(EVIL, 3, EVIL_LINK)], title=EVIL),
        bar_chart([(EVIL, 3, EVIL_LINK)], title=EVIL, horizontal=False),
        bar_chart([], title=EVIL, empty=EVIL),
        tile_map({"Hà Nội": 1}, era="legacy", links={"Hà Nội": EVIL_LINK}, title=EVIL, legend=(EVIL, EVIL)),
        timeline([{"label": EVIL, "start": "2020-01-01", "end": "2021-01-01", "link": EVIL_LINK}], title=EVIL),
        timeline([{"label": EVIL, "kind": "event", "date": "2020-05-05"}], title=EVIL, events_label=EVIL),
        network(
            [{"id": 1, "label": EVIL, "kind": EVIL, "link": EVIL_LINK, "weight": 1}, {"id": 2, "label": "b", "kind": "person", "weight": 1}],
            [{"source": 1, "target": 2, "kind": EVIL, "label": EVIL, "weight": 1}],
            title=EVIL,
            max_nodes=1,
            omitted=EVIL + " {n}",
        ),
    ]
    for svg in svgs:
        assert "<script" not in svg
        assert "&lt;script&gt;" in svg
        root = parse(svg)  # an unescaped quote would break the XML
        assert root.get("aria-label") == EVIL
        for el in root.iter():
            assert "script" not in el.tag
            assert "onclick" not in el.attrib


def test_data_cannot_add_css_classes():
    svg = network([{"id": 1, "label": "a", "kind": 'person" onload="x', "weight": 1}], [], title="t")
    node = next(g for g in find(parse(svg), "g") if "node" in classes(g))
    assert classes(node) <= {"node", "person-onload-x"}


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,<b>"])
def test_links_that_could_run_script_are_dropped(href):
    svg = bar_chart([("Hà Nội", 1, href)], title="t")
    assert not find(parse(svg), "a")


@pytest.mark.parametrize("href", ["/province/Hà Nội", "https://example.org/a?b=1&c=2", "?page=2", "#top"])
def test_ordinary_links_are_kept(href):
    (a,) = find(parse(bar_chart([("Hà Nội", 1, href)], title="t")), "a")
    assert a.get("href") == href


# --------------------------------------------------------------------------- bars


def test_bars_keep_order_link_tooltip_and_value():
    items = [("Hà Nội", 12, "/p/hn"), ("Bà Rịa - Vũng Tàu", 3, None), ("Cần Thơ", 7, "/p/ct")]
    for horizontal in (True, False):
        root = parse(bar_chart(items, title="t", horizontal=horizontal))
        bars = [g for g in find(root, "g") if "bar" in classes(g)]
        assert [g.find(SVG + "title").text for g in bars] == ["Hà Nội: 12", "Bà Rịa - Vũng Tàu: 3", "Cần Thơ: 7"]
        values = [t.text for t in find(root, "text") if "bar-value" in classes(t)]
        assert values == ["12", "3", "7"]
        assert [a.get("href") for a in find(root, "a")] == ["/p/hn", "/p/ct"]


def test_bars_are_as_long_as_their_counts():
    root = parse(bar_chart([("a", 10, None), ("b", 5, None), ("c", 0, None)], title="t"))
    widths = [float(r.get("width")) for r in find(root, "rect")]
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01)
    assert widths[2] == 0


def test_bars_stop_at_max_bars():
    items = [(f"P{i}", 100 - i, None) for i in range(30)]
    root = parse(bar_chart(items, title="t", max_bars=20))
    assert len([g for g in find(root, "g") if "bar" in classes(g)]) == 20


def test_years_are_upright_and_readable():
    items = [(str(y), y - 2000, None) for y in range(2006, 2026)]
    root = parse(bar_chart(items, title="t", horizontal=False))
    labels = [t.text for t in find(root, "text") if "bar-label" in classes(t)]
    assert labels == [str(y) for y in range(2006, 2026)]  # twenty years, none clipped
    rects = find(root, "rect")
    assert float(rects[-1].get("height")) > float(rects[0].get("height"))


def test_no_bars_gives_the_empty_text():
    root = parse(bar_chart([], title="t", empty="Chưa có dữ liệu"))
    assert [t.text for t in find(root, "text")] == ["Chưa có dữ liệu"]


# --------------------------------------------------------------------------- tile map


@pytest.mark.parametrize("era", ["legacy", "current"])
def test_every_unit_of_the_era_has_one_tile(era):
    assert set(tilemap_data()[era]) == units(era)
    assert set(tiles(tile_map({}, era=era, title="t"))) == units(era)


@pytest.mark.parametrize("era", ["legacy", "current"])
def test_tiles_do_not_overlap_and_have_short_distinct_labels(era):
    grid = tilemap_data()[era]
    spots = [(t["col"], t["row"]) for t in grid.values()]
    assert len(set(spots)) == len(spots)
    abbrs = [t["abbr"] for t in grid.values()]
    assert len(set(abbrs)) == len(abbrs)
    assert all(2 <= len(a) <= 4 for a in abbrs)
    rects = [(r.get("x"), r.get("y")) for g in tiles(tile_map({}, era=era, title="t")).values() for r in g.iter(SVG + "rect")]
    assert len(set(rects)) == len(rects)


@pytest.mark.parametrize("era", ["legacy", "current"])
def test_tiles_follow_the_country_north_to_south(era):
    grid = tilemap_data()[era]
    row = {name: t["row"] for name, t in grid.items()}
    col = {name: t["col"] for name, t in grid.items()}
    top, bottom = min(row.values()), max(row.values())
    for far_north in ("Cao Bằng", "Lào Cai", "Hà Giang" if era == "legacy" else "Tuyên Quang"):
        assert row[far_north] == top
    assert row["Cà Mau"] == bottom
    assert row["Hà Nội"] < row["Đà Nẵng"] < row["Hồ Chí Minh"] < row["Cà Mau"]
    assert row["Hà Nội"] <= top + 3
    # The S: the centre coast lies east of both the capital and the Mekong delta.
    assert col["Đà Nẵng"] > col["Hà Nội"] and col["Đà Nẵng"] > col["Cần Thơ"]


def test_bigger_counts_get_darker_classes():
    names = ["Bắc Kạn", "Cao Bằng", "Lạng Sơn", "Điện Biên", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh", "Hà Nội"]
    counts = dict(zip(names, [0, 1, 2, 5, 10, 20, 50, 100, 400]))
    drawn = tiles(tile_map(counts, era="legacy", title="t"))

    def shade(name: str) -> int:
        (q,) = [c for c in classes(drawn[name]) if re.fullmatch(r"q\d", c)]
        return int(q[1])

    shades = [shade(n) for n in names]
    assert shades == sorted(shades)
    assert shades[0] == 0 and shades[1] >= 1 and shades[-1] == 4
    assert shade("Sơn La") == 0  # not in counts at all


def test_tiles_have_tooltips_labels_and_links():
    svg = tile_map({"Hồ Chí Minh": 7, "Thừa Thiên Huế": 2}, era="legacy", links={"Hồ Chí Minh": "/province/79"}, title="t")
    drawn = tiles(svg)
    assert drawn["Hồ Chí Minh"].find(SVG + "title").text == "Hồ Chí Minh: 7"
    assert drawn["Hồ Chí Minh"].find(SVG + "text").text == "HCM"
    assert drawn["Cần Thơ"].find(SVG + "title").text == "Cần Thơ: 0"
    (a,) = find(parse(svg), "a")
    assert a.get("href") == "/province/79"
    assert a.find(SVG + "g").get("data-name") == "Hồ Chí Minh"


def test_counts_of_the_other_era_are_ignored_and_legend_is_printed():
    svg = tile_map({"Thừa Thiên Huế": 5, "Huế": 2}, era="current", title="t", legend=("0", "5 chương trình"))
    assert "Thừa Thiên Huế" not in tiles(svg)
    assert "q4" in classes(tiles(svg)["Huế"])
    legend = next(g for g in find(parse(svg), "g") if "legend" in classes(g))
    assert [t.text for t in legend.iter(SVG + "text")] == ["0", "5 chương trình"]


def test_unknown_era_is_an_error():
    with pytest.raises(ValueError):
        tile_map({}, era="2030", title="t")


# --------------------------------------------------------------------------- timeline

SPANS = [
    {"label": "Phó Giám đốc Sở KH&CN Cao Bằng", "start": "2012-03-01", "end": "2016-02-29"},
    {"label": "Giám đốc Sở KH&CN Cao Bằng", "start": "2016-03-01", "end": "2020-06-30", "link": "/o/5"},
    {"label": "Giám đốc Sở KH&CN Cao Bằng", "start": "2021-05-05", "end": "2021-05-05"},
    {"label": "Phó Chủ tịch UBND tỉnh Cao Bằng", "start": "2020-07-01", "end": None},
    {"label": "Ký kết chương trình hợp tác", "kind": "event", "date": "2018-09-12"},
]


def lane_labels(root: ET.Element) -> list[str]:
    return [g.find(SVG + "title").text for g in find(root, "g") if "lane" in classes(g)]


def test_one_lane_per_position_and_one_for_events():
    root = parse(timeline(SPANS, title="t", events_label="Sự kiện"))
    assert lane_labels(root) == ["Phó Giám đốc Sở KH&CN Cao Bằng", "Giám đốc Sở KH&CN Cao Bằng", "Phó Chủ tịch UBND tỉnh Cao Bằng", "Sự kiện"]
    assert "&amp;" in timeline(SPANS, title="t")  # "KH&CN" escaped, not raw


def test_year_ticks_cover_every_date():
    root = parse(timeline(SPANS, title="t", today="2025-10-01"))
    years = [int(g.get("data-year")) for g in find(root, "g") if "tick" in classes(g)]
    assert years[0] <= 2012 and years[-1] >= 2026  # the open span runs to today
    assert years == sorted(years)


def test_spans_are_drawn_in_date_order_along_the_axis():
    root = parse(timeline(SPANS, title="t", today="2025-10-01"))
    spans = [g for g in find(root, "g") if "span" in classes(g)]
    bars = {g.find(SVG + "title").text: g.find(SVG + "rect") for g in spans if g.find(SVG + "rect") is not None}
    first = bars["Phó Giám đốc Sở KH&CN Cao Bằng: 2012-03-01 – 2016-02-29"]
    second = bars["Giám đốc Sở KH&CN Cao Bằng: 2016-03-01 – 2020-06-30"]
    assert float(first.get("x")) + float(first.get("width")) <= float(second.get("x")) + 1
    still = bars["Phó Chủ tịch UBND tỉnh Cao Bằng: 2020-07-01 – …"]
    assert "open" in classes(next(g for g in spans if g.find(SVG + "rect") is still))
    ticks = {int(g.get("data-year")): float(g.find(SVG + "line").get("x1")) for g in find(root, "g") if "tick" in classes(g)}
    assert float(still.get("x")) + float(still.get("width")) > ticks[max(y for y in ticks if y <= 2025)]


def test_a_single_day_is_a_diamond_and_an_event_a_marker():
    root = parse(timeline(SPANS, title="t"))
    (point,) = [g for g in find(root, "g") if "point" in classes(g)]
    assert point.find(SVG + "path") is not None
    assert point.find(SVG + "title").text == "Giám đốc Sở KH&CN Cao Bằng: 2021-05-05"
    (event,) = [g for g in find(root, "g") if "event" in classes(g)]
    assert event.find(SVG + "title").text == "Ký kết chương trình hợp tác: 2018-09-12"
    assert [a.get("href") for a in find(root, "a")] == ["/o/5"]


def test_long_lane_labels_are_cut_but_kept_whole_in_the_tooltip():
    label = "Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Cao Bằng kiêm Chánh Văn phòng Sở"
    root = parse(timeline([{"label": label, "start": "2010", "end": "2015-06"}], title="t"))
    (lane,) = [g for g in find(root, "g") if "lane" in classes(g)]
    assert lane.find(SVG + "title").text == label
    shown = lane.find(SVG + "text").text
    assert shown.endswith("…") and len(shown) < len(label) and label.startswith(shown[:-1])


def test_undated_positions_give_the_empty_text():
    svg = timeline([{"label": "Giám đốc", "start": None, "end": None}, {"label": "x", "start": "không rõ"}], title="t", empty="Chưa có mốc thời gian")
    assert [t.text for t in find(parse(svg), "text")] == ["Chưa có mốc thời gian"]


# --------------------------------------------------------------------------- network


def test_network_is_deterministic_whatever_the_input_order():
    once = network(NODES, EDGES, title="t", center=3)
    assert network(NODES, EDGES, title="t", center=3) == once
    assert network(NODES[::-1], EDGES[::-1], title="t", center=3) == once
    assert network(NODES, EDGES, title="t", center=3, seed=8) != once


def test_network_carries_what_the_page_script_needs():
    root = parse(network(NODES, EDGES, title="t", center=3))
    (viewport,) = [g for g in find(root, "g") if "viewport" in classes(g)]
    nodes = [g for g in viewport.iter(SVG + "g") if "node" in classes(g)]
    assert sorted(int(g.get("data-id")) for g in nodes) == list(range(1, 31))
    assert {"node", "organization", "center"} == classes(next(g for g in nodes if g.get("data-id") == "3"))
    assert {"node", "person"} == classes(next(g for g in nodes if g.get("data-id") == "4"))
    edges = list(viewport.iter(SVG + "line"))
    assert len(edges) == len(EDGES)
    assert all(e.get("data-source") and e.get("data-target") and "edge" in classes(e) and "visit" in classes(e) for e in edges)
    assert edges[0].find(SVG + "title").text.endswith(": thăm")
    links = {a.get("href") for a in viewport.iter(SVG + "a")}
    assert links == {f"/n/{i}" for i in range(1, 31)}


def test_network_keeps_the_heaviest_nodes_and_says_how_many_are_left_out():
    nodes = [{"id": i, "label": f"N{i}", "kind": "person", "weight": i} for i in range(1, 201)]
    edges = [{"source": i, "target": i + 1, "kind": "position", "weight": 1} for i in range(1, 200)]
    root = parse(network(nodes, edges, title="t", center=1, max_nodes=150, omitted="{n} nút khác không hiển thị"))
    ids = {int(g.get("data-id")) for g in find(root, "g") if "node" in classes(g)}
    assert len(ids) == 150
    assert 1 in ids  # the centre, though the lightest
    assert ids - {1} == set(range(52, 201))
    note = [t.text for t in find(root, "text") if "note" in classes(t)]
    assert note == ["50 nút khác không hiển thị"]
    drawn = {(int(e.get("data-source")), int(e.get("data-target"))) for e in find(root, "line")}
    assert all(s in ids and t in ids for s, t in drawn)


def test_no_note_when_nothing_is_left_out():
    root = parse(network(NODES, EDGES, title="t"))
    assert not [t for t in find(root, "text") if "note" in classes(t)]


def test_layout_places_every_kept_node_inside_the_picture():
    pos = layout(NODES, EDGES, seed=7, max_nodes=10)
    assert len(pos) == 10
    root = parse(network(NODES, EDGES, title="t", width=400, height=300))
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert width == 400 and 300 <= height <= 750  # taller when the parts need more rows
    for c in find(root, "circle"):
        assert 0 <= float(c.get("cx")) <= width and 0 <= float(c.get("cy")) <= height


def test_a_lone_node_is_drawn_in_the_middle():
    root = parse(network([{"id": 9, "label": "Sở KH&CN", "kind": "organization", "weight": 0}], [], title="t"))
    (c,) = find(root, "circle")
    assert (c.get("cx"), c.get("cy")) == ("450", "300")


def test_empty_network_gives_the_empty_text():
    assert [t.text for t in find(parse(network([], [], title="t", empty="Không có")), "text")] == ["Không có"]
