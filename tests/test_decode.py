"""Tests for hoptac.text.decode: every way an article's bytes can arrive, and what must come out."""

from __future__ import annotations

import codecs
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoptac.text.decode import DecodeError, Decoded, _decode_as, decode, encode_legacy, normalize

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TABLES = ROOT / "hoptac" / "data" / "encodings"

SENTENCE = (
    "Sở Khoa học và Công nghệ tỉnh Nghệ An tổ chức Hội nghị sơ kết 2 năm thực hiện Chương trình phối hợp."
)

# Distinct sentences (news style) used for detection tests in every encoding.
SENTENCES = [
    "Sáng ngày 12/10/2023, Sở Khoa học và Công nghệ tổ chức hội thảo khoa học về chuyển đổi số.",
    "Ủy ban nhân dân tỉnh đã phê duyệt danh mục nhiệm vụ khoa học và công nghệ cấp tỉnh năm 2024.",
    "Các đại biểu đánh giá cao kết quả hợp tác giữa hai đơn vị trong lĩnh vực nông nghiệp công nghệ cao.",
    "Phó Giám đốc Sở đề nghị các doanh nghiệp tăng cường ứng dụng tiến bộ kỹ thuật vào sản xuất.",
    "Hội đồng tư vấn đã nghiệm thu đề tài nghiên cứu bảo tồn nguồn gen cây dược liệu quý hiếm.",
    "Trung tâm Thông tin và Thống kê khoa học công nghệ phát hành bản tin định kỳ hằng tháng.",
    "Đoàn công tác đã khảo sát mô hình trồng nấm ăn và nấm dược liệu tại huyện miền núi.",
    "Những kết quả bước đầu cho thấy hiệu quả kinh tế rõ rệt, được người dân đồng tình ủng hộ.",
]

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
BASE_CAPITALS = "ĂÂÊÔƠƯĐ"  # the only non-ASCII capitals TCVN3 has


