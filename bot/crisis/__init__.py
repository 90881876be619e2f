"""The crisis guard's reading of free text: patterns from content, three answers, an evaluation set.

`build` compiles bot/content/crisis.yaml into a `Classifier`; `Classifier.assess(text)` answers
CRISIS (the writer may be in crisis now), TOPIC (crisis words, not about the writer) or NONE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .classifier import NOTHING, Answer, Assessment, Classifier, Cues
from .language import Lexicon, stem

__all__ = ["NOTHING", "Answer", "Assessment", "Classifier", "build", "stem"]

REQUIRED_LISTS = ("self", "others")


def build(
    model: Any, line_of: Callable[[tuple], int | None] = lambda loc: None
) -> tuple[Classifier, list[tuple[int | None, str]]]:
    """Compile the crisis content (a validated CrisisFile); returns the classifier and any problems."""
    problems: list[tuple[int | None, str]] = []
    for name in REQUIRED_LISTS:
        if name not in model.lists:
            problems.append(
                (
                    line_of(("lists",)),
                    f"the word list '{name}' is missing; the guard needs it to "
                    "tell whether words are about the writer or about someone else. Add it under 'lists'.",
                )
            )
    lexicon = Lexicon.build(
        model.mend,
        model.forms,
        model.ignore,
        model.clause_breaks,
        self_words=model.lists.get("self", ()),
        other_words=model.lists.get("others", ()),
    )
    cues = Cues(
        negations=frozenset(model.negation.words),
        not_negating=frozenset(model.negation.not_after),
        window=model.negation.window,
        context_after=frozenset(_stems_and_words(model.context_after)),
        present=frozenset(w.lower() for w in model.present),
        joiners=frozenset(model.end_words),
    )
    entries = [
        ("crisis", category, text, line_of(("crisis", category, i)))
        for category, texts in model.crisis.items()
        for i, text in enumerate(texts)
    ]
    entries += [("topic", "topic", text, line_of(("topics", i))) for i, text in enumerate(model.topics)]
    entries += [("idiom", "idiom", text, line_of(("idioms", i))) for i, text in enumerate(model.idioms)]
    entries += [("past", "past", text, line_of(("past", i))) for i, text in enumerate(model.past)]
    entries += [
        ("relative", "relative", text, line_of(("not_the_subject", i))) for i, text in enumerate(model.not_the_subject)
    ]
    classifier, pattern_problems = Classifier.compile(lexicon, model.lists, cues, entries)
    return classifier, problems + pattern_problems


def _stems_and_words(words: list[str]) -> set[str]:
    """Context words are compared as written and as plurals: 'policy', 'policies'."""
    out: set[str] = set()
    for word in words:
        w = word.lower()
        out |= {w, w + "s", w[:-1] + "ies" if w.endswith("y") else w + "es"}
    return out
