"""`python -m bot.content check [DIR]`: validate a content folder; exit 1 on any problem."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .golive import refuse_placeholders
from .loader import DEFAULT_DIR, ContentError, load_content, warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.content", description="Check the bot's content files.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a content folder")
    check.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    check.add_argument(
        "--production",
        action="store_true",
        help="as a real deployment checks at start-up: every placeholder and example link is a problem",
    )
    args = parser.parse_args(argv)
    from ..dialogs.catalogue import COMMAND_IDS  # the commands the code answers (an entry point may look up)

    try:
        content = load_content(args.folder, commands=COMMAND_IDS)
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


if __name__ == "__main__":
    sys.exit(main())
