"""Settings: read from the environment once, validated, then frozen."""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .graph_config import PUBLIC_GRAPH, PUBLIC_LOGIN, graph_problems

APP_TYPES = {"singletenant": "SingleTenant", "multitenant": "MultiTenant", "userassignedmsi": "UserAssignedMSI"}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Hosts Teams posts from (public cloud and the government clouds). With authentication on, an activity
# whose serviceUrl points elsewhere is refused before the bot could send anything to it.
DEFAULT_SERVICE_URL_HOSTS = (
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
)


class ConfigError(Exception):
    """One or more settings are wrong; the message names each one and how to fix it (one line for one)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        if len(problems) == 1:
            super().__init__(f"Configuration problem: {problems[0]}")
        else:
            super().__init__("Configuration problems:\n" + "\n".join(f"  - {p}" for p in problems))


def is_loopback(host: str) -> bool:
    """True when host names only this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with. Only `from_env` reads the environment."""

    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "SingleTenant"
    tenant_id: str = ""
    host: str = "127.0.0.1"
    port: int = 3978
    data_dir: Path = Path("./data")
    timezone: str = "Europe/London"
    admin_ids: frozenset[str] = frozenset()
    content_dir: Path | None = None
    max_body_bytes: int = 256 * 1024
    service_url_hosts: tuple[str, ...] = DEFAULT_SERVICE_URL_HOSTS
    log_level: str = "INFO"
    data_keys: tuple[str, ...] = field(default=(), repr=False)
    public_url: str = ""
    request_timeout: float = 15.0  # seconds a client may take to send a request's headers or body
    allow_placeholders: bool = False  # a staging site may run with placeholder content (ALLOW_PLACEHOLDERS=1)
    database_url: str = field(default="", repr=False)  # postgresql://…: PostgreSQL instead of DATA_DIR
    database_pool_size: int = 10  # connections per process for records (and as many again for chat locks)
    send_per_second: int = 20  # proactive sends per tenant per second, shared by every process (Teams allows ~50)
    tick_seconds: int = 60  # how often the timed work runs; lower only for trials (docs/deployment.md)
    # Microsoft Graph (off by default): name anyone by work email, `admin install` (bot/graph_config.py).
    graph_enabled: bool = False
    graph_url: str = PUBLIC_GRAPH
    login_url: str = PUBLIC_LOGIN
    graph_per_second: int = 10  # Graph calls a second for the tenant, shared by every process
    teams_app_id: str = ""  # the Teams app's manifest id, when not the bot's app id (as for `make package`)

    @property
    def manifest_id(self) -> str:
        return self.teams_app_id or self.app_id

    @property
    def base_url(self) -> str:
        """Where the bot's own web server is reached from outside (for download links)."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def auth_enabled(self) -> bool:
        """Authentication is on whenever an app id is configured."""
        return bool(self.app_id)

    # The SDK reads these attribute names from its configuration object.
    @property
    def APP_ID(self) -> str:
        return self.app_id

    @property
    def APP_PASSWORD(self) -> str:
        return self.app_password

    @property
    def APP_TYPE(self) -> str:
        return self.app_type

    @property
    def APP_TENANTID(self) -> str:
        return self.tenant_id

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping, or raise ConfigError naming every bad setting."""
        problems: list[str] = []
        get = lambda name, default="": (environ.get(name) or default).strip()  # noqa: E731

        app_id, password = get("MicrosoftAppId"), get("MicrosoftAppPassword")
        tenant = get("MicrosoftAppTenantId")
        raw_type = get("MicrosoftAppType", "SingleTenant")
        app_type = APP_TYPES.get(raw_type.lower())
        if app_type is None:
            problems.append(f"MicrosoftAppType={raw_type!r} is not one of SingleTenant, MultiTenant, UserAssignedMSI.")
            app_type = "SingleTenant"
        if app_id:
            if not _GUID.match(app_id):
                problems.append(
                    "MicrosoftAppId must be the Azure Bot's app id, a GUID like 00000000-0000-0000-0000-000000000000."
                )
            if app_type != "UserAssignedMSI" and not password:
                problems.append("MicrosoftAppPassword is empty: set the client secret of the app registration.")
            if app_type in ("SingleTenant", "UserAssignedMSI") and not _GUID.match(tenant):
                problems.append(
                    f"MicrosoftAppTenantId must be your Entra tenant id (a GUID) when MicrosoftAppType is {app_type}."
                )
        elif password or tenant:
            problems.append(
                "MicrosoftAppPassword or MicrosoftAppTenantId is set but MicrosoftAppId is empty: set all three, "
                "or none for local mode."
            )

        host = get("HOST", "127.0.0.1")
        if not app_id and not is_loopback(host):
            problems.append(
                f"HOST={host!r} is not a loopback address. Without MicrosoftAppId the bot has no authentication, "
                "so it only listens on 127.0.0.1 (anyone who could reach it could pretend to be any user)."
            )
        port = _parse_int(get("PORT", "3978"), "PORT", 1, 65535, problems)
        max_body = _parse_int(
            get("MAX_BODY_BYTES", str(256 * 1024)), "MAX_BODY_BYTES", 4096, 10 * 1024 * 1024, problems
        )

        timezone = get("TIMEZONE", "Europe/London")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"TIMEZONE={timezone!r} is not a known IANA time zone, e.g. Europe/London.")

        admin_ids = frozenset(a.strip().lower() for a in get("ADMIN_IDS").split(",") if a.strip())
        bad_admins = [a for a in admin_ids if not _GUID.match(a)]
        if bad_admins:
            problems.append(
                f"ADMIN_IDS must be Entra object ids (GUIDs), comma-separated; {len(bad_admins)} entry(ies) are not."
            )

        hosts = tuple(h.strip().lower() for h in get("SERVICE_URL_HOSTS").split(",") if h.strip())
        level = get("LOG_LEVEL", "INFO").upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            problems.append(f"LOG_LEVEL={level!r} must be DEBUG, INFO, WARNING or ERROR.")
        content_dir = get("CONTENT_DIR")
        data_keys = tuple(k.strip() for k in get("DATA_KEYS").split(",") if k.strip())
        for key in data_keys:
            try:
                from cryptography.fernet import Fernet

                Fernet(key.encode())
            except (ValueError, TypeError):
                problems.append(
                    "DATA_KEYS must be Fernet keys (44 characters, made with "
                    "`python -m bot.keys`), comma-separated, newest first."
                )
                break
        request_timeout = _parse_int(get("REQUEST_TIMEOUT_SECONDS", "15"), "REQUEST_TIMEOUT_SECONDS", 1, 120, problems)
        allow = get("ALLOW_PLACEHOLDERS", "0").lower()
        if allow not in ("0", "1", "true", "false", "yes", "no", ""):
            problems.append(f"ALLOW_PLACEHOLDERS={allow!r} must be 1 (a staging site) or 0.")
        public_url = get("PUBLIC_URL").rstrip("/")
        problem = public_url_problem(public_url, auth=bool(app_id))
        if problem:
            problems.append(problem)
        problems += [p for p in map(service_host_problem, hosts) if p]
        database_url = get("DATABASE_URL")
        if database_url and not database_url.startswith(("postgresql://", "postgres://")):
            problems.append(
                "DATABASE_URL must start with postgresql:// (leave it empty for the embedded TinyDB files)."
            )
        pool_size = _parse_int(get("DATABASE_POOL_SIZE", "10"), "DATABASE_POOL_SIZE", 2, 200, problems)
        send_per_second = _parse_int(get("SEND_PER_SECOND", "20"), "SEND_PER_SECOND", 1, 1000, problems)
        tick_seconds = _parse_int(get("TICK_SECONDS", "60"), "TICK_SECONDS", 1, 60, problems)
        graph_on = get("GRAPH_ENABLED", "0").lower()
        graph_url, login_url = get("GRAPH_URL", PUBLIC_GRAPH).rstrip("/"), get("LOGIN_URL", PUBLIC_LOGIN).rstrip("/")
        graph_per_second = _parse_int(get("GRAPH_PER_SECOND", "10"), "GRAPH_PER_SECOND", 1, 1000, problems)
        teams_app_id = get("TEAMS_APP_ID")
        problems += graph_problems(
            enabled=graph_on,
            graph_url=graph_url,
            login_url=login_url,
            per_second=graph_per_second,
            app_id=app_id,
            app_type=app_type,
            tenant_ok=bool(_GUID.match(tenant)),
            is_loopback=is_loopback,
        )
        if teams_app_id and not _GUID.match(teams_app_id):
            problems.append("TEAMS_APP_ID must be the Teams app's manifest id (a GUID), or empty for MicrosoftAppId.")
        if problems:
            raise ConfigError(problems)
        return cls(
            app_id=app_id,
            app_password=password,
            app_type=app_type,
            tenant_id=tenant,
            host=host,
            port=port,
            data_dir=Path(get("DATA_DIR", "./data")),
            timezone=timezone,
            admin_ids=admin_ids,
            content_dir=Path(content_dir) if content_dir else None,
            max_body_bytes=max_body,
            service_url_hosts=hosts or DEFAULT_SERVICE_URL_HOSTS,
            log_level=level,
            data_keys=data_keys,
            public_url=public_url,
            request_timeout=float(request_timeout),
            allow_placeholders=allow in ("1", "true", "yes"),
            database_url=database_url,
            database_pool_size=pool_size,
            send_per_second=send_per_second,
            tick_seconds=tick_seconds,
            graph_enabled=graph_on in ("1", "true", "yes"),
            graph_url=graph_url,
            login_url=login_url,
            graph_per_second=graph_per_second,
            teams_app_id=teams_app_id.lower(),
        )

    @property
    def data_location(self) -> str:
        """Where records live, fit to print (a database address without its password)."""
        if not self.database_url:
            return str(self.data_dir.resolve())
        parts = urlsplit(self.database_url)
        return f"PostgreSQL {parts.hostname or 'local socket'}{f':{parts.port}' if parts.port else ''}{parts.path}"


def public_url_problem(url: str, *, auth: bool) -> str | None:
    """Why PUBLIC_URL cannot carry workers' one-time download links, or None. Plain http is only for this
    machine (a host that is exactly localhost or a loopback address, never one that merely starts so);
    with authentication on, workers open the links from Teams, so an https address is required."""
    if not url:
        if auth:
            return (
                "PUBLIC_URL is empty: with authentication on, set it to the bot's public https:// address "
                "(workers' download links point there)."
            )
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        parts = None
    host = (parts.hostname or "") if parts else ""
    known_host = is_loopback(host) or bool(_HOST_NAME.match(host))
    scheme_ok = parts is not None and (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)))
    extras = parts is None or "@" in parts.netloc or bool(parts.query or parts.fragment)
    if not (scheme_ok and known_host) or extras or any(c.isspace() for c in url):
        return (
            f"PUBLIC_URL={url!r} is not a web address the bot can give out: use https://<the bot's host name> "
            "(http:// only for localhost or 127.0.0.1, without a user name, query or #)."
        )
    assert parts is not None
    if auth and parts.scheme != "https":
        return (
            f"PUBLIC_URL={url!r} must start with https:// when authentication is on: workers open their "
            "download links from Teams, not from this machine."
        )
    return None


_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$", re.I)


def service_host_problem(host: str) -> str | None:
    """Why an entry of SERVICE_URL_HOSTS would let replies go to hosts nobody vetted, or None. An entry also
    allows every host under it, so it must be a whole host name or a registrable domain, never a public
    suffix such as `net`, `co.uk` or `azurewebsites.net` (anyone can own a name under those); a loopback
    address is allowed, for tests."""
    if is_loopback(host):
        return None
    if not _HOST_NAME.match(host) or host.replace(".", "").isdigit():
        return f"SERVICE_URL_HOSTS entry {host!r} is not a host name: list host names like smba.trafficmanager.net."
    if _public_suffixes().is_public(host):
        return (
            f"SERVICE_URL_HOSTS entry {host!r} is a public suffix, so it would allow anyone's host under it: "
            "list whole host names like smba.trafficmanager.net."
        )
    return None


@lru_cache(maxsize=1)
def _public_suffixes() -> Any:
    """The Public Suffix List shipped with the `publicsuffixlist` package (read once, only when needed)."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def data_dir_problem(path: Path, exc: OSError) -> str:
    """DATA_DIR could not be taken as the data folder: which setting, why, and what to do, in one line."""
    where = f"DATA_DIR={str(path)!r}"
    if path.exists() and not path.is_dir():
        return f"{where} is a file, not a folder: set DATA_DIR to a folder (it is created if it does not exist)."
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return f"{where} cannot be created: part of that path is a file. Set DATA_DIR to a folder the bot can create."
    if exc.errno == errno.EROFS:
        return f"{where} is on a read-only file system: set DATA_DIR to a folder on a disk the bot can write."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"{where} cannot be created or written by this user: create it and give the bot's user write "
            "access, or set DATA_DIR to a folder it can write."
        )
    if exc.errno == errno.ENOSPC:
        return f"{where} is on a full disk: free some space, or set DATA_DIR to a folder on another disk."
    reason = exc.strerror or type(exc).__name__
    return f"{where} cannot be used ({reason}): set DATA_DIR to a folder the bot can create and write."


