"""The App Home tab: the opener's outstanding actions, refreshed each time it is opened."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.rendering.home import home_view
from bot.services import actions as service
from bot.services.context import Caller
from bot.slack_faults import classify
from storage.db import session_scope

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """Wire `app_home_opened`."""

    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        # Events are acked by Bolt before this runs; the Home tab only (not the Messages tab).
        if event.get("tab") != "home":
            return
        caller = Caller(team_id=str(body.get("team_id")), user_id=str(event["user"]))
        now = deps.clock()
        with session_scope(deps.session_factory) as session:
            groups = service.my_actions(session, caller=caller, include_closed=False, now=now)
            view = home_view(groups, now)
        try:
            client.views_publish(user_id=caller.user_id, view=view)
        except Exception as exc:
            # Slack refusing, failing or timing out: the tab keeps its last view; the log keeps the code only.
            log.warning("views.publish for %s failed: %s", caller.user_id, classify(exc).code)
