"""The docs' claims are backed by tests that exist, and the hazard log is complete and rated by the
DCB0129 matrix it states."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
REF = re.compile(r"tests/(test_[a-z0-9_]+\.py)::([A-Za-z0-9_*]+)")
RATING = re.compile(r"^S([1-5]) L([1-5]) = ([1-5])$")
# DCB0129 risk matrix: MATRIX[likelihood][severity], both 1 to 5 (docs/safety.md, section 2).
MATRIX = {
    5: {1: 3, 2: 4, 3: 4, 4: 5, 5: 5},
    4: {1: 2, 2: 3, 3: 3, 4: 4, 5: 5},
    3: {1: 2, 2: 2, 3: 3, 4: 3, 5: 4},
    2: {1: 1, 2: 2, 3: 2, 4: 3, 5: 4},
    1: {1: 1, 2: 1, 3: 2, 4: 2, 5: 3},
}


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def hazard_rows() -> list[list[str]]:
    text = (ROOT / "docs" / "safety.md").read_text(encoding="utf-8")
    section = text.split("## 3. Hazard log", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"^\| H\d+ \|", line)]
    return [[cell.strip() for cell in row.strip().strip("|").split(" | ")] for row in rows]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_test_a_doc_names_exists(doc):
    missing = []
    for file, name in REF.findall(doc.read_text(encoding="utf-8")):
        path = ROOT / "tests" / file
        names = defined_tests(path) if path.exists() else set()
        pattern = re.compile("^" + re.escape(name).replace(r"\*", ".*") + "$")
        if not any(pattern.match(n) for n in names):
            missing.append(f"{file}::{name}")
    assert not missing, f"{doc.name} names tests that do not exist: {missing}"


def test_the_hazard_log_is_complete_and_rated_by_the_matrix():
    rows = hazard_rows()
    assert len(rows) >= 22
    assert [r[0] for r in rows] == [f"H{i}" for i in range(1, len(rows) + 1)]
    for row in rows:
        assert len(row) == 10 and all(row), f"{row[0]}: every column is filled"
        hazard_id, initial, controls, residual = row[0], row[5], row[6], row[7]
        for rating in (initial, residual):
            match = RATING.match(rating)
            assert match, f"{hazard_id}: rating {rating!r} is not 'S<n> L<n> = <n>'"
            severity, likelihood, value = map(int, match.groups())
            assert MATRIX[likelihood][severity] == value, f"{hazard_id}: {rating} does not follow the matrix"
        assert int(residual[-1]) <= int(initial[-1]), f"{hazard_id}: controls cannot raise the risk"
        assert int(residual[-1]) <= 3, f"{hazard_id}: a residual rating of 4 or 5 is unacceptable"
        assert REF.search(controls), f"{hazard_id}: its controls name no test"


def test_the_hazards_the_reviewers_asked_for_are_in_the_log():
    hazards = " ".join(row[1].lower() for row in hazard_rows())
    for topic in (
        "blocks",
        "one bad check-in",
        "over-escalation",
        "down",
        "pressure",
        "who uses the app",
        "chat history",
        "phone number",
        "placeholders",
    ):
        assert topic in hazards, topic
