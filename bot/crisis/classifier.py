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

from .language import OTHER, SELF, Clause, Lexicon, Token, sentences
from .patterns import Compiler, Node, Pattern, PatternError, build_index, clause_matches

# Text is read in slices of this many characters, so a very long message never holds the event loop
# for long (about 15 ms a slice at worst); nothing is skipped.
SLICE = 2000
OVERLAP = 200
# Inside a match these name a thing as often as a person ("take them all" is about tablets), so they
# do not decide whom the words are about.
OBJECT_PRONOUNS = frozenset({"them", "him", "us", "it"})
# Words that name someone else as an owner or an object, never as the one who acts: before an "and" ("I sat
# in *his* car and took 30 tablets", "I told *him* and cut myself"), or owning the tablets taken ("I took
# *her* amitriptyline"). The writer's own "me" and "my" still name the writer ("Mum hates me so want to die").
NOT_SUBJECTS = frozenset({"his", "her", "their", "your", "our", "him", "them", "us"})
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
    heard: frozenset[Situation] = frozenset()  # the situations of the matches that gave this answer
    # The writer says someone else's crisis, or a training's, is theirs too ("I did that on Sunday", "me
    # too"): with any crisis talk or sign of risk, at least the offer (see `Classifier.read_cues`, guard.py).
    identifies: bool = False

    @property
    def situation(self) -> Situation:
        """What help comes first: an overdose heard anywhere at this answer's level; being unsafe when
        that is all that was heard; otherwise the general help."""
        if Situation.OVERDOSE in self.heard:
            return Situation.OVERDOSE
        return Situation.UNSAFE if self.heard == {Situation.UNSAFE} else Situation.GENERAL

    @property
    def unsafe_too(self) -> bool:
        """Being unsafe was heard beside something else ("he hit me and I want to die")."""
        return Situation.UNSAFE in self.heard and self.situation is not Situation.UNSAFE

    def concluded(self) -> Assessment:
        """Once every slice and field of a turn is read: crisis talk read as someone else's or as a topic,
        which the writer says is theirs too somewhere in it, is the offer (with the situation it named)."""
        if self.identifies and self.answer is Answer.TOPIC:
            return replace(self, answer=Answer.OFFER, category=IDENTIFICATION)
        return self

    def worse(self, other: Assessment) -> Assessment:
        """The more urgent of two assessments (for several clauses, slices or pieces of text). The
        situations of two equally urgent answers are both kept; a less urgent one's never change it."""
        if other.answer != self.answer:
            worse = self if self.answer < other.answer else other
            identifies = self.identifies or other.identifies
            return worse if worse.identifies == identifies else replace(worse, identifies=identifies)
        first = self if self.category or not other.idiom else other
        heard = self.heard | other.heard
        identifies = self.identifies or other.identifies
        if heard == first.heard and identifies == first.identifies:
            return first
        return replace(first, heard=heard, identifies=identifies)


NOTHING = Assessment()
IDENTIFICATION = "identification"  # the category of an offer for crisis talk the writer says is theirs too
# The answer a pattern of each kind gives when its words are about the writer (otherwise TOPIC).
ANSWER_OF = {"crisis": Answer.CRISIS, "unsure": Answer.OFFER, "topic": Answer.TOPIC}
# How a sentence is told as the past: not at all, only by the writer saying they are fine now ("I'm ok now",
# `reassured`), or dated long ago (`long_ago`: "years ago", "when I was 15").
NOT_PAST, REASSURED, LONG_AGO = 0, 1, 2
# What an ordinary ending softens is read as a span (`_endings_softened`): a pattern that matches nothing itself.
SOFTENED = Pattern("(an ordinary ending named in the message)", "span", "ending", Node(), anchored=False)
DATED_KINDS = ("past", "long_ago")  # cues that date a story; "I'm ok now" does not
PAST_KINDS = (*DATED_KINDS, "reassured")
# The words crisis.yaml gives as `dating_words` and `doubt` (below), used when a Trust's older crisis.yaml
# has none. A return told in one of these words dates the telling ("the scars are *still* there") rather
# than telling of the act again, so it leaves a long-ago cue in the act's own clause alone.
DATING_WORDS = frozenset({"tonight", "currently", "lately", "recently", "still", "anniversary"})
# Words that put what follows in doubt: "whether I'm ok now" does not say the writer is, and nor does someone
# else's view ("everyone thinks I'm fine now"); after a negation, only these verbs ("not sure", "can't say").
DOUBT = frozenset(
    {
        "whether",
        "unsure",
        "wish",
        "wonder",
        "wondering",
        "doubt",
        "pretend",
        "pretending",
        "thinks",
        "reckons",
        "assumes",
        "assume",
        "everyone",
        "everybody",
    }
)
DOUBTED_AFTER_NEGATION = frozenset({"sure", "know", "certain", "say", "tell", "convinced", "think", "feel"})


