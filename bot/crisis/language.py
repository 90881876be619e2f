"""Words as the crisis guard sees them: tokens, clauses, word forms and forgiving spellings.

Everything here is linear in the length of the text: one regular expression without nested repeats,
then a fixed amount of work per token. Nothing here knows any crisis phrase: the phrases, the word
lists and the spellings to mend all come from content (bot/content/crisis.yaml).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

# Words (letters and digits, with inner apostrophes) or clause punctuation. No nested repeats, so a
# pathological message costs time in proportion to its length.
_TOKENS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.!?;:,\n\u2014\u2013\"\u201c\u201d]|\s-+\s|(?<![a-z0-9])'|'(?![a-z])")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# Words of saying, and what may stand between them and the one saying ("someone who *keeps* saying"): a
# person named straight before them is the one whose words a quote holds.
SAID = frozenset(
    "say says said saying tell tells told telling ask asks asked asking text texts texted texting write "
    "writes wrote writing shout shouts shouted scream screamed yell yelled message messaged goes".split()
)
PARTICIPLES = frozenset("saying telling asking texting writing".split())  # "to my manager saying": not theirs
BETWEEN_SAYING = frozenset("who keeps kept keep just then always also has had was is will would".split())
_QUOTES = {'"', "\u201c", "\u201d", "'"}  # a lone ' at a word's edge is a quote, not an apostrophe
_SUFFIX_IS = {
    "it",
    "that",
    "there",
    "what",
    "he",
    "she",
    "who",
    "here",
    "everything",
    "nothing",
    "life",
    "everyone",
    "everybody",
    "this",
    "where",
    "how",
}
_CONTRACTIONS = {"n't": ("not",), "'m": ("am",), "'re": ("are",), "'ve": ("have",), "'ll": ("will",), "'d": ("would",)}
_NOT_STEMS = {"ca": "can", "wo": "will", "sha": "shall", "ai": "am"}
_STEMMER = threading.local()


def _stemmer():
    stemmer = getattr(_STEMMER, "value", None)
    if stemmer is None:
        stemmer = _STEMMER.value = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter2) stem: "taking" and "take" both give "take"."""
    return _stemmer().stemWord(word)


_KNOWN: frozenset[str] | None = None
_KNOWN_LOCK = threading.Lock()


def known_words() -> frozenset[str]:
    """English words from pyspellchecker's dictionary: a known word is never treated as a typo,
    so "overdone" stays "overdone" and never becomes "overdose". Loaded once per process."""
    global _KNOWN
    if _KNOWN is None:
        with _KNOWN_LOCK:
            if _KNOWN is None:
                from spellchecker import SpellChecker

                _KNOWN = frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)
    return _KNOWN


# A sentence ends at . ! ? or a line break. Both readers split a text into sentences the same way.
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


