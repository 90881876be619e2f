"""The import contracts in pyproject.toml hold by themselves: in a throwaway copy of bot/, one module that
breaks a contract (a new package, or a line added where it does not belong) makes `lint-imports` fail
that contract, without the module being listed anywhere. And the package graph has no loop."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"
CONTRACTS = {
    c["id"]: c["name"]
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
}

# contract id -> the ways shown to break it, each {file under the copy: text added to it}
BREAKS: dict[str, list[dict[str, str]]] = {
    "layers": [{"bot/storage/throwaway.py": "from bot.dialogs import registry\n"}],
    "acyclic": [
        {
            "bot/throwaway_a/__init__.py": "from bot import throwaway_b\n",
            "bot/throwaway_b/__init__.py": "from bot import throwaway_a\n",
        }
    ],
    "pure_rules": [{"bot/rules.py": "import pydantic\n"}],
    "storage_engines": [{"bot/throwaway/__init__.py": "import tinydb\n"}],
    "storage_importers": [{"bot/throwaway/__init__.py": "from bot.storage import make_store\n"}],
    "composition_root": [{"bot/throwaway/__init__.py": "from bot import compose\n"}],
    "app_and_scheduler": [{"bot/throwaway/__init__.py": "import scheduler\n"}],
    "bot_framework": [
        {"bot/throwaway/__init__.py": "from botbuilder.core import TurnContext\n"},
        {"bot/throwaway/__init__.py": "from microsoft_agents.hosting.core import TurnContext\n"},
    ],
    "one_sdk_per_channel": [
        {"bot/teams/throwaway.py": "from botbuilder.core import TurnContext\n"},
        {"bot/teams/throwaway.py": "from microsoft_agents.activity import Activity\n"},
        {"bot/teams/agents.py": "from botbuilder.schema import Activity as BotbuilderActivity\n"},
        {"bot/teams/channel.py": "import microsoft_agents.activity\n"},
    ],
    "aiohttp": [{"bot/throwaway/__init__.py": "import aiohttp\n"}],
    "scikit_learn": [{"bot/throwaway/__init__.py": "import sklearn\n"}],
    "single_sign_on": [{"bot/throwaway/__init__.py": "import jwt\n"}],
    "content_page": [{"bot/admin/throwaway.py": "from bot.storage import make_store\n"}],
}


def lint(copy: Path, contract: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache", "--contract", contract], cwd=copy, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """bot/ (its code), the contracts and their custom types, app.py and scheduler.py, in a throwaway folder."""
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("*.yaml", "*.json", "__pycache__"))
    (tmp_path / "tests").mkdir()
    for name in ("pyproject.toml", "app.py", "scheduler.py", "tests/__init__.py", "tests/import_contracts.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_every_contract_has_a_break_to_show():
    assert set(BREAKS) == set(CONTRACTS)


@pytest.mark.parametrize(
    "contract,breaks", [pytest.param(c, b, id=f"{c}-{i}") for c in sorted(BREAKS) for i, b in enumerate(BREAKS[c])]
)
def test_each_contract_holds_and_a_throwaway_module_breaks_it(copy, contract, breaks):
    kept = lint(copy, contract)
    assert kept.returncode == 0, kept.stdout
    for name, text in breaks.items():
        path = copy / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as out:
            out.write(text)
    broken = lint(copy, contract)
    assert broken.returncode == 1 and "1 broken" in broken.stdout, broken.stdout + broken.stderr
