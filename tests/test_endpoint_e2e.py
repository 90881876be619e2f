"""End to end: Teams-shaped activities through the real aiohttp endpoint, replies to the fake connector."""

from __future__ import annotations

import logging

from bot.content import load_content
from tests.teams import Person, activity, card_submit, installation, members_added, message

CONTENT = load_content()


async def test_first_message_gets_the_welcome_only(bot, worker):
    sent = await bot.say(worker, "hello there")
    assert len(sent) == 1
    words = sent[0].words
    assert "private" in words and "not a crisis service" in words and "Get help now" in words
    assert sent[0].path == f"/v3/conversations/{worker.conversation_id}/activities/{sent[0].body['replyToId']}"
    # The card goes out as a JSON object with "Get help now" first (the SDK's copy of it is skipped).
    card = sent[0].body["attachments"][0]["content"]
    assert isinstance(card, dict) and card["actions"][0]["data"]["command"] == "help_now"


async def test_a_first_message_writes_the_workers_file_once_with_their_email_schedule_and_welcome(
    bot, worker, monkeypatch
):
    """A new worker's record, the work email Teams gives, the welcome and its schedule: one write."""
    from bot.storage import tiny
    from bot.teams.web import SERVICES

    writes = []
    write = tiny.Shard.write

    async def counted(self, fn):
        writes.append(self.path.name)
        return await write(self, fn)

    monkeypatch.setattr(tiny.Shard, "write", counted)
    bot.connector.members[worker.user_id] = {"email": "Alex.Example@Trust.nhs.uk"}
    (welcome,) = await bot.say(worker, "hello there")
    assert "private" in welcome.words and len(writes) == 1
    records = bot.app[SERVICES].bot.records
    (pid,) = await records.workers.all_pids()
    stored = await records.workers.get(pid)
    assert (stored.email, stored.email_checked, stored.welcomed) == ("alex.example@trust.nhs.uk", True, True)
    assert await records.schedules.get(pid) is not None
    (answer,) = await bot.say(worker, "help")
    # Nothing changed: nothing written, and Teams is not asked again.
    assert "help" in answer.words.lower() and len(writes) == 1
    assert sum("/members/" in c.path for c in bot.connector.calls) == 1


async def test_a_new_worker_whose_welcome_cannot_be_sent_is_still_recorded_and_welcomed_next_time(bot, worker):
    """The welcome's write also records a new worker; when the welcome fails, they are recorded anyway
    (not as welcomed), so their chat is known and the next message welcomes them."""
    from bot.teams.web import SERVICES

    bot.connector.fail_conversation(worker.conversation_id, 500, times=2)  # the email look-up, the welcome
    await bot.say(worker, "hello there")
    records = bot.app[SERVICES].bot.records
    (pid,) = await records.workers.all_pids()
    stored = await records.workers.get(pid)
    assert stored is not None and not stored.welcomed and stored.conversation_reference
    (welcome,) = await bot.say(worker, "hello again")
    assert "private" in welcome.words
    assert (await records.workers.get(pid)).welcomed


async def test_help_lists_every_command_from_content(bot, worker):
    await bot.say(worker, "hi")
    (reply,) = await bot.say(worker, "HELP")
    for command in CONTENT.help_commands:
        assert command.help in reply.words
    assert "nobody reads this chat as you write" in reply.words  # help says nobody monitors the chat


async def test_the_welcome_carries_the_key_numbers_and_the_privacy_notice(bot, worker):
    """The welcome stays in the chat: its numbers still help when the bot is down."""
    (welcome,) = await bot.say(worker, "hello there")
    assert "999" in welcome.words and "116 123" in welcome.words and "SHOUT to 85258" in welcome.words
    privacy = next(a for a in welcome.cards[0]["actions"] if a["title"] == "Privacy")
    (notice,) = await bot.send(card_submit(worker, bot.connector.url, privacy["data"]))
    assert "How your data is used" in notice.words and "Your rights" in notice.words
    assert "never part of appraisal" in notice.words
    assert any(a["type"] == "Action.OpenUrl" for a in notice.cards[0]["actions"])
    (typed,) = await bot.say(worker, "privacy")
    assert "How your data is used" in typed.words


async def test_first_message_that_is_a_command_gets_welcome_then_answer(bot, worker):
    sent = await bot.say(worker, "help now")
    assert len(sent) == 2
    assert "not a crisis service" in sent[0].words
    assert "116 123" in sent[1].words and "Nobody reads this chat as you write" in sent[1].words


