"""The shape the import contracts in pyproject.toml cannot see: app.py and scheduler.py are modules, not
packages. The composition root wires what bot/teams/ offers and never touches the SDK itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDK = {"botbuilder", "botframework", "msrest", "jsonpickle", "microsoft_agents"}


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


def _sdk_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> the SDK module it came from, for every name a module imports from an SDK."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SDK:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in SDK:
                    names[(alias.asname or alias.name).split(".")[0]] = alias.name
    return names


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def test_no_sdk_internals_are_patched_or_subclassed():
    """Nothing assigns to an SDK class's or module's attribute (directly or with setattr), imports an
    underscore name from an SDK, or subclasses one: each SDK is used only through its public surface."""
    problems = []
    for path in sorted((ROOT / "bot").rglob("*.py")) + [ROOT / "app.py", ROOT / "scheduler.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        sdk = _sdk_names(tree)
        where = path.relative_to(ROOT)
        for origin in sdk.values():
            if any(part.startswith("_") for part in origin.split(".")[1:]):
                problems.append(f"{where}: imports the private {origin}")
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                else []
            )
            for target in targets:
                if isinstance(target, ast.Attribute) and _root(target) in sdk:
                    problems.append(f"{where}:{node.lineno}: assigns to {ast.unparse(target)}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("setattr", "delattr")
            ):
                if node.args and _root(node.args[0]) in sdk:
                    problems.append(f"{where}:{node.lineno}: {node.func.id} on {ast.unparse(node.args[0])}")
            if isinstance(node, ast.ClassDef):
                for base in node.bases:
                    name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                    if _root(base) in sdk and name.startswith("_"):
                        problems.append(f"{where}:{node.lineno}: subclasses the private {ast.unparse(base)}")
    assert not problems, problems


@pytest.mark.parametrize("sdk,other", [("botbuilder", "microsoft_agents"), ("agents", "botbuilder")])
def test_a_channel_imports_only_its_own_sdk(sdk, other):
    """At run time only the chosen SDK is imported (the other may not even be installed on a site)."""
    script = (
        "import sys, app; from bot.config import Settings; from bot.compose import make_channel; "
        "from bot.storage.local import RecentIds; "
        f"make_channel(Settings(bot_sdk={sdk!r}), first_time=RecentIds().first_time_async); "
        f"print(','.join(sorted({{m.split('.')[0] for m in sys.modules if m.split('.')[0] in {sorted(SDK)!r}}})))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().split(",")
    assert other not in loaded and "botframework" not in loaded if sdk == "agents" else other not in loaded
    assert ("botbuilder" if sdk == "botbuilder" else "microsoft_agents") in loaded


# What may take the whole Content: the content package, the crisis guard's build (it checks all of it), the
# Teams adapter (the app package and command matching read every file's words), and
# the few answers that show everything (the welcome, "about", the privacy notice, admin status, notices
# that can be any card), and the content page's preview (every card, from any file). Every other feature
# names its narrow view (bot/content/views.py).
WHOLE_CONTENT = {
    "bot/admin/preview.py",
    "bot/crisis/from_content.py",
    "bot/teams/app_package.py",
    "bot/teams/handler.py",
    "bot/cards/help.py",
    "bot/cards/notices.py",
    "bot/dialogs/admin.py",
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
            if isinstance(node, ast.ImportFrom) and node.module and "content" in node.module.split("."):
                if any(a.name == "Content" for a in node.names):
                    wide.add(name)
    assert wide <= WHOLE_CONTENT, f"take a view from bot/content/views.py instead of Content: {wide - WHOLE_CONTENT}"
