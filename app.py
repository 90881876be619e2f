"""Composition root: `create_app` builds the whole bot from settings; `main()` runs it.

It joins what bot/teams/ offers (the Bot Framework channel, routes, activity handler, messenger) to the
channel-free bot (bot/assembly.py). Each resource opens in a cleanup context of its own and closes in
reverse order: content, storage, channel, the bot, the scheduler, the content watcher.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot import log_privacy
from bot.assembly import assemble
from bot.cards import finish
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings, data_dir_problem, listen_problem
from bot.content import ContentError
from bot.content.golive import placeholders, refuse_placeholders
from bot.content.source import ContentSource
from bot.dialogs.catalogue import COMMAND_IDS
from bot.records import Records
from bot.storage import Cipher, DataFileError, StorageUnavailable, Store, make_store
from bot.teams.channel import Channel
from bot.teams.graph import graph_for
from bot.teams.handler import WellbeingBot
from bot.teams.messenger import Messenger, SendLimits
from bot.teams.web import SERVICES, AccessLogger, Services, add_routes, error_middleware
from scheduler import Ticker, build_scheduler, register_jobs, timed_work

log = logging.getLogger("bot.app")


@dataclass(frozen=True)
class Options:
    """What tests and benchmarks may change besides settings."""

    clock: Clock
    credentials: Any = None  # a botframework ServiceClientCredentialsFactory (tests use a password one)
    watch_content: bool = True
    send_limits: SendLimits | None = None
    run_scheduler: bool = True
    sleep: Any = None
    send_timeout: Any = None  # an aiohttp.ClientTimeout for calls to the Bot Connector


SETTINGS = web.AppKey("settings", Settings)
OPTIONS = web.AppKey("options", Options)
CONTENT = web.AppKey("content", ContentSource)
STORE = web.AppKey("store", Store)
CHANNEL = web.AppKey("channel", Channel)
TICKER = web.AppKey("ticker", Ticker)


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    credentials: Any = None,
    watch_content: bool = True,
    send_limits: SendLimits | None = None,
    run_scheduler: bool = True,
    sleep: Any = None,
    send_timeout: Any = None,
) -> web.Application:
    """Build the aiohttp application; everything opens in its start-up hooks."""
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[OPTIONS] = Options(
        clock or SystemClock(), credentials, watch_content, send_limits, run_scheduler, sleep, send_timeout
    )
    add_routes(app)
    app.cleanup_ctx.extend([open_content, open_store, open_channel, run_bot, run_scheduler_, watch_content_])
    return app


async def open_content(app: web.Application) -> AsyncIterator[None]:
    """The content files, validated against the commands the code answers. A real deployment
    (authentication on) refuses placeholders, now and at every reload, unless it is marked staging."""
    settings = app[SETTINGS]
    live = settings.auth_enabled and not settings.allow_placeholders
    app[CONTENT] = await ContentSource.open(
        settings.content_dir, commands=COMMAND_IDS, gate=refuse_placeholders if live else None
    )
    yield


async def open_store(app: web.Application) -> AsyncIterator[None]:
    """The data folder (held by this process alone until it closes), or the PostgreSQL database that any
    number of processes share."""
    settings = app[SETTINGS]
    store = make_store(
        settings.data_dir,
        settings.database_url,
        cipher=Cipher(settings.data_keys) if settings.data_keys else None,
        pool_size=settings.database_pool_size,
        monotonic=app[OPTIONS].clock.monotonic,
    )
    try:
        await store.open()
    except OSError as exc:  # only the data folder: a database's faults arrive as StorageUnavailable
        raise ConfigError([data_dir_problem(settings.data_dir, exc)]) from None
    app[STORE] = store
    yield
    await store.close()


async def open_channel(app: web.Application) -> AsyncIterator[None]:
    """The Bot Framework channel: authentication in, the Bot Connector out."""
    options = app[OPTIONS]
    extra = {"send_timeout": options.send_timeout} if options.send_timeout else {}
    app[CHANNEL] = channel = Channel(app[SETTINGS], options.credentials, first_time=app[STORE].first_time, **extra)
    yield
    await channel.close()


async def run_bot(app: web.Application) -> AsyncIterator[None]:
    """The bot itself, its messenger, and the activity handler the routes call."""
    settings, options, content, channel = app[SETTINGS], app[OPTIONS], app[CONTENT], app[CHANNEL]
    records = await Records.open(app[STORE])
    messenger = Messenger(
        channel.adapter,
        settings.app_id,
        records.workers,
        options.clock,
        limits=options.send_limits or SendLimits(per_tenant_per_second=settings.send_per_second),
        sleep=options.sleep,
        prepare_card=lambda card: finish(card, content().messages.buttons.get_help_now),
        pacer=records.store.pacer,
    )
    # Microsoft Graph, when GRAPH_ENABLED=1: name anyone by work email, `admin install` (bot/teams/graph.py).
    graph = graph_for(settings, options.clock, records.store.pacer, options.sleep) if settings.graph_enabled else None
    bot = assemble(
        records,
        content,
        options.clock,
        outbox=messenger,
        timezone=settings.timezone,
        base_url=settings.base_url,
        directory=graph,
    )
    handler = WellbeingBot(bot, options.clock, settings.admin_ids)
    channel.set_error_handler(handler.on_turn_error)
    # Shared by several processes (PostgreSQL), reading every worker's records would hold up start-up
    # for every restart of any one of them: it runs beside serving instead.
    shared = app[STORE].kind == "postgresql"
    await bot.start(settle=not shared)
    settling = asyncio.create_task(_logged(bot.settle_interrupted(), "settle_interrupted")) if shared else None
    graph_check = asyncio.create_task(_logged(bot.invitations.check(), "graph_check")) if bot.invitations else None
    await bot.rollouts.resume()  # a group rollout this folder's last process left unfinished
    app[SERVICES] = Services(
        channel=channel,
        handler=handler,
        bot=bot,
        messenger=messenger,
        store=app[STORE],
        request_timeout=settings.request_timeout,
    )
    yield
    if settling is not None:
        settling.cancel()
        await asyncio.gather(settling, return_exceptions=True)
    if graph_check is not None:
        graph_check.cancel()
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


async def run_scheduler_(app: web.Application) -> AsyncIterator[None]:
    """The minute tick that runs all timed work (scheduler.py)."""
    services = app[SERVICES]
    app[TICKER] = ticker = Ticker(app[OPTIONS].clock, timed_work(services.bot), lead=app[STORE].lead)
    scheduler = build_scheduler()
    register_jobs(scheduler, ticker, every=app[SETTINGS].tick_seconds)
    if app[OPTIONS].run_scheduler:
        scheduler.start()
    services.scheduler = scheduler
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
        f"data: {settings.data_location} | authentication: {auth}"
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