async def test_unknown_words_get_a_kind_answer_with_the_options(bot, worker):
    await bot.say(worker, "hi")
    (reply,) = await bot.say(worker, "what's the weather like")
    assert "only understand a few words" in reply.words and "glad you're here" in reply.words
    titles = [a["title"] for a in reply.cards[0]["actions"]]
    assert titles[0] == "Get help now" and {"Check in", "Reflect", "Help"} <= set(titles)


async def test_commands_match_whole_words_not_substrings(bot, worker):
    await bot.say(worker, "hi")
    (reply,) = await bot.say(worker, "helpful tips")
    assert "only understand a few words" in reply.words


async def test_install_is_welcomed_once_across_conversation_update_and_installation_update(bot, worker):
    first = await bot.send(members_added(worker, bot.connector.url))
    second = await bot.send(installation(worker, bot.connector.url, "add"))
    assert len(first) == 1 and "private" in first[0].words
    assert second == []
    (reply,) = await bot.say(worker, "hello")
    assert "Hello again" in reply.words  # a greeting, not "I didn't understand"


async def test_install_events_arriving_together_in_any_order_welcome_once(bot):
    """Teams may send installationUpdate and conversationUpdate at the same moment, in either order."""
    import asyncio

    def events(person, order):
        return [
            f(person, bot.connector.url, "add") if f is installation else f(person, bot.connector.url) for f in order
        ]

    for order in ((members_added, installation), (installation, members_added)):
        person = Person.make("Alex Worker")
        before = len(bot.connector.sent)
        responses = await asyncio.gather(*(bot.post(e) for e in events(person, order)))
        assert all(r.status in (200, 201) for r in responses)
        welcomes = [c for c in bot.connector.sent[before:] if "not a crisis service" in c.words]
        assert len(welcomes) == 1
        # Removed and added again: welcomed again, once.
        await bot.send(installation(person, bot.connector.url, "remove"))
        before = len(bot.connector.sent)
        await asyncio.gather(*(bot.post(e) for e in events(person, order)))
        assert len([c for c in bot.connector.sent[before:] if "not a crisis service" in c.words]) == 1


async def test_uninstall_sends_nothing_and_marks_the_worker(bot, worker):
    await bot.say(worker, "hi")
    sent = await bot.send(installation(worker, bot.connector.url, "remove"))
    assert sent == []
    from bot.teams.web import SERVICES

    workers = bot.app[SERVICES].bot.records.workers
    (pid,) = await workers.all_pids()
    assert (await workers.get(pid)).installed is False
    # Reinstalling welcomes again.
    again = await bot.send(installation(worker, bot.connector.url, "add"))
    assert len(again) == 1 and "private" in again[0].words


async def test_card_button_runs_the_command(bot, worker):
    await bot.say(worker, "hi")
    sent = await bot.send(card_submit(worker, bot.connector.url, {"command": "help_now"}))
    assert len(sent) == 1 and "Samaritans" in sent[0].words


async def test_forged_card_command_is_treated_as_unknown(bot, worker):
    await bot.say(worker, "hi")
    sent = await bot.send(card_submit(worker, bot.connector.url, {"command": "delete_everything"}))
    assert "only understand a few words" in sent[0].words


async def test_group_chat_gets_a_pointer_to_personal_chat_and_nothing_is_stored(bot, worker):
    body = message(worker, bot.connector.url, "help")
    body["conversation"]["conversationType"] = "groupChat"
    sent = await bot.send(body)
    assert "1:1 chat" in sent[0].words
    from bot.teams.web import SERVICES

    assert await bot.app[SERVICES].bot.records.workers.all_pids() == []


async def test_welcome_survives_a_restart(bot, worker):
    await bot.say(worker, "hi")
    await bot.restart()
    (reply,) = await bot.say(worker, "hello again")
    assert "only understand a few words" in reply.words


async def test_turn_error_apologises_with_a_reference_and_logs_no_text(bot, worker, caplog):
    await bot.say(worker, "hi")
    bot.connector.fail_next(500)
    caplog.set_level(logging.INFO)
    response = await bot.post(message(worker, bot.connector.url, "help my secret words"))
    assert response.status == 201
    apology = bot.connector.sent[-1]
    assert "something went wrong" in apology.words and "Reference:" in apology.words
    ref = apology.words.split("Reference: ")[1].rstrip(")")
    assert any(f"ref={ref}" in r.getMessage() for r in caplog.records)
    assert not any("secret" in r.getMessage() or "Alex" in r.getMessage() for r in caplog.records)
    # The bot keeps serving.
    (reply,) = await bot.say(worker, "help")
    assert "See everything I can do" in reply.words


