"""`python -m bot content check [DIR]`: validate a content folder; exit 1 on any problem.
`python -m bot content export DIR`: write the content as the bot serves it (with every version saved from
the content page) to files in DIR."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from .golive import refuse_placeholders
from .loader import DEFAULT_DIR, ContentError, load_content, warnings
from .source import Loader


def main(
    argv: list[str] | None = None,
    load: Loader = load_content,
    prog: str = "python -m bot content",
    export: Callable[[Path], int] | None = None,
) -> int:
    """`load`: load_content with what the code needs of the content (the composition root's); `export`:
    writes the content as served to a folder (the CLI's, which opens the store)."""
    parser = argparse.ArgumentParser(prog=prog, description="Check the bot's content files.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a content folder")
    check.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    check.add_argument(
        "--production",
        action="store_true",
        help="as a real deployment checks at start-up: every placeholder and example link is a problem",
    )
    if export is not None:
        out = sub.add_parser(
            "export",
            help="write the content as served (with the versions saved from the content page) to files in DIR",
        )
        out.add_argument("target", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    if args.command == "export":
        assert export is not None
        return export(args.target)
    try:
        content = load(args.folder)
        gated = refuse_placeholders(content) if args.production else []
        if gated:
            raise ContentError(gated)
    except ContentError as exc:
        print(f"{len(exc.problems)} problem(s) in {args.folder}; nothing was changed:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for warning in warnings(content, dt.date.today()):
        print(f"warning: {warning}")
    print(f"OK: {args.folder} is valid ({content.version}).")
    return 0
