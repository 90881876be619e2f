"""Child process for the rollout kill test: the real app (`create_app`) with authentication on, checked
against a loopback OpenID document, Microsoft Graph at a loopback fake and the Bot Connector at another.
Usage: graph_bot.py DATA_DIR PORT OPENID_URL GRAPH_URL ADMIN_AAD. Prints "listening" once it serves."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web
from botframework.connector.auth import ChannelValidation

from app import configure_logging, create_app
from bot.config import Settings
from bot.teams.messenger import SendLimits
from tests.teams import TENANT
from tests.test_auth import APP_ID, CountingCredentials


def main(data_dir: str, port: str, openid: str, graph: str, admin: str) -> None:
    ChannelValidation.open_id_metadata_endpoint = openid
    settings = Settings(
        app_id=APP_ID,
        app_password="secret",
        tenant_id=TENANT,
        data_dir=Path(data_dir),
        port=int(port),
        allow_placeholders=True,
        service_url_hosts=("127.0.0.1",),
        admin_ids=frozenset({admin}),
        graph_enabled=True,
        graph_url=graph,
        login_url=graph,
        graph_per_second=200,  # loopback: the pace is not what this test is about (bench/graph_rollout.py is)
        log_level="WARNING",
    )
    configure_logging("WARNING")
    app = create_app(settings, credentials=CountingCredentials(), watch_content=False, send_limits=SendLimits(100))
    web.run_app(app, host="127.0.0.1", port=int(port), print=lambda _banner: print("listening", flush=True))


if __name__ == "__main__":
    main(*sys.argv[1:6])
