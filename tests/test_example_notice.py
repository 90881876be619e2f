"""Example: the worker hears when their data was downloaded with the one-time link."""

from __future__ import annotations

from tests.test_checkins_e2e import card_of
from tests.test_sharing_e2e import button, press


async def test_the_worker_hears_that_their_data_was_downloaded(harness, worker):
    await harness.say(worker, "hi")
    (summary,) = await harness.say(worker, "my data")
    (link_card,) = await press(harness, worker, button(summary, "Download all my data"))
    url = next(a["url"] for a in card_of(link_card)["actions"] if a["type"] == "Action.OpenUrl")
    before = len(harness.connector.sent)
    assert (await harness.client.get(url.split("127.0.0.1:3978")[1])).status == 200
    (told,) = harness.connector.sent[before:]
    assert "Your data was just downloaded" in told.words
