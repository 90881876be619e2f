"""The Microsoft Graph settings (GRAPH_ENABLED, GRAPH_URL, LOGIN_URL, GRAPH_PER_SECOND), checked for
`bot/config.py`, which alone reads the environment.

Graph is off by default. Turned on, the bot's own app registration gets tokens from LOGIN_URL with its
client secret and sends them to GRAPH_URL, so both must be Microsoft's own addresses for the public or a
government cloud, or (for tests) a loopback address: a token or the secret must never go anywhere else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

PUBLIC_GRAPH = "https://graph.microsoft.com"
PUBLIC_LOGIN = "https://login.microsoftonline.com"
# Microsoft Graph and Entra sign-in for the public cloud, US Government L4 and L5 (DoD), and China (21Vianet).
GRAPH_HOSTS = ("graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn")
LOGIN_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn")
TEAMS_GRAPH_LIMIT = 30  # requests a second per app per tenant Microsoft documents for Teams' Graph calls


def cloud_url_problem(name: str, url: str, hosts: tuple[str, ...], is_loopback) -> str | None:
    """Why `url` cannot be where tokens or the secret go, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    host = (parts.hostname or "").lower() if parts else ""
    loopback = is_loopback(host)
    clean = parts is not None and not (parts.path.strip("/") or parts.query or parts.fragment or "@" in parts.netloc)
    if clean and loopback and parts is not None and parts.scheme in ("http", "https"):
        return None
    if clean and parts is not None and parts.scheme == "https" and host in hosts and parts.port in (None, 443):
        return None
    return (
        f"{name}={url!r} is not a Microsoft cloud address: use one of "
        + ", ".join(f"https://{h}" for h in hosts)
        + " (or a loopback address, for tests), with no path."
    )


def graph_problems(
    *,
    enabled: str,
    graph_url: str,
    login_url: str,
    per_second: int,
    app_id: str,
    app_type: str,
    tenant_ok: bool,
    is_loopback,
) -> list[str]:
    """Every problem with the Graph settings, one line each."""
    problems: list[str] = []
    if enabled not in ("", "0", "1", "true", "false", "yes", "no"):
        problems.append(f"GRAPH_ENABLED={enabled!r} must be 1 (reach people through Microsoft Graph) or 0.")
    on = enabled in ("1", "true", "yes")
    if on and not app_id:
        problems.append(
            "GRAPH_ENABLED=1 needs authentication on: set MicrosoftAppId, MicrosoftAppPassword and "
            "MicrosoftAppTenantId (Graph is called with the bot's own app registration)."
        )
    elif on and app_type == "UserAssignedMSI":
        problems.append(
            "GRAPH_ENABLED=1 needs a client secret (MicrosoftAppType SingleTenant): a managed identity is not "
            "supported for Graph yet."
        )
    elif on and not tenant_ok:
        problems.append("GRAPH_ENABLED=1 needs MicrosoftAppTenantId: your Entra tenant id (a GUID).")
    for name, url, hosts in (("GRAPH_URL", graph_url, GRAPH_HOSTS), ("LOGIN_URL", login_url, LOGIN_HOSTS)):
        problem = cloud_url_problem(name, url, hosts, is_loopback)
        if problem:
            problems.append(problem)
    if per_second > TEAMS_GRAPH_LIMIT:
        problems.append(
            f"GRAPH_PER_SECOND={per_second} is above the {TEAMS_GRAPH_LIMIT} a second Microsoft allows an app "
            "for Teams' Graph calls in one tenant: use 30 or less (10 is the default)."
        )
    return problems