def cp1258_bytes(text: str, precomposed: bool = False) -> bytes:
    """Windows-1258 as Windows writes it: base letters (â ê ô ă ơ ư đ) precomposed, tone marks as
    combining bytes; with precomposed=True, letters that exist whole in cp1258 (á, à, ...) stay
    whole."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if precomposed:
            try:
                ch.encode("cp1258")
            except UnicodeEncodeError:
                pass
            else:
                out.append(ch)
                continue
        nfd = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in nfd if c in TONE_MARKS)
        rest = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONE_MARKS))
        out.append(rest + tones)
    return "".join(out).encode("cp1258")


def tcvn3_readback(text: str) -> str:
    """What TCVN3 can give back: capitals with tone marks come back lower-case (documented)."""
    return "".join(
        c.lower() if c.isupper() and not c.isascii() and c not in BASE_CAPITALS else c for c in text
    )


def vietnamese_letters() -> list[str]:
    bases = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    lower = []
    for base in bases:
        for tone in ("", *TONE_MARKS):
            lower.append(unicodedata.normalize("NFC", base + tone))
    lower.append("đ")
    return lower


LOWER_LETTERS = vietnamese_letters()  # 73: 12 vowels x 6 tone states + đ
LOWER_WITH_DIACRITICS = [c for c in LOWER_LETTERS if not c.isascii()]  # 67


# --------------------------------------------------------------------------------------------
# One sentence in every encoding


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(SENTENCE.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(SENTENCE.encode("utf-8-sig"), "utf-8-sig", id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + SENTENCE.encode("utf-16-le"), "utf-16", id="utf16le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + SENTENCE.encode("utf-16-be"), "utf-16", id="utf16be-bom"),
        pytest.param(SENTENCE.encode("utf-16-le"), "utf-16", id="utf-16-le-no-bom"),
        pytest.param(SENTENCE.encode("utf-16-be"), "utf-16", id="utf-16-be-no-bom"),
        pytest.param(cp1258_bytes(SENTENCE), "windows-1258", id="windows-1258"),
        pytest.param(
            cp1258_bytes(SENTENCE, precomposed=True), "windows-1258", id="windows-1258-precomposed"
        ),
        pytest.param(encode_legacy(SENTENCE, "tcvn3"), "tcvn3", id="tcvn3"),
        pytest.param(encode_legacy(SENTENCE, "vni"), "vni", id="vni"),
    ],
)
def test_sentence_decodes_in_every_encoding(data: bytes, encoding: str) -> None:
    assert decode(data) == Decoded(SENTENCE, encoding)


def test_well_known_legacy_spellings() -> None:
    assert decode("ViÖt Nam".encode("latin-1")) == Decoded("Việt Nam", "tcvn3")
    assert decode("Vieät Nam".encode("latin-1")) == Decoded("Việt Nam", "vni")
    assert encode_legacy("Việt Nam", "tcvn3") == b"Vi\xd6t Nam"
    assert encode_legacy("Việt Nam", "vni") == b"Vie\xe4t Nam"
    assert decode("Hµ Néi, §µ N½ng".encode("latin-1")).text == "Hà Nội, Đà Nẵng"
    assert decode("Haø Noäi, Ñaø Naüng".encode("latin-1")).text == "Hà Nội, Đà Nẵng"


def test_windows_1258_output_is_composed() -> None:
    text = decode(cp1258_bytes(SENTENCE)).text
    assert not any(unicodedata.combining(c) for c in text)
    assert "ệ" in text and "ổ" in text


# --------------------------------------------------------------------------------------------
# Detection must not confuse the encodings


@pytest.mark.parametrize("sentence", SENTENCES)
def test_detects_utf8(sentence: str) -> None:
    assert decode(sentence.encode("utf-8")) == Decoded(sentence, "utf-8")


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize("precomposed", [False, True], ids=["combining-tones", "precomposed"])
def test_detects_windows_1258(sentence: str, precomposed: bool) -> None:
    assert decode(cp1258_bytes(sentence, precomposed)) == Decoded(sentence, "windows-1258")


@pytest.mark.parametrize("sentence", SENTENCES)
def test_detects_tcvn3(sentence: str) -> None:
    assert decode(encode_legacy(sentence, "tcvn3")) == Decoded(tcvn3_readback(sentence), "tcvn3")


@pytest.mark.parametrize("sentence", SENTENCES)
def test_detects_vni(sentence: str) -> None:
    assert decode(encode_legacy(sentence, "vni")) == Decoded(sentence, "vni")


@pytest.mark.parametrize("sentence", SENTENCES)
def test_detects_vni_all_capitals(sentence: str) -> None:
    upper = sentence.upper()
    assert decode(encode_legacy(upper, "vni")) == Decoded(upper, "vni")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("khoa nhiều", "tcvn3"),  # as Windows-1258 it would read "khoa nhỉu", also a syllable
        ("nhiều kinh tế", "tcvn3"),
        ("đi đến", "vni"),
        ("ơi đó", "vni"),
        ("tham gia kỹ", "windows-1258"),
        ("nhà hoà", "windows-1258-precomposed"),  # VNI would read "a" + "à" as "ầ"
        ("báo cô", "windows-1258-precomposed"),
    ],
)
def test_short_inputs_prefer_real_words(text: str, encoding: str) -> None:
    if encoding.startswith("windows-1258"):
        data = cp1258_bytes(text, precomposed=encoding.endswith("precomposed"))
        encoding = "windows-1258"
    else:
        data = encode_legacy(text, encoding)
    assert decode(data) == Decoded(text, encoding)


@pytest.mark.parametrize(
    "data",
    [
        cp1258_bytes("tham nam kỹ"),
        encode_legacy("theo sau trí", "tcvn3"),
        encode_legacy("ban nhà", "vni"),
    ],
)
def test_legacy_text_ending_in_a_lead_byte_is_not_truncated_utf8(data: bytes) -> None:
    # The only non-ASCII byte is the last one and looks like the start of a UTF-8 character;
    # without a real UTF-8 character before it, that is no evidence of truncated UTF-8.
    assert decode(data).encoding != "utf-8"
    assert not decode(data).text.isascii()


def test_tcvn3_capitals_with_tone_marks_come_back_lower_case() -> None:
    data = encode_legacy("Ủy ban nhân dân tỉnh Đồng Tháp", "tcvn3")
    assert data == encode_legacy("ủy ban nhân dân tỉnh Đồng Tháp", "tcvn3")
    assert decode(data).text == "ủy ban nhân dân tỉnh Đồng Tháp"


def test_vni_base_and_diacritic_of_different_case() -> None:
    # Word's "Change Case" turns "aùnh" into "Aùnh"; the letter takes the case of the base.
    assert _decode_as("Aùnh saùng".encode("latin-1"), "vni") == "Ánh sáng"
    data = "Aùnh saùng khoa hoïc Vieät Nam".encode("latin-1")
    assert decode(data).text == "Ánh sáng khoa học Việt Nam"


# --------------------------------------------------------------------------------------------
# Sample corpus files


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_sample_corpus_file_decodes_to_original(encoding: str) -> None:
    data = (ROOT / "corpus" / "sample" / f"legacy_{encoding}.txt").read_bytes()
    original = (FIXTURES / f"legacy_{encoding}.utf8.txt").read_text(encoding="utf-8")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really a legacy file
    assert decode(data) == Decoded(original, encoding)
    assert encode_legacy(original, encoding) == data


# --------------------------------------------------------------------------------------------
# normalize()


def test_decomposed_utf8_comes_out_nfc() -> None:
    nfd = unicodedata.normalize("NFD", SENTENCE)
    assert nfd != SENTENCE
    assert decode(nfd.encode("utf-8")).text == SENTENCE
    assert normalize(nfd) == SENTENCE


def test_spaces_folded_and_zero_width_removed() -> None:
    raw = "Sở\u00a0KH&CN\u202ftỉnh\u2007Nghệ\u3000An\u200b, ngày\u200c12/10\u200d/2023\u2060\ufeff"
    assert normalize(raw) == "Sở KH&CN tỉnh Nghệ An, ngày12/10/2023"
    assert decode(raw.encode("utf-8")).text == "Sở KH&CN tỉnh Nghệ An, ngày12/10/2023"


def test_zero_width_inside_a_letter_does_not_block_composition() -> None:
    assert normalize("Vie\u0302\u200b\u0323t") == "Việt"


def test_line_endings() -> None:
    assert normalize("một\r\nhai\rba\n\nbốn\r\n") == "một\nhai\nba\n\nbốn\n"
    assert decode(b"Nam\r\nB\xe1\xbb\x99\r").text == "Nam\nBộ\n"


def test_normalize_changes_nothing_else() -> None:
    text = "Hoá học, HÓA HỌC, hóa học\tthuỷ lợi, thủy lợi – “KH&CN” … ½\u2028x"
    assert normalize(text) == text


def test_every_unicode_space_separator_is_folded() -> None:
    for cp in range(0x10000):
        ch = chr(cp)
        if unicodedata.category(ch) == "Zs":
            assert normalize(f"a{ch}b") == "a b", f"U+{cp:04X}"


# --------------------------------------------------------------------------------------------
# Not text


def test_empty_input() -> None:
    assert decode(b"") == Decoded("", "utf-8")


def test_plain_english_is_utf8() -> None:
    text = "The Department of Science and Technology signed a cooperation programme.\n"
    assert decode(text.encode("ascii")) == Decoded(text, "utf-8")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "gzip"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    ],
)
def test_binary_formats_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(data)


def test_random_bytes_with_nuls_are_refused() -> None:
    data = random.Random(7).randbytes(4096)
    assert b"\x00" in data
    with pytest.raises(DecodeError, match="binary data \\(NUL bytes\\)"):
        decode(data)


def test_control_characters_are_refused() -> None:
    data = bytes(b for b in random.Random(3).randbytes(2000) if b != 0)
    with pytest.raises(DecodeError, match="control"):
        decode(data)


def test_high_bytes_that_are_no_vietnamese_encoding_are_refused() -> None:
    data = bytes(random.Random(5).choice(range(0xA1, 0x100)) for _ in range(300))
    reason = "not decodable as UTF-8, UTF-16, Windows-1258, TCVN3 or VNI"
    with pytest.raises(DecodeError, match=reason):
        decode(data)


def test_decode_error_is_a_value_error() -> None:
    assert issubclass(DecodeError, ValueError)


# --------------------------------------------------------------------------------------------
# Damaged UTF-8


def test_utf8_truncated_in_the_last_character() -> None:
    data = SENTENCE.encode("utf-8") + "ệ".encode("utf-8")[:2]
    assert decode(data) == Decoded(SENTENCE, "utf-8", damaged=2)  # the two bytes of a cut "ệ"


def test_utf8_with_one_corrupt_byte_stays_utf8() -> None:
    data = SENTENCE.encode("utf-8") + b" \xff " + SENTENCE.encode("utf-8")
    decoded = decode(data)
    assert decoded.encoding == "utf-8" and decoded.damaged == 1
    assert decoded.text == f"{SENTENCE} \ufffd {SENTENCE}"


# --------------------------------------------------------------------------------------------
# Tables and encode_legacy()


def read_table(name: str) -> dict[bytes, str]:
    table = {}
    for line in (TABLES / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, char = line.split("\t")[:2]
            table[bytes.fromhex(key)] = chr(int(char[2:], 16)) if char.startswith("U+") else char
    return table


def test_tcvn3_table_is_complete() -> None:
    table = read_table("tcvn3")
    assert all(len(k) == 1 and k[0] >= 0xA1 for k in table)
    values = set(table.values())
    assert set(LOWER_WITH_DIACRITICS) <= values
    assert set(BASE_CAPITALS) <= values
    assert len(table) == len(values) == 67 + 7 + 5  # + the five stand-alone tone marks


def test_vni_table_is_complete() -> None:
    table = read_table("vni")
    values = set(table.values())
    upper = {c.upper() for c in LOWER_WITH_DIACRITICS}
    assert values == set(LOWER_WITH_DIACRITICS) | upper
    assert len(table) == 134
    assert all(len(k) <= 2 for k in table)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_letter_round_trips(encoding: str) -> None:
    for lower in LOWER_LETTERS:
        for ch in {lower, lower.upper()}:
            expected = tcvn3_readback(ch) if encoding == "tcvn3" else ch
            assert _decode_as(encode_legacy(ch, encoding), encoding) == expected, ch


def test_encode_legacy_refuses_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="cannot be written in vni"):
        encode_legacy("Straße", "vni")
    with pytest.raises(ValueError, match="cannot be written in tcvn3"):
        encode_legacy("科学", "tcvn3")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        encode_legacy("Việt Nam", "viscii")


def test_encode_legacy_writes_windows_punctuation() -> None:
    assert encode_legacy("“Việt” – Nam…", "tcvn3") == b"\x93Vi\xd6t\x94 \x96 Nam\x85"
    assert _decode_as(b"\x93Vi\xd6t\x94 \x96 Nam\x85", "tcvn3") == "“Việt” – Nam…"


# --------------------------------------------------------------------------------------------
# Properties

PUNCTUATION = list(" ,.;:!?()-\"'/")
LETTER_TEXT = st.text(
    alphabet=st.sampled_from(
        LOWER_LETTERS + [c.upper() for c in LOWER_LETTERS] + list("bcdghklmnpqrstvx") + PUNCTUATION
    ),
    max_size=60,
)

# Real words, in random order: detection judges words, so random letters are not a fair input.
# Left out: words whose bytes are another common word in another encoding, which no detector can
# settle without context (VNI "tư" = TCVN3 "tử", VNI "tồn" = Windows-1258 "toàn", cp1258 "cô" =
# TCVN3 "cụ"); a sentence made only of those is ambiguous.
WORDS = """
    sở khoa học công nghệ tỉnh tổ chức hội nghị sơ kết năm thực hiện chương trình phối hợp với
    trường đại học giám đốc phó chủ tịch ủy ban nhân dân nghiên cứu ứng dụng chuyển giao đổi mới
    sáng tạo doanh nghiệp kết quả nhiệm vụ đề tài dự án cấp quốc gia địa phương của và các là có
    được trong những người đã để đến theo tại trên nhiều phát triển kinh tế xã hội nông nghiệp
    giống cây trồng dược liệu bảo quản nguồn gen môi trường biến đổi khí hậu sở hữu trí tuệ đo lường
    chất lượng tiêu chuẩn thông tin thống kê hỗ trợ đầu mối kinh phí hằng tháng ngày lễ ký hợp đồng
    thẩm định nghiệm thu hội đồng cố vấn đánh giá cao hiệu quả rõ rệt đồng tình ủng hộ miền núi
