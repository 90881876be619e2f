"""How `learned: offer_at` is chosen: leave-one-round-out cross-validation over the development rounds.

Each development round's sentences are also what the reader learns from (with the exemplars), so scoring
a round with the shipped reader says little. Here each round in turn is taken out of what it learns from,
a reader is trained on the rest, and the round is scored by the rules and that reader at every threshold
asked for. The sums over the rounds are what the threshold in crisis.yaml was chosen from (docs/safety.md,
"How the guard is measured").

`python -m bot crisis crossval` prints them (it trains one reader per development round: a few minutes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .classifier import Answer, Classifier
from .evaluation import EvalSet
from .guard import Guard
from .learned import LearnedReader


@dataclass(frozen=True)
class Tally:
    """At one threshold, summed over the rounds: how many crisis messages got the contacts, how many
    ordinary ones got them, and how many ordinary ones got the full card."""

    offer_at: float
    crisis: int
    crisis_contacts: int
    ordinary: int
    ordinary_contacts: int
    ordinary_cards: int

    def line(self) -> str:
        return (
            f"offer_at {self.offer_at:.2f}: crisis contacts {self.crisis_contacts}/{self.crisis} "
            f"({_pc(self.crisis_contacts, self.crisis)}); ordinary contacts {self.ordinary_contacts}/"
            f"{self.ordinary} ({_pc(self.ordinary_contacts, self.ordinary)}), full card {self.ordinary_cards} "
            f"({_pc(self.ordinary_cards, self.ordinary)})"
        )


def crossval(
    rules: Classifier,
    crisis: Mapping[str, Sequence[str]],
    ordinary: Mapping[str, Sequence[str]],
    situations: Mapping[str, str],
    rounds: Sequence[EvalSet],
    thresholds: Sequence[float],
    gentle_at: float = 1.0,
    context_at: float = 0.0,
    alone_at: float = 1.0,
    weigh: Mapping[str, float] | None = None,
) -> list[Tally]:
    """Score each round with the rules and a reader trained on the exemplars without that round's
    sentences; one tally per threshold."""
    counts = {at: [0, 0, 0, 0, 0] for at in thresholds}
    for held in rounds:
        out = {text_key(s) for group in (held.crisis, held.ordinary) for kind in group.values() for s in kind}
        reader = LearnedReader.train(_without(crisis, out), _without(ordinary, out), situations, weigh)
        for at in thresholds:
            guard, tally = Guard(rules, reader, at, gentle_at, min(context_at, at), max(alone_at, at)), counts[at]
            for sentences in held.crisis.values():
                tally[0] += len(sentences)
                tally[1] += sum(guard.assess(s).answer.shows_contacts for s in sentences)
            for sentences in held.ordinary.values():
                answers = [guard.assess(s).answer for s in sentences]
                tally[2] += len(answers)
                tally[3] += sum(a.shows_contacts for a in answers)
                tally[4] += sum(a is Answer.CRISIS for a in answers)
    return [Tally(at, *counts[at]) for at in thresholds]


def text_key(sentence: str) -> str:
    """A sentence as compared across sets: the same words with any spacing."""
    return " ".join(sentence.split())


def _without(examples: Mapping[str, Sequence[str]], out: set[str]) -> dict[str, list[str]]:
    return {kind: [s for s in sentences if text_key(s) not in out] for kind, sentences in examples.items()}


def _pc(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"
