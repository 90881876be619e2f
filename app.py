"""Composition root: `create_app` builds the whole bot from settings; `main()` runs it."""
from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from pathlib import Path

from aiohttp import web
from botbuilder.core import ConversationState
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot import log_privacy
from bot.cards import finish
from bot.channel import Channel
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.content import ContentError
from bot.content.source import ContentSource
from bot.dialogs.router import Router
from bot.checkins import CheckinService
from bot.admin_stats import AdminStats
from bot.dialogs.admin import AdminDialogs
from bot.dialogs.checkin import CheckinDialogs
from bot.dialogs.replies import hide_handler
from bot.dialogs.crisis_guard import CrisisGuard
from bot.dialogs.guide import GuideDialogs
from bot.dialogs.plan import PlanDialogs
from bot.dialogs.reflect import ReflectDialogs
from bot.dialogs.my_data import MyDataDialogs
from bot.dialogs.sharing import SharingDialogs
from bot.privacy import PrivacyService
from bot.dialogs.supervision import SupervisionDialogs
from bot.sharing import SharingService
from bot.sharing_store import SharingStore
from bot.private_records import AGENDA, NOTES, CardActions, EntryList, PlanRepository
from bot.dialogs.pause import PauseDialogs
from bot.dialogs.settings import SettingsDialogs
from bot.messenger import Messenger, SendLimits
from bot.repositories import CheckinRepository, Pseudonyms, WorkerRepository
from bot.schedule_store import PromptLog, ScheduleRepository
from bot.state import StoreBotStorage, state_shard
from bot.storage import Cipher, DataFileError, Store
from bot.teams_bot import WellbeingBot
from bot.web import SERVICES, AccessLogger, Services, add_routes, error_middleware
from scheduler import Ticker, build_scheduler, register_jobs

log = logging.getLogger("bot.app")
CONTENT = web.AppKey("content", ContentSource)
TICKER = web.AppKey("ticker", Ticker)


def create_app(settings: Settings, *, clock: Clock | None = None,
               credentials: ServiceClientCredentialsFactory | None = None,
               watch_content: bool = True, send_limits: SendLimits | None = None,
               run_scheduler: bool = True, sleep=None, send_timeout=None) -> web.Application:
    """Build the aiohttp application; storage, content and scheduler open in its start-up hooks."""
    clock = clock or SystemClock()
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[error_middleware])
    add_routes(app)

    async def lifetime(app: web.Application):
        content = await ContentSource.open(settings.content_dir)
        store = Store(settings.data_dir, cipher=Cipher(settings.data_keys) if settings.data_keys else None)
        await store.open()
        channel = Channel(settings, credentials, **({"send_timeout": send_timeout} if send_timeout else {}))
        bot = await build_bot(store, content, clock, channel=channel, settings=settings, send_limits=send_limits,
                              sleep=sleep)
        channel.set_error_handler(bot.on_turn_error)
        await bot.checkins.rebuild_index()
        await bot.sharing.recover()
        ticker = Ticker(clock)
        ticker.add("checkins", bot.checkins.send_due)
        ticker.add("supervisor_follow_ups", bot.sharing.follow_ups)
        ticker.add("retention", retention_job(bot.privacy, content))
        scheduler = build_scheduler()
        register_jobs(scheduler, ticker)
        if run_scheduler:
            scheduler.start()
        watcher = asyncio.create_task(content.watch()) if watch_content else None
        # Everything loaded so far lives as long as the process: keep it out of the garbage collector's
        # full passes, which otherwise stalled the event loop for about 100 ms at a time.
        gc.collect()
        gc.freeze()
        app[SERVICES] = Services(channel=channel, bot=bot, store=store, scheduler=scheduler, privacy=bot.privacy,
                                 clock=clock, request_timeout=settings.request_timeout)
        app[CONTENT], app[TICKER] = content, ticker
        yield
        if watcher:
            watcher.cancel()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if bot.messenger:
            await bot.messenger.close()  # unfinished sends are settled at the next start
        await store.close()
        await channel.close()

    app.cleanup_ctx.append(lifetime)
    return app


