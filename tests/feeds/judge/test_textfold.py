"""Folding, stemming and phrase matching."""

import unicodedata

import pytest

from feeds.judge.textfold import (
    TOKEN_RE,
    Phrase,
    PhraseIndex,
    fold,
    fold_for_scan,
    phrase_keys,
    stem,
    tokenize,
)


def test_fold_lowers_case_and_strips_accents_keeping_length() -> None:
    folded = fold("Migración Énergie CANADÁ")
    assert folded.text == "migracion energie canada"
    assert folded.offsets is None


def test_fold_unifies_typographic_apostrophes_and_dashes() -> None:
    assert fold("Leaders’ Summit — NALS").text == fold("Leaders' Summit - NALS").text


def test_fold_maps_offsets_back_when_length_changes() -> None:
    original = "cœur de Mexico"
    folded = fold(original)
    start = folded.text.index("mexico")
    first, last = folded.original_span(start, start + len("mexico"))
    assert original[first:last] == "Mexico"


def test_fold_handles_decomposed_accents() -> None:
    original = "migracio\u0301n y Me\u0301xico"
    folded = fold(original)
    assert folded.text == "migracion y mexico"
    start = folded.text.index("mexico")
    first, last = folded.original_span(start, start + 6)
    assert original[first:last] == "Me\u0301xico"


def test_stem_joins_plural_and_singular_in_three_languages() -> None:
    assert stem("migrants") == stem("migrant")
    assert stem("migraciones") == stem("migracion")
    assert stem("migrations") == stem("migration")
    assert stem("nationaux") == stem("national")
    assert stem("americaines") == stem("americain")


def _index(*terms: str) -> PhraseIndex:
    return PhraseIndex(Phrase(i, phrase_keys(t), "c") for i, t in enumerate(terms))


def test_phrase_matches_inflected_and_typographic_variants() -> None:
    index = _index("North American Leaders' Summit")
    for text in ("the North American Leaders’ Summit", "NORTH AMERICAN LEADERS SUMMITS"):
        hits, _ = index.scan(fold(text), text)
        assert len(hits) == 1


def test_prefix_term_matches_every_derived_word() -> None:
    index = _index("migra*")
    text = "Migrants, migración and migratory flows"
    hits, _ = index.scan(fold(text), text)
    assert [text[h.start : h.end] for h in hits] == ["Migrants", "migración", "migratory"]


def test_longest_phrase_wins_within_a_category() -> None:
    index = _index("Estados Unidos", "Estados Unidos Mexicanos")
    text = "los Estados Unidos Mexicanos"
    hits, _ = index.scan(fold(text), text)
    assert [text[h.start : h.end] for h in hits] == ["Estados Unidos Mexicanos"]


def test_exact_acronym_needs_its_capitals() -> None:
    index = PhraseIndex([Phrase(0, phrase_keys("US"), "c", exact="US")])
    assert len(index.scan(fold("the US and Canada"), "the US and Canada")[0]) == 1
    assert index.scan(fold("join us today"), "join us today")[0] == []


def test_one_index_matches_from_many_threads_while_it_learns_new_words() -> None:
    # The poll classifies in threads with one classifier; its token caches fill as it reads.
    # A thread once found a word half-learnt by another (its keys cached, its candidates not).
    import sys

    words = [f"word{n}" for n in range(400)]
    # Every thread meets the same new words, each starting at a different one.
    texts = [
        " ".join(words[i * 50 :] + words[: i * 50]) + " North American Leaders Summit"
        for i in range(8)
    ]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns every few bytecodes: races show at once
    try:
        _scan_from_threads(texts)
    finally:
        sys.setswitchinterval(switch)


def _scan_from_threads(texts: list[str]) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    for _ in range(30):
        index = _index("North American Leaders Summit")
        start = threading.Barrier(8)

        def scan(text: str, index: PhraseIndex = index, start: threading.Barrier = start) -> int:
            start.wait()
            return len(index.scan(fold(text), text)[0])

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(scan, texts)) == [1] * 8


def test_an_index_survives_pickling_for_worker_processes() -> None:
    import pickle

    index = pickle.loads(pickle.dumps(_index("North American Leaders Summit")))
    text = "the North American Leaders Summit"
    assert len(index.scan(fold(text), text)[0]) == 1


SCAN_TEXTS = [
    "Leaders’ Summit – “North American” agenda",
    "Los líderes de MÉXICO, Canadá y EE. UU. se reunieron ÀÉÎÕÜ ÑÇ ß ÿ µ",
    "Le « Sommet » des dirigeants\u00a0: l’équité — et la santé",
    "cœur, œuvre, Łódź, İstanbul, ẞ",
    "me\u0301xico y Canada\u0301, decomposed",
    "under_score, x×y, 3½ and ª/º",
    "Dijo: «Sí», y\u00a0no.",
    "",
]


@pytest.mark.parametrize("text", SCAN_TEXTS)
def test_tokenize_finds_the_tokens_and_offsets_of_the_token_pattern(text: str) -> None:
    for folded in (text, text.lower(), fold(text).text, fold_for_scan(text).text):
        matches = list(TOKEN_RE.finditer(folded))
        expected = ([m.group() for m in matches], [m.start() for m in matches])
        assert tokenize(folded) == expected


@pytest.mark.parametrize("text", SCAN_TEXTS)
def test_fold_for_scan_reads_the_tokens_and_offsets_of_plain_lower_casing(text: str) -> None:
    lowered = text.lower()
    plain = len(lowered) == len(text) and unicodedata.is_normalized("NFC", text)
    folded = fold_for_scan(text)
    assert (folded.offsets is None) == plain
    assert tokenize(folded.text) == tokenize(lowered if plain else fold(text).text)
    if plain:
        unified = text.replace("’", "'").replace("“", '"').replace("”", '"').replace("–", "-")
        assert folded.text == unified.lower()


def test_latin1_text_lowers_within_latin1_and_is_always_nfc() -> None:
    """What lets `fold_for_scan` lower Latin-1 text by a byte table, without an NFC check."""
    latin1 = [chr(code) for code in range(256)]
    assert all(len(c.lower()) == 1 and ord(c.lower()) < 256 for c in latin1)
    assert all(unicodedata.is_normalized("NFC", a + b) for a in latin1 for b in latin1)