@dataclass(frozen=True)
class Cues:
    """Content-defined cues that decide between answers 1 and 2."""

    negations: frozenset[str]
    not_negating: frozenset[str]  # "not sure", "can't stop", "can't help": the negation is not of the crisis words
    window: int
    context_after: frozenset[str]  # "suicide prevention", "self-harm policy": a topic, not the writer
    present: frozenset[str] = frozenset()  # "again", "still", "now": a past cue does not make it history
    joiners: frozenset[str] = frozenset()  # "and", "so": where a negation's reach ends
    dating: frozenset[str] = DATING_WORDS  # a return in one of these words dates the telling ("still")
    doubt: frozenset[str] = DOUBT  # "whether", "wish", "everyone": what follows is in doubt
    doubted_after_negation: frozenset[str] = DOUBTED_AFTER_NEGATION  # "not sure", "can't say"


class Classifier:
    """Compiled from crisis.yaml once per content load; `assess` is then pure and fast."""

    def __init__(
        self,
        lexicon: Lexicon,
        patterns: list[Pattern],
        cues: Cues,
        situations: Mapping[str, Situation] | None = None,
        things: frozenset[str] = frozenset(),
    ):
        self.lexicon = lexicon
        # Words for things a person owns and another may take (`lists: pills`): "I took a load of *her*
        # amitriptyline" is about whoever took them, not whose they were ("my pills" still names the writer).
        self._things = things
        self._situations = dict(situations or {})  # category -> the situation its matches bring
        self._patterns = patterns
        self._index, self._anywhere = build_index(patterns)
        self._starts = frozenset(self._index)
        self._cues = cues
        # The same pattern as a topic, for crisis phrases in a quiz sentence.
        # It keeps its category, so the situation it names (an overdose) is kept for `identifies`.
        self._topic_of = {id(p): replace(p, kind="topic") for p in patterns if p.kind in ANSWER_OF}

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
        things = frozenset(word for word in lists.get("pills", ()) if " " not in word)
        return cls(lexicon, patterns, cues, situations, things), problems

    def assess(self, text: str) -> Assessment:
        """The answer for one piece of free text. Linear in its length."""
        result = NOTHING
        for part in self.slices(text):
            result = result.worse(part)
        return result.concluded()

    def slices(self, text: str) -> Iterator[Assessment]:
        """The text read in slices (see `pieces`): a caller on an event loop can let others run between them."""
        for piece in pieces(text):
            yield self.read(piece)

    def read(self, piece: str) -> Assessment:
        """The answer for one piece of text of at most SLICE + OVERLAP characters."""
        return self.read_cues(piece)[0]

    def read_cues(self, piece: str) -> tuple[Assessment, frozenset[str], frozenset[str]]:
        """The answer for one piece; the sentences the learned reader should leave alone (and with them
        the whole piece): those in which the writer denied every crisis phrase ("I'm not suicidal, just
        knackered"), and those told as the writer's story from long ago in which nothing was read as now;
        and the sentences it should not read alone, though the whole piece is read: an idiom the rules
        know, a bare "me too"."""
        result, quiet, aside = NOTHING, set(), set()
        read = self._read(piece)
        for sentence, clauses in read:
            told = NOTHING
            matched, denied, framed, risky = False, True, False, False
            for clause, matches, long_ago in clauses:
                told = told.worse(self._clause(clause, matches, long_ago))
                # A clause with a word of now is not told as the past ("Going to do it tonight. The thing I
                # told them about years ago."): the reader still reads its sentence.
                framed = framed or (long_ago != NOT_PAST and not self._now(clause, matches))
                for pattern, start, _end in matches:
                    if pattern.kind in ANSWER_OF:
                        risky = True
                        # Only a denied crisis phrase or topic silences the reader: an `unsure` phrase after
                        # "I'm not saying ..." is no denial ("I'm not saying I'd be better off gone").
                        matched = matched or pattern.kind != "unsure"
                        denied = denied and self._negated(clause.tokens, start)
            # An everyday saying the rules know ("I can't go on the late shift"), when nothing else in the
            # sentence is crisis talk or a sign of risk, is set aside: the reader does not read it alone (the
            # whole message it is part of is still read). So is a sentence that is nothing but "me too" or
            # "same": it says nothing by itself, and is weighed with the crisis talk it joins (`identifies`).
            only_joining = bool(clauses) and all(
                any(p.kind in ("identify", "echo") and a == 0 and b == len(c.tokens) for p, a, b in m)
                for c, m, _ in clauses
            )
            if (matched and denied) or (framed and not told.answer.shows_contacts):
                quiet.add(sentence)
            elif (told.idiom and not risky) or only_joining:
                aside.add(sentence)
            result = result.worse(told)
        # "Me too" counts when it is now: "... and so did I once, years ago" is the writer's past; and when
        # it is the writer's: "two others said 'me too'" is theirs. An echo ("so did I") says the same of
        # what was just said: crisis talk earlier in its sentence or in the one before ("She cried. So did
        # I." is not).
        echoed = self._talk_so_far(read)
        if any(
            any(
                (p.kind == "identify" or (p.kind == "echo" and echoed[i][j])) and clause.tokens[s].speaker != OTHER
                for p, s, _ in matches
            )
            and not self._history(clause, matches, long_ago)
            for i, (_, clauses) in enumerate(read)
            for j, (clause, matches, long_ago) in enumerate(clauses)
        ):
            result = result.worse(Assessment(identifies=True))
            result = result.concluded()
        return result, frozenset(quiet), frozenset(aside)

    @staticmethod
    def _talk_so_far(read: list) -> list[list[bool]]:
        """For each clause: crisis talk (or a topic) in it or the clauses before it in its sentence, or in
        the sentence before (what an echo can say the same of). One pass: linear in the clauses."""
        out: list[list[bool]] = []
        before = False  # crisis talk anywhere in the previous sentence
        for _, clauses in read:
            flags, so_far = [], before
            anywhere = False
            for _clause, matches, _long_ago in clauses:
                talk = any(p.kind in ANSWER_OF for p, _, _ in matches)
                anywhere = anywhere or talk
                so_far = so_far or talk
                flags.append(so_far)
            out.append(flags)
            before = anywhere
        return out

    def _read(self, piece: str) -> list[tuple[str, list[tuple[Clause, list, int]]]]:
        """Each sentence, with each of its clauses, their matches, and whether the sentence is told as the
        writer's story from long ago ("Wanted to die, planned it. That was years ago."): a `long_ago` cue in
        it, or in the sentence after it unless it dates an act within a day (`recent`: "an hour ago", "last
        night"), and no return anywhere in the piece ("it's back", "again", a bare "still": "I want to die. Felt
        like this when I was 19. Still do."). How: LONG_AGO when a cue dates it,
        REASSURED when the only cue is the writer saying they are fine now ("I'm ok now")."""
        read = []
        for sentence in sentences(piece):
            clauses = self.lexicon.clauses(sentence)
            found = [clause_matches(self._patterns, self._index, self._anywhere, c, self._starts) for c in clauses]
            # "Not sure I'm ok now" says the opposite of being fine now: it dates nothing.
            found = [
                [x for x in m if not (x[0].kind == "reassured" and self._doubted(c.tokens, x[1]))]
                for c, m in zip(clauses, found, strict=True)
            ]
            read.append((sentence, clauses, found))
        cue = [
            LONG_AGO
            if any(p.kind == "long_ago" for m in found for p, _, _ in m)
            else REASSURED
            if any(p.kind == "reassured" for m in found for p, _, _ in m)
            else NOT_PAST
            for _, _, found in read
        ]
        # "Had to say ..." is a part played only in a sentence about a role play or a course, and never when
        # the writer says the part was their own ("it wasn't acting").
        undone = any(p.kind == "undone" for _, _, found in read for m in found for p, _, _ in m)
        read = [
            (s, c, found)
            if not undone and any(p.kind == "drill" for m in found for p, _, _ in m)
            else (s, c, [[x for x in m if x[0].kind != "script"] for m in found])
            for s, c, found in read
        ]
        returning = any(p.kind == "return" for _, _, found in read for m in found for p, _, _ in m)
        told_again = any(
            p.kind == "return" and not (e - s == 1 and c.tokens[s].raw in self._cues.dating)
            for _, clauses, found in read
            for c, m in zip(clauses, found, strict=True)
            for p, s, e in m
        )
        if told_again:
            # An act told again is never read as the past, not even by a long-ago cue in its own clause ("I
            # self-harmed from 14 to 23. Did it again last night."); a clause's `past` cue still counts.
            read = [(s, c, [[x for x in m if x[0].kind != "long_ago"] for m in found]) for s, c, found in read]
        if told_again or any(p.kind == "recent" for _, _, found in read for m in found for p, _, _ in m):
            # Nor is a span of the past that an act told again or of the last day ("last night") runs into.
            read = [(s, c, [[x for x in m if x[0].kind != "span"] for m in found]) for s, c, found in read]
        else:
            read = self._endings_softened(read)
        out = []
        for i, (sentence, clauses, found) in enumerate(read):
            # "Took 20 paracetamol an hour ago. I'm ok now": the next sentence's cue does not make an act of
            # the last day the past (the sentence's own cue can, see `_verdicts`).
            recent = any(p.kind == "recent" for m in found for p, _, _ in m)
            after = cue[i + 1] if not recent and i + 1 < len(cue) else NOT_PAST
            long_ago = NOT_PAST if returning else max(cue[i], after)
            # A quiz or a training's list, unless the writer says it is them ("that's me right now").
            if not undone and any(p.kind == "quiz" for m in found for p, _, _ in m):
                found = [self._as_topics(c, m) for c, m in zip(clauses, found, strict=True)]
            out.append((sentence, [(c, m, long_ago) for c, m in zip(clauses, found, strict=True)]))
        return out

    @staticmethod
    def _endings_softened(read: list) -> list:
        """In a message that names an ordinary ending (a last day on the ward, leave, retiring), a goodbye,
        a note or a handover that a crisis category of that ending hears is read like a span: the offer,
        not the card, unless its clause has a word of now (`_verdicts`)."""
        softened = {p.category for _, _, found in read for m in found for p, _, _ in m if p.kind == "ending"}
        if not softened:
            return read

        def soften(m: list) -> list:
            # Only where no other crisis category hears the same words ("letters for my kids" is a plan too).
            firm = [(a, b) for p, a, b in m if p.kind == "crisis" and p.category not in softened]
            return m + [
                (SOFTENED, a, b)
                for p, a, b in m
                if p.kind == "crisis" and p.category in softened and not any(x < b and a < y for x, y in firm)
            ]

        return [(s, c, [soften(m) for m in found]) for s, c, found in read]

    def _as_topics(self, clause: Clause, matches: list) -> list:
        """In a quiz or checklist sentence, crisis phrases that do not name the writer, in them or just before
        them ("after the training on warning signs *I* took ..."), are topics."""
        tokens = clause.tokens
        return [
            (self._topic_of.get(id(p), p), s, e)
            if p.kind in ("crisis", "unsure")
            and not self._names_writer(tokens, s, e)
            and self._person(tokens, s, e, set()) != SELF
            else (p, s, e)
            for p, s, e in matches
        ]

    def explain(self, text: str) -> list[str]:
        """Each match in plain words, for content editors: which pattern, on which words, and how it counted."""
        lines = []
        for _sentence, clauses in self._read(text[:SLICE]):
            for clause, matches, long_ago in clauses:
                words = [t.raw for t in clause.tokens]
                told = (
                    " (told as long ago)" if long_ago == LONG_AGO else " (told as past: fine now)" if long_ago else ""
                )
                lines.append("clause: " + " ".join(words) + told)
                for pattern, start, end, verdict in self._verdicts(clause, matches, long_ago):
                    lines.append(
                        f'  {pattern.kind}/{pattern.category}: "{pattern.source}" on '
                        f'"{" ".join(words[start:end])}"' + (f" -> answer {int(verdict)}" if verdict else "")
                    )
        return lines

    def _clause(self, clause: Clause, matches: list, long_ago: int) -> Assessment:
        result = NOTHING
        for pattern, _start, _end, verdict in self._verdicts(clause, matches, long_ago):
            if verdict is None:
                if pattern.kind == "idiom":
                    result = result.worse(Assessment(idiom=True))
                continue
            situation = self._situations.get(pattern.category, Situation.GENERAL)
            category = pattern.category if verdict.shows_contacts else ""
            # A topic keeps an overdose or being unsafe too: the writer may say it is theirs (`identifies`).
            heard = (
                frozenset({situation}) if verdict.shows_contacts or situation is not Situation.GENERAL else frozenset()
            )
            result = result.worse(Assessment(verdict, category, heard=heard))
        return result

    def _verdicts(self, clause: Clause, matches: list, long_ago: int) -> list[tuple[Pattern, int, int, Answer | None]]:
        """Every match in the clause with the answer it gives (None for idioms and cue phrases). The
        clause is history when it has a past cue or its sentence is told as long ago, and the clause
        itself has no word of now ("still", "tonight", "now") and tells of no return. An overdose the
        writer tells as theirs with nothing dating it but "I'm ok now" is the offer, 999 or A&E first:
        tablets taken hours ago can feel fine ("Took 20 paracetamol. I'm ok now.")."""
        tokens = clause.tokens
        if not matches:
            return []
        idioms = [(s, e) for p, s, e in matches if p.kind == "idiom"]
        now = self._now(clause, matches)
        history = self._history(clause, matches, long_ago, now)
        # An act the clause dates within a day after naming it ("took 20 paracetamol *an hour ago*, im ok now")
        # is not made the past by the sentence's "I'm ok now"; its own past cue still counts, and a time word
        # before it dates the telling ("*this morning* I told a client I used to cut myself, years ago").
        own_past = any(p.kind in PAST_KINDS for p, _, _ in matches)
        only_reassured = long_ago != LONG_AGO and not any(p.kind in DATED_KINDS for p, _, _ in matches)
        # A span of the writer's past ("I self-harmed for ten years") may run to now: what it tells gets the
        # offer, not the card; the rest of the clause ("... and I want to die") is read as it is.
        spans = [] if now else [(s, e) for p, s, e in matches if p.kind == "span"]
        dated = [s for p, s, _ in matches if p.kind == "recent"]
        people = self.lexicon.people
        not_subject = {
            i for p, s, e in matches if p.kind == "relative" for i in range(s, e) if people.get(tokens[i].raw) == SELF
        }
        frame_ends = [] if now else [e for p, _, e in matches if p.kind == "frame"]
        # A question quoted as asked of someone ("'are you thinking about suicide?'") frames only its own
        # quoted words: unquoted, "do you ever just want to die" is how people speak of themselves.
        asked_ends = [] if now else [e for p, s, e in matches if p.kind == "asked" and tokens[s].quoted]
        parts = [self._part(tokens, e) for p, _, e in matches if p.kind == "script"]
        out: list[tuple[Pattern, int, int, Answer | None]] = []
        for pattern, start, end in matches:
            verdict: Answer | None = None
            if pattern.kind in ANSWER_OF and not any(s < end and start < e for s, e in idioms):
                ends = frame_ends + asked_ends if tokens[start].quoted else frame_ends
                framed = any(
                    e <= start <= e + FRAME_REACH and not self._names_writer(tokens, e, end) for e in ends
                ) or any(s <= start < e for s, e in parts)
                told_long_ago = history and (own_past or not any(s >= start for s in dated))
                about = not framed and self._about_writer(tokens, start, end, not_subject)
                if about and not told_long_ago:
                    verdict = ANSWER_OF[pattern.kind]
                    if any(s < end and start < e for s, e in spans):
                        verdict = max(verdict, Answer.OFFER)
                elif about and only_reassured and self._situations.get(pattern.category) is Situation.OVERDOSE:
                    verdict = Answer.OFFER
                else:
                    verdict = Answer.TOPIC
            out.append((pattern, start, end, verdict))
        return out

    def _now(self, clause: Clause, matches: list) -> bool:
        """The clause has a word of now ("still", "tonight") or tells of a return. A word of now inside a
        `tellings` match dates the telling of the writer's past, not what is told ("*today* I told a client
        I'd attempted when I was 22")."""
        if any(p.kind == "return" for p, _, _ in matches):
            return True
        tellings = [(s, e) for p, s, e in matches if p.kind == "telling"]
        present = self._cues.present
        return any(t.raw in present and not any(s <= i < e for s, e in tellings) for i, t in enumerate(clause.tokens))

    def _history(self, clause: Clause, matches: list, long_ago: int, now: bool | None = None) -> bool:
        """The clause tells the past: a past cue in it or its sentence told as long ago, and not `_now`."""
        past = bool(long_ago) or any(p.kind in PAST_KINDS for p, _, _ in matches)
        return past and not (self._now(clause, matches) if now is None else now)

    def _part(self, tokens: Sequence[Token], start: int) -> tuple[int, int]:
        """The words of a part played after "had to say" (`start`): a quotation to its end; otherwise up to
        the writer's next "I" (the first one is the part's: "had to say *I'd* saved tablets"), so that
        "... and I'm actually planning it" is the writer's own again."""
        people = self.lexicon.people
        if start < len(tokens) and tokens[start].quoted:
            end = start
            while end < len(tokens) and tokens[end].quoted:
                end += 1
            return start, end
        for i in range(start + 2, len(tokens)):
            if people.get(tokens[i].raw) == SELF and not tokens[i].quoted:
                return start, i
        return start, len(tokens)

    def _names_writer(self, tokens: Sequence[Token], start: int, end: int) -> bool:
        """The writer is named in these words ("talking about *me* wanting to die", "about killing *myself*"):
        a topic frame before them does not make them a topic."""
        people = self.lexicon.people
        return any(people.get(t.raw) == SELF for t in tokens[start:end])

    def _about_writer(self, tokens: Sequence[Token], start: int, end: int, not_subject: set[int]) -> bool:
        """True unless a clear cue says these words are negated, about someone else, or a topic's name."""
        if self._negated(tokens, start):
            return False
        if end < len(tokens) and tokens[end].raw in self._cues.context_after:
            return False
        return self._person(tokens, start, end, not_subject) != OTHER

    def _doubted(self, tokens: Sequence[Token], start: int) -> bool:
        """A word of doubt shortly before the words ("not sure I'm ok now", "don't know if", "wish", "everyone
        thinks"): they do not say the writer is fine. A negation of something else does not ("don't worry I'm
        fine now", "can't complain")."""
        cues = self._cues
        window = range(max(0, start - cues.window), start)
        return any(
            tokens[i].raw in cues.doubt
            or (tokens[i].raw in cues.negations and i + 1 < start and tokens[i + 1].raw in cues.doubted_after_negation)
            for i in window
        )

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
        `not_subject` ("the client *I support*") are skipped, and so are someone else's owner or object
        words (`NOT_SUBJECTS`) before an "and" or before the tablets taken, unless nobody else is named."""
        people = self.lexicon.people
        owner = ""  # "her" before the tablets taken: whose they were, if nobody else is named as taking them
        inside = []
        for i, t in enumerate(tokens[start:end], start):
            if t.raw not in people or i in not_subject or t.raw in OBJECT_PRONOUNS:
                continue
            if t.raw in NOT_SUBJECTS and i + 1 < end and tokens[i + 1].raw in self._things:
                owner = people[t.raw]
                continue
            inside.append(people[t.raw])
        if SELF in inside:
            return SELF if not tokens[start].quoted else tokens[start].speaker or SELF
        if OTHER in inside:
            return OTHER
        quoted = tokens[start].quoted
        joined = False  # an "and" lies between the word and the match
        for i in range(start - 1, -1, -1):
            token = tokens[i]
            if not token.quoted and quoted:
                break  # inside a quote, only the quote's own words say whom it is about ...
            joined = joined or token.raw in self._cues.joiners
            if joined and token.raw in NOT_SUBJECTS and token.quoted == quoted:
                # ... and an owner or an object before "and" is not who acted, if someone else is named
                # ("I sat in his car and took ..."); if nobody is, the words are theirs ("found him on the
                # floor and had taken 30 tablets").
                owner = owner or people[token.raw]
                continue
            if token.raw in people and token.quoted == quoted and i not in not_subject:
                found = people[token.raw]
                if quoted and found == SELF:
                    return tokens[start].speaker or SELF  # a quote's "I" is whoever speaks it
                return found
        if quoted and tokens[start].speaker:
            return tokens[start].speaker  # ... and otherwise it is about whoever is quoted
        return owner  # "Reminded J to take all his tablets": nobody else named, so they are his
