"""Tests for hoptac.extract.gazetteer and the data files behind it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.extract.gazetteer import (
    District,
    Province,
    display,
    districts_named,
    province_lookup,
    province_name_pattern,
    provinces,
)

ROOT = Path(__file__).resolve().parent.parent


def _raw(name: str) -> dict:
    return json.loads((resources.files("hoptac") / "data" / name).read_text("utf-8"))


# --------------------------------------------------------------------------- counts


def test_63_legacy_and_34_current_units():
    ps = provinces()
    assert sum(p.legacy for p in ps.values()) == 63
    assert sum(p.current for p in ps.values()) == 34
    # Only Huế is new as a name; Thừa Thiên Huế is its legacy name.
    assert len(ps) == 64
    assert {n for n, p in ps.items() if p.current and not p.legacy} == {"Huế"}


def test_current_units_split_into_28_provinces_and_6_cities():
    current = [p for p in provinces().values() if p.current]
    cities = sorted(p.name for p in current if p.type == "thành phố")
    assert cities == sorted(["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh", "Huế"])
    assert sum(p.type == "tỉnh" for p in current) == 28


def test_legacy_units_split_into_58_provinces_and_5_cities():
    legacy = [p for p in provinces().values() if p.legacy]
    cities = sorted(p.name for p in legacy if p.type == "thành phố")
    assert cities == sorted(["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh"])
    assert sum(p.type == "tỉnh" for p in legacy) == 58


def test_provinces_are_keyed_by_their_name_and_now_points_to_a_current_unit():
    ps = provinces()
    for name, p in ps.items():
        assert p.name == name
        assert ps[p.now].current, p
        if p.current:
            assert p.now == p.name


def test_provinces_returns_a_copy():
    provinces().clear()
    assert len(provinces()) == 64


# --------------------------------------------------------------------------- 2025 merger facts


@pytest.mark.parametrize(
    ("legacy", "now"),
    [
        ("Hải Dương", "Hải Phòng"),
        ("Sóc Trăng", "Cần Thơ"),
        ("Hậu Giang", "Cần Thơ"),
        ("Hà Giang", "Tuyên Quang"),
        ("Bình Dương", "Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
        ("Quảng Nam", "Đà Nẵng"),
        ("Hòa Bình", "Phú Thọ"),
        ("Thừa Thiên Huế", "Huế"),
    ],
)
def test_merged_units_point_to_their_new_province(legacy, now):
    p = provinces()[legacy]
    assert p.legacy and not p.current
    assert p.now == now


@pytest.mark.parametrize("name", ["Cao Bằng", "Quảng Ninh", "Hà Nội", "Lạng Sơn", "Nghệ An"])
def test_unmerged_units_stay(name):
    p = provinces()[name]
    assert p.legacy and p.current and p.now == name


def test_absorbing_units_exist_in_both_lists():
    for name in ["Hải Phòng", "Cần Thơ", "Tuyên Quang", "Hồ Chí Minh"]:
        p = provinces()[name]
        assert p.legacy and p.current and p.now == name


def test_can_tho_absorbed_exactly_soc_trang_and_hau_giang():
    into = sorted(n for n, p in provinces().items() if p.now == "Cần Thơ")
    assert into == ["Cần Thơ", "Hậu Giang", "Sóc Trăng"]


def test_hue_was_a_province_and_is_now_a_city():
    old = provinces()["Thừa Thiên Huế"]
    new = provinces()["Huế"]
    assert (old.type, old.legacy, old.current, old.now) == ("tỉnh", True, False, "Huế")
    assert (new.type, new.legacy, new.current) == ("thành phố", False, True)
    raw = {e["name"]: e for e in _raw("provinces.json")["provinces"]}
    assert raw["Thừa Thiên Huế"]["type_legacy"] == "tỉnh"
    assert raw["Huế"]["type_current"] == "thành phố"


# --------------------------------------------------------------------------- lookup


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Cần Thơ", "Cần Thơ"),
        ("TP. Cần Thơ", "Cần Thơ"),
        ("TP Cần Thơ", "Cần Thơ"),
        ("thành phố Cần Thơ", "Cần Thơ"),
        ("tỉnh Cao Bằng", "Cao Bằng"),
        ("Tỉnh Cao Bằng", "Cao Bằng"),
        ("hoà bình", "Hòa Bình"),
        ("Hòa Bình", "Hòa Bình"),
        ("HOÀ BÌNH", "Hòa Bình"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("TP.HCM", "Hồ Chí Minh"),
        ("TPHCM", "Hồ Chí Minh"),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("Thủ đô Hà Nội", "Hà Nội"),
        ("Thừa Thiên - Huế", "Thừa Thiên Huế"),
        ("tỉnh Thừa Thiên Huế", "Thừa Thiên Huế"),
        ("thành phố Huế", "Huế"),
        ("Bà Rịa – Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("BR-VT", "Bà Rịa - Vũng Tàu"),
        ("Đắc Lắc", "Đắk Lắk"),
        ("  hải   dương ", "Hải Dương"),
        ("Ha Noi", "Hà Nội"),
    ],
)
def test_province_lookup_accepts_variants(text, name):
    p = province_lookup(text)
    assert p is not None, text
    assert p.name == name


def test_lookup_of_nfd_text():
    assert province_lookup(unicodedata.normalize("NFD", "Quảng Ninh")).name == "Quảng Ninh"


@pytest.mark.parametrize(
    "text",
    [
        "Sài Gòn",  # not an administrative name
        "Quảng Yên",  # a district
        "Hạ Long",
        "",
        "tỉnh",
        "thành phố Hà Tĩnh",  # the district-level city, not tỉnh Hà Tĩnh
        "tỉnh Hải Phòng",  # wrong type word
    ],
)
def test_province_lookup_rejects_non_provinces(text):
    assert province_lookup(text) is None


def test_lookup_keys_do_not_collide():
    # Every name and alias maps back to its own entry.
    for entry in _raw("provinces.json")["provinces"]:
        for spelling in [entry["name"], *entry["aliases"]]:
            assert province_lookup(spelling).name == entry["name"], spelling


_SPELLINGS = [(s, e["name"]) for e in _raw("provinces.json")["provinces"]
              for s in [e["name"], *e["aliases"]]]


_TYPES = {e["name"]: {e["type_legacy"], e["type_current"]} - {None}
          for e in _raw("provinces.json")["provinces"]}
_PREFIXES = {"tỉnh": ["tỉnh ", "Tỉnh "], "thành phố": ["thành phố ", "TP. ", "TP ", "Tp."]}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_SPELLINGS), st.sampled_from([str.lower, str.upper, str.title, str]),
       st.booleans(), st.integers(min_value=0, max_value=1))
def test_lookup_is_case_insensitive_and_prefix_tolerant(pair, case, use_prefix, which):
    spelling, name = pair
    prefix = ""
    if use_prefix and not re.match(r"(?i)(thành phố|tp)", spelling):
        kind = sorted(_TYPES[name])[which % len(_TYPES[name])]
        prefix = _PREFIXES[kind][which]
    assert province_lookup(case(prefix + spelling)) == provinces()[name]


# --------------------------------------------------------------------------- districts


def test_district_count_and_provinces_are_legacy_names():
    ds = _raw("districts.json")["districts"]
    assert len(ds) == 696  # district-level units on 1 Jan 2025
    legacy = {n for n, p in provinces().items() if p.legacy}
    assert {d["province"] for d in ds} == legacy
    assert {d["type"] for d in ds} == {"huyện", "quận", "thị xã", "thành phố"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thị xã Quảng Yên", District("Quảng Yên", "thị xã", "Quảng Ninh")),
        ("TX. Quảng Yên", District("Quảng Yên", "thị xã", "Quảng Ninh")),
        ("Quảng Yên", District("Quảng Yên", "thị xã", "Quảng Ninh")),
        ("TP Hạ Long", District("Hạ Long", "thành phố", "Quảng Ninh")),
        ("thành phố Hạ Long", District("Hạ Long", "thành phố", "Quảng Ninh")),
        ("TP. Hà Tĩnh", District("Hà Tĩnh", "thành phố", "Hà Tĩnh")),
        ("huyện Kỳ Anh", District("Kỳ Anh", "huyện", "Hà Tĩnh")),
        ("thị xã Kỳ Anh", District("Kỳ Anh", "thị xã", "Hà Tĩnh")),
        ("Quận 1", District("Quận 1", "quận", "Hồ Chí Minh")),
        ("Q.1", District("Quận 1", "quận", "Hồ Chí Minh")),
        ("Thuỷ Nguyên", District("Thủy Nguyên", "thành phố", "Hải Phòng")),
        ("A Lưới", District("A Lưới", "huyện", "Thừa Thiên Huế")),
    ],
)
def test_districts_named(text, expected):
    assert districts_named(text) == [expected]


def test_district_names_recur_across_provinces():
    chau_thanh = districts_named("huyện Châu Thành")
    assert len(chau_thanh) >= 8
    assert len({d.province for d in chau_thanh}) == len(chau_thanh)
    assert {"Tiền Giang", "Bến Tre", "Trà Vinh"} <= {d.province for d in chau_thanh}
    assert {d.type for d in districts_named("Kỳ Anh")} == {"huyện", "thị xã"}


def test_district_type_word_is_a_preference_not_a_filter():
    # Từ Sơn was a thị xã until 2021; older articles say so.
    assert districts_named("thị xã Từ Sơn") == [District("Từ Sơn", "thành phố", "Bắc Ninh")]


def test_unknown_district():
    assert districts_named("Sài Gòn") == []
    assert districts_named("huyện") == []
    assert districts_named("1") == []


# --------------------------------------------------------------------------- display & pattern


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Cao Bằng", "tỉnh Cao Bằng"),
        ("Cần Thơ", "thành phố Cần Thơ"),
        ("Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("Hải Dương", "tỉnh Hải Dương"),
        ("Thừa Thiên Huế", "tỉnh Thừa Thiên Huế"),
        ("Huế", "thành phố Huế"),
        ("Bà Rịa - Vũng Tàu", "tỉnh Bà Rịa - Vũng Tàu"),
    ],
)
def test_display(name, shown):
    assert display(provinces()[name]) == shown
    assert "Sở Khoa học và Công nghệ " + display(provinces()[name]) == (
        "Sở Khoa học và Công nghệ " + shown)


def test_display_round_trips_through_lookup():
    for p in provinces().values():
        assert province_lookup(display(p)) == p


def test_pattern_matches_whole_names_longest_first():
    rx = re.compile(province_name_pattern())
    assert rx.search("Sở KH&CN tỉnh Bà Rịa – Vũng Tàu vừa").group() == "Bà Rịa – Vũng Tàu"
    assert rx.search("UBND tỉnh Thừa Thiên Huế").group() == "Thừa Thiên Huế"
    assert rx.search("Sở KH&CN TP.HCM").group() == "TP.HCM"
    assert rx.search("tỉnh Hoà Bình").group() == "Hoà Bình"
    assert rx.search("Sở Y tế") is None
    # Usable inside a larger regex: one group only, the caller's.
    big = re.compile(rf"(?:tỉnh|thành phố)\s+({province_name_pattern()})")
    assert big.search("của thành phố Cần Thơ.").group(1) == "Cần Thơ"


def test_pattern_covers_every_spelling():
    rx = re.compile(province_name_pattern())
    for spelling, _ in _SPELLINGS:
        # the whole spelling, not a shorter one it begins with ("Bà Rịa" of "Bà Rịa - Vũng Tàu")
        assert rx.match(spelling + " và").group() == spelling, spelling


# --------------------------------------------------------------------------- data files


@pytest.mark.parametrize("name", ["provinces.json", "districts.json"])
def test_data_files_are_nfc_and_attributed(name):
    text = (resources.files("hoptac") / "data" / name).read_text("utf-8")
    assert unicodedata.normalize("NFC", text) == text
    doc = json.loads(text)
    assert doc["source"].startswith("vietnamadminunits") and "MIT" in doc["source"]
    notice = (resources.files("hoptac") / "data" / "NOTICE").read_text("utf-8")
    assert "MIT License" in notice and "Tran Ngoc Minh Hieu" in notice


def test_tone_variant_aliases_present():
    raw = {e["name"]: e for e in _raw("provinces.json")["provinces"]}
    assert "Hoà Bình" in raw["Hòa Bình"]["aliases"]
    assert "Khánh Hoà" in raw["Khánh Hòa"]["aliases"]
    assert "TP.HCM" in raw["Hồ Chí Minh"]["aliases"]
    assert "Sài Gòn" not in raw["Hồ Chí Minh"]["aliases"]


def test_generated_files_are_up_to_date():
    pytest.importorskip("vietnamadminunits")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--check"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def test_province_is_frozen():
    p = provinces()["Cao Bằng"]
    assert isinstance(p, Province)
    with pytest.raises(AttributeError):
        p.now = "Hà Nội"  # type: ignore[misc]
