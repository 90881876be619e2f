"""Draws cards with the Adaptive Cards JavaScript renderer in headless Chromium and runs axe-core on them
(tests/browser/axe_cards.mjs), first installing what that needs when it is missing: the npm packages
pinned in tests/browser/package-lock.json (npm ci) and Debian's chromium (apt-get, as root). It fails,
never skips, when it cannot: a check that did not run has not passed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent / "browser"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def axe(cards: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """{"versions", "browser", "results": {name: {"renderer", "inputs", "violations", "browser_sized"}}}."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js 20 or newer is needed to draw the cards (apt-get install nodejs, or nodejs.org)")
    _npm_packages()
    _chromium()
    done = _run([node, "axe_cards.mjs"], input=json.dumps(cards), env={**os.environ, "CHROMIUM": str(CHROMIUM)})
    return json.loads(done.stdout)


def _npm_packages() -> None:
    """npm ci when node_modules is missing or differs from the lockfile (npm keeps a copy of what it installed)."""
    installed = FOLDER / "node_modules" / ".package-lock.json"
    if installed.exists() and _versions(installed) == _versions(FOLDER / "package-lock.json"):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install tests/browser's packages (it comes with Node.js)")
    _run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"])  # none of them needs its install script


def _versions(lockfile: Path) -> dict[str, str]:
    packages = json.loads(lockfile.read_text(encoding="utf-8"))["packages"]
    return {path: entry.get("version", "") for path, entry in packages.items() if path}


def _chromium() -> None:
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise RuntimeError(f"Chromium is needed at {CHROMIUM}: sudo apt-get install -y chromium (or set CHROMIUM)")
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run([apt, "update", "-qq"], env=quiet)
    _run([apt, "install", "-y", "-qq", "chromium"], env=quiet)
    if not CHROMIUM.exists():
        raise RuntimeError(f"apt-get installed chromium, but there is nothing at {CHROMIUM} (set CHROMIUM)")


def _run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=FOLDER, capture_output=True, text=True, timeout=900, check=False, **options)
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-6000:]
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{output}")
    return done