async def test_connector_refusals_are_survived(bot, worker):
    await bot.say(worker, "hi")
    for status in (403, 429, 503):
        bot.connector.fail_next(status, times=2)
        response = await bot.post(message(worker, bot.connector.url, "help"))
        assert response.status == 201
    (reply,) = await bot.say(worker, "help")
    assert "See everything I can do" in reply.words


async def test_turn_log_line_has_type_pseudonym_duration_and_nothing_personal(bot, worker, caplog):
    caplog.set_level(logging.INFO, logger="bot.turns")
    await bot.say(worker, "hi")
    await bot.say(worker, "my private words")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.turns"]
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("turn type=message worker=w") and "duration_ms=" in line and "outcome=ok" in line
        assert "private" not in line and worker.aad_object_id not in line and worker.user_id not in line
        assert "Alex" not in line


async def test_tenant_id_is_kept_with_the_conversation_reference(bot, worker):
    await bot.say(worker, "hi")
    from bot.teams.web import SERVICES

    workers = bot.app[SERVICES].bot.records.workers
    (pid,) = await workers.all_pids()
    record = await workers.get(pid)
    assert record.tenant_id == "11111111-2222-3333-4444-555555555555"
    assert record.conversation_reference["conversation"]["id"] == worker.conversation_id
    assert record.conversation_reference["serviceUrl"] == bot.connector.url


async def test_two_workers_are_kept_apart(bot):
    one, two = Person.make("One"), Person.make("Two")
    await bot.say(one, "hi")
    sent = await bot.say(two, "hi")
    assert "private" in sent[0].words  # two is welcomed on their own first message
    assert sent[0].conversation_id == two.conversation_id


async def test_message_reaction_and_other_activity_types_are_ignored_quietly(bot, worker):
    await bot.say(worker, "hi")
    sent = await bot.send(activity(worker, bot.connector.url, "messageReaction", reactionsAdded=[{"type": "like"}]))
    assert sent == []


async def test_support_paths_end_to_end(bot, worker):
    await bot.say(worker, "hi")
    assert "Boundaries" in (await bot.say(worker, "guide boundaries"))[0].words
    assert "Line management" in (await bot.say(worker, "supervision"))[0].words
    assert "difficult shift" in (await bot.say(worker, "reflect"))[0].words
    assert "Wellness Action Plan" in (await bot.say(worker, "my plan"))[0].words
    sent = await bot.send(card_submit(worker, bot.connector.url, {"action": "agenda_add", "item": "rota worries"}))
    assert "Added to your supervision list" in sent[0].words
    assert "rota worries" in (await bot.say(worker, "agenda"))[0].words


async def test_crisis_words_end_to_end_are_answered_and_never_logged_or_stored(bot, worker, caplog):
    caplog.set_level(logging.DEBUG)
    await bot.say(worker, "hi")
    (reply,) = await bot.say(worker, "I don't want to be here anymore")
    assert "Samaritans" in reply.words and "999" in reply.words
    assert not any("want to be here" in r.getMessage() for r in caplog.records)
    raw = "\n".join(p.read_text() for p in bot.settings.data_dir.rglob("*.json"))
    assert "want to be here" not in raw


async def test_greetings_thanks_and_feelings_get_a_short_human_answer(bot, worker):
    await bot.say(worker, "hello")  # the welcome
    (hi,) = await bot.say(worker, "Hi!")
    assert "Hello again" in hi.words and "See everything I can do" not in hi.words
    (thanks,) = await bot.say(worker, "thanks")
    assert thanks.text == "You're welcome. I'm here whenever you want me." and not thanks.cards
    for feeling in ("I'm so stressed", "rough day on the ward", "feeling really low today"):
        (reply,) = await bot.say(worker, feeling)
        assert "That sounds hard" in reply.words, feeling
        titles = [a["title"] for a in reply.cards[0]["actions"]]
        assert titles[0] == "Get help now" and "Check in" in titles and "Reflect" in titles
    (lost,) = await bot.say(worker, "help me")
    assert "I'm here" in lost.words and len(lost.cards[0]["actions"]) <= 6
    (unknown,) = await bot.say(worker, "purple monkey dishwasher")
    assert "only understand a few words" in unknown.words  # anything else: the kind "not understood"


async def test_content_paragraphs_survive_and_wrapped_lines_do_not_break(bot, worker):
    (welcome,) = await bot.say(worker, "hello")
    paragraphs = [b["text"] for b in welcome.cards[0]["body"]]
    assert len(paragraphs) == 4 and all("\n" not in p for p in paragraphs)  # one text block per paragraph
    assert paragraphs[0].startswith("Hello, I'm Peer Wellbeing") and "999" in paragraphs[3]
    assert all(b.get("spacing") == "Medium" for b in welcome.cards[0]["body"][1:])
