"""The shape the import contracts in pyproject.toml cannot see: app.py and scheduler.py are modules, not
packages. The composition root wires what bot/teams/ offers and never touches the SDK itself."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDK = {"botbuilder", "botframework", "msrest", "jsonpickle"}


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_composition_root_and_scheduler_never_import_the_sdk():
    for name in ("app.py", "scheduler.py"):
        assert not {m for m in imported(ROOT / name) if m.split(".")[0] in SDK}, name


def test_the_scheduler_serves_no_http():
    assert not {m for m in imported(ROOT / "scheduler.py") if m.split(".")[0] == "aiohttp"}


def test_the_unused_dialog_machinery_is_gone():
    requirements = (ROOT / "requirements.txt").read_text().lower()
    assert "botbuilder-dialogs" not in requirements and "recognizers-text" not in requirements
    assert not (ROOT / "bot" / "state.py").exists()


# What may take the whole Content: the content package, the crisis guard's build (it checks all of it), the
# Teams adapter (the app package and command matching read every file's words), and
# the few answers that show everything (the welcome, "about", the privacy notice, admin status, notices
# that can be any card). Every other feature names its narrow view (bot/content/views.py).
WHOLE_CONTENT = {
    "bot/crisis/from_content.py",
    "bot/teams/app_package.py",
    "bot/teams/handler.py",
    "bot/cards/help.py",
    "bot/cards/notices.py",
    "bot/dialogs/help.py",
    "bot/dialogs/notices.py",
}


def test_features_take_their_narrow_view_of_the_content():
    wide = set()
    for path in (ROOT / "bot").rglob("*.py"):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith("bot/content/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("content"):
                if any(a.name == "Content" for a in node.names):
                    wide.add(name)
    assert wide <= WHOLE_CONTENT, f"take a view from bot/content/views.py instead of Content: {wide - WHOLE_CONTENT}"
