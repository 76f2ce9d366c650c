"""Action references: `CODE-N` anywhere, a bare `N` in the board's own channel."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserError
from bot.text import escape

BOARD_CODE = re.compile(r"^[A-Za-z0-9]{2,10}$")
_FULL_REF = re.compile(r"^([A-Za-z0-9]{2,10})-(\d{1,9})$")
_BARE_REF = re.compile(r"^#?(\d{1,9})$")


@dataclass(frozen=True)
class Ref:
    """A parsed reference; `code` is None for a bare number."""

    code: str | None
    number: int

    def __str__(self) -> str:
        return f"{self.code}-{self.number}" if self.code else str(self.number)


def parse_ref(token: str) -> Ref:
    """Read `SSCB-12`, `sscb-12`, `12` or `#12`; anything else is a UserError."""
    token = token.strip()
    if m := _FULL_REF.match(token):
        return Ref(m.group(1).upper(), int(m.group(2)))
    if m := _BARE_REF.match(token):
        return Ref(None, int(m.group(1)))
    shown = escape(token) or "(nothing)"
    raise UserError(
        f"`{shown}` is not an action reference. Use the board code and number, e.g. `SSCB-12`, "
        "or just `12` in the board's channel."
    )


def format_ref(code: str, number: int) -> str:
    """The reference as users see it."""
    return f"{code}-{number}"
