"""Settings: read from the environment once, validated, then frozen."""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

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
# Microsoft Graph and Entra sign-in (GRAPH_URL, LOGIN_URL) for the public cloud, US Government L4 and L5
# (DoD), and China (21Vianet). With GRAPH_ENABLED=1 the bot's client secret goes to LOGIN_URL and its
# tokens to GRAPH_URL, so each must be one of these (or, for tests, a loopback address): never elsewhere.
PUBLIC_GRAPH = "https://graph.microsoft.com"
PUBLIC_LOGIN = "https://login.microsoftonline.com"
GRAPH_HOSTS = ("graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn")
LOGIN_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn")
TEAMS_GRAPH_LIMIT = 30  # requests a second per app per tenant Microsoft documents for Teams' Graph calls

# Which SDK runs the Teams channel (BOT_SDK): the Bot Framework SDK or the Microsoft 365 Agents SDK.
BOT_SDKS = ("botbuilder", "agents")
BotSdk = Literal["botbuilder", "agents"]


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


def _whole(name: str, low: int, high: int) -> Callable[[Any], int]:
    """A validator for a whole number from `low` to `high`, whose message names the variable."""

    def check(raw: Any) -> int:
        try:
            value = int(raw) if isinstance(raw, int | float) else int(str(raw).strip())
        except ValueError:
            raise ValueError(f"{name}={str(raw).strip()!r} must be a whole number from {low} to {high}.") from None
        if not low <= value <= high:
            raise ValueError(f"{name}={value} must be from {low} to {high}.")
        return value

    return check


def _items(raw: Any) -> tuple[str, ...]:
    """A comma-separated variable (or a collection given directly) as its non-empty items."""
    parts = raw.split(",") if isinstance(raw, str) else raw
    return tuple(p.strip() for p in parts if p.strip())


# The Microsoft 365 Agents SDK's own names for the same three credentials: accepted as well, so a site set
# up from the Agents SDK's samples renames nothing. The MicrosoftApp* name is read first; the two must agree.
AGENTS_SDK_NAMES = {
    "MicrosoftAppId": "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID",
    "MicrosoftAppPassword": "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET",
    "MicrosoftAppTenantId": "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID",
}


