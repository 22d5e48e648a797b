"""The matching machinery the rules stand on, checked against the plain way of doing the same
thing: trie alternations against longest-first lists, search-friendly word patterns against
case-insensitive ones, token-anchored matches against ``finditer``, phrase books against a
brute-force scan, and the shadow text against the text it expands."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.extract.doc import Doc
from hoptac.extract.lexicon import alternation, longest_first
from hoptac.extract.patterns import L, R, words_re
from hoptac.extract.shadow import Shadow
from hoptac.extract.tokens import PhraseBook, Tokens, keys, leads
from hoptac.text.article import RawDocument, read

# a few syllables, some sharing beginnings, in both cases and with old and new tone marks
SYLLABLES = ["hội", "Hội", "hội nghị", "nghị", "ký", "kí", "ký kết", "kết", "sở", "Sở", "sơ", "sơ kết", "hòa", "hoà", "Đà", "đà", "a", "ab"]
words = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=8, unique=True)
texts = st.lists(st.sampled_from(SYLLABLES + [" ", ", ", ".", "x", "Xin"]), max_size=30).map(" ".join)


@given(words, texts)
def test_a_trie_alternation_matches_what_a_longest_first_list_matches(ws, text):
    trie = re.compile(rf"{L}{alternation(ws)}{R}")
    listed = re.compile(rf"{L}(?:{'|'.join(map(re.escape, longest_first(ws)))}){R}")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in listed.finditer(text)]


@given(words, texts)
def test_a_search_friendly_word_pattern_finds_what_the_case_insensitive_one_finds(ws, text):
    plain = re.compile(rf"{L}{alternation(ws, fold=True)}{R}", re.IGNORECASE)
    assert [m.span() for m in words_re(ws).finditer(text)] == [m.span() for m in plain.finditer(text)]


def _doc(text: str) -> Doc:
    return Doc.from_article(read(RawDocument(name="t.txt", data=text.encode("utf-8"))))


@settings(max_examples=60)
@given(words, texts)
def test_matches_anchored_at_the_leading_words_are_the_matches_finditer_finds(ws, text):
    doc = _doc(text)
    pattern = re.compile(rf"{L}{alternation(ws, fold=True)}{R}", re.IGNORECASE)
    assert [m.span() for m in doc.matches(pattern, leads(ws))] == [m.span() for m in pattern.finditer(doc.s)]


@given(words, texts)
def test_a_phrase_book_finds_the_longest_phrase_a_scan_of_all_phrases_finds(ws, text):
    book = PhraseBook((w, w) for w in ws)
    toks = Tokens(text)
    for i in range(len(toks)):
        hit = book.longest(toks, i, loose=False)
        fits = [(i + len(keys(w)), w) for w in ws if toks.keys[i : i + len(keys(w))] == list(keys(w))]
        best = max((end for end, _ in fits), default=None)
        assert (hit[0] if hit else None) == best


abbreviated = st.lists(st.sampled_from(["Sở KH&CN", "UBND", "TP. HCM", "tỉnh", "Cần Thơ", "hoà", "ĐMST", "và", ",", "KHCN"]), max_size=20).map(" ".join)


@given(abbreviated)
def test_the_shadow_maps_every_offset_back_into_the_text_in_order(text):
    shadow = Shadow(text)
    back = [shadow.original(i) for i in range(len(shadow.text) + 1)]
    assert back == sorted(back) and all(0 <= b <= len(text) for b in back)
    # a word left as printed is the same word at the offset it maps to
    for m in re.finditer(r"Cần Thơ|tỉnh", shadow.text):
        assert text[shadow.original(m.start()) : shadow.original(m.end(), end=True)] == m.group()
