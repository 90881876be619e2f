"""The pattern language admins use in bot/content/crisis.yaml, and its matcher.

A pattern is a phrase, read word by word against one clause of a message:

    kill myself                 the words in this order; "killing myself", "killed myself" match too
    kill|top|off myself         one word out of several ("top myself", "off myself")
    (end my life|kill myself)   in brackets, `|` separates whole alternatives
    really? want to die         `?` makes the word (or bracket) before it optional
    saving ... tablets          `...` allows up to three other words in between
    can't go on $               `$` is the end of the clause ("can't go on the late shift" does not match)
    ^ suicide $                 `^` is the start of the clause
    @pills                      any entry of the word list called `pills`
    =od                         exactly this word: no other forms, no typo forgiveness
    #year  #number              any year (like 2015), any number

Every word is compared by its stem (Snowball English), after the same contractions, mending and
irregular forms that messages get, and a misspelling one letter out is forgiven when the written word
is not itself an English word. Matching one pattern from one position costs a bounded amount of work,
so a message is checked in time proportional to its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .language import NUMBER, YEAR, Clause, Lexicon

GAP = 3
WORD_CLASSES = (NUMBER, YEAR)
_PIECE = re.compile(r"\.\.\.|[()|?$^]|[@#][a-z_][a-z0-9_]*|=?[a-z0-9']+|\S")


class PatternError(ValueError):
    """A pattern that cannot be read; the message says what is wrong in plain words."""


class Node:
    def ends(self, tokens: Sequence, start: int) -> set[int]:
        """Every position where this node, begun at `start`, can end."""
        raise NotImplementedError

    def firsts(self) -> frozenset[str] | None:
        """Ids any match must start with; None when a match can start anywhere."""
        raise NotImplementedError

    def can_be_empty(self) -> bool:
        return False

    def needs(self) -> list[frozenset[str]]:
        """Sets of ids of which a clause must contain at least one each, or this node cannot match there."""
        return []

    def words(self) -> list[str]:
        return []


@dataclass(frozen=True)
class Word(Node):
    ids: frozenset[str]
    text: str = ""

    def ends(self, tokens, start):
        return {start + 1} if start < len(tokens) and not self.ids.isdisjoint(tokens[start].ids) else set()

    def firsts(self):
        return self.ids

    def needs(self):
        return [self.ids]

    def words(self):
        return [self.text] if self.text else []


@dataclass(frozen=True)
class Seq(Node):
    items: tuple[Node, ...]

    def ends(self, tokens, start):
        positions = {start}
        for item in self.items:
            positions = {e for p in positions for e in item.ends(tokens, p)}
            if not positions:
                break
        return positions

    def firsts(self):
        found: set[str] = set()
        for item in self.items:
            first = item.firsts()
            if first is None:
                return None
            found |= first
            if not item.can_be_empty():
                return frozenset(found)
        return None

    def can_be_empty(self):
        return all(i.can_be_empty() for i in self.items)

    def needs(self):
        return [n for i in self.items for n in i.needs()]

    def words(self):
        return [w for i in self.items for w in i.words()]


def alternatives(options: Sequence[Node]) -> Node:
    """Alternatives, with every single-word option folded into one set lookup (lists can be long)."""
    words = [o for o in options if isinstance(o, Word)]
    rest = [o for o in options if not isinstance(o, Word)]
    merged: list[Node] = (
        [Word(frozenset().union(*(w.ids for w in words)), "|".join(w.text for w in words))] if words else []
    )
    nodes = merged + rest
    return nodes[0] if len(nodes) == 1 else Alt(tuple(nodes))


@dataclass(frozen=True)
class Alt(Node):
    options: tuple[Node, ...]

    def ends(self, tokens, start):
        return {e for option in self.options for e in option.ends(tokens, start)}

    def firsts(self):
        found: set[str] = set()
        for option in self.options:
            first = option.firsts()
            if first is None:
                return None
            found |= first
        return frozenset(found)

    def can_be_empty(self):
        return any(o.can_be_empty() for o in self.options)

    def needs(self):
        firsts = [o.needs()[:1] for o in self.options]
        if not all(firsts):
            return []
        return [frozenset().union(*(f[0] for f in firsts))]

    def words(self):
        return [w for o in self.options for w in o.words()]


@dataclass(frozen=True)
class Optional(Node):
    node: Node

    def ends(self, tokens, start):
        return {start} | self.node.ends(tokens, start)

    def firsts(self):
        return self.node.firsts()

    def can_be_empty(self):
        return True

    def words(self):
        return self.node.words()


class Gap(Node):
    """Up to GAP words of anything, except a negation: "I am ... a burden" must not read "I am not a burden"."""

    def __init__(self, stops: frozenset[str] = frozenset()):
        self.stops = stops

    def ends(self, tokens, start):
        found = {start}
        for position in range(start, min(start + GAP, len(tokens))):
            if tokens[position].raw in self.stops:
                break
            found.add(position + 1)
        return found

    def firsts(self):
        return None

    def can_be_empty(self):
        return True


class End(Node):
    """The end of the clause, or a joining word after which a new thought starts ("and", "so")."""

    def __init__(self, joiners: frozenset[str]):
        self.joiners = joiners

    def ends(self, tokens, start):
        if start == len(tokens) or tokens[start].raw in self.joiners:
            return {start}
        return set()

    def firsts(self):
        return None

    def can_be_empty(self):
        return True


class Start(Node):
    def ends(self, tokens, start):
        return {start} if start == 0 else set()

    def firsts(self):
        return None

    def can_be_empty(self):
        return True


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern, with where it came from (for reports) and what it means."""

    source: str
    kind: str  # crisis, topic, idiom
    category: str
    node: Node
    anchored: bool  # begins with ^: only tried at the start of a clause
    needs: tuple[frozenset[str], ...] = ()

    def possible(self, present: frozenset[str]) -> bool:
        """False when the clause lacks a word this pattern cannot do without (a cheap first test)."""
        return all(not need.isdisjoint(present) for need in self.needs)

    def matches(self, tokens: Sequence, start: int) -> list[int]:
        if self.anchored and start != 0:
            return []
        return sorted(e for e in self.node.ends(tokens, start) if e > start)


