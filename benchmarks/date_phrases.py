"""Prints how many labelled due-date phrases (tests/data/due_phrases.tsv) the parser reads as a UK
reader means them, by category, and lists the ones it gets wrong.

Run: .venv/bin/python benchmarks/date_phrases.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.due_phrase_support import load, outcome


def main() -> int:
    """Print the table; exit 1 if any labelled phrase is read wrongly."""
    rows = load()
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong = []
    for row in rows:
        got = outcome(row)
        total[row.category] += 1
        if got == row.expected:
            right[row.category] += 1
        else:
            wrong.append((row, got))
    print(f"{'category':<14}{'phrases':>8}{'correct':>9}{'share':>8}")
    for category in total:
        print(f"{category:<14}{total[category]:>8}{right[category]:>9}{right[category] / total[category]:>8.0%}")
    all_right, all_total = sum(right.values()), sum(total.values())
    print(f"{'all':<14}{all_total:>8}{all_right:>9}{all_right / all_total:>8.0%}")
    for row, got in wrong:
        print(f"wrong: [{row.category}] {row.text!r}: expected {row.expected}, got {got}")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
