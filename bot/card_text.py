"""Adaptive Cards as readable text, for the admin preview and for logs-free test assertions."""
from __future__ import annotations

import re
from typing import Any

_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


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
            lines.append(f"{element.get('label', '')} (answer as {element.get('id')}=<value>)")
            lines += [f"    {c.get('value')} = {c.get('title')}" for c in element.get("choices", [])]
        elif kind in ("Input.Text", "Input.Date", "Input.Time", "Input.Number", "Input.Toggle"):
            lines.append(f"{element.get('label', '')} (answer as {element.get('id')}=<text>)")
        elif kind in ("Container", "Column"):
            _body(element.get("items") or [], lines)
        elif kind == "ColumnSet":
            for column in element.get("columns") or []:
                _body(column.get("items") or [], lines)
