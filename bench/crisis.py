"""The crisis guard: its rates on every evaluation set, its cost per message, and how the cost grows.

Cost is printed as ratios against a baseline measured in this run: the rules alone (the patterns in
crisis.yaml, which is all the guard was before the learned reader), then the whole guard. Per message:
median and p99 over every sentence of the evaluation sets. A 20,000-character message: in all, and its
longest slice (the most the event loop is held at once: the bot awaits between slices). Growth: the
cost per character of a 64 KB message over that of a 1 KB one (1.0x = linear).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from bot.content import load_content
from bot.crisis import Guard
from bot.crisis.evaluation import evaluate, report
from bot.crisis.from_content import content_eval_sets, guard_of

SHORT, LONG = 1_000, 64_000
MIXES = {
    "ordinary prose": "The handover ran late and the ward was short staffed again today. ",
    "near-crisis words": "suicide prevention training, i want to kill my job, not safe to drive. ",
    "made-up words": "asdfgh qwertz zxcvbn plokij ",
    "quotes, no full stops": 'she said "I want to go home" and he said "not yet" ',
}
REFLECTION = (
    "Long shift on the ward. One of the women I support had a hard day and we sat in the garden for an hour. "
    "I used my lived experience carefully and it helped. Handover ran late again and the bank staff were new. "
)


def _timed(assess: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    assess(text)
    return time.perf_counter() - started


def _per_message(assess: Callable[[str], object], sentences: list[str]) -> tuple[float, float]:
    times = sorted(min(_timed(assess, s) for _ in range(3)) for s in sentences)
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def _longest_slice(guard: Guard, text: str) -> float:
    longest, started = 0.0, time.perf_counter()
    for _part in guard.slices(text):
        now = time.perf_counter()
        longest, started = max(longest, now - started), now
    return longest


def _per_char(guard: Guard, text: str, repeats: int) -> float:
    return min(_timed(guard.assess, text) for _ in range(repeats)) / len(text)


def run() -> None:
    content = load_content()
    guard = guard_of(content)
    sets = content_eval_sets(content)
    print("Crisis guard: every evaluation set (crisis_eval.yaml and crisis_rounds/)")
    print(report(evaluate(guard, sets)))

    sentences = [s for e in sets for kinds in (e.crisis, e.ordinary) for v in kinds.values() for s in v]
    rules_median, rules_p99 = _per_message(guard.rules.assess, sentences)
    median, p99 = _per_message(guard.assess, sentences)
    print(f"\nCrisis guard: cost per message over {len(sentences)} sentences (baseline: the rules alone)")
    print(f"  rules alone      median {rules_median * 1000:6.2f} ms   p99 {rules_p99 * 1000:6.2f} ms")
    print(
        f"  whole guard      median {median * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms   "
        f"({median / rules_median:.2f}x, {p99 / rules_p99:.2f}x the rules alone)"
    )

    long_text = (REFLECTION * (20_000 // len(REFLECTION) + 1))[:20_000]
    rules_long = min(_timed(guard.rules.assess, long_text) for _ in range(3))
    whole_long = min(_timed(guard.assess, long_text) for _ in range(3))
    longest = min(_longest_slice(guard, long_text) for _ in range(3))
    print("\nCrisis guard: one 20,000-character message")
    ratio = whole_long / rules_long
    print(f"  rules alone {rules_long * 1000:6.1f} ms; whole guard {whole_long * 1000:6.1f} ms ({ratio:.2f}x)")
    print(f"  longest slice (the event loop is free between slices): {longest * 1000:.1f} ms")

    print("\nCrisis guard: cost per character, 64 KB message vs 1 KB message (1.0x = linear)")
    for name, unit in MIXES.items():
        short = (unit * (SHORT // len(unit) + 1))[:SHORT]
        long_ = (unit * (LONG // len(unit) + 1))[:LONG]
        ratio = _per_char(guard, long_, 3) / _per_char(guard, short, 20)
        print(f"  {name:22} {ratio:5.2f}x")


if __name__ == "__main__":
    run()
