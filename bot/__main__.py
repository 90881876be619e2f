"""`python -m bot <command>`: every tool for operators and content editors, in one place.
`python -m bot <command> --help` says what each one takes."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import compose
from .config import ConfigError, Settings
from .content import ContentError
from .content import check as content_check
from .crisis import __main__ as crisis
from .storage import __main__ as storage
from .storage import keys
from .teams import app_package
from .teams.preview import repl

Tool = Callable[[list[str], str], int]  # (the arguments after the command, its name for --help) -> exit code


def check_content(argv: list[str], prog: str) -> int:
    """Content checked against what the code needs of it (commands, notices, the crisis guard), or exported."""
    return content_check.main(argv, compose.content_loader(), prog, export=export_content)


def export_content(target: Path) -> int:
    """The content as the bot serves it (on PostgreSQL, the newest version saved from the content page of
    each file, the files in CONTENT_DIR for the rest) written to `target`, and checked there."""
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2

    async def run() -> str:
        store = compose.storage(settings)
        await store.open()
        versions = compose.content_versions(settings, store)
        try:
            await versions.open()
            await versions.export(target)
        finally:
            await versions.close()
            await store.close()
        return (await asyncio.to_thread(compose.content_loader(), target)).version

    try:
        version = asyncio.run(run())
    except ContentError as exc:
        print(f"Exported to {target}, but the files there have problems:\n{exc}", file=sys.stderr)
        return 1
    print(f"Exported the content as served ({version}) to {target}.")
    return 0


def preview(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Chat with the bot in this terminal, on throw-away data.")
    parser.add_argument("--content", type=Path, default=None, help="content folder (default: bot/content)")
    folder = parser.parse_args(argv).content

    async def run() -> None:
        with tempfile.TemporaryDirectory(prefix="preview-") as data:
            chat = await compose.preview(folder, Path(data))
            try:
                await repl(chat)
            finally:
                await chat.close()

    try:
        asyncio.run(run())
    except ContentError as exc:
        print(f"The content has problems, so the preview cannot start:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


TOOLS: dict[str, tuple[str, Tool]] = {
    "content": (
        "check a content folder (content check [DIR] [--production]), or export it (content export DIR)",
        check_content,
    ),
    "crisis": ("the crisis guard: evaluate every set, or assess one sentence", crisis.main),
    "keys": ("encryption at rest: make a key, rotate or decrypt the data", keys.main),
    "storage": ("copy a site between engines; workers' data set aside (quarantine)", storage.main),
    "preview": ("chat with the bot in the terminal before content goes live", preview),
    "package": ("build the Teams app package", app_package.main),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n")[0].split(": ", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (summary, _tool) in TOOLS.items():
        commands.add_parser(name, help=summary, add_help=False)  # each tool reads its own arguments and --help
    args, rest = parser.parse_known_args(argv)
    return TOOLS[args.command][1](rest, f"python -m bot {args.command}")


if __name__ == "__main__":
    sys.exit(main())
