"""What happens behind the worker's consent is exactly what they agreed to, and privacy promises hold:
through the real endpoint and the fake connector, with the clock injected."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from cryptography.fernet import Fernet

from app import TICKER
from bot.content import load_content
from bot.records.prompts import PromptRecord
from bot.storage import MARKER, Cipher, DataFileError, TinyStore
from tests.conftest import BotHarness, replace_settings
from tests.teams import Person, card_submit
from tests.test_checkins_e2e import card_of, pid_of, services
from tests.test_sharing_e2e import LOW, button, conversation, link_up, low_checkin, press, turn_sharing_on

VERY_LOW = (1, 1, 1, 1, 1)  # 20 out of 100
OK = (4, 4, 4, 4, 4)


def requests_to(h, supervisor: Person) -> list:
    return [c for c in conversation(h, supervisor) if "has asked for a wellbeing catch-up" in c.words]


# Sustained means sustained ------------------------------------------------------------------------------


async def test_a_first_very_low_check_in_in_automatic_mode_offers_and_never_sends(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    replies = await low_checkin(h, worker, VERY_LOW)
    assert requests_to(h, supervisor) == []
    assert any("Would you like to let Sam Supervisor know" in r.words for r in replies)  # asked, not sent
    assert any("116 123" in r.words for r in replies)  # support straight away
    h.clock.advance(minutes=30)
    await low_checkin(h, worker, VERY_LOW)
    assert requests_to(h, supervisor) == []


async def test_automatic_mode_sends_only_when_lows_are_a_week_apart_and_once_per_cool_off(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    await low_checkin(h, worker)
    h.clock.advance(minutes=5)
    await low_checkin(h, worker)
    assert requests_to(h, supervisor) == []  # minutes apart: one data point
    h.clock.advance(days=7)
    replies = await low_checkin(h, worker)
    assert len(requests_to(h, supervisor)) == 1
    assert any("As you chose in sharing" in r.words for r in replies)
    for days in (3, 7, 7):
        h.clock.advance(days=days)
        await low_checkin(h, worker, VERY_LOW)
    assert len(requests_to(h, supervisor)) == 1  # never a second within the cool-off, whatever the scores
    (audit,) = await h.say(worker, "who has seen what")
    assert "sent to Sam Supervisor automatically, as you chose" in audit.words


async def test_the_consent_card_states_the_rule_from_rules_yaml_and_it_is_recorded(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    (consent,) = await h.say(worker, "sharing")
    words = consent.words
    for part in (
        "2 of your check-ins in a row",
        "2 of your last 3",
        "at most one check-in in any 7 days",
        "last 8 weeks",
        "50 or under out of 100",
        "never sends anything by itself",
        "more than one request to Sam Supervisor in 4 weeks",
    ):
        assert part in words, part
    await press(h, worker, button(consent, "Turn sharing on"), mode="auto")
    pid = await pid_of(h, worker)
    stored = await services(h).bot.records.sharing.consent(pid)
    version = load_content().messages.meta.version
    assert stored.on and stored.mode == "auto" and stored.wording_version.startswith(version + "/")
    assert "Send automatically when my check-ins stay low" in stored.wording and "8 weeks" in stored.wording


async def test_the_consent_card_uses_the_workers_own_low_level(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    (form,) = await h.say(worker, "settings")
    values = {b["id"]: b.get("value") for b in card_of(form)["body"] if b.get("id")}
    await h.send(card_submit(worker, h.connector.url, {"action": "settings_save", **values, "low_threshold": "40"}))
    (consent,) = await h.say(worker, "sharing")
    assert "40 or under out of 100" in consent.words


# Never nag ----------------------------------------------------------------------------------------------


async def test_naming_someone_is_suggested_at_most_once(harness):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    suggestions = []
    for _ in range(5):
        replies = await low_checkin(harness, worker)
        suggestions += [r for r in replies if "you could name someone who supports you" in r.words]
        harness.clock.advance(days=7)
    assert len(suggestions) == 1
    titles = [a["title"] for a in card_of(suggestions[0])["actions"]]
    assert titles == ["Get help now", "Name someone", "Don't suggest this again"]


async def test_dont_suggest_this_again_is_kept(harness):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    await low_checkin(harness, worker)
    harness.clock.advance(days=7)
    replies = await low_checkin(harness, worker)
    suggestion = next(r for r in replies if "name someone" in r.words)
    done = await press(harness, worker, button(suggestion, "Don't suggest this again"))
    assert "won't suggest it again" in done[0].words
    pid = await pid_of(harness, worker)
    assert (await services(harness).bot.records.sharing.prefs(pid)).no_suggestions


async def test_a_held_request_says_why(pair):
    h, worker, _supervisor = pair
    (form,) = await h.say(worker, "supervisor")
    await press(h, worker, button(form, "Ask them"), query="sam@trust.nhs.uk", role="peer_supervisor")
    await low_checkin(h, worker)
    h.clock.advance(days=7)
    replies = await low_checkin(h, worker)
    assert any("haven't answered yet, so nothing has been sent" in r.words for r in replies)
    assert not any("name someone" in r.words for r in replies)


# Band-neutral chat --------------------------------------------------------------------------------------


async def test_the_thank_you_is_the_same_whatever_the_score(harness):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    await press(
        harness,
        worker,
        {
            "action": "plan_save",
            "keeps_me_well": "",
            "early_signs": "",
            "what_helps": "a call with my sister",
            "who_to_contact": "",
        },
    )
    thanks = {}
    for label, values in (("ok", OK), ("low", LOW), ("very_low", VERY_LOW)):
        replies = await low_checkin(harness, worker, values)
        card = next(card_of(r) for r in replies if r.cards and "Thanks for checking in" in r.words)
        for button_ in card["actions"]:
            button_["data"].pop("once", None)  # a random one-time token, the same for every band
        # The thank-you and its buttons are the same; for very low the contacts follow in the same card.
        thanks[label] = json.dumps([card["body"][0], card["actions"][-4:]], sort_keys=True)
        text = "\n".join(r.words for r in replies)
        assert "a call with my sister" not in text  # the worker's plan is never pasted into the chat
        assert ("116 123" in text) is (label == "very_low")  # contacts straight away only for very low
        harness.clock.advance(days=1)
    assert thanks["ok"] == thanks["low"] == thanks["very_low"]


async def test_the_guide_and_prompt_open_on_request(harness):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    replies = await low_checkin(harness, worker, LOW)
    thanks = next(r for r in replies if "Thanks for checking in" in r.words)
    (topic,) = await press(harness, worker, button(thanks, "From the guide"))
    assert "Read the full guide" in topic.words
    (prompt,) = await press(harness, worker, button(thanks, "A question to reflect on"))
    assert "Something to think about" in prompt.words


async def test_every_pulse_answer_has_a_route_to_support(harness):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    pid = await pid_of(harness, worker)
    now = harness.clock.now().isoformat()
    await services(harness).bot.records.prompts.reserve(
        pid,
        PromptRecord("2026-11-23", "pulse-nonce", "pulse", "open", created_at=now, sent_at=now),
        harness.clock.now(),
    )
    sent = await harness.send(
        card_submit(worker, harness.connector.url, {"action": "checkin_submit", "nonce": "pulse-nonce", "overall": "1"})
    )
    thanks = next(c for c in sent if "Thanks for checking in" in c.words)
    titles = [a["title"] for a in card_of(thanks)["actions"]]
    assert titles[0] == "Get help now" and "My plan" in titles


# Chat copies --------------------------------------------------------------------------------------------


async def test_welcome_and_my_data_say_teams_keeps_a_copy(harness):
    worker = Person.make("Alex Worker")
    (welcome,) = await harness.say(worker, "hi")
    assert "a copy is kept in your Trust's" in welcome.words and "Nobody reads this chat," not in welcome.words
    (summary,) = await harness.say(worker, "my data")
    assert "Teams keeps a copy of this chat in your Trust's Microsoft 365" in summary.words


@pytest.mark.parametrize("words", ["my plan", "notes", "agenda", "my data"])
async def test_personal_cards_can_be_hidden(harness, words):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    (card_call,) = await harness.say(worker, words)
    await harness.send(
        card_submit(worker, harness.connector.url, button(card_call, "Hide"), reply_to=card_call.response_id)
    )
    update = harness.connector.updated[-1]
    assert update.path.endswith(card_call.response_id) and update.body["text"].startswith("Hidden.")
    assert not update.body.get("attachments")


async def test_the_trend_can_be_hidden(harness):
    worker = Person.make("Alex Worker")
    await harness.say(worker, "hi")
    await low_checkin(harness, worker, OK)
    (summary,) = await harness.say(worker, "my data")
    (trend,) = await press(harness, worker, button(summary, "Show my recent check-ins"))
    assert "80 (eighty out of 100)" in trend.words and "Hide" in trend.words


# Finding a supervisor without listing people ---------------------------------------------------------------


async def test_search_needs_an_exact_email_or_full_name(harness):
    worker = Person.make("Alex Worker")
    others = [Person.make(name) for name in ("Sam Supervisor", "Sally Smith", "Bob Jones")]
    for person in [worker] + others:
        await harness.say(person, "hi")
    (form,) = await harness.say(worker, "supervisor")
    for query in ("a", "s", "o", "e", "Sam", "smith", "sam supervisor@"):
        (reply,) = await press(harness, worker, button(form, "Ask them"), query=query)
        assert "can't find anyone" in reply.words and not reply.cards, query
    (asked,) = await press(harness, worker, button(form, "Ask them"), query="  sam   SUPERVISOR ")
    assert "I've asked Sam Supervisor" in asked.words


async def test_people_with_the_same_name_are_told_apart_by_email_or_not_at_all(harness):
    worker = Person.make("Alex Worker")
    twins = [Person.make("Sam Smith"), Person.make("Sam Smith")]
    for person in [worker] + twins:
        await harness.say(person, "hi")
    (form,) = await harness.say(worker, "supervisor")
    (reply,) = await press(harness, worker, button(form, "Ask them"), query="Sam Smith")
    assert "can't tell them apart" in reply.words and "work email" in reply.words
    workers = services(harness).bot.records.workers  # as if Teams had given their work emails
    for person, email in zip(twins, ("sam.smith@trust.nhs.uk", "sam.smith2@trust.nhs.uk"), strict=True):
        await workers.set_email(await pid_of(harness, person), email)
    (reply,) = await press(harness, worker, button(form, "Ask them"), query="Sam Smith")
    (which,) = [b for b in card_of(reply)["body"] if b.get("id") == "target"]
    titles = {c["title"]: c["value"] for c in which["choices"]}
    assert set(titles) == {"Sam Smith (sam.smith@trust.nhs.uk)", "Sam Smith (sam.smith2@trust.nhs.uk)"}
    sent = await press(harness, worker, button(reply, "Ask them"), target=titles["Sam Smith (sam.smith2@trust.nhs.uk)"])
    assert "I've asked Sam Smith" in sent[0].words
    assert "named you" in conversation(harness, twins[1])[-1].words  # the one chosen, not the other
    assert not any("named you" in c.words for c in conversation(harness, twins[0]))


async def test_twenty_clicks_send_one_nomination_and_there_is_a_daily_limit(harness):
    worker = Person.make("Alex Worker")
    people = [Person.make(f"Person {i}") for i in range(4)]
    for person in [worker] + people:
        await harness.say(person, "hi")
    (form,) = await harness.say(worker, "supervisor")
    for _ in range(20):
        await press(harness, worker, button(form, "Ask them"), query="Person 0")
    assert sum("named you" in c.words for c in conversation(harness, people[0])) == 1
    for person in people[1:3]:
        await press(harness, worker, button(form, "Ask them"), query=person.name)
    (refused,) = await press(harness, worker, button(form, "Ask them"), query="Person 3")
    assert "up to 3 people in a day" in refused.words
    assert not any("named you" in c.words for c in conversation(harness, people[3]))
    harness.clock.advance(days=1, minutes=1)
    (asked,) = await press(harness, worker, button(form, "Ask them"), query="Person 3")
    assert "I've asked Person 3" in asked.words


# Erasure is complete ----------------------------------------------------------------------------------


async def test_erasure_leaves_none_of_the_workers_identifiers_in_any_file(pair):
    h, worker, supervisor = pair
    h.connector.members[worker.user_id] = {"email": "alex@trust.nhs.uk"}
    other = Person.make("Chris Colleague")
    h.connector.members[other.user_id] = {"email": "chris@trust.nhs.uk"}
    await h.say(other, "hi")
    # The worker names Sam, shares, a request is sent; later the worker names Chris instead.
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    await low_checkin(h, worker)
    h.clock.advance(days=7)
    await low_checkin(h, worker)
    assert requests_to(h, supervisor)
    (form,) = await h.say(worker, "supervisor")
    await press(h, worker, button(form, "Ask them"), query="chris@trust.nhs.uk", role="line_manager")
    # Sam had asked for a download link, then erases everything.
    (summary,) = await h.say(supervisor, "my data")
    await press(h, supervisor, button(summary, "Download all my data"))
    sam_pid = await pid_of(h, supervisor)
    (confirm,) = await h.say(supervisor, "delete my data")
    await press(h, supervisor, button(confirm, "Yes, erase everything"))
    files = {p: p.read_text() for p in h.settings.data_dir.rglob("*") if p.is_file()}
    for identifier in (
        sam_pid,
        supervisor.name,
        supervisor.aad_object_id,
        supervisor.user_id,
        supervisor.conversation_id,
        "sam@trust.nhs.uk",
    ):
        assert not [p for p, text in files.items() if identifier in text], identifier
    (audit,) = await h.say(worker, "who has seen what")
    assert "someone who has since left" in audit.words and "Sam" not in audit.words


# Encryption you can operate -----------------------------------------------------------------------------


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


async def test_turning_data_keys_on_encrypts_existing_data_and_says_so(settings, connector, key, caplog):
    worker = Person.make("Alex Worker")
    h = await BotHarness(settings, connector, run_scheduler=False).start()
    await h.say(worker, "hi")
    await h.stop()
    assert worker.name in "\n".join(p.read_text() for p in settings.data_dir.rglob("*.json"))
    caplog.set_level(logging.WARNING)
    h = await BotHarness(replace_settings(settings, data_keys=(key,)), connector, run_scheduler=False).start()
    await h.say(worker, "help")
    await h.stop()
    assert any("data_encrypted files=" in r.getMessage() for r in caplog.records)
    raw = "\n".join(p.read_text() for p in settings.data_dir.rglob("*.json"))
    assert worker.name not in raw and (settings.data_dir / MARKER).exists()
    assert all(p.read_bytes().startswith(b"gAAAAA") for p in settings.data_dir.rglob("*.json"))


async def test_a_plain_file_in_an_encrypted_folder_is_never_used(settings, connector, key):
    """The bot did not write it: a worker's is set aside (never read as theirs), one of its own stops start-up."""
    secure = replace_settings(settings, data_keys=(key,))
    h = await BotHarness(secure, connector, run_scheduler=False).start()
    await h.say(Person.make("Alex Worker"), "hi")
    await h.stop()
    swapped = next(settings.data_dir.rglob("workers/*/*.json"))
    forged = json.dumps({"profile": {"1": {"pid": "forged"}}}).encode()
    swapped.write_bytes(forged)
    store = TinyStore(settings.data_dir, cipher=Cipher((key,)))
    await store.open()
    (entry,) = await store.quarantine.entries()
    assert entry.reason == "unencrypted" and await store.quarantine.raw(entry.id) == forged
    assert await store.shard(entry.name).read(dict) == {}
    await store.close()
    own = settings.data_dir / "system" / "exports.json"
    own.write_text("{}")
    with pytest.raises(DataFileError) as err:
        await TinyStore(settings.data_dir, cipher=Cipher((key,))).open()
    assert str(own) in str(err.value) and "not encrypted" in str(err.value)


