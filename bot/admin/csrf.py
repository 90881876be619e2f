"""The content page's defence against cross-site request forgery, on every request that changes anything.

Three checks, each enough alone against a page on another site, together against mistakes:
- a token the page got from the bot when it opened, bound to the signed-in person and valid for eight
  hours, sent in the `X-CSRF-Token` header (HMAC-SHA256 with a secret every instance shares: it lives in
  the bot's store);
- the request's `Origin` (when the browser sends one) is the bot's own, and `Sec-Fetch-Site` (when sent)
  is not `cross-site`;
- the body is `application/json`, which another site's form cannot send and its script cannot send
  here without a CORS preflight, which this server never answers.
In local mode (no sign-in, loopback only) these are the whole defence: any web page the admin has open
could otherwise post to http://127.0.0.1:3978.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

HEADER = "X-CSRF-Token"
LIFETIME_SECONDS = 8 * 3600
SECRET_DOCUMENT = "system/admin_page"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class CsrfTokens:
    def __init__(self, secret: str, clock: Callable[[], float] = time.time):
        self._key = secret.encode()
        self._clock = clock

    def issue(self, subject: str) -> str:
        """A token for the person `subject` (their Entra object id, or "local")."""
        issued = str(int(self._clock()))
        return f"{issued}.{self._mac(subject, issued)}"

    def valid(self, token: str, subject: str) -> bool:
        issued, _, mac = (token or "").partition(".")
        if not issued.isdigit() or len(token) > 200:
            return False
        age = self._clock() - int(issued)
        return 0 <= age <= LIFETIME_SECONDS and hmac.compare_digest(mac, self._mac(subject, issued))

    def _mac(self, subject: str, issued: str) -> str:
        digest = hmac.new(self._key, f"{subject}|{issued}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def secret_from(data: dict[str, Any]) -> str:
    """The shared secret in the store's document, made on first use (inside an atomic write)."""
    table = data.setdefault("csrf", {})
    if "1" not in table:
        table["1"] = {"secret": new_secret()}
    return str(table["1"]["secret"])


def cross_site(origin: str | None, fetch_site: str | None, own_origins: set[str]) -> bool:
    """True when the browser says the request comes from another site."""
    if fetch_site is not None and fetch_site.lower() == "cross-site":
        return True
    return origin is not None and origin.lower().rstrip("/") not in own_origins
