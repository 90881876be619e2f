"""The crisis guard: the evaluation set's rates per category, and how its cost grows with message length.

Growth is printed as a ratio: the cost per character of a long message over that of a short one, both
measured in this run (1.0 means strictly linear; the guard must never grow faster than that).
"""

from __future__ import annotations

import time

from bot.content import load_content
from bot.crisis.evaluation import evaluate, report

SHORT, LONG = 1_000, 64_000
MIXES = {
    "ordinary prose": "The handover ran late and the ward was short staffed again today. ",
    "near-crisis words": "suicide prevention training, i want to kill my job, not safe to drive. ",
    "made-up words": "asdfgh qwertz zxcvbn plokij ",
}


def _per_char(guard, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        guard.assess(text)
        best = min(best, time.perf_counter() - started)
    return best / len(text)


def run() -> None:
    content = load_content()
    print("Crisis guard: evaluation set (bot/content/crisis_eval.yaml)")
    print(report(evaluate(content.guard, content.crisis_eval)))
    print("\nCrisis guard: cost per character, 64 KB message vs 1 KB message (1.0x = linear)")
    for name, unit in MIXES.items():
        short = (unit * (SHORT // len(unit) + 1))[:SHORT]
        long_ = (unit * (LONG // len(unit) + 1))[:LONG]
        ratio = _per_char(content.guard, long_, 3) / _per_char(content.guard, short, 20)
        print(f"  {name:18} {ratio:5.2f}x")


if __name__ == "__main__":
    run()
