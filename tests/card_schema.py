"""Checks an Adaptive Card against the vendored schema (bot/cards/schema/), that it uses nothing newer
than the version it declares (from the schema's own "version" annotations), and that every input has a
name a screen reader can read."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA = Path(__file__).resolve().parent.parent / "bot" / "cards" / "schema" / "adaptive-card-1.5.schema.json"


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft6Validator:
    # The card itself against the AdaptiveCard definition: errors name the element that is wrong.
    return Draft6Validator({"$ref": "#/definitions/AdaptiveCard", "definitions": _schema()["definitions"]})


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def _definition(name: str) -> dict[str, Any]:
    return _schema()["definitions"].get(name, {})


def _properties(type_name: str) -> dict[str, Any]:
    """Every property a card element may have, its own and those it inherits (allOf "Extendable.*")."""
    definition, found = _definition(type_name), {}
    for parent in definition.get("allOf", []):
        ref = parent.get("$ref", "")
        if ref.startswith("#/definitions/"):
            found.update(_properties(ref.rsplit("/", 1)[1]))
    for name, spec in definition.get("properties", {}).items():
        if spec or name not in found:  # an element lists inherited properties as {} (to allow them)
            found[name] = spec
    return found


def _refs(node: Any) -> list[str]:
    """Definitions a property schema points at (directly or in anyOf)."""
    if not isinstance(node, dict):
        return []
    refs = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
    for option in node.get("anyOf", []):
        refs += _refs(option)
    return refs


def newer_features(card: dict[str, Any]) -> list[str]:
    """What the card uses that needs a newer version than it declares."""
    declared = _version(card.get("version", "1.0"))
    problems: list[str] = []

    def check(node: Any, where: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                check(item, f"{where}[{index}]")
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if isinstance(kind, str) and kind in _schema()["definitions"]:
            own = _definition(kind).get("version")
            if own and _version(own) > declared:
                problems.append(f"{where}: {kind} needs {own}")
            properties = _properties(kind)
            for name in node:
                spec = properties.get(name, {})
                needs = [spec.get("version")] + [_definition(r).get("version") for r in _refs(spec)]
                for version in filter(None, needs):
                    if _version(version) > declared:
                        problems.append(f"{where}.{name}: needs {version}")
        for name, value in node.items():
            if isinstance(value, (dict, list)) and name != "data":
                check(value, f"{where}.{name}")

    check(card, "card")
    return problems


def unnamed_inputs(card: dict[str, Any]) -> list[str]:
    """Inputs without their own `label` (a switch may have its `title` instead): a text just before an
    input is not its name for a screen reader (tests/test_cards_a11y.py draws every card to be sure)."""
    problems: list[str] = []

    def check(node: Any, where: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                check(item, f"{where}[{index}]")
        elif isinstance(node, dict):
            kind = node.get("type", "")
            if isinstance(kind, str) and kind.startswith("Input."):
                name = node.get("label") or (node.get("title") if kind == "Input.Toggle" else None)
                if not (isinstance(name, str) and name.strip()):
                    problems.append(f"{where}: {kind} '{node.get('id')}' has no label")
            for key, value in node.items():
                if isinstance(value, (dict, list)) and key != "data":
                    check(value, f"{where}.{key}")

    check(card, "card")
    return problems


def card_problems(card: dict[str, Any]) -> list[str]:
    """Schema errors, features newer than the declared version and unnamed inputs; empty for a good card."""
    errors = [f"{'/'.join(map(str, e.absolute_path)) or 'card'}: {e.message}" for e in _validator().iter_errors(card)]
    return errors + newer_features(card) + unnamed_inputs(card)
