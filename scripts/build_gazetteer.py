#!/usr/bin/env python3
"""Regenerate hoptac/data/provinces.json and hoptac/data/districts.json.

Source: the `vietnamadminunits` package (MIT, (c) 2025 Tran Ngoc Minh Hieu),
its bundled SQLite dataset (tables `admin_units_legacy`: the 63-province
system, and `admin_units`: the 34-province system from 1 July 2025) and its
63 -> 34 province mapping (`data/converter_2025.json`).

    pip install vietnamadminunits==1.0.4
    python scripts/build_gazetteer.py          # writes hoptac/data/*.json
    python scripts/build_gazetteer.py --check  # exit 1 if the files would change

Only this script needs vietnamadminunits; hoptac reads the generated JSON.

Hand-made decisions (everything else comes from the package):
  * The package's legacy table already shows code 46 as "Thành phố Huế" (it
    became a centrally-run city on 1 Jan 2025).  Articles from before 2025
    say "tỉnh Thừa Thiên Huế", so the legacy unit is written as
    "Thừa Thiên Huế" (tỉnh, now -> "Huế"), and "Huế" is a current-only entry.
    Its districts are given the province "Thừa Thiên Huế".
  * Aliases: the abbreviations and punctuation variants listed in
    EXTRA_ALIASES, plus the other tone-mark placement of any oa/oe/uy syllable
    ("Hòa Bình" / "Hoà Bình").
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

import vietnamadminunits

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "hoptac" / "data"
PKG_DIR = Path(vietnamadminunits.__file__).resolve().parent
DB_PATH = PKG_DIR / "data" / "dataset.db"
CONVERTER_PATH = PKG_DIR / "data" / "converter_2025.json"

VERSION = importlib.metadata.version("vietnamadminunits")
SOURCE = f"vietnamadminunits {VERSION} (MIT)"
SOURCE_NOTE = (
    "Derived from the vietnamadminunits Python package "
    "(https://github.com/tranngocminhhieu/vietnamadminunits), MIT License, "
    "Copyright (c) 2025 Tran Ngoc Minh Hieu; its data were compiled from "
    "danhmuchanhchinh.gso.gov.vn and sapnhap.bando.com.vn. "
    "Regenerate with scripts/build_gazetteer.py; see hoptac/data/NOTICE."
)

# Legacy short name in the package -> name used for the whole pre-2025 period.
LEGACY_RENAME = {"Huế": ("Thừa Thiên Huế", "tỉnh")}

EXTRA_ALIASES = {
    "Hồ Chí Minh": [
        "Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh", "TP.Hồ Chí Minh", "TP Hồ Chí Minh",
        "TP.HCM", "TP. HCM", "TP HCM", "TPHCM",
    ],
    "Thừa Thiên Huế": [
        "Thừa Thiên - Huế", "Thừa Thiên – Huế", "Thừa Thiên-Huế", "Thừa Thiên–Huế", "TT-Huế",
    ],
    "Bà Rịa - Vũng Tàu": [
        "Bà Rịa – Vũng Tàu", "Bà Rịa-Vũng Tàu", "Bà Rịa–Vũng Tàu", "Bà Rịa Vũng Tàu", "BR-VT",
    ],
    "Đắk Lắk": ["Đắc Lắc"],
}

TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_OPEN_GLIDE = re.compile(r"(?i)(?<!q)(o[ae]|uy)$")


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def tone_variant(word: str) -> str:
    """The other tone-mark placement of an open oa/oe/uy syllable, else the word.

    "Hòa" <-> "Hoà", "Thủy" <-> "Thuỷ"; "Hoàng", "Tuyên", "Quý" are unchanged.
    """
    nfd = unicodedata.normalize("NFD", word)
    tones = [c for c in nfd if c in TONES]
    if len(tones) != 1:
        return word
    base = nfc("".join(c for c in nfd if c not in TONES))
    m = _OPEN_GLIDE.search(base)
    if not m:
        return word
    i = m.start()
    # Where is the tone now: on the first (old style) or second letter of the pair?
    old_style = nfc(base[:i] + base[i] + tones[0] + base[i + 1:])
    new_style = nfc(base[:i + 1] + base[i + 1] + tones[0] + base[i + 2:])
    cur = nfc(word)
    if cur == old_style:
        return new_style
    if cur == new_style:
        return old_style
    return word


def sort_key(s: str) -> tuple[str, str]:
    """Roughly alphabetical for Vietnamese (marks ignored first), then exact."""
    base = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return (base.replace("đ", "d~").replace("Đ", "D~").casefold(), s)


def tone_variant_phrase(s: str) -> str:
    return " ".join(tone_variant(w) for w in s.split(" "))


def lower_type(t: str) -> str:
    t = nfc(t).strip().lower()
    assert t in {"tỉnh", "thành phố", "thị xã", "huyện", "quận"}, t
    return t


def type_from_full(full: str, short: str) -> str:
    assert full.endswith(short), (full, short)
    return lower_type(full[: -len(short)])


def load() -> tuple[list[dict], list[dict], list[dict], dict]:
    con = sqlite3.connect(f"file:{DB_PATH}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    legacy = [dict(r) for r in con.execute(
        "SELECT DISTINCT province, provinceShort, provinceCode, provinceKey "
        "FROM admin_units_legacy ORDER BY provinceCode")]
    current = [dict(r) for r in con.execute(
        "SELECT DISTINCT province, provinceShort, provinceCode, provinceKey "
        "FROM admin_units ORDER BY provinceCode")]
    districts = [dict(r) for r in con.execute(
        "SELECT DISTINCT provinceShort, district, districtShort, districtType, districtCode "
        "FROM admin_units_legacy ORDER BY districtCode")]
    con.close()
    mapping = json.loads(CONVERTER_PATH.read_text("utf-8"))["DICT_PROVINCE"]
    return legacy, current, districts, mapping


def build() -> tuple[dict, dict, list[str]]:
    legacy, current, districts_raw, mapping = load()
    report: list[str] = []
    assert len(legacy) == 63, len(legacy)
    assert len(current) == 34, len(current)

    legacy_by_key = {r["provinceKey"]: r for r in legacy}
    current_by_key = {r["provinceKey"]: r for r in current}
    assert len(legacy_by_key) == 63 and len(current_by_key) == 34

    # 63 -> 34 mapping, checked to be a partition of the legacy keys.
    now_key: dict[str, str] = {}
    assert set(mapping) == set(current_by_key), set(mapping) ^ set(current_by_key)
    for new_key, old_keys in mapping.items():
        for old in old_keys:
            assert old in legacy_by_key, old
            assert old not in now_key, old
            now_key[old] = new_key
    assert set(now_key) == set(legacy_by_key)

    legacy_short = {nfc(r["provinceShort"]) for r in legacy}
    current_short = {nfc(r["provinceShort"]) for r in current}
    missing = sorted(current_short - legacy_short)
    report.append(
        "source: all 34 current short names are legacy short names"
        if not missing else f"source: current names not in legacy list: {missing}")

    entries: dict[str, dict] = {}

    def entry(name: str) -> dict:
        return entries.setdefault(name, {
            "name": name, "type": None, "legacy": False, "current": False,
            "type_legacy": None, "type_current": None, "now": None,
            "code_legacy": None, "code_current": None, "merged_from": [], "aliases": [],
        })

    legacy_name_of: dict[str, str] = {}  # package legacy short name -> our name
    for key, r in legacy_by_key.items():
        short = nfc(r["provinceShort"])
        ptype = type_from_full(nfc(r["province"]), short)
        if short in LEGACY_RENAME:
            new_name, new_type = LEGACY_RENAME[short]
            report.append(f"override: legacy '{r['province']}' (code {r['provinceCode']}) "
                          f"written as '{new_type} {new_name}'")
            short, ptype = new_name, new_type
        legacy_name_of[nfc(r["provinceShort"])] = short
        e = entry(short)
        e.update(legacy=True, type_legacy=ptype, code_legacy=r["provinceCode"],
                 now=nfc(current_by_key[now_key[key]]["provinceShort"]))
    for key, r in current_by_key.items():
        short = nfc(r["provinceShort"])
        e = entry(short)
        e.update(current=True, type_current=type_from_full(nfc(r["province"]), short),
                 code_current=r["provinceCode"])
        e["merged_from"] = sorted(
            legacy_name_of[nfc(legacy_by_key[k]["provinceShort"])] for k in mapping[key])
    for e in entries.values():
        e["type"] = e["type_legacy"] or e["type_current"]
        if e["current"]:
            assert e["now"] in (None, e["name"]), e
            e["now"] = e["name"]
        else:
            del_field = e.pop("merged_from")
            assert not del_field
        aliases = list(EXTRA_ALIASES.get(e["name"], []))
        for s in [e["name"], *aliases]:
            v = tone_variant_phrase(s)
            if v != s:
                aliases.append(v)
        seen = {e["name"]}
        e["aliases"] = [a for a in (nfc(a) for a in aliases) if not (a in seen or seen.add(a))]
        if e["current"] and e["legacy"] and e["type_legacy"] != e["type_current"]:
            report.append(f"type change: {e['name']} {e['type_legacy']} -> {e['type_current']}")
        if e["legacy"] and e["current"] and e["code_legacy"] != e["code_current"]:
            report.append(f"code change: {e['name']} {e['code_legacy']} -> {e['code_current']}")
    unknown = set(EXTRA_ALIASES) - set(entries)
    assert not unknown, unknown

    provs = sorted(entries.values(), key=lambda e: sort_key(e["name"]))
    n_legacy = sum(e["legacy"] for e in provs)
    n_current = sum(e["current"] for e in provs)
    assert n_legacy == 63 and n_current == 34, (n_legacy, n_current)
    report.append(f"provinces: {len(provs)} entries, {n_legacy} legacy, {n_current} current, "
                  f"{sum(e['legacy'] and e['current'] for e in provs)} both")

    districts = []
    for r in districts_raw:
        full = nfc(r["district"])
        dtype = lower_type(r["districtType"])
        assert full.lower().startswith(dtype), full
        name = full[len(dtype):].strip()
        if name.isdigit():  # "Quận 1": keep the name as printed
            name = full[:len(dtype)] + " " + name
        districts.append({"name": name, "type": dtype,
                          "province": legacy_name_of[nfc(r["provinceShort"])]})
    districts.sort(key=lambda d: (sort_key(d["name"]), sort_key(d["province"]), d["type"]))
    assert len({(d["name"], d["type"], d["province"]) for d in districts}) == len(districts)
    report.append(f"districts: {len(districts)}")

    legacy_names = {e["name"] for e in provs if e["legacy"]}
    assert all(d["province"] in legacy_names for d in districts)

    prov_doc = {
        "source": SOURCE,
        "note": SOURCE_NOTE,
        "fields": {
            "name": "short name as printed in the news",
            "type": "type_legacy if legacy else type_current",
            "legacy": "one of the 63 province-level units before 1 July 2025",
            "current": "one of the 34 province-level units from 1 July 2025",
            "now": "the current unit this unit's territory belongs to",
            "merged_from": "current units only: legacy units merged into it",
            "aliases": "other spellings; all strings NFC",
        },
        "provinces": provs,
    }
    dist_doc = {"source": SOURCE, "note": SOURCE_NOTE + " District-level units as of "
                "early 2025 (before their abolition on 1 July 2025); province is a legacy name.",
                "districts": districts}
    return prov_doc, dist_doc, report


def dump(doc: dict, list_key: str) -> str:
    """Valid JSON with one list item per line, keys in a fixed order."""
    head = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                      for k, v in doc.items() if k != list_key)
    items = ",\n".join(json.dumps(x, ensure_ascii=False) for x in doc[list_key])
    text = "{\n" + head + f',\n"{list_key}": [\n' + items + "\n]\n}\n"
    assert json.loads(text) == doc
    assert nfc(text) == text
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the files are out of date")
    args = ap.parse_args()
    prov_doc, dist_doc, report = build()
    outputs = {OUT_DIR / "provinces.json": dump(prov_doc, "provinces"),
               OUT_DIR / "districts.json": dump(dist_doc, "districts")}
    stale = False
    for path, text in outputs.items():
        old = path.read_text("utf-8") if path.exists() else None
        if old == text:
            continue
        stale = True
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(text.encode())} bytes)", file=sys.stderr)
    for line in report:
        print(line, file=sys.stderr)
    if args.check and stale:
        print("gazetteer data out of date; run scripts/build_gazetteer.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
