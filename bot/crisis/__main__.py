"""`python -m bot crisis evaluate [CONTENT_DIR]` (or `python -m bot.crisis ...`): answer rates per kind
on every evaluation set.

`python -m bot crisis assess "some text"` prints the answer for one sentence (for content editors).

`python -m bot crisis crossval` prints what `learned: offer_at` would give at several thresholds, each
development round scored by a reader trained without it (crossval.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..content.loader import DEFAULT_DIR, ContentError, load_content
from .evaluation import evaluate, report
from .from_content import content_eval_sets, crossval_of, guard_of, patterns_compile


def main(argv: list[str] | None = None, prog: str = "python -m bot.crisis") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="run crisis_eval.yaml and every round in crisis_rounds/")
    ev.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    one = sub.add_parser("assess", help="the answer for one sentence")
    one.add_argument("text")
    one.add_argument("--explain", action="store_true", help="show every pattern that matched")
    one.add_argument("--content", type=Path, default=DEFAULT_DIR)
    cv = sub.add_parser("crossval", help="leave-one-round-out cross-validation of learned: offer_at")
    cv.add_argument("--at", type=float, nargs="+", default=[0.75, 0.8, 0.85, 0.9], help="thresholds to try")
    cv.add_argument("--content", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    folder = args.folder if args.command == "evaluate" else args.content
    try:
        content = load_content(folder, checks=(patterns_compile,))
    except ContentError as exc:
        print(f"The content in {folder} has problems:\n{exc}", file=sys.stderr)
        return 2
    if args.command == "assess":
        result = guard_of(content).assess(args.text)
        print(
            f"answer {int(result.answer)} ({result.answer.name.lower()})"
            + (f", category {result.category}" if result.category else "")
            + (", idiom" if result.idiom else "")
        )
        if args.explain:
            print("\n".join(guard_of(content).explain(args.text)))
        return 0
    if args.command == "crossval":
        tallies = crossval_of(content, args.at)
        if tallies is None or content.crisis.learned is None:
            print("crisis.yaml has no `learned:` section, or there are no exemplars: nothing to cross-validate.")
            return 2
        rounds = sum(s.role == "development" for s in content_eval_sets(content))
        print(f"Each of {rounds} development rounds scored by a reader trained without it:")
        print("\n".join("  " + tally.line() for tally in tallies))
        print(f"(crisis.yaml now has offer_at {content.crisis.learned.offer_at})")
        return 0
    results = evaluate(guard_of(content), content_eval_sets(content))
    print(report(results))
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
