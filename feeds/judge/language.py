"""Language detection for English, Spanish and French releases by counting stopwords.

Function words are frequent even in a short title, and the three languages share few of them
once the shared ones ("de", "la", "en") are left out, which is all the detector relies on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from feeds.judge.textfold import TOKEN_RE, fold_plain

LANGUAGES: tuple[str, ...] = ("en", "es", "fr")
_SAMPLE_CHARS = 2000


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Folded (no accents). Words common to two of the languages are left out on purpose.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and of to is that for with on by this are will our we from as at be have has which"
        " their its an it was were been would they these those or not but into about between"
        " who all more can also"
    ),
    "es": _words(
        "el los las del y que por para con una su sus al como mas nuestro nuestra nuestros"
        " este esta estos lo sobre tambien fue han ha ser muy desde hacia sin hoy"
        " mediante cual donde más también"
    ),
    "fr": _words(
        "le les des du et qui pour par dans sur une est sont au aux nos notre ces cette avec ont"
        " leur leurs ne pas il elle nous vous ete etre ainsi aussi tres sans dont ou"
        " aujourd hui été être très"
    ),
}


def detect_language(text: str, default: str = "en") -> str:
    """Return "en", "es" or "fr" for a title and/or text; `default` when nothing decides."""
    tokens = TOKEN_RE.findall(fold_plain(text[:_SAMPLE_CHARS]))
    return language_of_tokens(tokens, default)


# Each stopword's language: the lists share no word, so one lookup a token counts all three.
_LANGUAGE_OF = {word: lang for lang, words in _STOPWORDS.items() for word in words}
assert len(_LANGUAGE_OF) == sum(map(len, _STOPWORDS.values())), "a stopword in two languages"


def language_of_tokens(tokens: Iterable[str], default: str = "en") -> str:
    """Pick the language whose stopwords are most frequent among folded tokens."""
    # Counted in C; the other tokens (most of them) are dropped before `Counter` sees them.
    counts = Counter(filter(None, map(_LANGUAGE_OF.get, tokens)))
    best = max(LANGUAGES, key=counts.__getitem__)
    return best if counts[best] > 0 else default
