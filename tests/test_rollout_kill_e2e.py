"""A group rollout (`admin install GROUP-ID`) interrupted by kill -9 of the bot's process and resumed by the
next one on the same data folder: nobody is installed for twice and nobody is welcomed twice, and everyone
in the group ends installed and welcomed (but for the few whose welcome was on its way at the kill)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path

import aiohttp

from tests.fake_connector import FakeConnector
from tests.fake_graph import FakeGraph, chat_id
from tests.instances import listening, wait_for
from tests.pg_server import free_port
from tests.teams import TENANT, Person, message
from tests.test_auth import openid, token  # noqa: F401 - openid is a fixture

ROOT = Path(__file__).resolve().parent.parent
GROUP = "0f9e8d7c-6b5a-4c3d-8e1f-aabbccddeeff"
MEMBERS, HAD = 300, 20
CONCURRENCY = 4  # members a rollout works on at once (bot/usecases/rollout.py)


async def start_bot(data_dir: Path, port: int, openid_url: str, graph: FakeGraph, admin: Person):
    script = str(ROOT / "tests" / "graph_bot.py")
    return await listening(script, str(data_dir), str(port), openid_url, graph.url, admin.aad_object_id)


async def say(port: int, person: Person, service_url: str, text: str) -> None:
    body = message(person, service_url, text)
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {token(body['serviceUrl'])}"}
        async with session.post(f"http://127.0.0.1:{port}/api/messages", json=body, headers=headers) as response:
            assert response.status == 201, await response.text()


async def test_a_rollout_killed_mid_way_resumes_and_nobody_is_installed_or_welcomed_twice(openid, tmp_path):  # noqa: F811
    connector = await FakeConnector().start()
    graph = await FakeGraph(TENANT, page_size=100).start()
    admin = Person.make("Ada Admin")
    graph.add_user("ada@trust.nhs.uk", admin.aad_object_id, has_app=True)
    members = [graph.add_user(f"m{i}@trust.nhs.uk") for i in range(MEMBERS)]
    graph.installed.update(members[:HAD])
    graph.add_group(GROUP, members)

    def welcomes() -> Counter:
        return Counter(
            c.conversation_id
            for c in connector.sent
            if "private space" in c.words and c.conversation_id.startswith("19:")
        )

    port = free_port()
    first = await start_bot(tmp_path / "data", port, openid, graph, admin)
    second = None
    try:
        await say(port, admin, connector.url, "hi")
        await say(port, admin, connector.url, f"admin install {GROUP}")
        assert await wait_for(lambda: len(graph.of("install", 201)) >= MEMBERS // 3, 60)
        os.kill(first.pid, signal.SIGKILL)
        await first.wait()
        at_kill = len(graph.of("install", 201))
        second = await start_bot(tmp_path / "data", port, openid, graph, admin)  # resumes at start-up
        everyone = {chat_id(m) for m in members}
        assert await wait_for(lambda: len(graph.of("install", 201)) == MEMBERS - HAD, 120)
        await wait_for(lambda: len(welcomes()) >= MEMBERS - CONCURRENCY and everyone - set(welcomes()) == set(), 60)
        await asyncio.sleep(2)  # a few more moments: anything repeated would show now
        installs = Counter(c.user for c in graph.of("install", 201))
        posts = Counter(c.user for c in graph.of("install"))
        welcomed = welcomes()
        print(
            f"kill -9 mid-rollout: {at_kill} installed before the kill; after resuming {len(installs)} installed, "
            f"{sum(1 for n in posts.values() if n > 1)} asked twice (409 the second time), {len(welcomed)} welcomed"
        )
        assert max(installs.values()) == 1 and set(installs) == set(members[HAD:])  # nobody installed twice
        assert sum(1 for n in posts.values() if n > 1) <= CONCURRENCY  # only those in flight at the kill
        assert max(welcomed.values()) == 1  # nobody welcomed twice
        assert len(everyone - set(welcomed)) <= CONCURRENCY  # a welcome in flight at the kill is never repeated
        await say(port, admin, connector.url, "admin")
        report = connector.sent[-1].words
        assert f"Install for group {GROUP}: finished." in report
        assert f"Installed: {MEMBERS - HAD}. Already had it: {HAD}. Failed: 0." in report
    finally:
        for proc in (first, second):
            if proc is not None and proc.returncode is None:
                proc.kill()
                await proc.wait()
        await graph.close()
        await connector.close()