class Settings(BaseSettings):
    """Everything the bot is configured with. Only `from_env` reads the environment; each field is read from
    the variable in its `_env(...)`, and a bad value is refused with a message that names that variable."""

    model_config = SettingsConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, case_sensitive=True, extra="ignore"
    )

    # Credentials first: the checks of later settings depend on whether authentication is on.
    app_type: str = Field("SingleTenant", validation_alias=AliasChoices("MicrosoftAppType"))
    app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId", AGENTS_SDK_NAMES["MicrosoftAppId"]))
    app_password: str = Field(
        "",
        validation_alias=AliasChoices("MicrosoftAppPassword", AGENTS_SDK_NAMES["MicrosoftAppPassword"]),
        repr=False,
    )
    tenant_id: str = Field(
        "", validation_alias=AliasChoices("MicrosoftAppTenantId", AGENTS_SDK_NAMES["MicrosoftAppTenantId"])
    )
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("HOST"))
    port: int = Field(3978, validation_alias=AliasChoices("PORT"))
    data_dir: Path = Field(Path("./data"), validation_alias=AliasChoices("DATA_DIR"))
    timezone: str = Field("Europe/London", validation_alias=AliasChoices("TIMEZONE"))
    admin_ids: Annotated[frozenset[str], NoDecode] = Field(frozenset(), validation_alias=AliasChoices("ADMIN_IDS"))
    content_dir: Path | None = Field(None, validation_alias=AliasChoices("CONTENT_DIR"))
    max_body_bytes: int = Field(256 * 1024, validation_alias=AliasChoices("MAX_BODY_BYTES"))
    service_url_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        DEFAULT_SERVICE_URL_HOSTS, validation_alias=AliasChoices("SERVICE_URL_HOSTS")
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    data_keys: Annotated[tuple[str, ...], NoDecode] = Field((), validation_alias=AliasChoices("DATA_KEYS"), repr=False)
    public_url: str = Field("", validation_alias=AliasChoices("PUBLIC_URL"))
    # Seconds a client may take to send a request's headers or body.
    request_timeout: float = Field(15.0, validation_alias=AliasChoices("REQUEST_TIMEOUT_SECONDS"))
    # A staging site may run with placeholder content (ALLOW_PLACEHOLDERS=1).
    allow_placeholders: bool = Field(False, validation_alias=AliasChoices("ALLOW_PLACEHOLDERS"))
    # postgresql://…: PostgreSQL instead of DATA_DIR.
    database_url: str = Field("", validation_alias=AliasChoices("DATABASE_URL"), repr=False)
    # Connections per process for records (and as many again for chat locks).
    database_pool_size: int = Field(10, validation_alias=AliasChoices("DATABASE_POOL_SIZE"))
    # Proactive sends per tenant per second, shared by every process (Teams allows ~50).
    send_per_second: int = Field(20, validation_alias=AliasChoices("SEND_PER_SECOND"))
    # How often the timed work runs; lower only for trials (docs/deployment.md).
    tick_seconds: int = Field(60, validation_alias=AliasChoices("TICK_SECONDS"))
    # Which SDK runs the Teams channel; both read the same MicrosoftApp* settings (docs/deployment.md).
    bot_sdk: BotSdk = Field("botbuilder", validation_alias=AliasChoices("BOT_SDK"))
    # Microsoft Graph (off by default): name anyone by work email, `admin install GROUP-ID`
    # (bot/teams/graph.py, docs/deployment.md). Last: its checks read the credentials above.
    graph_enabled: bool = Field(False, validation_alias=AliasChoices("GRAPH_ENABLED"))
    graph_url: str = Field(PUBLIC_GRAPH, validation_alias=AliasChoices("GRAPH_URL"))
    login_url: str = Field(PUBLIC_LOGIN, validation_alias=AliasChoices("LOGIN_URL"))
    # Graph calls a second for the tenant, shared by every process.
    graph_per_second: int = Field(10, validation_alias=AliasChoices("GRAPH_PER_SECOND"))
    # The Teams app's manifest id, when it is not the bot's app id (as for `make package`).
    teams_app_id: str = Field("", validation_alias=AliasChoices("TEAMS_APP_ID"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Built directly (tests, tools), settings are what was given: only `from_env` reads variables."""
        return (init_settings,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping, or raise ConfigError naming every bad setting."""
        clashes = [
            f"{ours} and {theirs} are both set, to different values: set one of them."
            for ours, theirs in AGENTS_SDK_NAMES.items()
            if environ.get(ours, "").strip() and environ.get(theirs, "").strip()
            if environ[ours].strip() != environ[theirs].strip()
        ]
        if clashes:
            raise ConfigError(clashes)
        values = _Environment(cls, environ)()
        checking = _FROM_ENVIRONMENT.set(True)
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError([_problem(e) for e in exc.errors()]) from None
        finally:
            _FROM_ENVIRONMENT.reset(checking)

    @field_validator("*", mode="before")
    @classmethod
    def _stripped(cls, raw: Any) -> Any:
        return raw.strip() if isinstance(raw, str) else raw

    @field_validator("app_type", mode="before")
    @classmethod
    def _app_type(cls, raw: Any) -> str:
        app_type = APP_TYPES.get(str(raw).lower())
        if app_type is None:
            raise ValueError(f"MicrosoftAppType={raw!r} is not one of SingleTenant, MultiTenant, UserAssignedMSI.")
        return app_type

    @field_validator("app_id")
    @classmethod
    def _app_id(cls, app_id: str) -> str:
        if app_id and not _GUID.match(app_id):
            raise ValueError(
                "MicrosoftAppId must be the Azure Bot's app id, a GUID like 00000000-0000-0000-0000-000000000000."
            )
        return app_id

    @field_validator("app_password")
    @classmethod
    def _app_password(cls, password: str, info: ValidationInfo) -> str:
        if _from_environment(info) and _auth(info) and _app_type(info) != "UserAssignedMSI" and not password:
            raise ValueError("MicrosoftAppPassword is empty: set the client secret of the app registration.")
        return password

    @field_validator("tenant_id")
    @classmethod
    def _tenant_id(cls, tenant: str, info: ValidationInfo) -> str:
        if not _from_environment(info):
            return tenant
        app_type = _app_type(info)
        if _auth(info) and app_type in ("SingleTenant", "UserAssignedMSI") and not _GUID.match(tenant):
            raise ValueError(
                f"MicrosoftAppTenantId must be your Entra tenant id (a GUID) when MicrosoftAppType is {app_type}."
            )
        if not _auth(info) and (tenant or info.data.get("app_password")):
            raise ValueError(
                "MicrosoftAppPassword or MicrosoftAppTenantId is set but MicrosoftAppId is empty: set all three, "
                "or none for local mode."
            )
        return tenant

    @field_validator("host")
    @classmethod
    def _host(cls, host: str, info: ValidationInfo) -> str:
        if _from_environment(info) and not _auth(info) and not is_loopback(host):
            raise ValueError(
                f"HOST={host!r} is not a loopback address. Without MicrosoftAppId the bot has no authentication, "
                "so it only listens on 127.0.0.1 (anyone who could reach it could pretend to be any user)."
            )
        return host

    _port = field_validator("port", mode="before")(_whole("PORT", 1, 65535))
    _max_body = field_validator("max_body_bytes", mode="before")(_whole("MAX_BODY_BYTES", 4096, 10 * 1024 * 1024))
    _timeout = field_validator("request_timeout", mode="before")(_whole("REQUEST_TIMEOUT_SECONDS", 1, 120))
    _pool = field_validator("database_pool_size", mode="before")(_whole("DATABASE_POOL_SIZE", 2, 200))
    _pace = field_validator("send_per_second", mode="before")(_whole("SEND_PER_SECOND", 1, 1000))
    _tick = field_validator("tick_seconds", mode="before")(_whole("TICK_SECONDS", 1, 60))

    @field_validator("bot_sdk", mode="before")
    @classmethod
    def _bot_sdk(cls, raw: Any) -> str:
        sdk = str(raw).strip().lower()
        if sdk not in BOT_SDKS:
            raise ValueError(
                f"BOT_SDK={str(raw).strip()!r} must be botbuilder (the Bot Framework SDK) or agents (the Microsoft "
                "365 Agents SDK); both use the same MicrosoftApp* settings."
            )
        return sdk

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, timezone: str) -> str:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"TIMEZONE={timezone!r} is not a known IANA time zone, e.g. Europe/London.") from None
        return timezone

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, raw: Any) -> frozenset[str]:
        admin_ids = frozenset(a.lower() for a in _items(raw))
        bad = [a for a in admin_ids if not _GUID.match(a)]
        if bad:
            raise ValueError(
                f"ADMIN_IDS must be Entra object ids (GUIDs), comma-separated; {len(bad)} entry(ies) are not."
            )
        return admin_ids

    @field_validator("service_url_hosts", mode="before")
    @classmethod
    def _service_url_hosts(cls, raw: Any) -> tuple[str, ...]:
        hosts = tuple(h.lower() for h in _items(raw))
        problems = [p for p in map(service_host_problem, hosts) if p]
        if problems:
            raise ValueError(" ".join(problems))
        return hosts or DEFAULT_SERVICE_URL_HOSTS

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, raw: Any) -> str:
        level = str(raw).upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError(f"LOG_LEVEL={level!r} must be DEBUG, INFO, WARNING or ERROR.")
        return level

    @field_validator("data_keys", mode="before")
    @classmethod
    def _data_keys(cls, raw: Any) -> tuple[str, ...]:
        from cryptography.fernet import Fernet

        keys = _items(raw)
        for key in keys:
            try:
                Fernet(key.encode())
            except (ValueError, TypeError):
                raise ValueError(
                    "DATA_KEYS must be Fernet keys (44 characters, made with "
                    "`python -m bot keys`), comma-separated, newest first."
                ) from None
        return keys

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, raw: str, info: ValidationInfo) -> str:
        url = raw.rstrip("/")
        problem = public_url_problem(url, auth=_auth(info)) if _from_environment(info) else None
        if problem:
            raise ValueError(problem)
        return url

    @field_validator("allow_placeholders", mode="before")
    @classmethod
    def _allow_placeholders(cls, raw: Any) -> bool:
        allow = str(raw).lower()
        if allow not in ("0", "1", "true", "false", "yes", "no", ""):
            raise ValueError(f"ALLOW_PLACEHOLDERS={allow!r} must be 1 (a staging site) or 0.")
        return allow in ("1", "true", "yes")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, url: str) -> str:
        if url and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "DATABASE_URL must start with postgresql:// (leave it empty for the embedded TinyDB files)."
            )
        return url

    @field_validator("graph_enabled", mode="before")
    @classmethod
    def _graph_enabled(cls, raw: Any, info: ValidationInfo) -> bool:
        value = str(raw).lower()
        if value not in ("0", "1", "true", "false", "yes", "no", ""):
            raise ValueError(f"GRAPH_ENABLED={value!r} must be 1 (reach people through Microsoft Graph) or 0.")
        on = value in ("1", "true", "yes")
        if on and _from_environment(info):
            problem = _graph_credentials_problem(info)
            if problem:
                raise ValueError(problem)
        return on

    @field_validator("graph_url", mode="before")
    @classmethod
    def _graph_url(cls, raw: Any) -> str:
        return _cloud_url("GRAPH_URL", str(raw), GRAPH_HOSTS)

    @field_validator("login_url", mode="before")
    @classmethod
    def _login_url(cls, raw: Any) -> str:
        return _cloud_url("LOGIN_URL", str(raw), LOGIN_HOSTS)

    @field_validator("graph_per_second", mode="before")
    @classmethod
    def _graph_per_second(cls, raw: Any, info: ValidationInfo) -> int:
        value = _whole("GRAPH_PER_SECOND", 1, 1000)(raw)
        if value > TEAMS_GRAPH_LIMIT and _from_environment(info):  # a loopback fake in tests may go faster
            raise ValueError(
                f"GRAPH_PER_SECOND={value} is above the {TEAMS_GRAPH_LIMIT} a second Microsoft allows an app for "
                "Teams' Graph calls in one tenant: use 30 or less (10 is the default)."
            )
        return value

    @field_validator("teams_app_id")
    @classmethod
    def _teams_app_id(cls, raw: str) -> str:
        if raw and not _GUID.match(raw):
            raise ValueError("TEAMS_APP_ID must be the Teams app's manifest id (a GUID), or empty for MicrosoftAppId.")
        return raw.lower()

    @property
    def manifest_id(self) -> str:
        """The Teams app's manifest id: TEAMS_APP_ID, or the bot's app id (as `make package` writes it)."""
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

    @property
    def data_location(self) -> str:
        """Where records live, fit to print (a database address without its password)."""
        if not self.database_url:
            return str(self.data_dir.resolve())
        parts = urlsplit(self.database_url)
        return f"PostgreSQL {parts.hostname or 'local socket'}{f':{parts.port}' if parts.port else ''}{parts.path}"


