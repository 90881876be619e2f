"""The result of a use-case: a status from a closed set (a Literal per use-case), and what the words
about it need. A dialog handles every status; one it forgets fails the type check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from ..records.sharing import Request

S = TypeVar("S", bound=str)


@dataclass(frozen=True)
class Outcome(Generic[S]):
    status: S
    name: str = ""  # the other person's display name, where the words mention them
    request: Request | None = None
