"""The signing keys published at one OpenID address, for the two token checks that need them: the Bot
Connector's token (bot/teams/tokens.py) and the content page's Teams sign-in (bot/admin/sso.py).

Fetched with aiohttp and a timeout, one fetch at a time per address, never on a thread pool; after a
failed fetch, requests needing the keys are refused at once for a minute, and a key id nobody has seen
makes at most one new fetch an hour, so a flood of forged tokens costs no network at all."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import jwt

KEY_FETCH_TIMEOUT = 10.0  # seconds for the OpenID document and the keys together
RETRY_AFTER_FAILURE = 60.0  # seconds before a failed key fetch is tried again
REFRESH_EVERY = 24 * 3600.0  # keys are fetched again daily
UNKNOWN_KEY_REFRESH = 3600.0  # an unknown key id makes at most one new fetch an hour


class SigningKeys:
    """The JWKs at `metadata_url`'s `jwks_uri`, by key id. A failed fetch is logged as `event` on `log`."""

    def __init__(
        self,
        metadata_url: str,
        log: logging.Logger,
        event: str,
        *,
        timeout: float = KEY_FETCH_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.metadata_url = metadata_url
        self._log, self._event, self._timeout = log, event, timeout
        self._monotonic = monotonic
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._retry_at = 0.0
        self._lock = asyncio.Lock()
        self._public: dict[str, tuple[dict[str, Any], Any]] = {}

    def public_key(self, key_id: str, jwk: dict[str, Any]) -> Any:
        """The JWK as a key object, made once per key (making one costs more than checking a signature)."""
        made = self._public.get(key_id)
        if made is None or made[0] is not jwk:
            made = self._public[key_id] = (jwk, jwt.PyJWK(jwk).key)
        return made[1]

    async def get(self, key_id: str) -> dict[str, Any] | None:
        """The JWK with this id, or None (after at most one fetch, shared with every waiting request)."""
        now = self._monotonic()
        if self._fetched_at is None or now - self._fetched_at > REFRESH_EVERY:
            await self._refresh()
        key = self._keys.get(key_id)
        if key is None and self._fetched_at is not None and now - self._fetched_at > UNKNOWN_KEY_REFRESH:
            await self._refresh()  # the keys may have rolled: look again, at most hourly
            key = self._keys.get(key_id)
        return key

    async def _refresh(self) -> None:
        if self._monotonic() < self._retry_at:
            return
        started = self._fetched_at
        async with self._lock:
            if self._fetched_at != started or self._monotonic() < self._retry_at:
                return  # another request fetched them (or failed to) while this one waited
            try:
                timeout = aiohttp.ClientTimeout(total=self._timeout)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.get(self.metadata_url) as response:
                        response.raise_for_status()
                        keys_url = (await response.json(content_type=None))["jwks_uri"]
                    if not isinstance(keys_url, str) or not keys_url.startswith(("https://", "http://")):
                        raise ValueError("jwks_uri")
                    async with session.get(keys_url) as response:
                        response.raise_for_status()
                        keys = (await response.json(content_type=None))["keys"]
                self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
                self._fetched_at = self._monotonic()
            except (TimeoutError, aiohttp.ClientError, KeyError, TypeError, ValueError) as exc:
                self._retry_at = self._monotonic() + RETRY_AFTER_FAILURE
                self._log.warning("%s error=%s", self._event, type(exc).__name__)