def listen_problem(host: str, port: int, exc: OSError) -> str | None:
    """Why the bot could not listen on HOST and PORT, naming the setting, in one line; None when the error
    is not about listening."""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"PORT={port} is already in use on {host} (another program, or another copy of the bot, listens "
            "there): stop it, or set PORT to a free port."
        )
    if exc.errno == errno.EACCES:
        return f"PORT={port} needs administrator rights (below 1024): set PORT to 1024 or above, behind a proxy."
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"HOST={host!r} is not an address of this machine: set HOST to one of its addresses, or 127.0.0.1."
    return None


def _parse_int(raw: str, name: str, low: int, high: int, problems: list[str]) -> int:
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name}={raw!r} must be a whole number from {low} to {high}.")
        return low
    if not low <= value <= high:
        problems.append(f"{name}={value} must be from {low} to {high}.")
    return value


PACKAGE_DEFAULTS = {
    "APP_VERSION": "1.0.0",
    "DEVELOPER_NAME": "Your NHS Trust",
    "WEBSITE_URL": "https://www.example.nhs.uk/peer-wellbeing",
    "PRIVACY_URL": "https://www.example.nhs.uk/peer-wellbeing/privacy",
    "TERMS_URL": "https://www.example.nhs.uk/peer-wellbeing/terms",
    "APP_NAME_SHORT": "Peer Wellbeing",
    "APP_NAME_FULL": "Peer Wellbeing: support for peer workers",
    "DESCRIPTION_SHORT": "Private check-ins, the peer working guide and support, for peer workers.",
    "DESCRIPTION_FULL": (
        "A private space for peer workers' own wellbeing: short check-ins at times you choose, the Good "
        "Practice Guide for Peer Working, supervision information and support contacts. Nothing is shared "
        "without your consent. Not a crisis service and not monitored: in an emergency call 999."
    ),
    "BOT_DOMAIN": "",
}


@dataclass(frozen=True)
class PackageSettings:
    """What `make package` fills into the Teams app manifest."""

    values: dict
    content_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> PackageSettings:
        """MicrosoftAppId is required; TEAMS_APP_ID defaults to it; everything else has a default."""
        problems = []
        app_id = (environ.get("MicrosoftAppId") or "").strip()
        if not _GUID.match(app_id):
            problems.append("MicrosoftAppId must be the Azure Bot's app id (a GUID) to build the Teams app package.")
        values = {k: (environ.get(k) or v).strip() for k, v in PACKAGE_DEFAULTS.items()}
        values["MicrosoftAppId"] = app_id
        values["TEAMS_APP_ID"] = (environ.get("TEAMS_APP_ID") or app_id).strip()
        if not values["BOT_DOMAIN"]:
            problems.append("BOT_DOMAIN must be the host name the bot is served from, e.g. wellbeing.example.nhs.uk.")
        if problems:
            raise ConfigError(problems)
        content_dir = (environ.get("CONTENT_DIR") or "").strip()
        return cls(values, Path(content_dir) if content_dir else None)
