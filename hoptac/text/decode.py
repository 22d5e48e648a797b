"""Bytes to text, at the door.

Every article enters hoptac through :func:`decode` (raw bytes from a crawl or a file) or
:func:`normalize` (text that already arrived as ``str``: JSON dumps, HTML extraction).  Both give
the same normal form: Unicode NFC, every Unicode space separator folded to a plain space,
zero-width characters removed and line endings turned into ``\\n``.  Nothing else is changed
(no case folding, no tone-mark "fixing").

Detection order in :func:`decode`:

1. empty input -> ``Decoded("", "utf-8")``; well-known binary signatures (PNG, PDF, gzip, ZIP, ...)
   -> :class:`DecodeError`;
2. byte-order marks: UTF-8 (``"utf-8-sig"``), UTF-16 LE/BE (``"utf-16"``);
3. UTF-16 without a BOM, when NUL bytes sit at alternating positions and the result reads as text;
4. other NUL bytes or many C0 control bytes -> :class:`DecodeError` (binary data);
5. strict UTF-8 (``"utf-8"``); UTF-8 that is only truncated in the last character, or has a few
   corrupt bytes among many valid multi-byte characters, is still UTF-8 (bad bytes become U+FFFD);
6. otherwise one of the pre-Unicode Vietnamese encodings -- Windows-1258, TCVN3 (ABC) or
   VNI-Windows -- chosen by a plausibility score: the byte "words" that contain non-ASCII bytes
   are decoded each way and judged (foreign or orphaned characters count against an encoding;
   well-formed Vietnamese syllables, and common ones even more, count for it).

The TCVN3 and VNI tables are data files, ``hoptac/data/encodings/{tcvn3,vni}.tsv`` (their format is
described in their headers), as is the list of frequent syllables the score uses
(``syllables.tsv``); each is loaded once, on first use.

Limitation: a short input whose only non-ASCII words are spelled by the same bytes in two
encodings (VNI "tư" is TCVN3 "tử"; Windows-1258 "cô" is TCVN3 "cụ") is ambiguous; ties go to
TCVN3, then VNI, then Windows-1258.  From three words of real text on, detection was exact in
testing.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Callable

__all__ = ["DecodeError", "Decoded", "decode", "normalize", "encode_legacy", "is_syllable"]


class DecodeError(ValueError):
    """The bytes are not text hoptac can read; the message says why."""


@dataclass(frozen=True)
class Decoded:
    text: str  # NFC, normalised by normalize()
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "windows-1258", "tcvn3" or "vni"
    damaged: int = 0  # bytes that were not valid in the encoding, replaced by U+FFFD or dropped at the end


# --------------------------------------------------------------------------------------------
# normalize()

# Unicode general category Zs minus U+0020 (stable since Unicode 6.3).
_SPACE_SEPARATORS = (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)
_ZERO_WIDTH = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
# (character, replacement) pairs.  A guarded str.replace per pair costs ~5 us on a 5 KB article;
# str.translate with a dict table looks up every character and costs ~200 us on non-ASCII text.
_FOLDS = tuple((chr(cp), " ") for cp in _SPACE_SEPARATORS) + tuple(
    (chr(cp), "") for cp in _ZERO_WIDTH
)


def normalize(text: str) -> str:
    """NFC; Unicode space separators -> " "; zero-width characters removed; CRLF/CR -> LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        return text
    for char, replacement in _FOLDS:
        if char in text:
            text = text.replace(char, replacement)
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------------------------
# Binary detection

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX/ODT document)"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 compound file (e.g. a legacy .doc or .xls)"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"(\xb5/\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF media file (WebP/WAV/AVI)"),
    (b"\x00\x00\x01\x00", "icon image"),
)
_SIGNATURE_PREFIXES = tuple(sig for sig, _ in _SIGNATURES)
# C0 controls that never occur in text (TAB LF VT FF CR, SUB and ESC are tolerated).
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20)])
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _binary_signature(data: bytes) -> str | None:
    if not data.startswith(_SIGNATURE_PREFIXES):
        return None
    for sig, what in _SIGNATURES:
        if data.startswith(sig):
            if sig == b"BZh" and data[4:10] != b"1AY&SY":
                continue
            if sig == b"RIFF" and data[8:12] not in (b"WEBP", b"WAVE", b"AVI "):
                continue
            return what
    return None


