"""The guard measured on evaluation sets: the team's regression set (crisis_eval.yaml) and the blind
rounds (crisis_rounds/*.yaml).

What counts, per sentence:
- the regression set: every crisis sentence gets the help-now card (answer 1), no ordinary one does;
- a round: every crisis sentence gets the contacts written out (answer 1 or 2), no ordinary one does,
  except the sentences the round lists under `misses` (what this content still gets wrong, kept in
  view rather than deleted). The content check refuses an edit that loses any other sentence.

`python -m bot crisis evaluate` prints the rates per kind for every set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .classifier import Answer
from .guard import Guard

REGRESSION = "regression"
HOLD_OUT = "hold-out"


@dataclass(frozen=True)
class EvalSet:
    """Sentences by group ('crisis' or 'ordinary') and kind, and how an answer is judged."""

    name: str
    role: str  # "regression", "development" or "hold-out"
    crisis: Mapping[str, Sequence[str]]
    ordinary: Mapping[str, Sequence[str]]
    misses: frozenset[str] = frozenset()

    def right(self, group: str, answer: Answer) -> bool:
        """Whether an answer is the right one for a sentence of this group."""
        if self.role == REGRESSION:
            return (answer is Answer.CRISIS) == (group == "crisis")
        return answer.shows_contacts == (group == "crisis")

    @classmethod
    def regression(cls, model: Any) -> EvalSet:
        """The team's evaluation set (a CrisisEvalFile)."""
        return cls("crisis_eval.yaml", REGRESSION, model.crisis, model.ordinary)

    @classmethod
    def round(cls, name: str, model: Any) -> EvalSet:
        """A blind round (a CrisisRoundFile)."""
        return cls(name, model.role, model.crisis, model.ordinary, frozenset(model.misses))


@dataclass
class KindResult:
    set: str
    group: str  # crisis or ordinary
    name: str
    answers: dict[Answer, int] = field(default_factory=lambda: dict.fromkeys(Answer, 0))
    failures: list[tuple[int, str, Answer]] = field(default_factory=list)  # (index, sentence, answer)
    known: list[tuple[int, str, Answer]] = field(default_factory=list)  # failures the set lists as misses
    role: str = ""  # the set's: a hold-out's sentences are counted in reports, never shown

    @property
    def hidden(self) -> bool:
        return self.role == HOLD_OUT

    @property
    def total(self) -> int:
        return sum(self.answers.values())

    @property
    def contacts(self) -> int:
        return self.answers[Answer.CRISIS] + self.answers[Answer.OFFER]

    def rate(self, answer: Answer) -> float:
        return self.answers[answer] / self.total if self.total else 0.0


def evaluate(guard: Guard, sets: Iterable[EvalSet]) -> list[KindResult]:
    """Assess every sentence of every set; failures the set does not list as misses are problems."""
    results = []
    for eval_set in sets:
        for group, kinds in (("crisis", eval_set.crisis), ("ordinary", eval_set.ordinary)):
            for name, sentences in kinds.items():
                result = KindResult(eval_set.name, group, name, role=eval_set.role)
                for index, sentence in enumerate(sentences):
                    answer = guard.assess(sentence).answer
                    result.answers[answer] += 1
                    if not eval_set.right(group, answer):
                        listed = sentence in eval_set.misses
                        (result.known if listed else result.failures).append((index, sentence, answer))
                results.append(result)
    return results


def report(results: list[KindResult]) -> str:
    """Per set: a table of answers per kind, then the contact rates for crisis and ordinary sentences."""
    lines: list[str] = []
    for set_name in dict.fromkeys(r.set for r in results):
        rows = [r for r in results if r.set == set_name]
        lines.append(f"\n{set_name}")
        lines.append(f"  {'group':9} {'kind':32} {'n':>4} {'card':>6} {'offer':>6} {'line':>6} {'none':>6}")
        for r in rows:
            rates = " ".join(f"{r.rate(a):>6.0%}" for a in Answer)
            lines.append(f"  {r.group:9} {r.name:32} {r.total:>4} {rates}")
        crisis = [r for r in rows if r.group == "crisis"]
        ordinary = [r for r in rows if r.group == "ordinary"]
        lines.append("  " + summary(crisis, ordinary))
        for r in rows:
            # A hold-out's words stay unseen by whoever tunes the guard: its misses are counted, not shown.
            for _index, sentence, answer in r.failures:
                lines.append(f"  FAIL {r.group}/{r.name}: answer {int(answer)}: {_shown(r, sentence)}")
            if r.hidden and r.known:
                lines.append(
                    f"  known misses {r.group}/{r.name}: {len(r.known)} (a hold-out's sentences are not shown)"
                )
            else:
                for _index, sentence, answer in r.known:
                    lines.append(f"  known miss {r.group}/{r.name}: answer {int(answer)}: {sentence}")
    return "\n".join(lines).lstrip("\n")


def _shown(result: KindResult, sentence: str) -> str:
    return "(a sentence of the hold-out round, not shown)" if result.hidden else sentence


def summary(crisis: list[KindResult], ordinary: list[KindResult]) -> str:
    """'crisis: contacts 98/104 (94.2%), card 60; ordinary: contacts 3/84 (3.6%), card 1 (1.2%)'."""
    n_c, n_o = sum(r.total for r in crisis), sum(r.total for r in ordinary)
    c_contacts, o_contacts = sum(r.contacts for r in crisis), sum(r.contacts for r in ordinary)
    c_card = sum(r.answers[Answer.CRISIS] for r in crisis)
    o_card = sum(r.answers[Answer.CRISIS] for r in ordinary)
    return (
        f"crisis: contacts {c_contacts}/{n_c} ({_pct(c_contacts, n_c)}), card {c_card}; "
        f"ordinary: contacts {o_contacts}/{n_o} ({_pct(o_contacts, n_o)}), card {o_card} ({_pct(o_card, n_o)})"
    )


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"