async def build_bot(store: Store, content: ContentSource, clock: Clock, *, channel: Channel | None = None,
                    settings: Settings | None = None, send_limits: SendLimits | None = None,
                    sleep=None) -> WellbeingBot:
    """The bot with its repositories, dialogs and state, on an open store (shared by app and preview).

    Without a channel (the preview, TestAdapter tests) nothing can be sent proactively."""
    settings = settings or Settings()
    # Repositories: one of each, over the same store.
    workers = WorkerRepository(store, await Pseudonyms.load(store))
    schedules, prompts, records = ScheduleRepository(store), PromptLog(store), CheckinRepository(store)
    sharing_store, plans = SharingStore(store), PlanRepository(store)
    notes, agenda = EntryList(store, NOTES), EntryList(store, AGENDA)
    conversation_state = ConversationState(StoreBotStorage(store))
    # Use-cases.
    messenger = (Messenger(channel.adapter, settings.app_id, workers, clock, limits=send_limits, sleep=sleep,
                           prepare_card=lambda card: finish(card, content().messages.buttons.get_help_now))
                 if channel else None)
    checkins = CheckinService(workers=workers, schedules=schedules, prompts=prompts, checkins=records,
                              messenger=messenger, content=content, clock=clock, default_timezone=settings.timezone)
    sharing = SharingService(workers=workers, store=sharing_store, checkins=records, schedules=schedules,
                             messenger=messenger, content=content, clock=clock)
    privacy = PrivacyService(store=store, workers=workers, checkins=records, sharing=sharing_store)
    # Conversations.
    share = SharingDialogs(sharing, sharing_store, content, workers, schedules)
    plan = PlanDialogs(plans, content)
    checkin = CheckinDialogs(checkins, content, share.after_checkin)
    settings_ = SettingsDialogs(checkins, content, clock)
    pause = PauseDialogs(checkins, content, clock)
    guide = GuideDialogs(content)
    supervision = SupervisionDialogs(agenda, content, clock)
    reflect = ReflectDialogs(notes, content, clock)
    admin = AdminDialogs(settings.admin_ids, content, AdminStats(workers, schedules, prompts, records), clock)
    my_data = MyDataDialogs(privacy=privacy, store=store, workers=workers, sharing=sharing_store, notes=notes,
                            agenda=agenda, plans=plans, checkins_service=checkins, checkin_records=records,
                            state_key=lambda turn: state_shard(conversation_state.get_storage_key(turn)),
                            content=content, clock=clock, base_url=settings.base_url, messenger=messenger)
    router = Router(
        conversation_state.create_property("DialogState"), content,
        commands={"check_in": checkin.start, "settings": settings_.show, "pause": pause.show,
                  "resume": pause.resume, "guide": guide.show, "supervision": supervision.show,
                  "agenda": supervision.show_agenda, "reflect": reflect.start, "notes": reflect.show_notes,
                  "my_plan": plan.show, "admin": admin.report, "admin_reload": admin.reload,
                  "supervisor": share.supervisor, "sharing": share.sharing, "who_has_seen": share.who_has_seen,
                  "supervising": share.supervising, "my_data": my_data.show,
                  "delete_my_data": my_data.ask_to_delete},
        actions={"checkin_submit": checkin.submit, "checkin_skip": checkin.skip, "checkin_prompt": checkin.prompt,
                 "checkin_guide": checkin.guide, "settings_save": settings_.save, "hide": hide_handler(content),
                 "pause_set": pause.set, "guide_open": guide.open, "guide_list": guide.list,
                 "agenda_show": supervision.show_agenda, "agenda_add": supervision.add,
                 "agenda_add_checkin": supervision.add_from_checkin,
                 "agenda_add_reflection": supervision.add_from_reflection, "agenda_clear": supervision.clear,
                 "reflect_save": reflect.save, "reflect_done": reflect.done, "notes_delete": reflect.delete_notes,
                 "plan_save": plan.save, "supervisor_find": share.find, "supervisor_pick": share.pick,
                 "link_accept": share.accept, "link_decline": share.decline, "link_end": share.end,
                 "link_keep": share.keep, "link_end_supervisor": share.end_as_supervisor,
                 "sharing_on": share.sharing_on, "sharing_off": share.sharing_off,
                 "sharing_no_suggestions": share.no_suggestions, "request_send": share.send,
                 "request_not_now": share.not_now, "request_stop": share.stop, "request_ack": share.acknowledge,
                 "request_nudge": share.nudge, "data_trend": my_data.trend, "data_export": my_data.export,
                 "erase_confirm": my_data.confirm_delete, "erase_cancel": my_data.cancel_delete},
        text=[checkin.typed], acted=CardActions(store), clock=clock,
    )
    return WellbeingBot(workers=workers, conversation_state=conversation_state, router=router, content=content,
                        clock=clock, checkins=checkins, guard=CrisisGuard(content), sharing=sharing, privacy=privacy,
                        messenger=messenger)


def retention_job(privacy: PrivacyService, content: ContentSource):
    """Once a day at 03:00 UTC: delete what is past its retention period (see docs/privacy.md)."""
    async def run(now):
        if now.hour == 3 and now.minute == 0:
            r = content.current.rules.retention
            removed = await privacy.apply_retention(now, r.checkins_months, r.audit_months_after_last_event)
            log.info("retention removed=%d", removed)
    return run


def startup_line(settings: Settings) -> str:
    """Where the bot listens, where data lives, and whether authentication is on."""
    auth = (f"ON ({settings.app_type}, app id {settings.app_id})" if settings.auth_enabled
            else "OFF (local mode: loopback only; set MicrosoftAppId to turn it on)")
    return (f"Peer wellbeing bot listening on http://{settings.host}:{settings.port}/api/messages | "
            f"data: {Path(settings.data_dir).resolve()} | authentication: {auth}")


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log_privacy.install(logging.getLogger().handlers)  # no Teams ids from any library's log lines
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
        # keepalive_timeout also closes a connection whose request headers never finish arriving.
        web.run_app(app, host=settings.host, port=settings.port, print=None, access_log_class=AccessLogger,
                    handle_signals=True, shutdown_timeout=10, keepalive_timeout=settings.request_timeout)
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
