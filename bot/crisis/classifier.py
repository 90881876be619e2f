"""What the words say about the writer, by rules from content: four answers, most urgent first.

1. CRISIS: a `crisis` pattern matched, about the writer (not negated just before, not about someone
   else, not the name of a course or policy, not told as the past). The help-now card at once, or
   the overdose or unsafe answer when the category belongs to one of those situations.
2. OFFER: an `unsure` pattern matched about the writer: signs of risk whose reading is uncertain
   (means and places, final acts, urges coming back ...). One calm card with the key numbers.
3. TOPIC: crisis words about someone else, negated, past, or about training, policy and the like.
   One gentle line and a "Get help now" button.
4. NONE: nothing, or an everyday idiom ("dead on my feet"), which may get the gentle check-in offer.
When in doubt the rules choose the more urgent answer: a match is only downgraded by a clear cue.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from .language import OTHER, SELF, Clause, Lexicon, Token
from .patterns import Compiler, Pattern, PatternError, build_index, clause_matches

# Text is read in slices of this many characters, so a very long message never holds the event loop
# for long (about 15 ms a slice at worst); nothing is skipped.
SLICE = 2000
OVERLAP = 200
# Inside a match these name a thing as often as a person ("take them all" is about tablets), so they
# do not decide whom the words are about.
OBJECT_PRONOUNS = frozenset({"them", "him", "us", "it"})
# A crisis phrase starting at most this many words after a topic frame ("signs such as ...") is a topic.
FRAME_REACH = 2


def pieces(text: str) -> Iterator[str]:
    """The text in slices of SLICE characters, each with the OVERLAP characters before it, so a phrase
    cut in two is still read whole."""
    for offset in range(0, len(text), SLICE):
        yield text[max(0, offset - OVERLAP) : offset + SLICE]


class Answer(enum.IntEnum):
    CRISIS = 1
    OFFER = 2
    TOPIC = 3
    NONE = 4

    @property
    def shows_contacts(self) -> bool:
        """The answer writes the contacts out in chat (the help-now card, or the offer)."""
        return self <= Answer.OFFER


class Situation(enum.IntEnum):
    """What kind of help comes first; when several are heard, the highest wins."""

    GENERAL = 0
    UNSAFE = 1  # being harmed, threatened or afraid to go home: its own contacts
    OVERDOSE = 2  # taken too much, or very drunk or high, now: 999 or A&E before anything else


@dataclass(frozen=True)
class Assessment:
    answer: Answer = Answer.NONE
    category: str = ""  # the category that matched (for evaluation; never logged with any text)
    idiom: bool = False  # an everyday saying that uses crisis words ("this rota is killing me")
    situation: Situation = Situation.GENERAL

    def worse(self, other: Assessment) -> Assessment:
        """The more urgent of two assessments (for several clauses, slices or pieces of text). A
        situation heard anywhere with contacts shown is kept: "he hit me and I want to die" is unsafe."""
        if other.answer != self.answer:
            first = self if self.answer < other.answer else other
        else:
            first = self if self.category or not other.idiom else other
        heard = [a.situation for a in (self, other) if a.answer.shows_contacts]
        situation = max(heard, default=Situation.GENERAL)
        return first if situation == first.situation else replace(first, situation=situation)


NOTHING = Assessment()
# The answer a pattern of each kind gives when its words are about the writer (otherwise TOPIC).
ANSWER_OF = {"crisis": Answer.CRISIS, "unsure": Answer.OFFER, "topic": Answer.TOPIC}


@dataclass(frozen=True)
class Cues:
    """Content-defined cues that decide between answers 1 and 2."""

    negations: frozenset[str]
    not_negating: frozenset[str]  # "not sure", "can't stop", "can't help": the negation is not of the crisis words
    window: int
    context_after: frozenset[str]  # "suicide prevention", "self-harm policy": a topic, not the writer
    present: frozenset[str] = frozenset()  # "again", "still", "now": a past cue does not make it history
    joiners: frozenset[str] = frozenset()  # "and", "so": where a negation's reach ends


class Classifier:
    """Compiled from crisis.yaml once per content load; `assess` is then pure and fast."""

    def __init__(
        self, lexicon: Lexicon, patterns: list[Pattern], cues: Cues, situations: Mapping[str, Situation] | None = None
    ):
        self.lexicon = lexicon
        self._situations = dict(situations or {})  # category -> the situation its matches bring
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
        situations: Mapping[str, Situation] | None = None,
    ) -> tuple[Classifier, list[tuple[int | None, str]]]:
        """Compile (kind, category, pattern text, line) entries; returns the classifier and problems."""
        compiler = Compiler(lexicon, lists, cues.joiners, cues.negations)
        patterns, problems = [], []
        for kind, category, text, line in groups:
            try:
                patterns.append(compiler.compile(text, kind, category))
            except PatternError as exc:
                problems.append((line, f'the pattern "{text}" cannot be used: {exc}.'))
        return cls(lexicon, patterns, cues, situations), problems

    def assess(self, text: str) -> Assessment:
        """The answer for one piece of free text. Linear in its length."""
        result = NOTHING
        for part in self.slices(text):
            result = result.worse(part)
        return result

    def slices(self, text: str) -> Iterator[Assessment]:
        """The text read in slices (see `pieces`): a caller on an event loop can let others run between them."""
        for piece in pieces(text):
            yield self.read(piece)

    def read(self, piece: str) -> Assessment:
        """The answer for one piece of text of at most SLICE + OVERLAP characters."""
        return self.read_cues(piece)[0]

    def read_cues(self, piece: str) -> tuple[Assessment, bool]:
        """The answer for one piece, and whether the learned reader should leave it as it is: the writer
        denied every crisis phrase in it ("I'm not suicidal, just knackered"), or the piece tells the
        writer's story as long ago and nothing in it was read as now."""
        result, matched, denied, told_long_ago = NOTHING, False, True, False
        for clause, matches, framed, lead in self._read(piece):
            result = result.worse(self._clause(clause, matches, framed, lead))
            told_long_ago = told_long_ago or framed
            for pattern, start, _end in matches:
                if pattern.kind in ("crisis", "unsure"):
                    matched = True
                    denied = denied and self._negated(clause.tokens, start)
        quiet = (matched and denied) or (told_long_ago and not result.answer.shows_contacts)
        return result, quiet

    def _read(self, piece: str) -> list[tuple[Clause, list, bool, bool]]:
        """Each clause with its matches; whether the piece tells its story as long ago (a `long_ago` cue
        somewhere, "years ago", and no return anywhere, "it's back", "again"); and whether the clause
        before ended with a topic frame ("which of these is a warning sign: ...")."""
        clauses = self.lexicon.clauses(piece)
        found = [clause_matches(self._patterns, self._index, self._anywhere, c, self._starts) for c in clauses]
        long_ago = any(p.kind == "long_ago" for matches in found for p, _, _ in matches)
        returning = any(p.kind == "return" for matches in found for p, _, _ in matches)
        framed = long_ago and not returning
        leads = [False] + [
            any(p.kind == "frame" and e >= len(c.tokens) - 1 for p, _, e in m)
            for c, m in zip(clauses, found, strict=True)
        ]
        return [(c, m, framed, lead) for c, m, lead in zip(clauses, found, leads, strict=False)]

    def explain(self, text: str) -> list[str]:
        """Each match in plain words, for content editors: which pattern, on which words, and how it counted."""
        lines = []
        for clause, matches, framed, lead in self._read(text[:SLICE]):
            words = [t.raw for t in clause.tokens]
            lines.append("clause: " + " ".join(words) + (" (the message tells it as long ago)" if framed else ""))
            for pattern, start, end, verdict in self._verdicts(clause, matches, framed, lead):
                lines.append(
                    f'  {pattern.kind}/{pattern.category}: "{pattern.source}" on '
                    f'"{" ".join(words[start:end])}"' + (f" -> answer {int(verdict)}" if verdict else "")
                )
        return lines

    def _clause(self, clause: Clause, matches: list, framed: bool, lead: bool) -> Assessment:
        result = NOTHING
        for pattern, _start, _end, verdict in self._verdicts(clause, matches, framed, lead):
            if verdict is None:
                if pattern.kind == "idiom":
                    result = result.worse(Assessment(idiom=True))
                continue
            situation = self._situations.get(pattern.category, Situation.GENERAL)
            category = pattern.category if verdict.shows_contacts else ""
            result = result.worse(Assessment(verdict, category, situation=situation))
        return result

    def _verdicts(
        self, clause: Clause, matches: list, framed: bool, lead: bool = False
    ) -> list[tuple[Pattern, int, int, Answer | None]]:
        """Every match in the clause with the answer it gives (None for idioms and cue phrases). The
        clause is history when it has a past cue, or the whole piece is told as long ago, and the clause
        itself has no word of now ("still", "tonight", "now")."""
        tokens = clause.tokens
        if not matches:
            return []
        idioms = [(s, e) for p, s, e in matches if p.kind == "idiom"]
        past = framed or any(p.kind in ("past", "long_ago") for p, _, _ in matches)
        now = any(t.raw in self._cues.present for t in tokens) or any(p.kind == "return" for p, _, _ in matches)
        history = past and not now
        people = self.lexicon.people
        not_subject = {
            i for p, s, e in matches if p.kind == "relative" for i in range(s, e) if people.get(tokens[i].raw) == SELF
        }
        frame_ends = [e for p, _, e in matches if p.kind == "frame"] + ([0] if lead else [])
        framed_as_topic = {e + gap for e in frame_ends for gap in range(FRAME_REACH + 1)}
        out: list[tuple[Pattern, int, int, Answer | None]] = []
        for pattern, start, end in matches:
            verdict: Answer | None = None
            if pattern.kind in ANSWER_OF and not any(s < end and start < e for s, e in idioms):
                about = start not in framed_as_topic and not history
                about = about and self._about_writer(tokens, start, end, not_subject)
                verdict = ANSWER_OF[pattern.kind] if about else Answer.TOPIC
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
        """A negation word shortly before the match, in the same part of the sentence: "and" ends its
        reach, and so does a person ("can't go home, he said he'd kill me" is not negated)."""
        cues = self._cues
        people = self.lexicon.people
        if tokens[start].raw in people and people[tokens[start].raw] == OTHER:
            return False
        for i in range(start - 1, max(-1, start - 1 - cues.window), -1):
            word = tokens[i].raw
            if word in cues.joiners or people.get(word) == OTHER:
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
        quoted = tokens[start].quoted
        for i in range(start - 1, -1, -1):
            token = tokens[i]
            if not token.quoted and quoted:
                break  # inside a quote, only the quote's own words say whom it is about ...
            if token.raw in people and token.quoted == quoted and i not in not_subject:
                found = people[token.raw]
                if quoted and found == SELF:
                    return tokens[start].speaker or SELF  # a quote's "I" is whoever speaks it
                return found
        if quoted and tokens[start].speaker:
            return tokens[start].speaker  # ... and otherwise it is about whoever is quoted
        return ""