async def test_rotation_rewrites_every_file_so_the_old_key_can_be_dropped(
    settings, connector, key, monkeypatch, capsys
):
    from bot.storage.keys import main

    worker = Person.make("Alex Worker")
    h = await BotHarness(replace_settings(settings, data_keys=(key,)), connector, run_scheduler=False).start()
    await h.say(worker, "hi")
    await h.stop()
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATA_KEYS", f"{new},{key}")
    assert main(["rotate"]) == 0 and "Older keys can be removed" in capsys.readouterr().out
    assert (settings.data_dir / "system" / "instance.json").exists()
    h = await BotHarness(replace_settings(settings, data_keys=(new,)), connector, run_scheduler=False).start()
    (reply,) = await h.say(worker, "help")
    assert "Here is what I can do" in reply.words
    assert len(await services(h).bot.records.workers.all_pids()) == 1  # the pseudonym key was readable: same worker
    await h.stop()
    monkeypatch.setenv("DATA_KEYS", new)
    assert main(["decrypt"]) == 0
    assert "pseudonym_key" in json.loads((settings.data_dir / "system" / "instance.json").read_text())["instance"]["1"]
    assert not (settings.data_dir / MARKER).exists()
    h = await BotHarness(settings, connector, run_scheduler=False).start()  # and starts without DATA_KEYS
    (reply,) = await h.say(worker, "help")
    assert "Here is what I can do" in reply.words
    await h.stop()