class Compiler:
    """Turns pattern text into nodes, using the content's word lists and lexicon."""

    def __init__(
        self,
        lexicon: Lexicon,
        lists: Mapping[str, Sequence[str]],
        joiners: frozenset[str],
        negations: frozenset[str] = frozenset(),
    ):
        self._lexicon = lexicon
        self._lists = lists
        self._joiners = joiners
        self._negations = negations
        self._list_nodes: dict[str, Node] = {}

    def compile(self, source: str, kind: str, category: str) -> Pattern:
        pieces = _PIECE.findall(source.lower().replace("\u2019", "'"))
        if not pieces:
            raise PatternError("the pattern is empty")
        bad = [p for p in pieces if len(p) == 1 and not p.isalnum() and p not in "()|?$^"]
        if bad:
            raise PatternError(f"'{bad[0]}' cannot be used in a pattern; use words, | ( ) ? ... $ ^ @list =word")
        parser = _Parser(pieces, self._atom)
        node = parser.sequence(top=True)
        if parser.more():
            raise PatternError(f"unexpected '{parser.peek()}'; check the brackets")
        if node.can_be_empty():
            raise PatternError("every word in the pattern is optional, so it would match anything")
        items = node.items if isinstance(node, Seq) else (node,)
        if isinstance(items[0], Gap) or isinstance(items[-1], Gap):
            raise PatternError("a pattern cannot start or end with '...'")
        return Pattern(source, kind, category, node, anchored=isinstance(items[0], Start), needs=tuple(node.needs()))

    def _atom(self, piece: str) -> Node:
        if piece == "...":
            return Gap(self._negations)
        if piece == "$":
            return End(self._joiners)
        if piece == "^":
            return Start()
        if piece.startswith("@"):
            return self._list(piece[1:])
        if piece.startswith("#"):
            if piece not in WORD_CLASSES:
                raise PatternError(f"there is no word class called '{piece}'; use {' or '.join(WORD_CLASSES)}")
            return Word(frozenset({piece}), piece)
        if piece.startswith("="):
            word = piece[1:]
            return Word(frozenset({"=" + word}), word)
        return self._phrase(piece)

    def _phrase(self, text: str) -> Node:
        """A word as the lexicon sees it: "can't" is two words, "wanna" may be mended to two."""
        words = [t.raw for clause in self._lexicon.clauses(text) for t in clause.tokens] or [text]
        nodes: list[Node] = []
        for word in words:
            self._lexicon.learn(word)
            nodes.append(Word(self._lexicon.word_ids(word), word))
        return nodes[0] if len(nodes) == 1 else Seq(tuple(nodes))

    def _list(self, name: str) -> Node:
        if name not in self._lists:
            raise PatternError(f"there is no word list called '{name}' under 'lists'")
        if name not in self._list_nodes:
            options = [self._phrase_sequence(entry) for entry in self._lists[name]]
            self._list_nodes[name] = alternatives(options)
        return self._list_nodes[name]

    def _phrase_sequence(self, entry: str) -> Node:
        nodes = [self._phrase(w) for w in entry.split()]
        return nodes[0] if len(nodes) == 1 else Seq(tuple(nodes))