# --------------------------------------------------------------------------------------------
# UTF-16 / UTF-8


def _looks_like_text(text: str) -> bool:
    """Decoded UTF-16 candidate: no controls/unassigned code points, mostly letters."""
    if not text:
        return False
    letters = other = 0
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] == "L" or cat[0] == "M":
            letters += 1
        elif ch in "\t\n\r\f\v":
            continue
        elif cat in ("Cc", "Cn", "Co", "Cs"):
            return False
        elif cat != "Zs":
            other += 1
    # text has words: a run of one repeated character ("ÿÿÿ" from b"\x00\xff" repeated) or
    # forty characters without a space are data that happens to decode
    words = len(text) <= 40 or any(ch.isspace() for ch in text)
    return letters >= 1 and letters >= other and words and (len(text) < 12 or len(set(text)) >= 4)


def _utf16_without_bom(data: bytes) -> str | None:
    n = len(data) - len(data) % 2
    half = n // 2
    if half < 2:
        return None
    even = data[0:n:2].count(0)
    odd = data[1:n:2].count(0)
    if odd >= 0.3 * half and even <= 0.05 * half:
        codec = "utf-16-le"
    elif even >= 0.3 * half and odd <= 0.05 * half:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data[:n].decode(codec)
    except UnicodeDecodeError:
        return None
    return text if _looks_like_text(text) else None