# Settings that do what they say -----------------------------------------------------------------------------


async def test_re_confirmation_comes_after_the_configured_calendar_months_and_holds_requests(pair):
    h, worker, supervisor = pair
    h.clock._now = dt.datetime(2026, 1, 30, 9, 0, tzinfo=dt.UTC)
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "auto")
    # rules.yaml says 6 calendar months: 30 January + 6 months = 30 July.
    h.clock._now = dt.datetime(2026, 7, 29, 23, 0, tzinfo=dt.UTC)
    await h.app[TICKER].tick()
    assert not any("still the right person" in c.words for c in conversation(h, worker))
    h.clock._now = dt.datetime(2026, 7, 30, 10, 0, tzinfo=dt.UTC)
    await h.app[TICKER].tick()
    reconfirm = conversation(h, worker)[-1]
    assert "still the right person" in reconfirm.words
    await low_checkin(h, worker)
    h.clock.advance(days=7)
    replies = await low_checkin(h, worker)
    assert requests_to(h, supervisor) == []
    assert any("time to confirm they are still the right person" in r.words for r in replies)
    await press(h, worker, button(reconfirm, "Yes, keep them"))
    h.clock.advance(days=7)
    await low_checkin(h, worker)
    assert len(requests_to(h, supervisor)) == 1


