"""What must change before the bot goes live: placeholders written <<like this>>, links to example
addresses, and files not yet signed off.

A real deployment (authentication on) refuses to start while any is left, unless ALLOW_PLACEHOLDERS=1
marks a staging site; `make check-content PRODUCTION=1` lists the same. Placeholder contacts are never
shown to workers, wherever the bot runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from .checks import PLACEHOLDER
from .model import Content
from .problems import Problem

_EXAMPLE_TLDS = ("example", "invalid", "test", "localhost")


def is_example_url(value: str) -> bool:
    """A link to a reserved example address (example.com, intranet.example.nhs.uk, x.invalid...)."""
    host = (urlsplit(value).hostname or "").lower()
    labels = host.split(".")
    return bool(host) and ("example" in labels or labels[-1] in _EXAMPLE_TLDS)


def has_placeholder(model: BaseModel) -> bool:
    """True when any text in the model is still a <<placeholder>>."""
    return any(PLACEHOLDER.search(text) for _, text in _texts(model.model_dump(mode="json"), ""))


def placeholders(content: Content) -> list[Problem]:
    """Every placeholder, example link and unsigned file, one problem each, with where it is."""
    problems: list[Problem] = []
    for name, model in content.files.items():
        for path, text in _texts(model.model_dump(mode="json"), ""):
            for found in PLACEHOLDER.findall(text):
                problems.append(Problem(name, None, f"{path} is still a placeholder: {found}. Replace it."))
            if text.startswith(("http://", "https://")) and is_example_url(text):
                problems.append(
                    Problem(name, None, f"{path} links to an example address ({text}). Use the Trust's own page.")
                )
        approver = model.meta.approved_by
        if "draft" in approver.lower() and not PLACEHOLDER.search(approver):
            problems.append(
                Problem(
                    name,
                    None,
                    f"meta.approved_by says '{approver}': the file has not been "
                    "signed off. Record who approved it and when.",
                )
            )
    return problems


def refuse_placeholders(content: Content) -> list[Problem]:
    """The go-live gate: no problems when nothing is left to replace; otherwise why, then each one."""
    found = placeholders(content)
    if not found:
        return []
    lead = Problem(
        "content",
        None,
        f"{len(found)} placeholder(s) must be replaced before a real deployment starts "
        "(MicrosoftAppId is set). Replace each one below, or set ALLOW_PLACEHOLDERS=1 on a staging site.",
    )
    return [lead, *found]


def _texts(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(readable path, text) of every string; list items are named by their id where they have one."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            label = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else index + 1
            yield from _texts(item, f"{path}[{label}]")