""".split()
PUNCT_SEPARATORS = [" ", " ", " ", ", ", ". ", "; ", " - ", ": ", "\n"]


@st.composite
def vietnamese_text(draw, capitals: bool) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=4, max_size=30))
    out = []
    for i, word in enumerate(words):
        if capitals:
            word = draw(st.sampled_from([word, word.capitalize(), word.upper()]))
        out.append(word)
        if i < len(words) - 1:
            out.append(draw(st.sampled_from(PUNCT_SEPARATORS)))
    return "".join(out)


PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(vietnamese_text(capitals=True))
def test_property_vni_round_trip(text: str) -> None:
    assert decode(encode_legacy(text, "vni")).text == text


@PROPERTY_SETTINGS
@given(vietnamese_text(capitals=False))
def test_property_tcvn3_round_trip(text: str) -> None:
    assert decode(encode_legacy(text, "tcvn3")).text == text


@PROPERTY_SETTINGS
@given(vietnamese_text(capitals=True))
def test_property_windows_1258_round_trip(text: str) -> None:
    assert decode(cp1258_bytes(text)).text == text


@PROPERTY_SETTINGS
@given(LETTER_TEXT)
def test_property_tables_round_trip_any_letters(text: str) -> None:
    # No detection: the tables alone are exact inverses (greedy VNI parsing included).
    assert _decode_as(encode_legacy(text, "vni"), "vni") == text
    assert _decode_as(encode_legacy(text, "tcvn3"), "tcvn3") == tcvn3_readback(text)


TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")),
        st.sampled_from(["\t", "\n", "\r", "\u00a0", "\u200b", "\ufeff", "\u0301", "ệ", "Đ"]),
    ),
    max_size=200,
)


@PROPERTY_SETTINGS
@given(TEXT)
def test_property_utf8_decodes_to_normalized_text(text: str) -> None:
    assert decode(text.encode("utf-8")).text == normalize(text)


@PROPERTY_SETTINGS
@given(TEXT)
def test_property_normalize_is_idempotent_and_nfc(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\r" not in once and "\u00a0" not in once and "\u200b" not in once
