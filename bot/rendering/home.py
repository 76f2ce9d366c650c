"""The App Home view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.views import View

from bot.rendering.actions import mine
from bot.rendering.message import context, divider
from bot.services.action_lists import MyActions

MAX_HOME_BLOCKS = 100


def home_view(groups: MyActions, now: datetime) -> dict[str, Any]:
    """The opener's actions as `/mine` shows them, and where to go next."""
    blocks = list(mine(groups, now, include_closed=False).blocks)
    blocks += [
        divider(),
        context(
            "`/mine` lists these anywhere · `/action help` to log and update · `/meeting help` for boards and "
            "meetings · `/summary` previews the next meeting's matters arising"
        ),
    ]
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS]).to_dict()