async def test_audit_retention_runs_from_the_last_event_of_a_link(pair):
    h, worker, supervisor = pair
    await link_up(h, worker, supervisor)
    await turn_sharing_on(h, worker, "ask")
    retention, store = services(h).bot.retention, services(h).bot.records.sharing
    pid = await pid_of(h, worker)
    start = h.clock.now()
    await retention.apply(start.replace(year=start.year + 2), 12, 12)
    events = {e.event for e in await store.audit(pid)}
    assert {"nominated", "accepted", "consent_on"} <= events  # the link is live: "you turned sharing on" stays
    h.clock._now = start.replace(year=start.year + 3)
    await services(h).bot.consents.turn_off(pid)
    await services(h).bot.links.end(pid, by_worker=True)
    await retention.apply(h.clock.now().replace(month=12 if h.clock.now().month < 12 else 1), 12, 12)
    assert {"nominated", "consent_on", "ended"} <= {e.event for e in await store.audit(pid)}  # last event recent
    await retention.apply(h.clock.now().replace(year=h.clock.now().year + 1, day=h.clock.now().day + 1), 12, 12)
    assert await store.audit(pid) == []  # 12 calendar months after the link's last event, all of it goes


async def test_sharing_while_the_named_person_has_not_answered_says_so(pair):
    h, worker, _supervisor = pair
    (form,) = await h.say(worker, "supervisor")
    await press(h, worker, button(form, "Ask them"), query="sam@trust.nhs.uk", role="peer_supervisor")
    (reply,) = await h.say(worker, "sharing")
    assert "You've asked Sam Supervisor, and they haven't answered yet" in reply.words
    assert "First name someone" not in reply.words
