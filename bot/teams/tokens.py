"""Who may post activities to the bot: the Bot Connector's signed token, checked by the project's own code.

Both channels (BotBuilder and the Microsoft 365 Agents SDK) call `TokenValidator.validate` before a turn,
so a token is accepted or refused the same way whichever SDK runs. It does what the SDKs' own channel
validation does (PyJWT, the Bot Framework's published signing keys) without their faults:

- the signing keys are fetched with aiohttp and a timeout, one fetch at a time per address, never on a
  thread pool (botbuilder 4.17 used a blocking `requests.get` with no timeout on the event loop; the Agents
  SDK 1.9 runs PyJWT's urllib client on the shared default thread pool, 30 s per try, and fetches again
  for every token whose key id it does not know);
- after a failed fetch, requests needing the keys are refused at once for a minute, and an unknown key id
  makes at most one new fetch an hour, so a flood of forged tokens costs no network at all;
- only the Bot Connector's own issuer is accepted (Teams sends nothing else): emulator, skill, government
  and Entra tokens are refused before any key is fetched (the Agents SDK checks issuers only on request);
- the key must be endorsed for the activity's channel, and the token's `serviceurl` claim must be the
  activity's serviceUrl, exactly (as botbuilder's ChannelValidation required).

Any failure raises `Unauthorized` with a short reason for the log (never the token or its claims).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from typing import Any

import jwt

from .. import signing_keys
from ..signing_keys import SigningKeys

log = logging.getLogger("bot.channel")

# The Bot Connector service's OpenID document (public cloud), as both SDKs use it. Tests point it at
# loopback (tests/test_auth.py) before a channel is made.
CHANNEL_OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
CHANNEL_ISSUER = "https://api.botframework.com"
ALGORITHMS = ["RS256", "RS384", "RS512"]  # what the Bot Framework may sign with; never HMAC or "none"
CLOCK_SKEW_SECONDS = 300  # as both SDKs allow
KEY_FETCH_TIMEOUT = signing_keys.KEY_FETCH_TIMEOUT  # read when a validator is made (tests shorten it)
MAX_TOKEN = 8192  # characters; the Bot Connector's tokens are about 1,500


class Unauthorized(Exception):
    """The request did not prove it came from the Bot Connector service for this bot."""


def _peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A JWT's header and claims, unverified, or Unauthorized: only to route it (issuer, key id)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Unauthorized("malformed_token")
    try:
        header, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[:2])
    except (ValueError, TypeError, binascii.Error) as exc:
        raise Unauthorized("malformed_token") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Unauthorized("malformed_token")
    return header, claims


class TokenValidator:
    """Checks the Authorization header of one request from the Bot Connector service."""

    def __init__(self, app_id: str, metadata_url: str | None = None):
        self.app_id = app_id
        self.keys = SigningKeys(
            metadata_url or CHANNEL_OPENID_METADATA, log, "openid_keys_unavailable", timeout=KEY_FETCH_TIMEOUT
        )

    async def validate(self, auth_header: str, channel_id: str, service_url: str) -> dict[str, Any]:
        """The token's claims, or Unauthorized."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token or " " in token or len(token) > MAX_TOKEN:
            raise Unauthorized("no_bearer_token")
        header, unverified = _peek(token)  # cheap: a stranger's token costs no signature work
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("algorithm_not_allowed")
        if unverified.get("iss") != CHANNEL_ISSUER:
            raise Unauthorized("issuer_not_accepted")  # before any key is fetched
        key_id = header.get("kid")
        if not isinstance(key_id, str) or not key_id:
            raise Unauthorized("no_key_id")
        jwk = await self.keys.get(key_id)
        if jwk is None:
            raise Unauthorized("unknown_signing_key")
        endorsements = jwk.get("endorsements")
        if endorsements and channel_id not in endorsements:
            raise Unauthorized("key_not_endorsed_for_channel")
        await asyncio.sleep(0)  # a signature check is the costly part: let the loop turn before it
        try:
            key = self.keys.public_key(key_id, jwk)
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.app_id,
                issuer=CHANNEL_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthorized(type(exc).__name__) from exc
        if claims.get("serviceurl") != service_url:
            raise Unauthorized("service_url_claim_mismatch")
        return claims
