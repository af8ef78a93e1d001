"""OIDC Back-Channel Logout 1.0: logout tokens delivered to the clients of a sign-in that ended.

The notices are queued in the transaction that ends the sign-in (repo.queue_logout_notices) and sent here,
by a job, after commit. A client that is down gets the notice later (retries with growing waits); one that
refuses it (4xx: it judged the token and said no) is not asked again. Each notice's id is the token's jti,
so a client can drop the rare repeat (a sender that died after sending but before recording it).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

import httpx

from backend.features.identity import jose, keys, repo
from backend.features.identity.oidc import BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TYP
from backend.lib.clock import Clock
from backend.settings import Settings

logger = logging.getLogger("mattran.identity.backchannel")

TOKEN_SECONDS = 120
# A claimed notice is not due again for this long: the longest a send may take, with margin.
LEASE = timedelta(minutes=2)
BATCH = 20
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)


def retry_wait(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... at most 2 h: about a day of tries in all before giving up."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def logout_token_claims(settings: Settings, notice: Any, issued_at: int) -> dict[str, Any]:
    return {
        "iss": settings.issuer,
        "aud": notice["client"],
        "sub": notice["subject"],
        "sid": notice["sid"],
        "iat": issued_at,
        "exp": issued_at + TOKEN_SECONDS,
        "jti": uuid.UUID(str(notice["id"])).hex,
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }


class BackchannelSender:
    def __init__(self, settings: Settings, clock: Clock, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.clock = clock
        self.http = http

    async def drain(self) -> int:
        """Send every due notice; returns how many were delivered."""
        delivered = 0
        while notices := await repo.claim_due_logout_notices(self.clock.now(), self.clock.now() + LEASE, BATCH):
            outcomes = await asyncio.gather(*(self._send(notice) for notice in notices))
            delivered += sum(outcomes)
        return delivered

    async def _send(self, notice: Any) -> bool:
        key_set = await keys.key_set()
        claims = logout_token_claims(self.settings, notice, int(self.clock.now().timestamp()))
        signing_pem = key_set.signing_pem(self.settings.sealer)
        token = jose.sign(claims, private_pem=signing_pem, kid=key_set.active_kid, typ=LOGOUT_TOKEN_TYP)
        try:
            response = await self.http.post(notice["uri"], data={"logout_token": token})
        except httpx.HTTPError as error:
            return await self._failed(notice, repr(error), retry=True)
        if response.status_code < 300:
            await repo.settle_logout_notice(notice["id"], "sent", self.clock.now(), None)
            return True
        retry = response.status_code >= 500 or response.status_code in (408, 429)
        return await self._failed(notice, f"HTTP {response.status_code}", retry=retry)

    async def _failed(self, notice: Any, error: str, *, retry: bool) -> bool:
        now = self.clock.now()
        if retry and notice["attempts"] < MAX_ATTEMPTS:
            await repo.settle_logout_notice(notice["id"], "retry", now + retry_wait(notice["attempts"]), error)
        else:
            await repo.settle_logout_notice(notice["id"], "given_up", now, error)
            logger.warning("back-channel logout given up", extra={"uri": notice["uri"], "error": error})
        return False
