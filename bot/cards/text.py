"""Adaptive Cards as readable text, for the admin preview and for logs-free test assertions."""

from __future__ import annotations

import re
from typing import Any

_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_BLANK = re.compile(r"\n[ \t]*\n")


def plain(text: str) -> str:
    """Markdown links as 'title <url>', bold markers removed."""
    return _LINK.sub(r"\1 <\2>", text).replace("**", "")


def card_to_text(card: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The card's words, and its buttons in order (numbered from 1 in the text)."""
    lines: list[str] = []
    buttons: list[dict[str, Any]] = []
    _body(card.get("body") or [], lines)
    for action in card.get("actions") or []:
        buttons.append(action)
        lines.append(f"  [#{len(buttons)}] {action.get('title', '')}")
    return "\n".join(lines), buttons


def _body(elements: list[dict[str, Any]], lines: list[str]) -> None:
    for element in elements:
        kind = element.get("type")
        if kind == "TextBlock":
            lines.append(plain(element.get("text", "")))
        elif kind == "FactSet":
            lines += [f"  {f.get('title', '')}: {plain(f.get('value', ''))}" for f in element.get("facts", [])]
        elif kind == "Input.ChoiceSet":
            _input_line(lines, element, "<value>")
            lines += [f"    {c.get('value')} = {c.get('title')}" for c in element.get("choices", [])]
        elif kind in ("Input.Text", "Input.Date", "Input.Time", "Input.Number", "Input.Toggle"):
            _input_line(lines, element, "<text>")
        elif kind in ("Container", "Column"):
            _body(element.get("items") or [], lines)
        elif kind == "ColumnSet":
            for column in element.get("columns") or []:
                _body(column.get("items") or [], lines)


def _input_line(lines: list[str], element: dict[str, Any], placeholder: str) -> None:
    """How to answer an input, after its label (a switch's is its title)."""
    label = element.get("label") or element.get("title", "")
    lines.append(f"{plain(label)} (answer as {element.get('id')}={placeholder})".strip())


def fold(text: str) -> str:
    """Content is wrapped at any width in the YAML files: a single line break is a space, and a blank
    line starts a new paragraph (kept as a blank line, which Teams shows as a paragraph break)."""
    paragraphs = (" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in _BLANK.split(text))
    return "\n\n".join(p for p in paragraphs if p)
