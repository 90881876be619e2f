"""The crisis guard: does free text contain crisis language (show help now) or everyday work talk
that uses the same words (offer a gentle check-in instead)?

Matching is on normalised words: lower case, no punctuation, common contractions and misspellings
mended, word forms reduced ("killing", "killed" -> "kill"), and one-letter typos forgiven in longer
words. A phrase matches when its words appear together, in order, in the message. Known limits are
listed in docs/safety.md: it cannot understand meaning, so it will miss crisis talk in words it was
not given, and it errs towards showing help.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

_WORD = re.compile(r"[a-z0-9]+")
# Spellings and shorthand seen in chat, mended before matching.
_MEND = {
    "dont": "do not", "don't": "do not", "cant": "can not", "can't": "can not", "cannot": "can not",
    "wont": "will not", "won't": "will not", "im": "i am", "i'm": "i am", "ive": "i have", "wanna": "want to",
    "gonna": "going to", "myslef": "myself", "mysef": "myself", "kms": "kill myself", "unalive": "kill",
    "suicidle": "suicide", "sucide": "suicide", "suiside": "suicide", "sucidal": "suicidal",
    "suicidel": "suicidal", "overdoes": "overdose", "od": "overdose", "selfharm": "self harm", "anymore": "any more",
}
_IRREGULAR = {"dying": "die", "died": "die", "dies": "die", "dead": "dead", "lives": "life", "living": "live",
              "hurting": "hurt", "hurts": "hurt", "cutting": "cut", "cuts": "cut", "better": "better"}
_SUFFIXES = ("ing", "ed", "es", "s")


def _stem(word: str) -> str:
    """A rough word form, the same for "kill", "kills", "killing" and "killed"."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return re.sub(r"(.)\1$", r"\1", word)  # "kill"/"killing" -> "kil", "cutting" -> "cut"


def words(text: str) -> list[str]:
    """Normalised words of a message."""
    lowered = text.lower().replace("’", "'").replace("‘", "'")
    raw = re.findall(r"[a-z0-9']+", lowered)
    mended: list[str] = []
    for token in raw:
        token = _MEND.get(token, token.replace("'", ""))
        mended.extend(_MEND.get(t, t) for t in token.split())
    joined = " ".join(mended).replace("my self", "myself").replace("self harm", "selfharm")
    return [_stem(w) for w in _WORD.findall(joined)]


def _close(a: str, b: str) -> bool:
    """Equal, or one edit apart for words of five letters or more."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _contains(message: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(all(_close(message[i + k], phrase[k]) for k in range(n)) for i in range(len(message) - n + 1))


@lru_cache(maxsize=8)
def _compile(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(words(p)) for p in phrases if words(p))


@dataclass(frozen=True)
class Verdict:
    crisis: bool = False
    work_talk: bool = False


def assess(text: str, crisis_phrases: Iterable[str], work_talk: Iterable[str]) -> Verdict:
    """Crisis language wins over everything; otherwise everyday work talk gets a gentler offer."""
    message = words(text)
    if not message:
        return Verdict()
    if any(_contains(message, p) for p in _compile(tuple(crisis_phrases))):
        return Verdict(crisis=True)
    return Verdict(work_talk=any(_contains(message, p) for p in _compile(tuple(work_talk))))
