"""What the words say about the writer: in crisis now, talking about a crisis topic, or neither.

Three answers, chosen in this order:
1. CRISIS: a `crisis` pattern matched, about the writer (not negated just before, not about someone
   else, not the name of a course or policy). The help-now card is shown at once.
2. TOPIC: crisis words about someone else, negated, or about training, policy and the like. One gentle
   line and a "Get help now" button.
3. NONE: nothing, or an everyday idiom ("dead on my feet"), which may get the gentle check-in offer.
When in doubt between 1 and 2 the rules choose 1: a crisis match is only downgraded by a clear cue.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .language import OTHER, SELF, Clause, Lexicon, Token
from .patterns import Compiler, Pattern, PatternError, build_index, clause_matches

# Text is read in slices of this many characters, so a very long message never holds the event loop
# for long (about 15 ms a slice at worst); nothing is skipped.
SLICE = 2000
OVERLAP = 200
# Inside a match these name a thing as often as a person ("take them all" is about tablets), so they
# do not decide whom the words are about.
OBJECT_PRONOUNS = frozenset({"them", "him", "us", "it"})


class Answer(enum.IntEnum):
    CRISIS = 1
    TOPIC = 2
    NONE = 3


@dataclass(frozen=True)
class Assessment:
    answer: Answer = Answer.NONE
    category: str = ""  # the crisis category that matched (for evaluation; never logged with any text)
    idiom: bool = False  # an everyday saying that uses crisis words ("this rota is killing me")

    def worse(self, other: Assessment) -> Assessment:
        """The more urgent of two assessments (for several pieces of text in one turn)."""
        if other.answer != self.answer:
            return self if self.answer < other.answer else other
        return self if self.category or not other.idiom else other


NOTHING = Assessment()


@dataclass(frozen=True)
class Cues:
    """Content-defined cues that decide between answers 1 and 2."""

    negations: frozenset[str]
    not_negating: frozenset[str]  # "not sure", "can't stop", "can't help": the negation is not of the crisis words
    window: int
    context_after: frozenset[str]  # "suicide prevention", "self-harm policy": a topic, not the writer
    present: frozenset[str] = frozenset()  # "again", "still": a past cue does not make it history
    joiners: frozenset[str] = frozenset()  # "and", "so": where a negation's reach ends


class Classifier:
    """Compiled from crisis.yaml once per content load; `assess` is then pure and fast."""

    def __init__(self, lexicon: Lexicon, patterns: list[Pattern], cues: Cues):
        self.lexicon = lexicon
        self._patterns = patterns
        self._index, self._anywhere = build_index(patterns)
        self._starts = frozenset(self._index)
        self._cues = cues

    @classmethod
    def compile(
        cls,
        lexicon: Lexicon,
        lists: Mapping[str, Sequence[str]],
        cues: Cues,
        groups: Iterable[tuple[str, str, str, int | None]],
    ) -> tuple[Classifier, list[tuple[int | None, str]]]:
        """Compile (kind, category, pattern text, line) entries; returns the classifier and problems."""
        compiler = Compiler(lexicon, lists, cues.joiners, cues.negations)
        patterns, problems = [], []
        for kind, category, text, line in groups:
            try:
                patterns.append(compiler.compile(text, kind, category))
            except PatternError as exc:
                problems.append((line, f'the pattern "{text}" cannot be used: {exc}.'))
        return cls(lexicon, patterns, cues), problems

    def assess(self, text: str) -> Assessment:
        """The answer for one piece of free text. Linear in its length."""
        result = NOTHING
        for part in self.slices(text):
            result = result.worse(part)
            if result.answer is Answer.CRISIS:
                break
        return result

    def slices(self, text: str) -> Iterator[Assessment]:
        """The text read in slices of SLICE characters (overlapping a little, so a phrase cut in two is
        still read whole): a caller on an event loop can let others run between slices."""
        for offset in range(0, len(text), SLICE):
            result = NOTHING
            for clause in self.lexicon.clauses(text[max(0, offset - OVERLAP) : offset + SLICE]):
                result = result.worse(self._clause(clause))
            yield result

    def explain(self, text: str) -> list[str]:
        """Each match in plain words, for content editors: which pattern, on which words, and how it counted."""
        lines = []
        for clause in self.lexicon.clauses(text[:SLICE]):
            words = [t.raw for t in clause.tokens]
            lines.append("clause: " + " ".join(words))
            for pattern, start, end, verdict in self._verdicts(clause):
                lines.append(
                    f'  {pattern.kind}/{pattern.category}: "{pattern.source}" on '
                    f'"{" ".join(words[start:end])}"' + (f" -> answer {int(verdict)}" if verdict else "")
                )
        return lines

    def _clause(self, clause: Clause) -> Assessment:
        result = NOTHING
        for pattern, _start, _end, verdict in self._verdicts(clause):
            if verdict is Answer.CRISIS:
                return Assessment(Answer.CRISIS, pattern.category)
            if verdict is Answer.TOPIC:
                result = result.worse(Assessment(Answer.TOPIC))
            elif pattern.kind == "idiom":
                result = result.worse(Assessment(idiom=True))
        return result

    def _verdicts(self, clause: Clause) -> list[tuple[Pattern, int, int, Answer | None]]:
        """Every match in the clause with the answer it gives (None for idioms and cue phrases)."""
        tokens = clause.tokens
        matches = clause_matches(self._patterns, self._index, self._anywhere, clause, self._starts)
        if not matches:
            return []
        idioms = [(s, e) for p, s, e in matches if p.kind == "idiom"]
        history = any(p.kind == "past" for p, _, _ in matches) and not any(t.raw in self._cues.present for t in tokens)
        people = self.lexicon.people
        not_subject = {
            i for p, s, e in matches if p.kind == "relative" for i in range(s, e) if people.get(tokens[i].raw) == SELF
        }
        out: list[tuple[Pattern, int, int, Answer | None]] = []
        for pattern, start, end in matches:
            verdict: Answer | None = None
            if pattern.kind in ("crisis", "topic") and not any(s < end and start < e for s, e in idioms):
                about = pattern.kind == "crisis" and not history and self._about_writer(tokens, start, end, not_subject)
                verdict = Answer.CRISIS if about else Answer.TOPIC
            out.append((pattern, start, end, verdict))
        return out

    def _about_writer(self, tokens: Sequence[Token], start: int, end: int, not_subject: set[int]) -> bool:
        """True unless a clear cue says these words are negated, about someone else, or a topic's name."""
        if self._negated(tokens, start):
            return False
        if end < len(tokens) and tokens[end].raw in self._cues.context_after:
            return False
        return self._person(tokens, start, end, not_subject) != OTHER

    def _negated(self, tokens: Sequence[Token], start: int) -> bool:
        """A negation word shortly before the match, in the same part of the sentence ("and" ends it)."""
        cues = self._cues
        for i in range(start - 1, max(-1, start - 1 - cues.window), -1):
            word = tokens[i].raw
            if word in cues.joiners:
                return False
            if word in cues.negations and tokens[i + 1].raw not in cues.not_negating:
                return True
        return False

    def _person(self, tokens: Sequence[Token], start: int, end: int, not_subject: set[int]) -> str:
        """Whom the words are about: the person inside the match ("myself", "himself"), or else the
        nearest person named before it in the clause; for quoted words, whoever is quoted. Words in
        `not_subject` ("the client *I support*") are skipped."""
        people = self.lexicon.people
        inside = [
            people[t.raw]
            for i, t in enumerate(tokens[start:end], start)
            if t.raw in people and i not in not_subject and t.raw not in OBJECT_PRONOUNS
        ]
        if SELF in inside:
            return SELF if not tokens[start].quoted else tokens[start].speaker or SELF
        if OTHER in inside:
            return OTHER
        if tokens[start].quoted and tokens[start].speaker:
            return tokens[start].speaker
        for i in range(start - 1, -1, -1):
            token = tokens[i]
            if token.raw in people and token.quoted == tokens[start].quoted and i not in not_subject:
                return people[token.raw]
        return ""