# Checks between settings (credentials complete, loopback without them, an https PUBLIC_URL with them) are
# what a real start needs; settings built directly in tests and tools skip them. (A context variable:
# pydantic-settings builds through __init__, which takes no validation context.)
_FROM_ENVIRONMENT: ContextVar[bool] = ContextVar("settings_from_environment", default=False)


def _from_environment(_info: ValidationInfo) -> bool:
    return _FROM_ENVIRONMENT.get()


def _auth(info: ValidationInfo) -> bool:
    """Whether an app id was given; one that failed its own check was given (empty is always valid)."""
    return info.data.get("app_id", "not valid") != ""


def _app_type(info: ValidationInfo) -> str:
    return info.data.get("app_type", "SingleTenant")


def _graph_credentials_problem(info: ValidationInfo) -> str | None:
    """Graph is called with the bot's own app registration: its id, a client secret and its tenant."""
    if not _auth(info):
        return (
            "GRAPH_ENABLED=1 needs authentication on: set MicrosoftAppId, MicrosoftAppPassword and "
            "MicrosoftAppTenantId (Graph is called with the bot's own app registration)."
        )
    if _app_type(info) == "UserAssignedMSI":
        return (
            "GRAPH_ENABLED=1 needs a client secret (MicrosoftAppType SingleTenant): a managed identity is not "
            "supported for Graph yet."
        )
    if "tenant_id" in info.data and not _GUID.match(info.data["tenant_id"]):
        return "GRAPH_ENABLED=1 needs MicrosoftAppTenantId: your Entra tenant id (a GUID)."
    return None  # a tenant id that failed its own check is named by that check


