"""The content page's committed files (bot/admin/static/, so that `make run` needs only Python) are exactly
what `make admin-ui` builds from admin-ui/ with its pinned npm packages: an edit of the sources cannot ship
without its build, nor a build without its sources. Installs admin-ui's packages itself (npm ci), like the
browser tests; it fails, never skips, when it cannot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_UI = ROOT / "admin-ui"
STATIC = ROOT / "bot" / "admin" / "static"


def run(*command: str) -> None:
    done = subprocess.run(command, cwd=ADMIN_UI, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{(done.stdout + done.stderr)[-4000:]}"


def test_the_committed_static_files_are_the_build_of_admin_ui(tmp_path):
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "Node.js 20 or newer, with npm, is needed (apt-get install nodejs npm)"
    lock, installed = ADMIN_UI / "package-lock.json", ADMIN_UI / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        run(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")  # esbuild's binary is its own package
    run(node, "build.mjs", str(tmp_path))

    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in STATIC.iterdir()), "run `make admin-ui` and commit bot/admin/static/"
    for name in built:
        assert (tmp_path / name).read_bytes() == (STATIC / name).read_bytes(), f"{name}: run `make admin-ui`"


def test_the_page_loads_nothing_from_elsewhere():
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page.replace("https://www.w3.org", "")
    assert '<script src="/admin/static/app.js"' in page and 'href="/admin/static/app.css"' in page
