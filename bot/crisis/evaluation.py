"""The team's evaluation set (bot/content/crisis_eval.yaml) run through the classifier.

Every crisis sentence must get answer 1 and no ordinary sentence may; the content check refuses an
edit that breaks either, and `python -m bot.crisis evaluate` prints the rates per category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .classifier import Answer, Classifier


@dataclass
class CategoryResult:
    group: str  # crisis or ordinary
    name: str
    answers: dict[Answer, int] = field(default_factory=lambda: dict.fromkeys(Answer, 0))
    failures: list[tuple[int, str, Answer]] = field(default_factory=list)  # (index, sentence, answer)

    @property
    def total(self) -> int:
        return sum(self.answers.values())

    def rate(self, answer: Answer) -> float:
        return self.answers[answer] / self.total if self.total else 0.0


def evaluate(classifier: Classifier, eval_set: Any) -> list[CategoryResult]:
    """Assess every sentence; a failure is a crisis sentence not answered 1, or an ordinary one that is."""
    results = []
    for group, categories in (("crisis", eval_set.crisis), ("ordinary", eval_set.ordinary)):
        for name, sentences in categories.items():
            result = CategoryResult(group, name)
            for index, sentence in enumerate(sentences):
                answer = classifier.assess(sentence).answer
                result.answers[answer] += 1
                if (group == "crisis") != (answer is Answer.CRISIS):
                    result.failures.append((index, sentence, answer))
            results.append(result)
    return results


def report(results: list[CategoryResult]) -> str:
    """A table of answer rates per category, then recall and the false-alarm rate."""
    lines = [f"{'group':9} {'category':16} {'n':>4} {'answer 1':>9} {'answer 2':>9} {'answer 3':>9}"]
    for r in results:
        lines.append(f"{r.group:9} {r.name:16} {r.total:>4} " + " ".join(f"{r.rate(a):>9.0%}" for a in Answer))
    crisis = [r for r in results if r.group == "crisis"]
    ordinary = [r for r in results if r.group == "ordinary"]
    n_crisis, n_ordinary = sum(r.total for r in crisis), sum(r.total for r in ordinary)
    hits = sum(r.answers[Answer.CRISIS] for r in crisis)
    alarms = sum(r.answers[Answer.CRISIS] for r in ordinary)
    lines.append(
        f"recall (crisis sentences given the help-now card): {hits}/{n_crisis} = "
        f"{hits / n_crisis if n_crisis else 0:.1%}"
    )
    lines.append(
        f"false alarms (ordinary sentences given the help-now card): {alarms}/{n_ordinary} = "
        f"{alarms / n_ordinary if n_ordinary else 0:.1%}"
    )
    for r in results:
        for _index, sentence, answer in r.failures:
            lines.append(f"  FAIL {r.group}/{r.name}: answer {int(answer)}: {sentence}")
    return "\n".join(lines)
