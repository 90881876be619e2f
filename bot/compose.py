"""The composition root: the one place the bot is built from settings, part by part. app.py (the web
server and its lifetimes), the terminal preview, the tests and the benchmarks all build it here, and
nothing built here is changed afterwards.

The order is the order of need: storage, content (the files, and the versions saved from the content
page), the channel (Teams), records, the messenger, Microsoft Graph (when it is on), the channel-free bot
(bot/assembly.py), the activity handler, the timed work, the content page."""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .admin import csrf
from .admin import web as admin_web
from .admin.web import AdminPage
from .assembly import Wellbeing, assemble
from .cards import finish
from .clock import Clock, SystemClock
from .config import Settings
from .content.golive import refuse_placeholders
from .content.loader import DEFAULT_DIR, load_content
from .content.source import ContentSource, Gate, Loader
from .content.versions import ContentVersions
from .crisis.from_content import CHECKS
from .dialogs.catalogue import COMMAND_IDS
from .outbox import Outbox
from .records import Records
from .storage import Cipher, Store, make_store
from .teams import web as teams_web
from .teams.base import Channel
from .teams.graph import GraphClient, Sessions, TokenSource
from .teams.handler import WellbeingBot
from .teams.messenger import Messenger, SendLimits
from .usecases import declared_notices

if TYPE_CHECKING:
    from .teams.preview import Preview

Sleep = Callable[[float], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class Options:
    """What tests and benchmarks may change besides settings (`create_app(settings, **options)`)."""

    clock: Clock = dataclasses.field(default_factory=SystemClock)
    credentials: Any = None  # fetches the app's token (bot/teams/connector.py FetchToken; tests use a fake); None: MSAL
    watch_content: bool = True
    send_limits: SendLimits | None = None
    run_scheduler: bool = True
    sleep: Sleep | None = None
    send_timeout: Any = None  # an aiohttp.ClientTimeout for calls to the Bot Connector; None: the channel's
    entra_metadata_url: str | None = None  # the OpenID document with Entra's signing keys; None: the tenant's
    content_sync_seconds: float = 2.0  # on PostgreSQL, how often an instance looks for newly saved content


def add_routes(app: Any) -> None:
    """Every route the web server answers: Teams' (bot/teams/web.py) and the content page's (bot/admin/)."""
    teams_web.add_routes(app)
    admin_web.add_routes(app)


def content_loader() -> Loader:
    """load_content with what the code needs of the content: the commands the dialogs answer, the notices
    the use-cases send (with their placeholders) and the crisis guard's checks."""
    notices = {n.name: n.placeholders for n in declared_notices().values() if n.worded}
    return partial(load_content, commands=COMMAND_IDS, notices=notices, checks=CHECKS)


def content_gate(settings: Settings) -> Gate | None:
    """What a real deployment (authentication on, not marked staging) refuses besides problems: placeholders."""
    return refuse_placeholders if settings.auth_enabled and not settings.allow_placeholders else None


async def open_content(folder: Path | None, *, live: bool = False) -> ContentSource:
    """The content files, validated against the code. A real deployment (`live`: authentication on, not a
    staging site) refuses placeholders, now and at every reload."""
    return await ContentSource.open(folder, content_loader(), refuse_placeholders if live else None)


def content_versions(settings: Settings, store: Store) -> ContentVersions:
    """The content files in CONTENT_DIR and every version saved from the content page. On PostgreSQL the
    saved versions live in the database and each instance serves a folder of its own made from them
    (`open()` gives it); otherwise the files are the content and a save replaces the file."""
    return ContentVersions(store, settings.content_dir or DEFAULT_DIR, shared=store.kind == "postgresql")


async def admin_page(
    settings: Settings, content: ContentSource, versions: ContentVersions, store: Store, options: Options
) -> AdminPage:
    """The content page (/admin/content): its checker, its sign-in check and its CSRF tokens, whose secret
    every instance on the store shares."""
    secret = await store.shard(csrf.SECRET_DOCUMENT).write(csrf.secret_from)
    scratch = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="peer-wellbeing-checks-"))
    return admin_web.make_admin_page(
        settings,
        content,
        versions,
        secret=secret,
        scratch=scratch,
        load=content_loader(),
        gate=content_gate(settings),
        metadata_url=options.entra_metadata_url,
    )


def storage(settings: Settings, monotonic: Callable[[], float] = time.monotonic) -> Store:
    """The storage engine the settings name (not yet open): PostgreSQL, or the TinyDB files."""
    return make_store(
        settings.data_dir,
        settings.database_url,
        cipher=Cipher(settings.data_keys) if settings.data_keys else None,
        pool_size=settings.database_pool_size,
        monotonic=monotonic,
    )


