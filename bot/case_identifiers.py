"""Spotting text that identifies a child or a case: NHS numbers, dates of birth, a board's case numbers.

Board logs are read by many agencies; a case belongs in the case system, referred to by its
reference. The bot warns the author privately and does not block: these are heuristics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NHS = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
_DOB = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*"
    r"(\d{1,2}(?:st|nd|rd|th)?[\s/.\-](?:\d{1,2}|[A-Za-z]{3,9})[\s/.\-]\d{2,4})",
    re.IGNORECASE,
)
# A capitalised name (or initial) followed by a full date in brackets: "Child J (12/03/2015)".
_NAME_AND_DATE = re.compile(r"\b[A-Z][a-z]*\.?\s*\(\s*\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}\s*\)")
MAX_SCANNED = 4000


@dataclass(frozen=True)
class Finding:
    """One kind of identifier found, with a short description for the warning."""

    kind: str  # nhs_number | date_of_birth | case_number
    description: str


def nhs_number_valid(digits: str) -> bool:
    """True when 10 digits pass the NHS number's modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def find_identifiers(text: str, case_pattern: str | None = None) -> list[Finding]:
    """The kinds of identifier that `text` seems to contain (at most one finding per kind)."""
    text = text[:MAX_SCANNED]
    found: list[Finding] = []
    if any(nhs_number_valid("".join(m.groups())) for m in _NHS.finditer(text)):
        found.append(Finding("nhs_number", "an NHS number"))
    if _DOB.search(text) or _NAME_AND_DATE.search(text):
        found.append(Finding("date_of_birth", "a date of birth next to a name"))
    if case_pattern:
        try:
            if re.search(case_pattern, text):
                found.append(Finding("case_number", "a case number in this board's format"))
        except re.error:
            pass  # checked when the board set it; a pattern that no longer compiles warns of nothing
    return found
