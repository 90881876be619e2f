"""The guard built from content, by this package: once per set of crisis files, and the checks a content
folder must pass before it is used (the patterns compile; no evaluation sentence is lost).

The content package knows nothing of the guard: the composition root hands these checks to the loader,
and whoever needs the guard asks `guard_of(content)`."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from ..content.model import Content
from ..content.problems import Problem, line_of
from ..content.schema import ROUNDS_DIR
from . import build, learned_from
from .crossval import Tally, crossval
from .evaluation import EvalSet, evaluate
from .guard import Guard

_BUILT: OrderedDict[str, tuple[Guard, list[Problem]]] = OrderedDict()
_BUILT_LOCK = threading.Lock()
_KEEP = 16  # sets of crisis files whose guard is kept (the live one, reloads, the test suite's copies)
# What the guard made of the evaluation sets, by what decides it (the crisis files and every set): an edit
# of any other file (a guide topic, a message) does not run the ~1,700 sentences again.
_EVALUATED: OrderedDict[str, list] = OrderedDict()
# The guard for the very file objects a content load made, found without hashing them again: the digest
# costs milliseconds, and the live bot asks on every turn. Holding the objects keeps their ids unique.
_BY_IDENTITY: OrderedDict[tuple[int, int, int], tuple[Any, Any, Any, Guard]] = OrderedDict()


def guard_of(content: Content) -> Guard:
    """The guard for this content's crisis files (compiled and trained once, about five seconds)."""
    crisis, exemplars, rounds = content.crisis, content.crisis_exemplars, content.crisis_rounds
    key = (id(crisis), id(exemplars), id(rounds))
    with _BUILT_LOCK:
        found = _BY_IDENTITY.get(key)
    if found is not None and found[0] is crisis and found[1] is exemplars and found[2] is rounds:
        return found[3]
    guard, _problems = _built(crisis, exemplars, lambda loc: None, development_rounds(rounds))
    with _BUILT_LOCK:
        _BY_IDENTITY[key] = (crisis, exemplars, rounds, guard)
        while len(_BY_IDENTITY) > _KEEP:
            _BY_IDENTITY.popitem(last=False)
    return guard


def patterns_compile(models: Mapping[str, Any], trees: Mapping[str, Any]) -> list[Problem]:
    """A content check: crisis.yaml's patterns compile and its situations name known categories."""
    if "crisis.yaml" not in models:
        return []
    return _built_from(models, trees)[1]


def evaluation_passes(models: Mapping[str, Any], trees: Mapping[str, Any]) -> list[Problem]:
    """A content check: an edit that lets a crisis sentence through, or cries wolf on an ordinary one, is
    refused (one problem per sentence, with its line)."""
    if "crisis.yaml" not in models or "crisis_eval.yaml" not in models:
        return []
    guard, problems = _built_from(models, trees)
    if problems:
        return []  # the patterns' own problems are reported by patterns_compile
    sets = eval_sets(models)
    key = _digest(models["crisis.yaml"], models.get("crisis_exemplars.yaml"), *(models[s.name] for s in sets))
    with _BUILT_LOCK:
        results = _EVALUATED.get(key)
    if results is None:
        results = evaluate(guard, sets)
        with _BUILT_LOCK:
            _EVALUATED[key] = results
            while len(_EVALUATED) > _KEEP:
                _EVALUATED.popitem(last=False)
    return _eval_problems(results, trees)


CHECKS = (patterns_compile, evaluation_passes)


def eval_sets(models: Mapping[str, Any]) -> list[EvalSet]:
    """The regression set and every round (by file name), as the guard is measured against them."""
    sets = [EvalSet.regression(models["crisis_eval.yaml"])]
    sets += [EvalSet.round(name, m) for name, m in sorted(models.items()) if name.startswith(ROUNDS_DIR + "/")]
    return sets


def development_rounds(models: Mapping[str, Any]) -> list[Any]:
    """The development rounds among these files (by file name), whose sentences the reader learns from."""
    return [m for name, m in sorted(models.items()) if name.startswith(ROUNDS_DIR + "/") and m.role == "development"]