def channel(settings: Settings, store: Store, options: Options) -> Channel:
    """The Teams channel on the SDK that BOT_SDK names: authentication in, the Bot Connector out."""
    extra = {"send_timeout": options.send_timeout} if options.send_timeout else {}
    return make_channel(settings, first_time=store.first_time, token=options.credentials, **extra)


def make_channel(settings: Settings, *, first_time: Callable[[str], Awaitable[bool]], **options: Any) -> Channel:
    """The channel BOT_SDK names, botbuilder (bot/teams/channel.py) or agents (bot/teams/agents.py). Only that
    SDK is imported: the other is never loaded in this process. `options`: the channel's token fetcher
    (`token`) and `send_timeout`."""
    if settings.bot_sdk == "agents":
        from .teams.agents import AgentsChannel

        return AgentsChannel(settings, first_time=first_time, **options)
    from .teams.channel import BotbuilderChannel

    return BotbuilderChannel(settings, first_time=first_time, **options)


async def bot(
    settings: Settings, content: ContentSource, store: Store, clock: Clock, outbox: Outbox | None = None
) -> Wellbeing:
    """The channel-free bot on the open store (records, use-cases, dialogs, router). Without an outbox
    (the preview, tests through the SDK's test adapter) nothing it starts itself can be sent."""
    return _assembled(settings, await Records.open(store), content, store, clock, outbox)


def _assembled(
    settings: Settings,
    records: Records,
    content: ContentSource,
    store: Store,
    clock: Clock,
    outbox: Outbox | None,
    directory: GraphClient | None = None,
) -> Wellbeing:
    return assemble(
        records,
        content,
        clock,
        coordination=store,
        outbox=outbox,
        timezone=settings.timezone,
        base_url=settings.base_url,
        directory=directory,
    )


def graph(settings: Settings, store: Store, options: Options) -> GraphClient | None:
    """Microsoft Graph, when GRAPH_ENABLED=1 (None otherwise): the bot's own app registration gets its
    tokens from LOGIN_URL for its tenant; calls to GRAPH_URL share the store's pace (GRAPH_PER_SECOND)."""
    if not settings.graph_enabled:
        return None
    sessions = Sessions()
    tokens = TokenSource(
        sessions,
        login_url=settings.login_url,
        tenant_id=settings.tenant_id,
        client_id=settings.app_id,
        client_secret=settings.app_password,
        scope=f"{settings.graph_url}/.default",
        clock=options.clock,
    )
    return GraphClient(
        graph_url=settings.graph_url,
        tokens=tokens,
        session=sessions,
        manifest_id=settings.manifest_id,
        tenant_id=settings.tenant_id,
        clock=options.clock,
        pacer=store.pacer,
        per_second=settings.graph_per_second,
        sleep=options.sleep,
        close=sessions.close,
    )


class Served(NamedTuple):
    """The bot as Teams serves it, and the parts app.py gives a lifetime."""

    bot: Wellbeing
    messenger: Messenger
    handler: WellbeingBot
    graph: GraphClient | None  # Microsoft Graph, when it is on


async def served(settings: Settings, content: ContentSource, store: Store, teams: Channel, options: Options) -> Served:
    """The bot as Teams serves it: the messenger sends what it starts, the handler answers every activity,
    and Microsoft Graph (when it is on) finds and reaches people by work email."""
    records = await Records.open(store)
    messenger = Messenger(
        teams,
        settings.app_id,
        records.workers,
        options.clock,
        limits=options.send_limits or SendLimits(per_tenant_per_second=settings.send_per_second),
        sleep=options.sleep,
        prepare_card=lambda card: finish(card, content().messages.buttons.get_help_now),
        pacer=store.pacer,
    )
    directory = graph(settings, store, options)
    wellbeing = _assembled(settings, records, content, store, options.clock, outbox=messenger, directory=directory)
    return Served(
        wellbeing, messenger, WellbeingBot(wellbeing, options.clock, settings.admin_ids, kit=teams.kit), directory
    )


async def preview(content_dir: Path | None, data_dir: Path, clock: Clock | None = None) -> Preview:
    """The terminal preview: the real bot on a throw-away data folder, with nothing sent to anyone else.
    It runs on botbuilder's TestAdapter, whatever BOT_SDK says: the handler is the same on both channels."""
    from .teams.channel import KIT
    from .teams.preview import Preview

    content = await open_content(content_dir)
    store = storage(Settings(data_dir=data_dir))
    await store.open()
    clock = clock or SystemClock()
    handler = WellbeingBot(await bot(Settings(data_dir=data_dir), content, store, clock), clock, kit=KIT)
    return Preview(handler, content, store.close)
