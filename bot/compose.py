"""The composition root: the one place the bot is built from settings, part by part. app.py (the web
server and its lifetimes), the terminal preview, the tests and the benchmarks all build it here, and
nothing built here is changed afterwards.

The order is the order of need: storage, content (the files, and the versions saved from the content
page), the channel (Teams), records, the messenger, the channel-free bot (bot/assembly.py), the activity
handler, the timed work, the content page."""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

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
from .teams.channel import Channel
from .teams.handler import WellbeingBot
from .teams.messenger import Messenger, SendLimits
from .teams.preview import Preview
from .usecases import declared_notices

Sleep = Callable[[float], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class Options:
    """What tests and benchmarks may change besides settings (`create_app(settings, **options)`)."""

    clock: Clock = dataclasses.field(default_factory=SystemClock)
    credentials: Any = None  # a Bot Framework credentials factory (tests use a password one); None: from settings
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
    notices = {n.name: n.placeholders for n in declared_notices().values() if n.card is None}
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
    """The Bot Framework channel: authentication in, the Bot Connector out."""
    extra = {"send_timeout": options.send_timeout} if options.send_timeout else {}
    return Channel(settings, options.credentials, first_time=store.first_time, **extra)


async def bot(
    settings: Settings, content: ContentSource, store: Store, clock: Clock, outbox: Outbox | None = None
) -> Wellbeing:
    """The channel-free bot on the open store (records, use-cases, dialogs, router). Without an outbox
    (the preview, tests through the SDK's test adapter) nothing it starts itself can be sent."""
    return _assembled(settings, await Records.open(store), content, store, clock, outbox)


def _assembled(
    settings: Settings, records: Records, content: ContentSource, store: Store, clock: Clock, outbox: Outbox | None
) -> Wellbeing:
    return assemble(
        records,
        content,
        clock,
        coordination=store,
        outbox=outbox,
        timezone=settings.timezone,
        base_url=settings.base_url,
    )


async def served(
    settings: Settings, content: ContentSource, store: Store, teams: Channel, options: Options
) -> tuple[Wellbeing, Messenger, WellbeingBot]:
    """The bot as Teams serves it: the messenger sends what it starts, the handler answers every activity."""
    records = await Records.open(store)
    messenger = Messenger(
        teams.adapter,
        settings.app_id,
        records.workers,
        options.clock,
        limits=options.send_limits or SendLimits(per_tenant_per_second=settings.send_per_second),
        sleep=options.sleep,
        prepare_card=lambda card: finish(card, content().messages.buttons.get_help_now),
        pacer=store.pacer,
    )
    wellbeing = _assembled(settings, records, content, store, options.clock, outbox=messenger)
    return wellbeing, messenger, WellbeingBot(wellbeing, options.clock, settings.admin_ids)


async def preview(content_dir: Path | None, data_dir: Path, clock: Clock | None = None) -> Preview:
    """The terminal preview: the real bot on a throw-away data folder, with nothing sent to anyone else."""
    content = await open_content(content_dir)
    store = storage(Settings(data_dir=data_dir))
    await store.open()
    clock = clock or SystemClock()
    handler = WellbeingBot(await bot(Settings(data_dir=data_dir), content, store, clock), clock)
    return Preview(handler, content, store.close)