def _cloud_url(name: str, raw: str, hosts: tuple[str, ...]) -> str:
    """`raw` without a trailing slash, if it is one of Microsoft's own addresses for Graph or sign-in (or a
    loopback address, for tests), with no path, user, query or fragment: a token or the secret goes there."""
    url = raw.rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    host = (parts.hostname or "").lower() if parts else ""
    clean = parts is not None and not (parts.path.strip("/") or parts.query or parts.fragment or "@" in parts.netloc)
    if clean and parts is not None and parts.scheme in ("http", "https") and is_loopback(host):
        return url
    if clean and parts is not None and parts.scheme == "https" and host in hosts and parts.port in (None, 443):
        return url
    raise ValueError(
        f"{name}={raw!r} is not a Microsoft cloud address: use one of "
        + ", ".join(f"https://{h}" for h in hosts)
        + " (or a loopback address, for tests), with no path."
    )


def _problem(error: Any) -> str:
    """One line naming the setting: each validator's own message (pydantic prefixes "Value error, ")."""
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "value_error":
        return message
    name = error["loc"][0] if error["loc"] else "a setting"
    return f"{name}={error.get('input')!r}: {message}."


class _Environment(EnvSettingsSource):
    """The variables in the mapping given to `from_env` (not necessarily os.environ); empty means unset."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        self._given = environ
        super().__init__(settings_cls, case_sensitive=True, env_ignore_empty=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name: value for name, value in self._given.items() if value.strip()}


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
