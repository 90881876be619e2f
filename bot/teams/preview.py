"""`make preview` (`python -m bot.teams.preview`): chat with the bot in the terminal before content goes live.

It runs the same bot, dialogs and content as the real thing, on a throw-away data folder, through the
SDK's TestAdapter instead of Teams (nothing can be sent to anyone else from here). Cards are shown as
text; press a card's button by typing #1, #2 ... and give card answers as name=value after it (for
example: #1 cheerful=3 calm=4).
Edits to the content files are picked up before each message, once they validate.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from ..assembly import assemble
from ..cards.text import card_to_text, plain
from ..clock import Clock, SystemClock
from ..content import ContentError
from ..content.source import ContentSource
from ..dialogs.catalogue import COMMAND_IDS
from ..records import Records
from ..storage import Store, TinyStore
from .channel import KIT
from .handler import WellbeingBot

TENANT = "00000000-0000-0000-0000-000000000000"


def _template() -> Activity:
    return Activity(
        channel_id="msteams",
        service_url="https://preview.invalid/",
        from_property=ChannelAccount(
            id="29:preview", name="Preview", aad_object_id="00000000-0000-0000-0000-0000000000aa"
        ),
        recipient=ChannelAccount(id="28:bot", name="Peer Wellbeing"),
        conversation=ConversationAccount(id="a:preview", conversation_type="personal", tenant_id=TENANT),
        channel_data={"tenant": {"id": TENANT}},
    )


class Preview:
    """A terminal conversation with the real bot."""

    def __init__(self, adapter: TestAdapter, content: ContentSource, store: Store):
        self._adapter = adapter
        self._content = content
        self._store = store
        self._buttons: list[dict[str, Any]] = []
        self._seen = 0
        self._seen_updates = 0

    @classmethod
    async def open(cls, content_dir: Path | None, data_dir: Path, clock: Clock | None = None) -> Preview:
        content = await ContentSource.open(content_dir, commands=COMMAND_IDS)
        store = TinyStore(data_dir)
        await store.open()
        clock = clock or SystemClock()
        bot = WellbeingBot(assemble(await Records.open(store), content, clock), clock, kit=KIT)
        adapter = TestAdapter(bot.on_turn, _template())
        adapter.on_turn_error = bot.on_turn_error
        return cls(adapter, content, store)

    async def close(self) -> None:
        await self._store.close()

    async def install(self) -> list[str]:
        """Act as a personal install: the bot's welcome."""
        activity = Activity(
            type=ActivityTypes.installation_update, action="add", channel_data={"tenant": {"id": TENANT}}
        )
        return await self._send(activity)

    async def say(self, text: str) -> list[str]:
        """Type a message."""
        return await self._send(
            Activity(type=ActivityTypes.message, text=text, channel_data={"tenant": {"id": TENANT}})
        )

    async def press(self, number: int, **answers: str) -> list[str]:
        """Press button `number` of the latest card, with card answers."""
        if not 1 <= number <= len(self._buttons):
            return [f"(there is no button #{number} on the latest card)"]
        value = {**(self._buttons[number - 1].get("data") or {}), **answers}
        return await self._send(
            Activity(
                type=ActivityTypes.message,
                value=value,
                reply_to_id=self._last_id,
                channel_data={"tenant": {"id": TENANT}},
            )
        )

    async def handle(self, line: str) -> list[str]:
        """One line from the terminal: '#n name=value ...' presses a button, anything else is typed."""
        if line.startswith("#") and line[1:].split(" ", 1)[0].isdigit():
            head, *rest = shlex.split(line)
            answers = dict(part.split("=", 1) for part in rest if "=" in part)
            return await self.press(int(head[1:]), **answers)
        return await self.say(line)

    async def _send(self, activity: Activity) -> list[str]:
        notes = await self._reload()
        await self._adapter.receive_activity(activity)
        return notes + self._new_output()

    async def _reload(self) -> list[str]:
        changed = await self._content.reload_if_changed()
        if changed is False and self._content.last_error is not None:
            return [
                f"(content edit not used, still showing {self._content.current.version}):\n{self._content.last_error}"
            ]
        return ["(content reloaded: " + self._content.current.version + ")"] if changed else []

    @property
    def _last_id(self) -> str | None:
        sent = self._adapter.activity_buffer
        return str(len(sent)) if sent else None

    def _new_output(self) -> list[str]:
        out = []
        for activity in self._adapter.activity_buffer[self._seen :]:
            out.append(self._render(activity))
        self._seen = len(self._adapter.activity_buffer)
        for activity in self._adapter.updated_activities[self._seen_updates :]:
            out.append("(the card above was replaced with:) " + self._render(activity))
        self._seen_updates = len(self._adapter.updated_activities)
        return out

    def _render(self, activity: Activity) -> str:
        parts = [plain(activity.text)] if activity.text else []
        for attachment in activity.attachments or []:
            text, buttons = card_to_text(attachment.content)
            self._buttons = buttons
            parts.append(text)
        return "\n".join(parts)


async def _repl(preview: Preview) -> None:
    print("Preview of the peer wellbeing bot. Type as a worker would; #1 presses button 1; Ctrl-D to quit.\n")
    for block in await preview.install():
        print(f"bot> {block}\n")
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        if line.strip():
            for block in await preview.handle(line.strip()):
                print(f"bot> {block}\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.teams.preview", description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=None, help="content folder (default: bot/content)")
    args = parser.parse_args(argv)

    async def run() -> None:
        with tempfile.TemporaryDirectory(prefix="preview-") as data:
            preview = await Preview.open(args.content, Path(data))
            try:
                await _repl(preview)
            finally:
                await preview.close()

    try:
        asyncio.run(run())
    except ContentError as exc:
        print(f"The content has problems, so the preview cannot start:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
