"""The crisis guard's reading of free text: rules from content, a learned reader beside them, four
answers, and evaluation sets.

`build` compiles bot/content/crisis.yaml and trains the learned reader on crisis_exemplars.yaml and the
development rounds into a `Guard`; `Guard.assess(text)` answers CRISIS (the writer may be at risk now),
OFFER (signs of risk, reading uncertain), TOPIC (crisis words, not about the writer) or NONE, with the
situation whose contacts come first (overdose, unsafe).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .classifier import (
    DATING_WORDS,
    DOUBT,
    DOUBTED_AFTER_NEGATION,
    NOTHING,
    Answer,
    Assessment,
    Classifier,
    Cues,
    Situation,
)
from .crossval import text_key
from .guard import LEARNED, Guard
from .language import Lexicon, stem
from .learned import trained

__all__ = [
    "LEARNED",
    "NOTHING",
    "Answer",
    "Assessment",
    "Classifier",
    "Guard",
    "Situation",
    "build",
    "learned_from",
    "stem",
]

REQUIRED_LISTS = ("self", "others")


def build(
    model: Any,
    exemplars: Any = None,
    line_of: Callable[[tuple], int | None] = lambda loc: None,
    rounds: Sequence[Any] = (),
) -> tuple[Guard, list[tuple[int | None, str]]]:
    """Compile the crisis content (a validated CrisisFile) and train the learned reader on the exemplars
    (a validated CrisisExemplarsFile, or None for rules alone) and on the sentences of `rounds` (the
    development rounds: CrisisRoundFiles); returns the guard and any problems."""
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
    doubt = model.doubt
    cues = Cues(
        negations=frozenset(model.negation.words),
        not_negating=frozenset(model.negation.not_after),
        window=model.negation.window,
        context_after=frozenset(_stems_and_words(model.context_after)),
        present=frozenset(w.lower() for w in model.present),
        joiners=frozenset(model.end_words),
        dating=_single_words(model.dating_words, DATING_WORDS, ("dating_words",), line_of, problems),
        doubt=_single_words(doubt and doubt.words, DOUBT, ("doubt", "words"), line_of, problems),
        doubted_after_negation=_single_words(
            doubt and doubt.after_negation, DOUBTED_AFTER_NEGATION, ("doubt", "after_negation"), line_of, problems
        ),
    )
    entries = [
        (kind, category, text, line_of((kind, category, i)))
        for kind in ("crisis", "unsure")
        for category, texts in getattr(model, kind).items()
        for i, text in enumerate(texts)
    ]
    kinds = set(exemplars.crisis) if exemplars is not None else set()
    situations: dict[str, Situation] = {}
    for name, categories in model.situations.items():
        for i, category in enumerate(categories):
            if category not in model.crisis and category not in model.unsure and category not in kinds:
                problems.append(
                    (
                        line_of(("situations", name, i)),
                        f"situation '{name}' names '{category}', which is not a category under 'crisis' or "
                        "'unsure', nor a crisis kind in crisis_exemplars.yaml. Use one of those names.",
                    )
                )
            situations[category] = Situation[name.upper()]
    entries += [("topic", "topic", text, line_of(("topics", i))) for i, text in enumerate(model.topics)]
    entries += [("idiom", "idiom", text, line_of(("idioms", i))) for i, text in enumerate(model.idioms)]
    entries += [("past", "past", text, line_of(("past", i))) for i, text in enumerate(model.past)]
    entries += [("long_ago", "long_ago", text, line_of(("long_ago", i))) for i, text in enumerate(model.long_ago)]
    entries += [("reassured", "reassured", text, line_of(("reassured", i))) for i, text in enumerate(model.reassured)]
    entries += [("span", "span", text, line_of(("spans", i))) for i, text in enumerate(model.spans)]
    entries += [("frame", "frame", text, line_of(("topic_frames", i))) for i, text in enumerate(model.topic_frames)]
    entries += [("asked", "asked", text, line_of(("asked", i))) for i, text in enumerate(model.asked)]
    entries += [("script", "script", text, line_of(("script_frames", i))) for i, text in enumerate(model.script_frames)]
    entries += [("drill", "drill", text, line_of(("script_context", i))) for i, text in enumerate(model.script_context)]
    entries += [("undone", "undone", text, line_of(("script_undone", i))) for i, text in enumerate(model.script_undone)]
    entries += [
        ("identify", "identify", text, line_of(("identification", i))) for i, text in enumerate(model.identification)
    ]
    entries += [("echo", "echo", text, line_of(("echoes", i))) for i, text in enumerate(model.echoes)]
    entries += [("telling", "telling", text, line_of(("tellings", i))) for i, text in enumerate(model.tellings)]
    for category, texts in model.endings.items():
        if category not in model.crisis:
            problems.append(
                (
                    line_of(("endings", category)),
                    f"endings name '{category}', which is not a category under 'crisis'. Use one of those names.",
                )
            )
        entries += [("ending", category, text, line_of(("endings", category, i))) for i, text in enumerate(texts)]
    entries += [("return", "return", text, line_of(("returns", i))) for i, text in enumerate(model.returns)]
    entries += [("recent", "recent", text, line_of(("recent", i))) for i, text in enumerate(model.recent)]
    entries += [("quiz", "quiz", text, line_of(("topic_sentences", i))) for i, text in enumerate(model.topic_sentences)]
    entries += [
        ("relative", "relative", text, line_of(("not_the_subject", i))) for i, text in enumerate(model.not_the_subject)
    ]
    classifier, pattern_problems = Classifier.compile(lexicon, model.lists, cues, entries, situations)
    if exemplars is None or model.learned is None:
        return Guard(classifier), problems + pattern_problems
    by_kind = {kind: situation.name.lower() for kind, situation in situations.items() if kind in kinds}
    crisis, ordinary = learned_from(exemplars, rounds)
    settings = model.learned
    for unknown in sorted(set(settings.weigh) - set(crisis) - set(ordinary)):
        problems.append(
            (
                line_of(("learned", "weigh", unknown)),
                f"learned: weigh names '{unknown}', which is not a kind in crisis_exemplars.yaml or a "
                "development round. Use one of those kinds' names.",
            )
        )
    reader = trained(crisis, ordinary, by_kind, settings.weigh)
    guard = Guard(classifier, reader, settings.offer_at, settings.gentle_at, settings.context_at, settings.alone_at)
    return guard, problems + pattern_problems


def learned_from(exemplars: Any, rounds: Sequence[Any]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What the learned reader is trained on: the exemplars, and every sentence of the development rounds
    not already among them, by group and kind. A round is blind text of the kind the reader must hear, and
    must not cry wolf on; once a newer hold-out has taken its place, what it teaches is worth more than
    keeping it unseen. The hold-out itself is never passed here."""
    seen = {text_key(s) for group in (exemplars.crisis, exemplars.ordinary) for kind in group.values() for s in kind}
    merged: tuple[dict[str, list[str]], dict[str, list[str]]] = (
        {kind: list(v) for kind, v in exemplars.crisis.items()},
        {kind: list(v) for kind, v in exemplars.ordinary.items()},
    )
    for round_ in rounds:
        for into, group in zip(merged, (round_.crisis, round_.ordinary), strict=True):
            for kind, sentences in group.items():
                for sentence in sentences:
                    if text_key(sentence) not in seen:
                        seen.add(text_key(sentence))
                        into.setdefault(kind, []).append(sentence)
    return merged


def _stems_and_words(words: list[str]) -> set[str]:
    """Context words are compared as written and as plurals: 'policy', 'policies'."""
    out: set[str] = set()
    for word in words:
        w = word.lower()
        out |= {w, w + "s", w[:-1] + "ies" if w.endswith("y") else w + "es"}
    return out


def _single_words(
    words: list[str] | None,
    default: frozenset[str],
    where: tuple,
    line_of: Callable[[tuple], int | None],
    problems: list[tuple[int | None, str]],
) -> frozenset[str]:
    """A list of single words from crisis.yaml, compared with the words of a message as written (after
    `mend`); left out (None), the words the release had built in. A phrase is a problem: it could never
    match."""
    if words is None:
        return default
    for i, word in enumerate(words):
        if len(word.split()) != 1:
            problems.append(
                (
                    line_of((*where, i)),
                    f"'{word}' under {'.'.join(where)} is not one word; each entry there is compared with "
                    "one word of the message. Split it, or leave out the words around the one that matters.",
                )
            )
    return frozenset(w.lower() for w in words if len(w.split()) == 1)
