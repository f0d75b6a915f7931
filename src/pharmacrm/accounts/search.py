"""Text normalisation for the typo-tolerant search of accounts and contacts.

One normal form for stored keys and queries: Unicode NFKC (full-width letters and digits
become ASCII), case-folded, accents stripped, punctuation turned into spaces, and Cyrillic
transliterated to Latin *next to* the original, so "apteka" finds "Аптека №5" and a mixed
query such as "Аптека Rigla" finds either spelling. Queries become character grams: trigrams
of Latin/Cyrillic words (a typo breaks at most three of them) and bigrams of Chinese runs
(Chinese names are short and every character carries meaning).
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g",
}  # fmt: skip
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAS_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_GRAMS = 24


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0306")
    return unicodedata.normalize("NFKC", kept)


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin (a simple, reversible-enough scheme for matching)."""
    return "".join(_CYRILLIC.get(c, c) for c in text)


def normalise(text: str) -> str:
    """The comparable form of ``text``: lower-case words separated by single spaces."""
    folded = _strip_accents(unicodedata.normalize("NFKC", text).casefold())
    folded = folded.replace("\u0306", "")
    return " ".join(_WORD.findall(folded.replace("_", " ")))


def search_key(*parts: str) -> str:
    """The stored key of a record: its normalised texts, plus a Latin copy of any Cyrillic."""
    base = normalise(" ".join(p for p in parts if p))
    if _HAS_CYRILLIC.search(base):
        return f"{base} {transliterate(base)}"
    return base


def _word_grams(word: str) -> list[str]:
    if _CJK.search(word):
        chars = [c for c in word if _CJK.match(c)] or list(word)
        if len(chars) == 1:
            return chars
        return ["".join(chars[i : i + 2]) for i in range(len(chars) - 1)]
    if len(word) <= 3:
        return [word]
    return [word[i : i + 3] for i in range(len(word) - 2)]


def query_grams(query: str) -> list[str]:
    """Distinct grams of the query (and of its transliteration), longest words first.

    Capped at ``MAX_GRAMS`` so a pasted paragraph cannot build a giant SQL filter.
    """
    text = normalise(query)
    words = text.split()
    if _HAS_CYRILLIC.search(text):
        words += transliterate(text).split()
    grams: list[str] = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        for gram in _word_grams(word):
            if gram not in grams:
                grams.append(gram)
    return grams[:MAX_GRAMS]
