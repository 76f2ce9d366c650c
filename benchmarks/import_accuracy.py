"""Precision and recall of the importer on the labelled set in tests/data/import/.

    python benchmarks/import_accuracy.py [--verbose]

Each `NAME.expected.json` holds the meeting date and the actions a careful reader finds in the
document `NAME.<ext>`. Found and expected actions are paired by the similarity of their text
(one to one, best pairs first); precision is paired / found, recall is paired / expected. Of the
paired actions, "owners" counts those whose owners (as written) are exactly right, "dates" those
whose due date (a date, "next meeting", or none) is exactly right.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.importing.extract import as_dict, extract_actions  # noqa: E402
from bot.importing.readers import FORMATS, read_document  # noqa: E402

DATA = ROOT / "tests" / "data" / "import"
SAME_ACTION = 0.6  # text similarity from which two actions are taken to be the same


@dataclass
class Score:
    """One document's counts."""

    name: str
    found: int
    expected: int
    paired: int
    owners_right: int
    dates_right: int
    misses: list[str]
    extras: list[str]
    wrong: list[str]


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _norm_owners(owners: list[str]) -> list[str]:
    return sorted(o.lower() for o in owners)


def pair(found: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one pairs (found index, expected index), most similar first."""
    scored = sorted(
        ((_similar(f["text"], e["text"]), i, j) for i, f in enumerate(found) for j, e in enumerate(expected)),
        reverse=True,
    )
    used_f: set[int] = set()
    used_e: set[int] = set()
    pairs = []
    for similarity, i, j in scored:
        if similarity < SAME_ACTION:
            break
        if i in used_f or j in used_e:
            continue
        used_f.add(i)
        used_e.add(j)
        pairs.append((i, j))
    return pairs


def score(expected_path: Path) -> Score:
    """Extract the document next to `expected_path` and compare with its labels."""
    name = expected_path.name.removesuffix(".expected.json")
    [document_path] = [p for p in DATA.glob(name + ".*") if p.suffix in FORMATS]
    label = json.loads(expected_path.read_text())
    meeting = datetime.date.fromisoformat(label["meeting"])
    document = read_document(document_path.name, document_path.read_bytes())
    found = [as_dict(c) for c in extract_actions(document, today=meeting).candidates]
    expected = label["actions"]
    pairs = pair(found, expected)
    owners_right = dates_right = 0
    wrong = []
    for i, j in pairs:
        f, e = found[i], expected[j]
        if _norm_owners(f["owners"]) == _norm_owners(e["owners"]):
            owners_right += 1
        else:
            wrong.append(f"owners {f['owners']} != {e['owners']}: {e['text'][:60]}")
        if f["due"] == e["due"]:
            dates_right += 1
        else:
            wrong.append(f"due {f['due']} != {e['due']}: {e['text'][:60]}")
    paired_f = {i for i, _ in pairs}
    paired_e = {j for _, j in pairs}
    return Score(
        name=document_path.name,
        found=len(found),
        expected=len(expected),
        paired=len(pairs),
        owners_right=owners_right,
        dates_right=dates_right,
        misses=[e["text"][:80] for j, e in enumerate(expected) if j not in paired_e],
        extras=[f["text"][:80] for i, f in enumerate(found) if i not in paired_f],
        wrong=wrong,
    )


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "  - "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list missed, extra and wrongly read actions")
    args = parser.parse_args()
    scores = [score(p) for p in sorted(DATA.glob("*.expected.json"))]
    print(f"{'document':38} {'found':>5} {'labelled':>8} {'precision':>9} {'recall':>6} {'owners':>6} {'dates':>6}")
    for s in scores:
        print(
            f"{s.name:38} {s.found:5} {s.expected:8} {_ratio(s.paired, s.found):>9} {_ratio(s.paired, s.expected):>6} "
            f"{_ratio(s.owners_right, s.paired):>6} {_ratio(s.dates_right, s.paired):>6}"
        )
        if args.verbose:
            for line in s.misses:
                print(f"    missed: {line}")
            for line in s.extras:
                print(f"    extra:  {line}")
            for line in s.wrong:
                print(f"    wrong:  {line}")
    found = sum(s.found for s in scores)
    expected = sum(s.expected for s in scores)
    paired = sum(s.paired for s in scores)
    print(
        f"{'ALL (' + str(len(scores)) + ' documents)':38} {found:5} {expected:8} {_ratio(paired, found):>9} "
        f"{_ratio(paired, expected):>6} {_ratio(sum(s.owners_right for s in scores), paired):>6} "
        f"{_ratio(sum(s.dates_right for s in scores), paired):>6}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
