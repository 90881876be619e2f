"""Composition root: `create_app` builds the whole bot from settings; `main()` runs it."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from aiohttp import web
from botbuilder.core import ConversationState
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot.channel import Channel
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.content import ContentError
from bot.content.source import ContentSource
from bot.dialogs.router import Router
from bot.repositories import Pseudonyms, WorkerRepository
from bot.state import StoreBotStorage
from bot.storage import DataFileError, Store
from bot.teams_bot import WellbeingBot
from bot.web import SERVICES, Services, add_routes, error_middleware
from scheduler import Ticker, build_scheduler, register_jobs

log = logging.getLogger("bot.app")
CONTENT = web.AppKey("content", ContentSource)
TICKER = web.AppKey("ticker", Ticker)


def create_app(settings: Settings, *, clock: Clock | None = None,
               credentials: ServiceClientCredentialsFactory | None = None,
               watch_content: bool = True) -> web.Application:
    """Build the aiohttp application; storage, content and scheduler open in its start-up hooks."""
    clock = clock or SystemClock()
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[error_middleware])
    add_routes(app)

    async def lifetime(app: web.Application):
        content = await ContentSource.open(settings.content_dir)
        store = Store(settings.data_dir)
        await store.open()
        bot = await build_bot(store, content, clock)
        channel = Channel(settings, credentials)
        channel.set_error_handler(bot.on_turn_error)
        ticker = Ticker(clock)
        scheduler = build_scheduler()
        register_jobs(scheduler, ticker)
        scheduler.start()
        watcher = asyncio.create_task(content.watch()) if watch_content else None
        app[SERVICES] = Services(channel=channel, bot=bot, store=store, scheduler=scheduler)
        app[CONTENT], app[TICKER] = content, ticker
        yield
        if watcher:
            watcher.cancel()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await store.close()

    app.cleanup_ctx.append(lifetime)
    return app


async def build_bot(store: Store, content: ContentSource, clock: Clock) -> WellbeingBot:
    """The bot with its repositories, dialogs and state, on an open store (shared by app and preview)."""
    workers = WorkerRepository(store, await Pseudonyms.load(store))
    conversation_state = ConversationState(StoreBotStorage(store))
    router = Router(conversation_state.create_property("DialogState"), content)
    return WellbeingBot(workers=workers, conversation_state=conversation_state, router=router,
                        content=content, clock=clock)


def startup_line(settings: Settings) -> str:
    """Where the bot listens, where data lives, and whether authentication is on."""
    auth = (f"ON ({settings.app_type}, app id {settings.app_id})" if settings.auth_enabled
            else "OFF (local mode: loopback only; set MicrosoftAppId to turn it on)")
    return (f"Peer wellbeing bot listening on http://{settings.host}:{settings.port}/api/messages | "
            f"data: {Path(settings.data_dir).resolve()} | authentication: {auth}")


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # One line a minute from APScheduler about the tick would drown the turn lines.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))


def main() -> int:
    """Read settings, start the bot, serve until stopped."""
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    app = create_app(settings)
    app.on_startup.append(_announce(settings))
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=None,
                    handle_signals=True, shutdown_timeout=10)
    except (DataFileError, ContentError) as exc:
        print(f"The bot did not start.\n{exc}", file=sys.stderr)
        return 3
    return 0


def _announce(settings: Settings):
    async def on_startup(app: web.Application):
        print(startup_line(settings) + f" | content: {app[CONTENT].current.version}", flush=True)
    return on_startup


if __name__ == "__main__":
    sys.exit(main())
