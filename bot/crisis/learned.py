"""The learned reader: a small classifier trained from the exemplars in bot/content/crisis_exemplars.yaml
each time that file changes, to hear risk in words the rules have no pattern for.

Words and pairs of words (TF-IDF) and a logistic regression, from scikit-learn: deterministic (the same
exemplars always give the same reader), trained in about a second, nothing downloaded, nothing leaving
the process. (Character n-grams were tried: they added about one point of recall at the same false-alarm
rate and tripled the training time at every start; misspellings are mended by the rules first.)

A message is read as its sentences and as a whole, and scored by the most worrying of them, so one
sentence in a long message about work is still heard; the whole message's own score is kept beside it,
so the guard can ask whether that sentence reads as worrying in its context ("She said she wanted to die"
inside a reflection on supporting her). The reader can only add help: the guard raises its answer to the
offer when the score is at least `offer_at` (crisis.yaml), and never lowers what the rules found.
Kinds named under `learned: weigh` count that many times over in training: a joke that carries risk and
gallows humour that does not read alike, and are outnumbered by the other kinds.

A second, smaller model trained on the crisis exemplars alone says which situation the words are
closest to (overdose now, being unsafe at home, or neither), so the offer shows the right contacts first.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .classifier import Situation
from .language import sentences

# A window is one sentence, or the whole text up to WHOLE characters.
WHOLE = 2000
# Regularisation and features, chosen by cross-validation on the development rounds (docs/safety.md).
STRENGTH = 32.0
WORDS = (1, 2)


@dataclass(frozen=True)
class Reading:
    """The reader's view of one text: how likely the writer is at risk (its most worrying window), the
    situation it is closest to, the whole text's own score (None when the whole was not read: too
    long, or a sentence in it was skipped), and how many of its sentences read at least the `at` of `read`."""

    score: float = 0.0
    situation: Situation = Situation.GENERAL
    whole: float | None = None
    worrying: int = 0

    def in_context(self, context_at: float, alone_at: float) -> bool:
        """Whether the score stands as it is: the whole text reads at least `context_at` too, or the most
        worrying sentence is at least `alone_at` on its own, or more than one sentence is worrying, or
        the whole was not read."""
        return self.whole is None or self.whole >= context_at or self.score >= alone_at or self.worrying > 1


class LearnedReader:
    """Trained once per set of exemplars (see `train`); `read` is then pure and takes a few hundredths of
    a millisecond for a short message."""

    def __init__(self, words: TfidfVectorizer, risk: LogisticRegression, situations):
        self._words = words  # the fitted vectorizer: what `_features` must equal (tests/test_crisis.py)
        # The fitted vocabulary and weights, applied directly (`_features`): scikit-learn's transform and
        # predict check their input on every call, which was most of the cost of a short message.
        self._analyse = words.build_analyzer()
        self._vocabulary: dict[str, int] = words.vocabulary_
        self._idf = words.idf_
        self._weights = risk.coef_.ravel()
        self._bias = float(risk.intercept_[0])
        self._situations = situations  # (model, labels) or None when the exemplars name no situation

    @classmethod
    def train(
        cls,
        crisis: Mapping[str, Sequence[str]],
        ordinary: Mapping[str, Sequence[str]],
        situations: Mapping[str, str],
        weigh: Mapping[str, float] | None = None,
    ) -> LearnedReader:
        """Fit the reader on crisis and ordinary exemplars, by kind. `situations` maps a kind to
        'overdose' or 'unsafe'; `weigh` a kind to how many times over it is learned (1 when not named).
        Every sentence of an ordinary exemplar is also an ordinary example, so a sentence about someone
        else's crisis, read alone, is not taken for the writer's."""
        weigh = weigh or {}
        texts: list[str] = []
        labels: list[int] = []
        weights: list[float] = []
        kinds: list[str] = []
        for kind, examples in crisis.items():
            texts += examples
            labels += [1] * len(examples)
            weights += [weigh.get(kind, 1.0)] * len(examples)
            kinds += [situations.get(kind, "general").upper()] * len(examples)
        for kind, examples in ordinary.items():
            for text in examples:
                extra = [p for p in sentences(text) if p != text]
                texts += [text, *extra]
                labels += [0] * (1 + len(extra))
                weights += [weigh.get(kind, 1.0)] * (1 + len(extra))
        words = TfidfVectorizer(ngram_range=WORDS, sublinear_tf=True)
        features = words.fit_transform(texts)
        risk = LogisticRegression(C=STRENGTH, class_weight="balanced", max_iter=5000)
        risk.fit(features, labels, sample_weight=weights)
        return cls(words, risk, _situation_model(features[: len(kinds)], kinds))

    def read(
        self, text: str, at: float = 0.0, skip: frozenset[str] = frozenset(), aside: frozenset[str] = frozenset()
    ) -> Reading:
        """The most worrying of the text's windows (its sentences, and the whole when short enough), and,
        when its score is at least `at`, the situation it is closest to. Sentences in `skip` are not read
        (nor then is the whole); sentences in `aside` are not read alone, but the whole still is when
        something else is in it."""
        windows = list(dict.fromkeys(_windows(text, skip, aside)))
        if not windows:
            return Reading()
        features = [self._features(window) for window in windows]
        margins = [self._bias + sum(value * self._weights[j] for j, value in f.items()) for f in features]
        top = max(range(len(margins)), key=margins.__getitem__)  # the first of equals, as argmax
        score = _probability(margins[top])
        # The whole text is the last window when it was read (a one-sentence text is its own whole).
        whole = _probability(margins[-1]) if windows[-1] == text else None
        alone = margins[:-1] if whole is not None and len(margins) > 1 else margins  # the sentences
        worrying = sum(_probability(m) >= at for m in alone) if at > 0 else 0
        situation = self._situation(features[top]) if score >= at else Situation.GENERAL
        return Reading(score, situation, whole, worrying)

    def _features(self, text: str) -> dict[int, float]:
        """The text's TF-IDF vector as the fitted vectorizer makes it (sublinear term frequency, the
        fitted idf, unit length), as {feature: value}; words it never saw count for nothing."""
        counts: dict[int, int] = {}
        for term in self._analyse(text):
            j = self._vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        weighted = {j: (1.0 + math.log(n)) * float(self._idf[j]) for j, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in weighted.values()))
        return {j: v / norm for j, v in weighted.items()} if norm else {}

    def _situation(self, features: dict[int, float]) -> Situation:
        if self._situations is None:
            return Situation.GENERAL
        model, names = self._situations
        margins = [
            float(b) + sum(value * float(row[j]) for j, value in features.items())
            for row, b in zip(model.coef_, model.intercept_, strict=True)
        ]
        # One row for two situations (the second when its margin is positive), else one row each.
        index = int(margins[0] > 0) if len(margins) == 1 else max(range(len(margins)), key=margins.__getitem__)
        return Situation[names[index]]


def _probability(margin: float) -> float:
    return float(1.0 / (1.0 + np.exp(-margin)))


def _situation_model(features, labels: list[str]):
    """Which situation a worrying text is closest to: trained on the crisis exemplars (the first rows of
    `features`), labelled by their kind's situation."""
    names = sorted(set(labels))
    if len(names) < 2:
        return None
    model = LogisticRegression(C=STRENGTH, class_weight="balanced", max_iter=5000)
    model.fit(features, [names.index(label) for label in labels])
    return model, names