def content_eval_sets(content: Content) -> list[EvalSet]:
    """The same sets, from loaded content."""
    return eval_sets({"crisis_eval.yaml": content.crisis_eval, **content.crisis_rounds})


def crossval_of(content: Content, thresholds: Sequence[float]) -> list[Tally] | None:
    """How the learned reader's threshold was chosen (crossval.py), on this content's development rounds;
    None when the content has no learned reader."""
    exemplars, model = content.crisis_exemplars, content.crisis
    if exemplars is None or model.learned is None:
        return None
    crisis, ordinary = learned_from(exemplars, development_rounds(content.crisis_rounds))
    rounds = [s for s in content_eval_sets(content) if s.role == "development"]
    situations = {kind: name for name, kinds in model.situations.items() for kind in kinds if kind in exemplars.crisis}
    rules = guard_of(content).rules
    settings = model.learned
    return crossval(
        rules,
        crisis,
        ordinary,
        situations,
        rounds,
        thresholds,
        settings.gentle_at,
        settings.context_at,
        settings.alone_at,
        settings.weigh,
    )


def _lines(trees: Mapping[str, Any], name: str) -> Any:
    return lambda loc: line_of(trees[name], loc) if name in trees else None


def _built_from(models: Mapping[str, Any], trees: Mapping[str, Any]) -> tuple[Guard, list[Problem]]:
    crisis, exemplars = models["crisis.yaml"], models.get("crisis_exemplars.yaml")
    return _built(crisis, exemplars, _lines(trees, "crisis.yaml"), development_rounds(models))


def _built(crisis: Any, exemplars: Any, line: Any, rounds: Sequence[Any]) -> tuple[Guard, list[Problem]]:
    """Compiled once per content of the crisis files and the development rounds: a reload that left them
    as they were reuses the guard."""
    key = _digest(crisis, exemplars, *rounds)
    with _BUILT_LOCK:
        found = _BUILT.get(key)
        if found is not None:
            _BUILT.move_to_end(key)
            return found
    guard, raw = build(crisis, exemplars, line, rounds)
    problems = [Problem("crisis.yaml", at, message) for at, message in raw]
    with _BUILT_LOCK:
        _BUILT[key] = (guard, problems)
        while len(_BUILT) > _KEEP:
            _BUILT.popitem(last=False)
    return guard, problems


def _digest(*models: Any) -> str:
    """What a set of validated files says, as one key (about 20 ms for the exemplars)."""
    parts = [m.model_dump_json() if m is not None else "" for m in models]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


_WANT = {
    ("crisis_eval.yaml", "crisis"): "should get the help-now card",
    ("crisis_eval.yaml", "ordinary"): "should not get the help-now card",
    ("round", "crisis"): "should get the contacts (the help-now card or the offer)",
    ("round", "ordinary"): "should not get the contacts",
}


def _eval_problems(results: list, trees: Mapping[str, Any]) -> list[Problem]:
    """One problem per evaluation sentence the guard now gets wrong (and a round does not list), with its line."""
    problems = []
    for result in results:
        want = _WANT[(result.set if result.set == "crisis_eval.yaml" else "round", result.group)]
        for index, sentence, answer in result.failures:
            if result.hidden:
                # Its words are not shown (the hold-out stays unseen by whoever tunes the guard): undo the edit.
                message = (
                    f"A sentence of the hold-out round {want} (it gets answer {int(answer)}); its words are not "
                    "shown, so that the hold-out stays unseen. Undo the edit that changed it: the hold-out is "
                    "never tuned on (docs/content-guide.md)."
                )
            else:
                message = (
                    f'"{sentence}" {want} (it gets answer {int(answer)}). Add or change a pattern in crisis.yaml '
                    "or an exemplar in crisis_exemplars.yaml, or move the sentence if it is in the wrong group."
                )
            problems.append(
                Problem(result.set, line_of(trees[result.set], (result.group, result.name, index)), message)
            )
    return problems