def _utf8_lenient(data: bytes) -> tuple[str, int] | None:
    """Strict UTF-8, or UTF-8 that is truncated / lightly corrupted, with how many bytes were
    damaged (dropped or replaced); None if it is not UTF-8."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.start >= len(data) - 3 and "end of data" in exc.reason:
            try:  # cut in the middle of the last character (after real UTF-8 characters)
                head = data[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                if not head.isascii():
                    return head, len(data) - exc.start
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    ascii_chars = len(data.translate(None, _HIGH_BYTES))
    good = len(text) - ascii_chars - text.count("\ufffd")
    if good >= 8 and good >= 8 * bad:
        return text, bad
    return None


# --------------------------------------------------------------------------------------------
# Legacy Vietnamese encodings: tables

_DATA_DIR = ("data", "encodings")
_LEGACY_NAMES = ("tcvn3", "vni")


def _load_table(name: str) -> dict[bytes, str]:
    """Read hoptac/data/encodings/<name>.tsv: BYTES<TAB>CHAR[<TAB>NAME] lines, '#' comments."""
    path = resources.files("hoptac").joinpath(*_DATA_DIR, f"{name}.tsv")
    table: dict[bytes, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        try:
            key = bytes.fromhex(fields[0])
            char = fields[1]
            if char.startswith("U+") and len(char) > 2:
                char = chr(int(char[2:], 16))
        except (IndexError, ValueError) as exc:
            raise ValueError(f"{name}.tsv line {lineno}: expected BYTES<TAB>CHAR ({exc})") from None
        if not key or len(char) != 1 or key in table:
            raise ValueError(f"{name}.tsv line {lineno}: empty, multi-character or duplicate entry")
        table[key] = char
    return table


def _windows_fallback() -> list[str]:
    """Byte -> char for bytes a legacy table does not list: Windows-1252, else Latin-1."""
    out = []
    for b in range(256):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return out


def _char_class(chars) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


@dataclass(frozen=True)
class _Codec:
    name: str
    decode: Callable[[bytes], str]  # output decoding (foreign bytes decode as Windows-1252)
    decode_for_score: Callable[[bytes], str]  # foreign / orphaned bytes become U+FFFD
    encode_map: dict[int, str] | None  # str.translate table to a Latin-1 string (None: cp1258)


def _single_byte_codec(name: str, table: dict[bytes, str]) -> _Codec:
    out = _windows_fallback()
    for key, char in table.items():
        out[key[0]] = char
    score = list(out)
    for b in range(0xA1, 0x100):
        if bytes([b]) not in table:
            score[b] = "\ufffd"
    out_table, score_table = "".join(out), "".join(score)
    return _Codec(
        name,
        lambda data: codecs.charmap_decode(data, "strict", out_table)[0],
        lambda data: codecs.charmap_decode(data, "strict", score_table)[0],
        _encode_map(name, table),
    )


def _sequence_codec(name: str, table: dict[bytes, str]) -> _Codec:
    """Greedy longest-match decoding of a table with multi-byte sequences (VNI)."""
    mapping = {key.decode("latin-1"): char for key, char in table.items()}
    # Base letter and diacritic byte of different case (e.g. "Aù" after Word's "Change Case"):
    # the letter takes the case of the base.
    for key, char in list(mapping.items()):
        if len(key) == 2 and key[0].isalpha():
            variant = key[0].swapcase() + key[1]
            if variant not in mapping:
                mapping[variant] = char.upper() if variant[0].isupper() else char.lower()
    fallback = _windows_fallback()
    for b in range(0x80, 0xA0):
        if chr(b) not in mapping and fallback[b] != chr(b):
            mapping[chr(b)] = fallback[b]
    score_mapping = dict(mapping)
    # Diacritic bytes that only mean something after a base letter are errors on their own.
    for key in mapping:
        if len(key) > 1:
            for ch in key[1:]:
                score_mapping.setdefault(ch, "\ufffd")

    def pattern_for(keys) -> re.Pattern[str]:
        by_first: dict[str, set[str]] = {}
        longer = []
        for key in keys:
            if len(key) == 2:
                by_first.setdefault(key[0], set()).add(key[1])
            elif len(key) > 2:
                longer.append(key)
        by_seconds: dict[frozenset[str], list[str]] = {}
        for first, seconds in by_first.items():
            by_seconds.setdefault(frozenset(seconds), []).append(first)
        parts = [re.escape(k) for k in sorted(longer, key=len, reverse=True)]
        parts += [f"[{_char_class(f)}][{_char_class(s)}]" for s, f in by_seconds.items()]
        singles = [k for k in keys if len(k) == 1]
        if singles:
            parts.append(f"[{_char_class(singles)}]")
        return re.compile("|".join(parts))

    out_re, score_re = pattern_for(mapping), pattern_for(score_mapping)

    def out(data: bytes) -> str:
        return out_re.sub(lambda m: mapping[m[0]], data.decode("latin-1"))

    def for_score(data: bytes) -> str:
        return score_re.sub(lambda m: score_mapping[m[0]], data.decode("latin-1"))

    return _Codec(name, out, for_score, _encode_map(name, table))


_UNENCODABLE = "\ufffe"  # not Latin-1, so encoding fails on it


def _encode_map(name: str, table: dict[bytes, str]) -> dict[int, str]:
    enc: dict[int, str] = {}
    for key, char in table.items():
        if ord(char) not in enc or len(key) < len(enc[ord(char)]):
            enc[ord(char)] = key.decode("latin-1")
    if name == "tcvn3":  # capitals with tone marks: the lower-case byte (capitals-font convention)
        for code, written in list(enc.items()):
            upper = chr(code).upper()
            if len(upper) == 1 and ord(upper) not in enc:
                enc[ord(upper)] = written
    for b in range(0x80, 0xA1):  # typographic punctuation shared with Windows-1252, and NBSP
        try:
            char = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        enc.setdefault(ord(char), chr(b))
    for cp in range(0x80, 0x100):  # other Latin-1 characters would be misread: refuse them
        enc.setdefault(cp, _UNENCODABLE)
    return enc


def _cp1258_codec() -> _Codec:
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode("cp1258"))
        except UnicodeDecodeError:
            chars.append(chr(b))
    table = "".join(chars)

    def dec(data: bytes) -> str:
        return codecs.charmap_decode(data, "strict", table)[0]

    return _Codec("windows-1258", dec, dec, None)


@functools.cache
def _codec(name: str) -> _Codec:
    if name == "windows-1258":
        return _cp1258_codec()
    if name == "tcvn3":
        return _single_byte_codec(name, _load_table(name))
    if name == "vni":
        return _sequence_codec(name, _load_table(name))
    raise ValueError(f"unknown legacy encoding {name!r} (expected 'tcvn3' or 'vni')")


def _decode_as(data: bytes, encoding: str) -> str:
    """Decode with one legacy encoding, no detection, normalised (used by tests and tools)."""
    return normalize(_codec(encoding).decode(data))


def encode_legacy(text: str, encoding: str) -> bytes:
    """Write NFC ``text`` in "tcvn3" or "vni" (inverse of the tables; ValueError if impossible).

    TCVN3 has no capitals with tone marks: they are written with the lower-case byte, so they
    come back lower-case.  Typographic punctuation is written as in Windows-1252.
    """
    if encoding not in _LEGACY_NAMES:
        raise ValueError(f"unknown legacy encoding {encoding!r} (expected 'tcvn3' or 'vni')")
    text = unicodedata.normalize("NFC", text)
    encode_map = _codec(encoding).encode_map
    assert encode_map is not None  # only Windows-1258 has none, and it is not a legacy name
    try:
        return text.translate(encode_map).encode("latin-1")
    except UnicodeEncodeError:
        bad = next(
            c
            for c in text
            if not c.isascii() and encode_map.get(ord(c), _UNENCODABLE) == _UNENCODABLE
        )
        raise ValueError(f"{bad!r} (U+{ord(bad):04X}) cannot be written in {encoding}") from None


# --------------------------------------------------------------------------------------------
# Plausibility: is a decoded word a Vietnamese syllable?

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def _vietnamese_letters() -> frozenset[str]:
    bases = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    letters = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZđĐ")
    for base in bases:
        for tone in ("", *_TONE_MARKS):
            ch = unicodedata.normalize("NFC", base + tone)
            letters.update((ch, ch.upper()))
    return frozenset(letters)


_LETTERS = _vietnamese_letters()

_RHYMES = """
a ai ao au ay am an ang anh ap at ac ach
ăm ăn ăng ăp ăt ăc
âu ây âm ân âng âp ât âc
e eo em en eng ep et ec
ê êu êm ên ênh êp êt êch
i ia iu im in inh ip it ich
iêu iêm iên iêng iêp iêt iêc
yêu yêm yên yêng yêt
o oi om on ong op ot oc oong ooc
ô ôi ôm ôn ông ôp ôt ôc
ơ ơi ơm ơn ơp ơt
u ua ui um un ung up ut uc
uôi uôm uôn uông uôt uôc
ư ưa ưi ưu ưm ưn ưng ưt ưc
ươi ươu ươm ươn ương ươp ươt ươc
y
oa oai oay oam oan oang oanh oap oat oac oach
oăm oăn oăng oăt oăc
oe oeo oen oet
uân uâng uât uây
uê uêch uênh
uy uya uyu uych uynh uyt uyn uyp uyên uyêt
uơ
""".split()

# Onsets, with the spelling rules that pick between c/k/q, g/gh and ng/ngh.
_ONSET = (
    r"(?:ngh(?=[eêi])|ng(?![eêi])|gh(?=[eêi])|gi|g(?![eê])|nh|ch|kh|ph|th|tr"
    r"|qu(?=[aăâeêioôơy])|k(?=[eêiy])|c(?![eêiy]|o[aăe]|u[âêyơ])|[bdđhlmnprstvx])?"
)
_SYLLABLE = re.compile(_ONSET + "(?:" + "|".join(sorted(_RHYMES, key=len, reverse=True)) + ")")


@functools.cache
def _common_syllables() -> frozenset[str]:
    """hoptac/data/encodings/syllables.tsv: frequent syllables, a small prior that separates real
    words from the accidental syllables a wrong decoding can produce."""
    path = resources.files("hoptac").joinpath(*_DATA_DIR, "syllables.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        unicodedata.normalize("NFC", line.strip().lower())
        for line in lines
        if line.strip() and not line.startswith("#")
    )


def is_syllable(word: str) -> bool:
    """Whether ``word`` is spelt like a Vietnamese syllable (``Hùng``, ``nghiêng``; not ``Hyun``, ``Laval``)."""
    return _syllable_value(word.lower()) > 0


@functools.lru_cache(maxsize=16384)
def _syllable_value(word: str) -> int:
    """2 for a common syllable, 1 for a well-formed one, 0 otherwise (word is lower-case NFC)."""
    if word in _common_syllables():
        return 2
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return 0
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    if _SYLLABLE.fullmatch(base) is None:
        return 0
    if base[-1] in "ptc" or base.endswith("ch"):  # stop finals take only sắc or nặng
        if not tones or tones[0] not in "\u0301\u0323":
            return 0
    return 1


def _word_score(word: str) -> int:
    """Score of one decoded byte-word: -1 foreign/orphaned characters, 0 neutral/ill-formed,
    1 a well-formed Vietnamese syllable, 2 a common one."""
    first = last = -1
    for i, ch in enumerate(word):
        if ch in _LETTERS:
            if first < 0:
                first = i
            last = i
        elif unicodedata.category(ch)[0] not in "PZSN":
            # a foreign letter (ä, µ, Þ), U+FFFD, a dangling combining mark, a control, soft hyphen
            return -1
    if first < 0:
        return 0
    core = word[first : last + 1]
    for ch in core:
        if ch not in _LETTERS:
            return -1  # punctuation or a symbol inside a word
    if core.isascii():
        return 0
    return _syllable_value(core.lower())


# Byte "words": runs of ASCII letters and non-ASCII bytes (A0 NBSP separates).
_BYTE_WORD = re.compile(rb"[A-Za-z\x80-\x9f\xa1-\xff]+")
_INFORMATIVE = re.compile(rb"[\xa1-\xff]")
# Preference on exact ties: by how common each was for Vietnamese documents.
_CANDIDATES = ("tcvn3", "vni", "windows-1258")
_MAX_DISTINCT_WORDS = 2000
_MIN_SCORE = 0.3


@functools.lru_cache(maxsize=65536)
def _scored_word(encoding: str, word: bytes) -> int:
    return _word_score(unicodedata.normalize("NFC", _codec(encoding).decode_for_score(word)))


def _detect_legacy(data: bytes) -> str | None:
    words = Counter(_BYTE_WORD.findall(data))
    words = Counter({w: n for w, n in words.items() if _INFORMATIVE.search(w) is not None})
    if not words:
        # Only Windows punctuation (smart quotes, dashes) and NBSP: every candidate reads the
        # same, and Windows-1258 is the one that is a real, declared charset.
        return "windows-1258"
    sample = words.most_common(_MAX_DISTINCT_WORDS)
    total = sum(n for _, n in sample)
    best, best_score = None, float("-inf")
    for encoding in _CANDIDATES:  # in order of preference: a later one must score strictly higher
        score = sum(_scored_word(encoding, word) * n for word, n in sample) / total
        if score > best_score:
            best, best_score = encoding, score
    return best if best_score >= _MIN_SCORE else None


# --------------------------------------------------------------------------------------------
# decode()

_NOT_DECODABLE = "not decodable as UTF-8, UTF-16, Windows-1258, TCVN3 or VNI"


def decode(data: bytes) -> Decoded:
    """Decode article bytes (see the module docstring for the order) and normalise the text."""
    if not isinstance(data, bytes):
        if isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        else:
            raise TypeError(f"decode() needs bytes, not {type(data).__name__}")
    if not data:
        return Decoded("", "utf-8")

    what = _binary_signature(data)
    if what is not None:
        raise DecodeError(f"binary data ({what}), not text")

    if data.startswith(codecs.BOM_UTF8):
        lenient = _utf8_lenient(data[3:])
        if lenient is None:
            raise DecodeError("UTF-8 byte-order mark, but the rest is not valid UTF-8")
        return Decoded(normalize(lenient[0]), "utf-8-sig", lenient[1])
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise DecodeError("UTF-32 text (byte-order mark) is not supported")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data[: len(data) - len(data) % 2].decode("utf-16")
        except UnicodeDecodeError:
            raise DecodeError("UTF-16 byte-order mark, but the rest is not valid UTF-16") from None
        return Decoded(normalize(text), "utf-16")

    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise DecodeError("binary data (NUL bytes), not text")
        return Decoded(normalize(utf16), "utf-16")

    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > 2 and controls * 100 > len(data):
        raise DecodeError(f"binary data ({controls} control bytes in {len(data)}), not text")

    try:
        return Decoded(normalize(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    lenient = _utf8_lenient(data)
    if lenient is not None:
        return Decoded(normalize(lenient[0]), "utf-8", lenient[1])

    encoding = _detect_legacy(data)
    if encoding is None:
        raise DecodeError(_NOT_DECODABLE)
    return Decoded(normalize(_codec(encoding).decode(data)), encoding)
