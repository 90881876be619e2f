"""Who is using the content page: the Teams single sign-on token, checked here.

Inside Teams the page asks Teams for a token (`authentication.getAuthToken` in @microsoft/teams-js).
Entra ID issues it for the app's API (`api://BOT_DOMAIN/APP_ID`, the `access_as_user` scope that
docs/deployment.md says how to expose) and the page sends it with every request. It is accepted only when:

- it is signed with one of the tenant's Entra signing keys (RS256), fetched from the tenant's OpenID
  document with aiohttp and a timeout, one fetch at a time, never again for a minute after a failure and
  at most hourly for a key id it does not know (so forged tokens cost no network);
- its issuer is the tenant's (v2.0 `https://login.microsoftonline.com/<tenant>/v2.0`, or v1.0
  `https://sts.windows.net/<tenant>/`) and its `tid` is MicrosoftAppTenantId;
- its audience is the app's API: `api://BOT_DOMAIN/APP_ID` (v1.0 tokens), or the app id itself (v2.0
  tokens, which name the API by its client id);
- it has not expired (and is not yet to be used), within a minute of clock skew;
- it was issued to a person for the `access_as_user` scope (a delegated token, not an app's own);
- it names the person by an Entra object id (`oid`).

Whether that person may see and change content (ADMIN_IDS) is the caller's decision. Any failure raises
`Unauthorized` with a short reason for the log, never the token or its claims.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import jwt

from .. import signing_keys
from ..signing_keys import SigningKeys

log = logging.getLogger("bot.admin")

SCOPE = "access_as_user"
ALGORITHMS = ["RS256"]  # what Entra signs access tokens with; never HMAC or "none"
CLOCK_SKEW_SECONDS = 60
KEY_FETCH_TIMEOUT = signing_keys.KEY_FETCH_TIMEOUT  # read when a validator is made (tests shorten it)
MAX_TOKEN = 16 * 1024  # characters; an Entra access token is a few thousand
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def openid_metadata(tenant: str) -> str:
    """The tenant's OpenID document (its keys sign both v1.0 and v2.0 tokens)."""
    return f"https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"


class Unauthorized(Exception):
    """The request carries no valid token for this app's API."""


@dataclass(frozen=True)
class Person:
    """Who signed in: their Entra object id and the name Entra gives (for "approved by")."""

    object_id: str
    name: str


class TeamsSignIn:
    """Checks the bearer token the content page sends (see the module's docstring)."""

    def __init__(self, app_id: str, tenant_id: str, domain: str, metadata_url: str | None = None):
        self.app_id = app_id
        self.tenant_id = tenant_id.lower()
        self.resource = f"api://{domain}/{app_id}"  # the manifest's webApplicationInfo.resource
        self.audiences = [self.resource, app_id]
        self.issuers = [
            f"https://login.microsoftonline.com/{self.tenant_id}/v2.0",
            f"https://sts.windows.net/{self.tenant_id}/",
        ]
        self.keys = SigningKeys(
            metadata_url or openid_metadata(self.tenant_id), log, "entra_keys_unavailable", timeout=KEY_FETCH_TIMEOUT
        )

    async def person(self, auth_header: str) -> Person:
        """Who the token names, or Unauthorized."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token or " " in token or len(token) > MAX_TOKEN:
            raise Unauthorized("no_bearer_token")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthorized("malformed_token") from exc
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("algorithm_not_allowed")
        if unverified.get("iss") not in self.issuers:
            raise Unauthorized("issuer_not_accepted")  # another tenant, or not Entra: no key is fetched
        key_id = header.get("kid")
        if not isinstance(key_id, str) or not key_id:
            raise Unauthorized("no_key_id")
        jwk = await self.keys.get(key_id)
        if jwk is None:
            raise Unauthorized("unknown_signing_key")
        try:
            claims = jwt.decode(
                token,
                key=jwt.PyJWK(jwk).key,
                algorithms=ALGORITHMS,
                audience=self.audiences,
                issuer=self.issuers,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud", "tid", "oid"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthorized(type(exc).__name__) from exc
        if str(claims.get("tid", "")).lower() != self.tenant_id:
            raise Unauthorized("other_tenant")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or SCOPE not in scopes.split():
            raise Unauthorized("not_the_page_scope")  # an app's own token, or one for another purpose
        object_id = claims.get("oid")
        if not isinstance(object_id, str) or not _GUID.match(object_id):
            raise Unauthorized("no_object_id")
        name = claims.get("name") or claims.get("preferred_username") or ""
        return Person(object_id.lower(), str(name)[:200] if isinstance(name, str) else "")
