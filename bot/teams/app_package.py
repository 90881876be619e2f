"""`python -m bot package [OUT.zip]`: build the Teams app package from the template and content.

The command menu comes from the same content command table that routes messages, so Teams' menu and
the bot's words cannot drift apart. The manifest is checked against the official schema before the
zip is written.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import zipfile
from pathlib import Path
from string import Template

import jsonschema

from ..cards.help import key_contacts
from ..config import PACKAGE_DEFAULTS, ConfigError, PackageSettings
from ..content import Content, ContentError, load_content
from ..content.checks import PLACEHOLDER
from ..content.golive import is_example_url
from ..dialogs.catalogue import COMMAND_IDS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "appPackage"
SCHEMA = ROOT / "appPackage" / "schema" / "teams-manifest-v1.25.schema.json"
ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}


def build_manifest(content: Content, settings: PackageSettings) -> dict:
    """The manifest with settings filled in and the bot's menu commands from content."""
    template = Template((PACKAGE_DIR / "manifest.template.json").read_text(encoding="utf-8"))
    escaped = {k: json.dumps(v)[1:-1] for k, v in settings.values.items()}
    manifest = json.loads(template.substitute(escaped))
    # The key numbers live here too: Teams shows the app's description even when the bot is down.
    numbers = key_contacts(content)
    if numbers:
        manifest["description"]["full"] += " " + content.fill(content.messages.outage_numbers, key_contacts=numbers)
    commands = [{"title": c.title, "description": c.help} for c in content.messages.commands if c.menu]
    manifest["bots"][0]["commandLists"] = [{"scopes": ["personal"], "commands": commands}]
    return manifest


def validate(manifest: dict, schema_path: Path = SCHEMA) -> list[str]:
    """Every way the manifest breaks the official schema, as readable lines."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or 'manifest'}: {e.message}"
        for e in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    ]


def placeholder_problems(values: dict[str, str]) -> list[str]:
    """Settings still at an example or placeholder value: a package for real use needs the Trust's own."""
    problems = [
        f"{key}={values[key]} is an example address: set the Trust's own."
        for key in ("WEBSITE_URL", "PRIVACY_URL", "TERMS_URL")
        if is_example_url(values[key])
    ]
    if is_example_url(f"https://{values['BOT_DOMAIN']}/"):
        problems.append(f"BOT_DOMAIN={values['BOT_DOMAIN']} is an example domain: set the bot's real host name.")
    name = values["DEVELOPER_NAME"]
    if name == PACKAGE_DEFAULTS["DEVELOPER_NAME"] or PLACEHOLDER.search(name):
        problems.append(f"DEVELOPER_NAME='{name}' is a placeholder: set the Trust's name.")
    return problems


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG header."""
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path.name} is not a PNG file")
    return struct.unpack(">II", data[16:24])


def check_icons(folder: Path = PACKAGE_DIR) -> list[str]:
    problems = []
    for name, size in ICONS.items():
        try:
            actual = png_size(folder / name)
        except (OSError, ValueError) as exc:
            problems.append(f"{name}: {exc}")
            continue
        if actual != size:
            problems.append(f"{name} is {actual[0]}x{actual[1]}; Teams needs {size[0]}x{size[1]}.")
    return problems


def write_package(out: Path, manifest: dict, folder: Path = PACKAGE_DIR) -> None:
    """A zip with manifest.json and both icons at its root."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in ICONS:
            archive.write(folder / name, name)


def main(argv: list[str] | None = None, prog: str = "python -m bot.teams.app_package") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0].split(": ", 1)[1])
    parser.add_argument("out", nargs="?", type=Path, default=Path("build/peer-wellbeing-teams-app.zip"))
    out = parser.parse_args(argv).out
    try:
        settings = PackageSettings.from_env(os.environ)
        content = load_content(settings.content_dir, commands=COMMAND_IDS)
    except (ConfigError, ContentError) as exc:
        print(exc, file=sys.stderr)
        return 2
    manifest = build_manifest(content, settings)
    problems = placeholder_problems(settings.values) + validate(manifest) + check_icons()
    if problems:
        print("The app package was not written:\n" + "\n".join(f"  - {p}" for p in problems), file=sys.stderr)
        return 1
    write_package(out, manifest)
    print(
        f"Wrote {out} (manifest {manifest['version']}, bot {manifest['bots'][0]['botId']}). "
        "Upload it in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin centre."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