def _windows(text: str, skip: frozenset[str], aside: frozenset[str] = frozenset()) -> Iterator[str]:
    parts = sentences(text)
    yield from (p for p in parts if p not in skip and p not in aside)
    alone = all(p in aside for p in parts)  # nothing but what was set aside: the whole is that too
    if len(text) <= WHOLE and text.strip() and not skip.intersection(parts) and not alone:
        yield text


_TRAINED: dict[str, LearnedReader] = {}
_TRAINED_LOCK = threading.Lock()
KEEP = 2  # readers kept in memory: the live one and the one before it (a content edit trains a new one)


def trained(
    crisis: Mapping[str, Sequence[str]],
    ordinary: Mapping[str, Sequence[str]],
    situations: Mapping[str, str],
    weigh: Mapping[str, float] | None = None,
) -> LearnedReader:
    """The reader for these exemplars and weights, trained once per process (an edit elsewhere in the
    content does not retrain it)."""
    weigh = dict(weigh or {})
    learned = (sorted(crisis.items()), sorted(ordinary.items()), sorted(situations.items()), sorted(weigh.items()))
    digest = hashlib.sha256(repr(learned).encode()).hexdigest()
    with _TRAINED_LOCK:
        if digest not in _TRAINED:
            _TRAINED[digest] = LearnedReader.train(crisis, ordinary, situations, weigh)
            while len(_TRAINED) > KEEP:
                del _TRAINED[next(iter(_TRAINED))]
        return _TRAINED[digest]
