"""Example: "breathe" gives a short breathing exercise."""

from __future__ import annotations


async def test_breathe_gives_the_exercise(harness, worker):
    await harness.say(worker, "hi")
    (reply,) = await harness.say(worker, "breathe")
    assert "Breathe in for four" in reply.words
