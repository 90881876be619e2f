"""Proactive sending: the one way the bot starts a conversation turn on its own.

Paced well under Teams' limits, bounded in concurrency, retrying what Teams says to retry (412, 429,
502, 503, 504, and connections that could not be opened) with Retry-After or jittered exponential
backoff, pausing every sender together while Teams keeps answering 429, and marking a worker unreachable
on 403 or 404 (they removed or blocked the app) so nothing more is sent until they message the bot again.

A send that reached Teams but got no answer (the connection dropped, or the answer timed out) is not
repeated: it has probably arrived, and repeating it once produced four copies of a card. It counts as
delivered without confirmation.

Sends started inside a worker's turn use `deliver`: the turn waits a few seconds at most, and the send
is finished in the background with the same rules; the caller learns the final outcome by callback.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import aiohttp

from ..clock import Clock
from ..outbox import Attempting, Delivery, DeliveryStatus, Late, Outgoing, Recipient
from ..records.workers import WorkerRepository
from ..storage.base import Pacer
from .connector import ConnectorError

log = logging.getLogger("bot.messenger")
RETRYABLE = {412, 429, 502, 503, 504, None}  # None: the connection could not be opened
UNREACHABLE = {403, 404}
UNCONFIRMED = -1  # sent, but no answer came back: it may well have arrived, so it is never repeated
Sleep = Callable[[float], Awaitable[None]]


class Proactive(Protocol):
    """What the messenger needs of a channel: one proactive send through the channel's SDK."""

    async def send(self, reference: dict[str, Any], message: Outgoing) -> str | None:
        """Send `message` to the conversation in `reference`; the new activity's id. Raises ConnectorError
        for an HTTP answer, aiohttp's errors when no answer came, anything else when nothing was sent."""


@dataclass(frozen=True)
class SendLimits:
    """Pacing and retry settings. Teams allows about 50 requests a second per tenant and 7 a second per
    conversation; the defaults stay well under both."""

    per_tenant_per_second: float = 20.0
    per_conversation_per_second: float = 3.0
    concurrency: int = 16
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    throttle_pause: float = 10.0  # shared pause after repeated 429s
    in_turn_wait: float = 3.0  # a send started in a worker's turn holds the turn at most this long


@dataclass
class _Attempt:
    ok: bool = False
    id: str | None = None
    status: int | None = None
    retry_after: float | None = None