def sentences(text: str) -> list[str]:
    """The text's sentences, in order (the whole text when it has no sentence end)."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()] or ([text] if text.strip() else [])


SELF, OTHER = "self", "other"
NUMBER, YEAR = "#number", "#year"  # word classes a pattern can name: any number, a year like 2015
CACHE_WORDS = 50_000  # words whose ids are remembered (bounded: a flood of made-up words cannot grow it)


class _Saying:
    """Whose words a quote opened now would hold, kept up to date word by word (so a clause full of quotes
    costs time in proportion to its length): someone named straight before the last word of saying ("how
    do I answer when *someone* says ...", "a client *who keeps* saying ..."), or else the first person
    named in the clause, the one doing the saying ("my client told me ...", "I rang my mum and told her
    ..."); "my" only says whose client it is."""

    def __init__(self, people: Mapping[str, str]):
        self._people = people
        self._words: list[str] = []
        self._first = ""
        self._said: str | None = None  # who said it, as the last word of saying names them (or None)

    def add(self, piece: str) -> None:
        for w in _expand(piece):
            if w in SAID:
                self._said = self._sayer(w)
            self._words.append(w)
            if not self._first and w in self._people and w != "my":
                self._first = self._people[w]

    def _sayer(self, word: str) -> str | None:
        words = self._words
        if word in PARTICIPLES and not (words and words[-1] in BETWEEN_SAYING):
            return None  # "to my manager saying ...": the manager is not the one saying it
        j = len(words) - 1
        while j >= 0 and words[j] in BETWEEN_SAYING:
            j -= 1
        return self._people[words[j]] if j >= 0 and words[j] in self._people and words[j] != "my" else None

    def speaker(self) -> str:
        return self._said or self._first


@dataclass(frozen=True)
class Token:
    """One word of a message: what was written, and the ids it can match in a pattern.

    Words inside double quotes are someone's words: `speaker` says whose, as far as the words before
    the opening quote tell ("self", "other", or "" when they do not say)."""

    raw: str
    ids: frozenset[str]
    quoted: bool = False
    speaker: str = ""


@dataclass(frozen=True)
class Clause:
    """Words between two breaks (full stops, commas, "but" ...). Patterns never cross clauses."""

    tokens: tuple[Token, ...]


@dataclass
class Lexicon:
    """What the content says about words, prepared once when content loads."""

    mend: Mapping[tuple[str, ...], tuple[str, ...]]
    forms: Mapping[str, str]
    ignore: frozenset[str]
    breaks: frozenset[str]
    people: Mapping[str, str] = field(default_factory=dict)  # word -> SELF or OTHER
    known: frozenset[str] = field(default_factory=frozenset)
    # Filled by `learn`: surface forms and stems of every pattern word, for typo tolerance.
    _vocabulary: set[str] = field(default_factory=set)
    _deletes: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    _cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._longest_mend = max((len(k) for k in self.mend), default=0)
        self._mend_starts = frozenset(k[0] for k in self.mend)

    @classmethod
    def build(
        cls,
        mend: Mapping[str, str],
        forms: Mapping[str, str],
        ignore: Iterable[str],
        breaks: Iterable[str],
        self_words: Iterable[str] = (),
        other_words: Iterable[str] = (),
        known: frozenset[str] | None = None,
    ) -> Lexicon:
        mended = {tuple(_raw_words(k)): tuple(_raw_words(v)) for k, v in mend.items() if _raw_words(k)}
        # "service user" names someone by its last word; "my self" is already "my" (and "self" in
        # "self-harm" is nobody), so only single words name the writer.
        people = {w: OTHER for phrase in other_words for w in _raw_words(phrase)[-1:]}
        people.update({w[0]: SELF for w in map(_raw_words, self_words) if len(w) == 1})
        return cls(
            mend=mended,
            forms={k.lower(): v.lower() for k, v in forms.items()},
            ignore=frozenset(w.lower() for w in ignore),
            breaks=frozenset(w.lower() for w in breaks),
            people=people,
            known=known if known is not None else known_words(),
        )

    # Pattern side ---------------------------------------------------------------------------------

    def word_ids(self, word: str) -> frozenset[str]:
        """The ids a pattern word stands for: its stem (after irregular forms)."""
        return frozenset({stem(self.forms.get(word, word))})

    def learn(self, word: str) -> None:
        """Remember a pattern word so that a misspelling of it (one letter out) still matches."""
        self._cache.clear()
        key = stem(self.forms.get(word, word))
        if len(word) < 4 or key in self._vocabulary:
            return
        self._vocabulary.add(key)
        for surface in {word, key, *_inflections(word)}:
            for variant in _deletes(surface):
                self._deletes.setdefault(variant, set()).add((surface, key))

    # Message side ---------------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """The message's words after contractions and mending, without clause structure."""
        return [t.raw for clause in self.clauses(text) for t in clause.tokens]

    def clauses(self, text: str) -> list[Clause]:
        """Split a message into clauses of tokens, each token with the ids it can match."""
        clauses: list[Clause] = []
        current: list[tuple[str, str | None]] = []  # (word, speaker if quoted)
        speaker: str | None = None
        saying = _Saying(self.people)
        for piece in _pieces(text):
            if piece in _QUOTES:
                speaker = None if speaker is not None else saying.speaker()
                continue
            if piece in self.breaks or not piece[0].isalnum():
                self._close(current, clauses)
                current = []
                saying = _Saying(self.people)
                continue
            current.append((piece, speaker))
            saying.add(piece)
        self._close(current, clauses)
        return clauses

    def _close(self, pieces: list[tuple[str, str | None]], clauses: list[Clause]) -> None:
        words = self._mend(pieces)
        tokens = tuple(Token(w, self._ids(w), s is not None, s or "") for w, s in words if w not in self.ignore)
        if tokens:
            clauses.append(Clause(tokens))

    def _mend(self, pieces: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        """Expand contractions, then rewrite shorthand and misspellings (longest match first)."""
        if not pieces:
            return []
        expanded: list[tuple[str, str | None]] = []
        for word, q in pieces:
            expanded += [(w, q) for w in _expand(word)]
        longest = self._longest_mend
        out: list[tuple[str, str | None]] = []
        i = 0
        while i < len(expanded):
            if expanded[i][0] not in self._mend_starts:
                out.append(expanded[i])
                i += 1
                continue
            for size in range(min(longest, len(expanded) - i), 0, -1):
                key = tuple(w for w, _ in expanded[i : i + size])
                replacement = self.mend.get(key)
                if replacement is not None:
                    out += [(w, expanded[i][1]) for w in replacement]
                    i += size
                    break
            else:
                out.append(expanded[i])
                i += 1
        return out

    def _ids(self, word: str) -> frozenset[str]:
        found = self._cache.get(word)
        if found is None:
            found = self._fresh_ids(word)
            if len(self._cache) < CACHE_WORDS:
                self._cache[word] = found
        return found

    def _fresh_ids(self, word: str) -> frozenset[str]:
        key = stem(self.forms.get(word, word))
        ids = {key, "=" + word}
        if word.isdigit():
            ids.add(NUMBER)
            if len(word) == 4 and word[:2] in ("19", "20"):
                ids.add(YEAR)
        if key not in self._vocabulary:
            if len(word) >= 5 and word.endswith("in") and word + "g" in self.known:
                ids.add(stem(self.forms.get(word + "g", word + "g")))  # "feelin", "thinkin": a dropped g
            if self._may_be_typo(word):
                ids |= self._near(word) | self._near(key)
        return frozenset(ids)

    def _may_be_typo(self, word: str) -> bool:
        return len(word) >= 3 and not word.isdigit() and word not in self.known and word not in self.forms

    def _near(self, word: str) -> set[str]:
        """Pattern words one edit (insert, delete, change or swap of two letters) away from `word`."""
        found: set[str] = set()
        for variant in _deletes(word):
            for surface, key in self._deletes.get(variant, ()):
                if key not in found and one_edit(word, surface):
                    found.add(key)
        return found


def _raw_words(text: str) -> list[str]:
    return [w for piece in _pieces(text) if piece[0].isalnum() for w in _expand(piece)]


def _pieces(text: str) -> list[str]:
    lowered = text.lower().translate(_APOSTROPHES)
    return [p.strip() or p for p in _TOKENS.findall(lowered)]


def _expand(word: str) -> tuple[str, ...]:
    """Contractions as whole words: "can't" -> "can not", "I'm" -> "i am", "it's" -> "it is"."""
    if "'" not in word:
        return (word,)
    if word.endswith("n't"):
        base = word[:-3]
        return (_NOT_STEMS.get(base, base), "not") if base else ("not",)
    head, _, tail = word.partition("'")
    if "'" + tail in _CONTRACTIONS:
        return (head, *_CONTRACTIONS["'" + tail])
    if tail == "s":
        return (head, "is") if head in _SUFFIX_IS else (head,)
    return (head + tail,)


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _inflections(word: str) -> set[str]:
    """Common English endings of a pattern word, so a typo in "harming" or "tablets" is still found."""
    forms = {word + "s", word + "es", word + "ed", word + "ing", word + "er"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word + "d"}
    if len(word) >= 3 and word[-1] not in "aeiouwy" and word[-2] in "aeiou":
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return forms


def one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by exactly one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]
