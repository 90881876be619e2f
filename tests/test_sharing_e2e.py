"""Consent-first supervisor requests, end to end: two conversations (worker and supervisor), the real
endpoint and the fake connector."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest

from tests.teams import Person, card_submit
from tests.test_checkins_e2e import card_of


@pytest.fixture
def settings(engine_settings):
    """Every test here runs on both storage engines: the embedded TinyDB files and PostgreSQL."""
    return engine_settings


LOW = (2, 2, 3, 2, 3)  # 48: low, not very low


def conversation(h, person: Person) -> list:
    return [c for c in h.connector.sent if c.conversation_id == person.conversation_id]


def button(call, title: str) -> dict:
    return next(a for a in card_of(call)["actions"] if a["title"] == title)["data"]


async def press(h, person: Person, data: dict, **typed):
    """Press a card button as `person`; returns what that person's own chat received in the turn."""
    sent = await h.send(card_submit(person, h.connector.url, {**data, **typed}))
    return [c for c in sent if c.conversation_id == person.conversation_id]


async def low_checkin(h, person: Person, values=LOW) -> list:
    (card_call,) = await h.say(person, "check in")
    card = card_of(card_call)
    inputs = [b["id"] for b in card["body"] if b["type"] == "Input.ChoiceSet"]
    data = {**button(card_call, "Save"), **{i: str(v) for i, v in zip(inputs, values, strict=True)}}
    sent = await h.send(card_submit(person, h.connector.url, data, reply_to=card_call.response_id))
    return [c for c in sent if c.conversation_id == person.conversation_id]


async def turn_sharing_on(h, worker: Person, mode: str) -> list:
    """Open 'sharing' and press 'Turn sharing on' with the given mode."""
    (consent,) = await h.say(worker, "sharing")
    return await press(h, worker, button(consent, "Turn sharing on"), mode=mode)


async def reach_preview(h, worker: Person, supervisor: Person):
    """Name the supervisor (who accepts), turn sharing on as "ask", and two low check-ins a week apart:
    the preview card the worker then sees."""
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "ask")
    await low_checkin(h, worker)
    h.clock.advance(days=7)  # a week apart: two counted check-ins
    return next(c for c in await low_checkin(h, worker) if c.cards and "Send" in c.words)


async def link_up(h, worker: Person, supervisor: Person) -> None:
    (form,) = await h.say(worker, "supervisor")
    sent = await press(h, worker, button(form, "Ask them"), query="sam@trust.nhs.uk", role="peer_supervisor")
    assert "I've asked Sam Supervisor" in sent[0].words
    nomination = conversation(h, supervisor)[-1]
    assert "named you as their peer supervisor" in nomination.words and "never see scores" in nomination.words
    accepted = await press(h, supervisor, button(nomination, "Accept"))
    assert "You've accepted" in accepted[0].words
    assert "Sam Supervisor accepted" in conversation(h, worker)[-1].words


