"""Runs a scenario of tests/browser/admin_page.mjs: the content page driven in headless Chromium, while the
bot serves it on this test's event loop. What it needs (the npm packages pinned in tests/browser, Debian's
chromium) is installed by tests/card_browser.py when missing; it fails, never skips, when it cannot."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from typing import Any

from tests import card_browser

TIMEOUT_SECONDS = 600


async def scenario(name: str, **given: Any) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js 20 or newer is needed to drive the content page (apt-get install nodejs)")
    await asyncio.to_thread(card_browser._npm_packages)
    await asyncio.to_thread(card_browser._chromium)
    proc = await asyncio.create_subprocess_exec(
        node,
        "admin_page.mjs",
        cwd=card_browser.FOLDER,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "CHROMIUM": str(card_browser.CHROMIUM)},
    )
    try:
        out, err = await asyncio.wait_for(
            proc.communicate(json.dumps({"scenario": name, **given}).encode()), TIMEOUT_SECONDS
        )
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"admin_page.mjs {name} failed ({proc.returncode}):\n{(out + err).decode()[-6000:]}")
    return json.loads(out)