class _Parser:
    """sequence := element+; element := atom ('|' atom)* '?'?; atom := word | '(' sequence ('|' sequence)* ')'."""

    def __init__(self, pieces: list[str], atom: Callable[[str], Node]):
        self._pieces = pieces
        self._at = 0
        self._atom = atom

    def more(self) -> bool:
        return self._at < len(self._pieces)

    def peek(self) -> str:
        return self._pieces[self._at]

    def _take(self) -> str:
        piece = self._pieces[self._at]
        self._at += 1
        return piece

    def sequence(self, top: bool = False) -> Node:
        items: list[Node] = []
        while self.more() and self.peek() not in (")", "|" if not top else ")"):
            if self.peek() == "|" and top:
                raise PatternError("'|' needs a word on each side; to choose between phrases use brackets: (a b|c d)")
            items.append(self._element())
        if not items:
            raise PatternError("an alternative or a bracket is empty")
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def _element(self) -> Node:
        node = self._one()
        options = [node]
        while self.more() and self.peek() == "|" and self._inline():
            self._take()
            options.append(self._one())
        node = options[0] if len(options) == 1 else alternatives(options)
        if self.more() and self.peek() == "?":
            self._take()
            node = Optional(node)
        return node

    def _inline(self) -> bool:
        """Outside brackets, `a|b` joins single words; inside brackets `|` separates alternatives."""
        return self._depth == 0

    _depth = 0

    def _one(self) -> Node:
        piece = self._take() if self.more() else ""
        if piece == "(":
            self._depth += 1
            options = [self.sequence()]
            while self.more() and self.peek() == "|":
                self._take()
                options.append(self.sequence())
            if not self.more() or self._take() != ")":
                raise PatternError("a bracket '(' is never closed")
            self._depth -= 1
            return options[0] if len(options) == 1 else alternatives(options)
        if piece in ("", ")", "|", "?"):
            raise PatternError(f"expected a word but found '{piece or 'the end'}'")
        return self._atom(piece)


def clause_matches(
    patterns: Sequence[Pattern],
    index: Mapping[str, list[int]],
    anywhere: list[int],
    clause: Clause,
    starts: frozenset[str] = frozenset(),
) -> list[tuple[Pattern, int, int]]:
    """Every (pattern, start, end) match in one clause, trying only patterns that can start there.
    `starts` is the set of ids any indexed pattern starts with (the index's keys, as a set)."""
    tokens = clause.tokens
    present = frozenset().union(*(t.ids for t in tokens))
    possible: dict[int, bool] = {}
    if present.isdisjoint(starts or frozenset(index)) and not any(patterns[n].possible(present) for n in anywhere):
        return []  # no word here can start a pattern: the common case, checked in one step
    found: list[Any] = []
    for start, token in enumerate(tokens):
        candidates = set(anywhere)
        for key in token.ids:
            candidates.update(index.get(key, ()))
        for number in sorted(candidates):
            pattern = patterns[number]
            if number not in possible:
                possible[number] = pattern.possible(present)
            if possible[number]:
                found.extend((pattern, start, end) for end in pattern.matches(tokens, start))
    return found


def build_index(patterns: Sequence[Pattern]) -> tuple[dict[str, list[int]], list[int]]:
    """Patterns by the ids they can start with; those that can start with anything are tried everywhere."""
    index: dict[str, list[int]] = {}
    anywhere: list[int] = []
    for number, pattern in enumerate(patterns):
        first = None if pattern.anchored else pattern.node.firsts()
        if first is None:
            anywhere.append(number)
        else:
            for key in first:
                index.setdefault(key, []).append(number)
    return index, anywhere