class Messenger:
    """The outbox for Teams (bot/outbox.py): sends to workers' personal chats through the channel."""

    def __init__(
        self,
        channel: Proactive,
        app_id: str,
        workers: WorkerRepository,
        clock: Clock,
        *,
        limits: SendLimits | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        prepare_card: Callable[[dict], dict] | None = None,
        pacer: Pacer,
    ):
        self._channel = channel
        self._prepare_card = prepare_card or (lambda card: card)
        self._app_id = app_id
        self._workers = workers
        self._clock = clock
        self.limits = limits or SendLimits()
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        # Shared by every process on a PostgreSQL store, so Teams' limits hold for the whole service.
        self._pacer = pacer
        self._recent_429 = 0
        self._background: set[asyncio.Task] = set()

    async def deliver(self, worker: Recipient, messages: list[Outgoing], on_late: Late | None = None) -> Delivery:
        """Send from inside a worker's turn: wait at most `in_turn_wait`; if the send is still retrying or
        waiting on a slow chat, return a pending delivery and finish it in the background, then call
        `on_late` with the final outcome."""
        task = asyncio.create_task(self.send(worker, messages))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        done, _ = await asyncio.wait({task}, timeout=self.limits.in_turn_wait)
        if done:
            return task.result()
        if on_late is not None:
            late = asyncio.create_task(self._finish_late(task, on_late))
            self._background.add(late)
            late.add_done_callback(self._background.discard)
        return Delivery("pending")

    async def _finish_late(self, task: asyncio.Task, on_late: Late) -> None:
        try:
            await on_late(await task)
        except Exception as exc:  # noqa: BLE001 - a background follow-up must never take the bot down
            log.error("late_delivery_follow_up_failed error=%s", type(exc).__name__)

    async def close(self) -> None:
        """At shutdown: stop background sends (their records are settled at the next start)."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until no background send is left (for tests and orderly shutdowns)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def send(self, worker: Recipient, messages: list[Outgoing], on_attempt: Attempting | None = None) -> Delivery:
        """Send each message in order, retrying only the ones not yet delivered."""
        reference = worker.conversation_reference
        delivery = Delivery("delivered")
        async with self._slots:
            for message in messages:
                if message.card is not None:
                    message = Outgoing(message.text, self._prepare_card(message.card))
                outcome = await self._send_one(worker, reference, message, delivery, on_attempt)
                on_attempt = None
                if outcome != "delivered":
                    delivery.status = outcome
                    break
        if delivery.status == "unreachable":
            await self._workers.set_unreachable(worker.pid, True)
        log.info("proactive_send worker=%s status=%s attempts=%d", worker.pid, delivery.status, delivery.attempts)
        return delivery

    async def _send_one(
        self,
        worker: Recipient,
        reference: dict[str, Any],
        message: Outgoing,
        delivery: Delivery,
        on_attempt: Attempting | None,
    ) -> DeliveryStatus:
        conversation = str((reference.get("conversation") or {}).get("id") or "")
        for attempt in range(1, self.limits.max_attempts + 1):
            await self._wait_turn(worker.tenant_id, conversation)
            if on_attempt is not None:
                await on_attempt()
                on_attempt = None
            result = await self._attempt(reference, message)
            delivery.attempts += 1
            if result.ok:
                self._recent_429 = 0
                delivery.ids.append(result.id)
                return "delivered"
            if result.status == UNCONFIRMED:
                delivery.ids.append(None)
                return "unconfirmed"
            if result.status in UNREACHABLE:
                return "unreachable"
            if result.status not in RETRYABLE or attempt == self.limits.max_attempts:
                return "failed"
            await self._back_off(result, attempt)
        return "failed"

    async def _back_off(self, result: _Attempt, attempt: int) -> None:
        ceiling = min(self.limits.max_delay, self.limits.base_delay * 2 ** (attempt - 1))
        delay = result.retry_after if result.retry_after is not None else self._rng.uniform(ceiling / 2, ceiling)
        delay = min(delay, self.limits.max_delay)
        if result.status == 429:
            self._recent_429 += 1
            if self._recent_429 >= 3:
                # Teams keeps saying slow down (429 after 429 with no success between): every sender
                # waits, not just this one.
                pause = max(delay, self.limits.throttle_pause)
                await self._pacer.pause_all(pause)
                log.warning("throttled shared_pause_s=%.1f", pause)
        await self._sleep(delay)

    async def _wait_turn(self, tenant: str, conversation: str) -> None:
        """Wait out a shared throttle, then take the next free moment for the tenant and conversation."""
        wait = await self._pacer.slot(
            tenant,
            conversation,
            1.0 / self.limits.per_tenant_per_second,
            1.0 / self.limits.per_conversation_per_second,
        )
        if wait > 0:
            await self._sleep(wait)

    async def _attempt(self, reference: dict[str, Any], message: Outgoing) -> _Attempt:
        result = _Attempt()
        try:
            result.id = await self._channel.send(reference, message)
            result.ok = True
        except ConnectorError as exc:
            result.status = exc.status
            result.retry_after = retry_after_seconds(exc.retry_after)
        except aiohttp.ClientConnectorError as exc:  # never reached Teams: safe to try again
            log.warning("proactive_attempt_failed error=%s", type(exc).__name__)
        except (TimeoutError, aiohttp.ClientError) as exc:  # sent, but no answer: may have arrived
            result.status = UNCONFIRMED
            log.warning("proactive_attempt_unconfirmed error=%s", type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - e.g. no token yet: nothing was sent, try again later
            log.warning("proactive_attempt_failed error=%s", type(exc).__name__)
        return result


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import datetime as dt

        when = parsedate_to_datetime(value)
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
