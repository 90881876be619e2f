"""The crisis guard as the bot uses it: the rules from crisis.yaml, and the learned reader beside them.

The rules give one of four answers (classifier.py). The learned reader (learned.py) can only raise it:
when the rules found nothing more urgent than a topic, a score of at least `offer_at` makes the answer
the offer (with the situation the reader heard), if the score stands in its context: when the most
worrying sentence of a message reaches it, no other sentence does and the whole message reads below
`context_at`, that sentence brings the gentle line instead, unless it is at least `alone_at` on its own (a
service user's words inside a reflection on supporting them; "I won." or "Typing this in my coat." inside
a day's news, which a few words can make look worrying). A score of at least `gentle_at` makes an
answer of nothing the gentle line, so a message with some sign of risk never gets the cold answer; when
the rules gave the offer, an overdose the reader hears is added to it (999 or A&E first). It never lowers
what the rules found, never changes the help the rules chose for the writer at risk now, never gives the
help-now card on its own, and does not read the sentences in which the writer denied every crisis phrase
("I'm not suicidal, just knackered") or told their story as long ago.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .classifier import IDENTIFICATION, Answer, Assessment, Classifier, Situation, pieces
from .learned import LearnedReader

LEARNED = "learned"  # the category of an offer the learned reader raised (for evaluation and explain)


@dataclass(frozen=True)
class Guard:
    rules: Classifier
    learned: LearnedReader | None = None
    offer_at: float = 1.0
    gentle_at: float = 1.0
    context_at: float = 0.0
    alone_at: float = 1.0

    def assess(self, text: str) -> Assessment:
        """The answer for one piece of free text. Linear in its length."""
        result = Assessment()
        for part in self.slices(text):
            result = result.worse(part)
        return result.concluded()

    def slices(self, text: str) -> Iterator[Assessment]:
        """The text read in slices, each by the rules and then the learned reader: a caller on an event
        loop can let others run between them."""
        for piece in pieces(text):
            found, quiet, aside = self.rules.read_cues(piece)
            yield self._raised(piece, found, quiet, aside)

    def _raised(self, piece: str, found: Assessment, quiet: frozenset[str], aside: frozenset[str]) -> Assessment:
        if self.learned is None or found.answer is Answer.CRISIS:
            return found
        reading = self.learned.read(piece, self.offer_at, skip=quiet, aside=aside)
        if found.answer is Answer.OFFER:
            # The rules' offer stands; the reader adds an overdose it heard, so 999 or A&E comes first
            # ("Swallowed what was in the cabinet. I've had enough now."). Nothing else it hears changes it.
            if reading.score >= self.offer_at and reading.situation is Situation.OVERDOSE:
                return found.worse(Assessment(Answer.OFFER, found.category, heard=frozenset({Situation.OVERDOSE})))
            return found
        # One worrying sentence is weighed in its message ("She said she wanted to die" in a reflection on
        # supporting her, "I won." in a day's news). Release 3.13 weighs it where the rules heard nothing
        # too: with offer_at lowered to 0.75, cross-validation over 24 rounds found fewer ordinary offers
        # and a few more crisis ones, though a lone disclosure the rules miss inside cheerful news now gets
        # the gentle line (docs/safety.md, "Known limits").
        if reading.score >= self.offer_at and reading.in_context(self.context_at, self.alone_at):
            return found.worse(Assessment(Answer.OFFER, LEARNED, heard=frozenset({reading.situation})))
        if reading.score >= self.gentle_at and found.identifies:  # a sign of risk the writer says is theirs
            return found.worse(
                Assessment(Answer.OFFER, IDENTIFICATION, heard=frozenset({reading.situation}), identifies=True)
            )
        if reading.score >= self.gentle_at:
            return found.worse(Assessment(Answer.TOPIC, LEARNED))  # some sign of risk: never the cold answer
        return found

    def explain(self, text: str) -> list[str]:
        """What the rules matched, then the learned reader's score, in plain words for content editors."""
        lines = self.rules.explain(text)
        if self.learned is not None:
            # Read as `slices` reads it: without the sentences the rules skip (a denial, a story of long ago),
            # so the score shown is the one the guard acts on.
            piece = next(pieces(text), "")
            _, quiet, aside = self.rules.read_cues(piece)
            reading = self.learned.read(piece, skip=quiet, aside=aside)
            worrying = self.learned.read(piece, self.offer_at, skip=quiet, aside=aside).worrying
            whole = "not read" if reading.whole is None else f"{reading.whole:.2f}"
            lines.append(
                f"learned reader: score {reading.score:.2f} (offer at {self.offer_at:.2f}), whole message "
                f"{whole} (context at {self.context_at:.2f}, one sentence alone at {self.alone_at:.2f}), "
                f"sentences at the offer: {worrying} (two keep it), "
                f"closest situation: {reading.situation.name.lower()}"
            )
        return lines