async def test_nominate_accept_consent_two_lows_preview_send_acknowledge(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    (consent,) = await h.say(worker, "sharing")
    assert "has asked for a wellbeing catch-up" in consent.words and "not an emergency alert" in consent.words
    on = await press(h, worker, button(consent, "Turn sharing on"), mode="ask")
    assert "Sharing is on for Sam Supervisor" in on[0].words
    before = len(conversation(h, supervisor))
    await low_checkin(h, worker)
    assert len(conversation(h, supervisor)) == before  # one low check-in: nothing
    h.clock.advance(days=7)  # a week apart: two counted check-ins
    replies = await low_checkin(h, worker)
    preview = next(c for c in replies if c.cards and "Send" in c.words)
    assert "Would you like to let Sam Supervisor know" in preview.words
    assert len(conversation(h, supervisor)) == before  # the worker hears first
    sent = await press(h, worker, button(preview, "Send"), note="Could we talk on Friday?")
    assert "Sent." in sent[0].words
    request = conversation(h, supervisor)[-1]
    words = request.words
    assert "Alex Worker has asked for a wellbeing catch-up" in words and "within 2 working days" in words
    assert "not an emergency alert" in words and "999" in words and "Could we talk on Friday?" in words
    assert not re.search(r"\b(48|low|score|depress)\b", words.lower())
    again = await press(h, worker, button(preview, "Send"), note="again")
    assert "already been answered" in again[0].words and conversation(h, supervisor)[-1] is request
    acked = await press(h, supervisor, button(request, "I've been in touch"))
    assert "Thank you for getting in touch" in acked[0].words
    assert "Sam Supervisor has marked that they've been in touch" in conversation(h, worker)[-1].words
    (audit,) = await h.say(worker, "who has seen what")
    for event in (
        "You named Sam Supervisor",
        "Sam Supervisor accepted",
        "You turned sharing on",
        "You sent a catch-up request to Sam Supervisor",
        "Sam Supervisor marked that they had been in touch",
    ):
        assert event in audit.words


async def test_without_consent_nothing_reaches_the_supervisor(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    before = len(conversation(h, supervisor))
    await low_checkin(h, worker)
    h.clock.advance(days=7)  # a week apart: two counted check-ins
    replies = await low_checkin(h, worker)
    assert any("Nothing has been shared" in r.words for r in replies)
    assert len(conversation(h, supervisor)) == before


async def test_automatic_mode_sends_and_tells_the_worker(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    await low_checkin(h, worker)
    h.clock.advance(days=7)  # a week apart: two counted check-ins
    replies = await low_checkin(h, worker)
    assert any("As you chose in sharing, I've let Sam Supervisor know" in r.words for r in replies)
    assert "has asked for a wellbeing catch-up" in conversation(h, supervisor)[-1].words


async def test_withdrawing_consent_stops_requests_and_says_it_cannot_recall(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    (consent,) = await h.say(worker, "sharing")
    off = await press(h, worker, button(consent, "Turn sharing off"))
    assert "can't be recalled" in off[0].words
    before = len(conversation(h, supervisor))
    await low_checkin(h, worker)
    h.clock.advance(days=7)  # a week apart: two counted check-ins
    await low_checkin(h, worker)
    assert len(conversation(h, supervisor)) == before


async def test_a_worker_cannot_name_themselves_or_someone_unknown(pair):
    h, worker, _ = pair
    h.connector.members[worker.user_id] = {"email": "alex@trust.nhs.uk"}
    (form,) = await h.say(worker, "supervisor")
    assert "can't find" in (await press(h, worker, button(form, "Ask them"), query="nobody@trust.nhs.uk"))[0].words
    assert "can't name yourself" in (await press(h, worker, button(form, "Ask them"), query="Alex Worker"))[0].words
    forged = await press(h, worker, {"action": "supervisor_pick", "target": "../../etc", "role": "other"})
    assert "can't find" in forged[0].words


async def test_someone_who_declined_is_not_asked_again(pair):
    h, worker, supervisor = pair
    (form,) = await h.say(worker, "supervisor")
    await press(h, worker, button(form, "Ask them"), query="Sam Supervisor", role="line_manager")
    nomination = conversation(h, supervisor)[-1]
    await press(h, supervisor, button(nomination, "Decline"))
    assert "Sam Supervisor declined" in conversation(h, worker)[-1].words
    again = await press(h, worker, button(form, "Ask them"), query="Sam Supervisor", role="line_manager")
    assert "declined before" in again[0].words


async def test_replayed_or_forged_card_actions_change_nothing(pair):
    h, worker, supervisor = pair
    intruder = Person.make("Ivy Intruder")
    await h.say(intruder, "hi")
    (form,) = await h.say(worker, "supervisor")
    await press(h, worker, button(form, "Ask them"), query="Sam Supervisor", role="peer_supervisor")
    nomination = conversation(h, supervisor)[-1]
    assert "isn't for you" in (await press(h, intruder, button(nomination, "Accept")))[0].words
    assert "isn't for you" in (await press(h, worker, button(nomination, "Accept")))[0].words
    await press(h, supervisor, button(nomination, "Accept"))
    assert "already been answered" in (await press(h, supervisor, button(nomination, "Decline")))[0].words
    assert (
        "isn't for you"
        in (await press(h, intruder, {"action": "request_ack", "worker": "wdeadbeef", "request": "x"}))[0].words
    )


async def test_supervisor_sees_only_names_and_can_end_the_link(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    await low_checkin(h, worker)
    (listing,) = await h.say(supervisor, "supervising")
    assert "Alex Worker, as Peer supervisor: linked" in listing.words
    assert not re.search(r"\b48\b", listing.words)
    (which,) = [b for b in card_of(listing)["body"] if b.get("id") == "worker"]
    ended = await press(h, supervisor, button(listing, "End the link"), worker=which["choices"][0]["value"])
    assert "The link is ended" in ended[0].words
    assert "Sam Supervisor has ended the link" in conversation(h, worker)[-1].words


async def test_no_acknowledgement_after_two_working_days_offers_a_nudge(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    await low_checkin(h, worker)
    h.clock.advance(days=7)  # a week apart: two counted check-ins
    await low_checkin(h, worker)  # Monday: sent automatically
    from app import TICKER

    h.clock._now = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)  # Wednesday: 2 working days
    await h.app[TICKER].tick()
    offer = conversation(h, worker)[-1]
    assert "hasn't marked that they've been in touch after 2 working days" in offer.words
    before = len(conversation(h, supervisor))
    nudged = await press(h, worker, button(offer, "Remind them"))
    assert "I've reminded Sam Supervisor" in nudged[0].words
    assert len(conversation(h, supervisor)) == before + 1
    # The card became what happened, and pressing its button again gets a reply that fits the button.
    assert "Reminder sent to Sam Supervisor on Wednesday 2 December" in h.connector.updated[-1].body["text"]
    again = await press(h, worker, button(offer, "Remind them"))
    assert "You've already sent Sam Supervisor a reminder" in again[0].words
    assert len(conversation(h, supervisor)) == before + 1


async def test_a_request_interrupted_by_a_crash_is_reported_to_the_worker_after_restart(pair):
    h, worker, supervisor = pair
    preview = await reach_preview(h, worker, supervisor)
    request_id = button(preview, "Send")["request"]
    from bot.teams.web import SERVICES
    from tests.test_checkins_e2e import pid_of

    bot = h.app[SERVICES].bot
    pid = await pid_of(h, worker)
    # The process dies after claiming the request and before the supervisor's message is confirmed.
    await bot.records.sharing.update_request(pid, request_id, ("offered",), status="sending")
    await h.restart()
    for _ in range(100):  # on PostgreSQL this is settled beside serving, just after start-up
        if "couldn't deliver the message to Sam Supervisor" in conversation(h, worker)[-1].words:
            break
        await asyncio.sleep(0.05)
    assert "couldn't deliver the message to Sam Supervisor" in conversation(h, worker)[-1].words
    (audit,) = await h.say(worker, "who has seen what")
    assert "could not be delivered" in audit.words


async def test_answered_cards_become_what_happened_and_a_second_press_gets_a_fitting_reply(pair):
    h, worker, supervisor = pair
    (form,) = await h.say(worker, "supervisor")
    await press(h, worker, button(form, "Ask them"), query="sam@trust.nhs.uk", role="peer_supervisor")
    nomination = conversation(h, supervisor)[-1]
    await press(h, supervisor, button(nomination, "Accept"))
    assert h.connector.updated[-1].body["text"].startswith("You accepted on ")
    again = await press(h, supervisor, button(nomination, "Accept"))
    assert "already been answered" in again[0].words and "isn't for you" not in again[0].words
    # The worker names someone else: the old card's button now says the request changed, not "not for you".
    await h.say(worker, "supervisor")
    await press(h, worker, {"action": "link_end"})
    stale = await press(h, supervisor, button(nomination, "Decline"))
    assert "no longer open" in stale[0].words and "Alex Worker" in stale[0].words


async def test_skipping_twice_says_it_was_skipped(harness, worker):
    await harness.say(worker, "hi")
    (card_call,) = await harness.say(worker, "check in")
    skip = button(card_call, "Skip this time")
    await press(harness, worker, skip)
    again = await press(harness, worker, skip)
    assert "You skipped this check-in" in again[0].words


async def test_the_request_lets_the_supervisor_open_a_chat_with_the_worker(pair):
    h, worker, supervisor = pair
    from tests.test_checkins_e2e import pid_of, services

    await services(h).bot.records.workers.set_email(await pid_of(h, worker), "alex.worker@trust.nhs.uk")
    preview = await reach_preview(h, worker, supervisor)
    await press(h, worker, button(preview, "Send"))
    request = conversation(h, supervisor)[-1]
    chat = next(a for a in card_of(request)["actions"] if a["title"] == "Chat with them")
    assert chat["type"] == "Action.OpenUrl"
    assert chat["url"].startswith("https://teams.microsoft.com/l/chat/0/0?tenantId=")
    assert chat["url"].endswith("&users=alex.worker%40trust.nhs.uk")
    # The preview card the worker pressed became what happened: no stale Send button.
    assert any(u.body.get("text", "").startswith("Sent to Sam Supervisor on") for u in h.connector.updated)
