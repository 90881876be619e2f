"""The web server: `create_app` gives each part of the bot (built by the composition root,
bot/compose.py) a lifetime; `main()` reads the settings and serves.

Each resource opens in a cleanup context of its own and closes in reverse order: storage, content (with
the versions saved from the content page), channel, the bot (with its messenger, Microsoft Graph when it
is on, handler and timed work), the content page, the scheduler, the content watcher.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import compose, log_privacy
from bot.admin.web import ADMIN_PAGE
from bot.compose import Options
from bot.config import ConfigError, Settings, data_dir_problem, listen_problem
from bot.content import ContentError
from bot.content.golive import placeholders
from bot.content.source import ContentSource
from bot.content.versions import ContentVersions
from bot.storage import DataFileError, StorageUnavailable, Store
from bot.teams.base import Channel
from bot.teams.web import SERVICES, AccessLogger, Services, error_middleware
from scheduler import Ticker, build_scheduler, register_jobs, timed_work

log = logging.getLogger("bot.app")


SETTINGS = web.AppKey("settings", Settings)
OPTIONS = web.AppKey("options", Options)
CONTENT = web.AppKey("content", ContentSource)
VERSIONS = web.AppKey("versions", ContentVersions)
STORE = web.AppKey("store", Store)
CHANNEL = web.AppKey("channel", Channel)
TICKER = web.AppKey("ticker", Ticker)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)


def create_app(settings: Settings, **options: Any) -> web.Application:
    """Build the aiohttp application; everything opens in its start-up hooks. `options` are the fields of
    `bot.compose.Options` (a fixed clock, credentials, no scheduler...), for tests and benchmarks."""
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[OPTIONS] = Options(**options)
    compose.add_routes(app)
    app.cleanup_ctx.extend(
        [open_store, open_content, open_channel, run_bot, open_admin_page, run_scheduler_, watch_content_]
    )
    return app


async def open_content(app: web.Application) -> AsyncIterator[None]:
    """The content, validated against the code; a real deployment (authentication on) refuses placeholders
    unless it is marked staging. On PostgreSQL, the newest versions saved from the content page over the
    files in CONTENT_DIR."""
    settings = app[SETTINGS]
    app[VERSIONS] = versions = compose.content_versions(settings, app[STORE])
    try:
        folder = await versions.open()
        app[CONTENT] = await compose.open_content(
            folder, live=settings.auth_enabled and not settings.allow_placeholders
        )
    except BaseException:
        await versions.close()
        raise
    yield
    await versions.close()


async def open_store(app: web.Application) -> AsyncIterator[None]:
    """The data folder (held by this process alone until it closes), or the PostgreSQL database that any
    number of processes share."""
    settings = app[SETTINGS]
    store = compose.storage(settings, app[OPTIONS].clock.monotonic)
    try:
        await store.open()
    except OSError as exc:  # only the data folder: a database's faults arrive as StorageUnavailable
        raise ConfigError([data_dir_problem(settings.data_dir, exc)]) from None
    app[STORE] = store
    yield
    await store.close()


async def open_channel(app: web.Application) -> AsyncIterator[None]:
    """The Bot Framework channel: authentication in, the Bot Connector out."""
    app[CHANNEL] = channel = compose.channel(app[SETTINGS], app[STORE], app[OPTIONS])
    yield
    await channel.close()


async def run_bot(app: web.Application) -> AsyncIterator[None]:
    """The bot itself, its messenger, the activity handler the routes call, and its timed work (started
    by the next context)."""
    settings, options, store, channel = app[SETTINGS], app[OPTIONS], app[STORE], app[CHANNEL]
    bot, messenger, handler, graph = await compose.served(settings, app[CONTENT], store, channel, options)
    channel.set_error_handler(handler.on_turn_error)
    app[TICKER] = ticker = Ticker(options.clock, timed_work(bot), lead=store.lead)
    app[SCHEDULER] = scheduler = build_scheduler()
    register_jobs(scheduler, ticker, every=settings.tick_seconds)
    # Shared by several processes (PostgreSQL), reading every worker's records would hold up start-up
    # for every restart of any one of them: it runs beside serving instead.
    shared = store.kind == "postgresql"
    await bot.start(settle=not shared)
    settling = asyncio.create_task(_logged(bot.settle_interrupted(), "settle_interrupted")) if shared else None
    # Microsoft Graph (GRAPH_ENABLED=1): which permissions the app has, for the admin report, found beside serving.
    graph_check = asyncio.create_task(_logged(bot.invitations.check(), "graph_check")) if bot.invitations else None
    await bot.rollouts.resume()  # a group rollout (`admin install`) a stopped process left unfinished
    app[SERVICES] = Services(
        channel=channel,
        handler=handler,
        bot=bot,
        messenger=messenger,
        store=store,
        request_timeout=settings.request_timeout,
        scheduler=scheduler,
    )
    yield
    if settling is not None:
        settling.cancel()
        await asyncio.gather(settling, return_exceptions=True)
    if graph_check is not None:
        graph_check.cancel()
        await asyncio.gather(graph_check, return_exceptions=True)
    await bot.rollouts.close()  # resumed at the next start, or by another process
    await messenger.close()  # unfinished sends are settled at the next start
    if graph is not None:
        await graph.close()


async def _logged(work: Awaitable[object], name: str) -> None:
    """Background work whose failure is logged (a later run does it again) instead of lost."""
    try:
        await work
    except Exception as exc:  # noqa: BLE001
        log.error("background_failed work=%s error=%s", name, type(exc).__name__)


async def open_admin_page(app: web.Application) -> AsyncIterator[None]:
    """The content page (bot/admin/); on PostgreSQL, this instance follows the versions others save."""
    versions = app[VERSIONS]
    app[ADMIN_PAGE] = page = await compose.admin_page(app[SETTINGS], app[CONTENT], versions, app[STORE], app[OPTIONS])
    every = app[OPTIONS].content_sync_seconds
    follower = asyncio.create_task(versions.follow(app[CONTENT].reload, every)) if versions.shared else None
    yield
    if follower is not None:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    await page.close()


async def run_scheduler_(app: web.Application) -> AsyncIterator[None]:
    """The minute tick that runs all timed work (scheduler.py)."""
    scheduler = app[SCHEDULER]
    if app[OPTIONS].run_scheduler:
        scheduler.start()
    # Everything loaded so far lives as long as the process: keep it out of the garbage collector's
    # full passes, which otherwise stalled the event loop for about 100 ms at a time.
    gc.collect()
    gc.freeze()
    yield
    if scheduler.running:
        scheduler.shutdown(wait=False)


async def watch_content_(app: web.Application) -> AsyncIterator[None]:
    """Content edits are picked up within seconds, once they validate."""
    watcher = asyncio.create_task(app[CONTENT].watch()) if app[OPTIONS].watch_content else None
    yield
    if watcher:
        watcher.cancel()


def startup_line(settings: Settings, version: str = "", pending: int = 0) -> str:
    """Where the bot listens, where data lives, whether authentication is on, and (loudly) any
    placeholders still in the content."""
    auth = (
        f"ON ({settings.app_type}, app id {settings.app_id})"
        if settings.auth_enabled
        else "OFF (local mode: loopback only; set MicrosoftAppId to turn it on)"
    )
    line = (
        f"Peer wellbeing bot listening on http://{settings.host}:{settings.port}/api/messages | "
        f"data: {settings.data_location} | authentication: {auth} | SDK: {settings.bot_sdk}"
    )
    if version:
        line += f" | content: {version}"
    if pending and settings.auth_enabled:
        line += (
            f"\n*** STAGING SITE: {pending} content placeholder(s) are live (ALLOW_PLACEHOLDERS=1). "
            "Not for real use. `make check-content PRODUCTION=1` lists them. ***"
        )
    elif pending:
        line += f" | {pending} content placeholder(s) to replace before go-live (make check-content PRODUCTION=1)"
    return line


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log_privacy.install(logging.getLogger().handlers)  # no Teams ids from any library's log lines
    # One line a minute from APScheduler about the tick would drown the turn lines.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))


def main() -> int:
    """Read settings, start the bot, serve until stopped. A mistake in the settings stops it with one line
    naming the setting (exit 2); data that cannot be trusted stops it with restore advice (exit 3)."""
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    app = create_app(settings)
    try:
        # keepalive_timeout also closes a connection whose request headers never finish arriving.
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            print=lambda _aiohttp_banner: _announce(app),  # once it really listens
            access_log_class=AccessLogger,
            handle_signals=True,
            shutdown_timeout=10,
            keepalive_timeout=settings.request_timeout,
        )
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except OSError as exc:
        problem = listen_problem(settings.host, settings.port, exc)
        if problem is None:
            raise
        print(ConfigError([problem]), file=sys.stderr)
        return 2
    except StorageUnavailable as exc:
        print(
            f"The bot did not start: the database in DATABASE_URL cannot be reached ({exc}). Check that it runs "
            "and that the address, user and password are right.",
            file=sys.stderr,
        )
        return 3
    except (DataFileError, ContentError) as exc:
        print(f"The bot did not start.\n{exc}", file=sys.stderr)
        return 3
    return 0


def _announce(app: web.Application) -> None:
    content = app[CONTENT].current
    print(startup_line(app[SETTINGS], content.version, len(placeholders(content))), flush=True)


if __name__ == "__main__":
    sys.exit(main())
