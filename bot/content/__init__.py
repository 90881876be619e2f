"""Content admins edit (YAML files in this folder) and the code that validates and serves it."""

from .loader import ContentError, load_content, stale_contacts, warnings
from .model import Content, normalise_command
from .problems import Problem

__all__ = ["Content", "ContentError", "Problem", "load_content", "normalise_command", "stale_contacts", "warnings"]
