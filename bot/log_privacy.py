"""Keeps Teams user ids, conversation ids and activity ids out of every log line, from any library.

The SDK's HTTP stack (msrest, aiohttp, urllib3) logs request URLs at WARNING and DEBUG, and a Bot
Connector URL carries the conversation and activity ids. The filter below sits on the log handlers,
so it rewrites every record, whoever wrote it, before it is written anywhere.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    (re.compile(r"(/v3/conversations/)[^/\s?\"']+"), r"\1<conversation>"),
    (re.compile(r"(/activities/)[^/\s?\"']+"), r"\1<activity>"),
    (re.compile(r"(/members/)[^/\s?\"']+"), r"\1<member>"),
    (re.compile(r"\b(?:29|28|8):[A-Za-z0-9_\-.:]{6,}"), "<teams-user>"),
    (re.compile(r"\ba:[A-Za-z0-9_\-]{10,}"), "<conversation>"),
    (re.compile(r"\b19:[^\s\"'/]{6,}"), "<conversation>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<guid>"),
    # An email anywhere (a Graph query string in a library's debug line, for example).
    (re.compile(r"[A-Za-z0-9._%+'-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "<email>"),
]


def redact(text: str) -> str:
    """The text with every Teams id replaced by a placeholder."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Formats each record once, removes ids, and hands on the cleaned message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record whose arguments do not fit its format: keep the format only
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
