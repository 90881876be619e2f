"""Group rollout (`admin install GROUP-ID`): 1,000 members installed for and welcomed, through the real app,
against a loopback fake of Entra and Graph that answers 429 past Teams' Graph limit (30 requests a second
per app per tenant) and a fake Bot Connector that answers 429 past Teams' 50 sends a second per tenant.

Reports the Graph rate and the welcome rate as ratios of what the bot is configured to allow (GRAPH_PER_SECOND,
SEND_PER_SECOND), the 429s either service had to give, members installed and welcomed exactly once, and the
longest event-loop stall."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from aiohttp.test_utils import TestServer
from botframework.connector.auth import MicrosoftAppCredentials, PasswordServiceClientCredentialFactory

from app import create_app
from bot.clock import SystemClock
from bot.config import TEAMS_GRAPH_LIMIT, Settings
from bot.teams.web import SERVICES
from tests.fake_graph import FakeGraph, chat_id
from tests.instances import seeded_contact
from tests.teams import TENANT

from .fanout import LimitedConnector
from .loop_monitor import LoopMonitor

APP_ID = "0b5e3f2a-1c4d-4e6f-8a9b-0c1d2e3f4a5b"  # the fake Graph's manifest id (tests/fake_graph.py)
MEMBERS = 1000
GROUP = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
GRAPH_PER_SECOND = 25  # the bot's ceiling for Graph in this run, under Teams' 30
SEND_PER_SECOND = 20  # the default ceiling for sends to Teams


class FixedCredentials(PasswordServiceClientCredentialFactory):
    """Stands in for Entra for the Bot Connector: a fixed token (the Graph token comes from the fake)."""

    def __init__(self) -> None:
        super().__init__(APP_ID, "secret", TENANT)

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        credentials = MicrosoftAppCredentials(app_id, "secret", TENANT, oauth_scope)
        setattr(credentials, "get_access_token", lambda force_refresh=False: "bench-token")  # noqa: B010
        return credentials


async def run_rollout(members: int = MEMBERS) -> dict:
    graph = await FakeGraph(TENANT, page_size=999).start()
    graph.per_second = TEAMS_GRAPH_LIMIT
    admin_aad = graph.add_user("admin@trust.nhs.uk", has_app=True)
    ids = [graph.add_user(f"m{i}@trust.nhs.uk") for i in range(members)]
    graph.installed.update(ids[: members // 10])  # a tenth already have it (a setup policy)
    graph.add_group(GROUP, ids)
    connector = LimitedConnector(limited=True, fault_429=0.0, fault_503=0.0)
    await connector.server.start_server()
    url = str(connector.server.make_url("/"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            app_id=APP_ID,
            app_password="secret",
            tenant_id=TENANT,
            data_dir=Path(tmp),
            allow_placeholders=True,
            service_url_hosts=("127.0.0.1",),
            graph_enabled=True,
            graph_url=graph.url,
            login_url=graph.url,
            graph_per_second=GRAPH_PER_SECOND,
            send_per_second=SEND_PER_SECOND,
        )
        app = create_app(
            settings, clock=SystemClock(), credentials=FixedCredentials(), watch_content=False, run_scheduler=False
        )
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            bot = app[SERVICES].bot
            contact = seeded_contact(0, url)
            admin = await bot.records.workers.remember(
                type(contact)(**{**contact.__dict__, "aad_object_id": admin_aad, "tenant_id": TENANT}), bot_now()
            )
            async with LoopMonitor() as monitor:
                started = time.monotonic()
                outcome = await bot.rollouts.start(admin.pid, GROUP)
                assert outcome.status == "started", outcome
                await bot.rollouts.idle()
                elapsed = time.monotonic() - started
            (rollout,) = await bot.rollouts.all()
        finally:
            await server.close()
    await connector.server.close()
    await graph.close()
    calls = [c for c in graph.calls if c.operation != "token"]
    welcomed = Counter(cid for cid in connector.delivered.elements() if cid.startswith("19:"))
    return {
        "elapsed": elapsed,
        "graph_rate": sum(1 for c in calls if c.status != 429) / elapsed,
        "graph_429": sum(1 for c in calls if c.status == 429),
        "welcome_rate": sum(welcomed.values()) / elapsed,
        "connector_429": connector.answers[429],
        "installed": rollout.installed,
        "had": rollout.had,
        "failed": rollout.failed,
        "welcomed_once": sum(1 for n in welcomed.values() if n == 1),
        "welcomed_twice": sum(1 for n in welcomed.values() if n > 1),
        "everyone_welcomed": set(welcomed) == {chat_id(i) for i in ids},
        "tokens": graph.token_requests,
        "stall_ms": monitor.longest * 1000,
    }


def bot_now():
    return SystemClock().now()


async def run() -> None:
    r = await run_rollout()
    per_member = 3  # Graph calls a member costs: install, find the installation, find its chat
    print(
        f"graph rollout ({MEMBERS} members, Graph ceiling {GRAPH_PER_SECOND}/s under Teams' {TEAMS_GRAPH_LIMIT}/s, "
        f"sends {SEND_PER_SECOND}/s under Teams' 50/s): {r['elapsed']:.0f} s"
    )
    print(f"  Graph rate / configured ceiling            {r['graph_rate'] / GRAPH_PER_SECOND:.2f}")
    print(f"  Graph rate / Teams' Graph limit            {r['graph_rate'] / TEAMS_GRAPH_LIMIT:.2f}")
    print(
        f"  members a second / ceiling's ({per_member} calls each) {r['installed'] + r['had'] + r['failed']:d} in "
        f"{r['elapsed']:.0f} s = {(MEMBERS / r['elapsed']) / (GRAPH_PER_SECOND / per_member):.2f}"
    )
    print(f"  welcomes a second / SEND_PER_SECOND        {r['welcome_rate'] / SEND_PER_SECOND:.2f}")
    print(f"  429s from Graph / Graph calls              {r['graph_429']} (0 expected)")
    print(f"  429s from the Bot Connector                {r['connector_429']} (0 expected)")
    print(
        f"  installed {r['installed']}, already had it {r['had']}, failed {r['failed']}; welcomed once "
        f"{r['welcomed_once']}, twice {r['welcomed_twice']}, everyone {r['everyone_welcomed']}; tokens {r['tokens']}"
    )
    print(f"  longest event-loop stall                   {r['stall_ms']:.0f} ms")


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    asyncio.run(run())
