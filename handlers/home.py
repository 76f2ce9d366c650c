"""The App Home tab: the opener's outstanding actions, refreshed each time it is opened."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.request import BoltRequest

from bot import request_log
from bot.inbox import Job
from bot.rendering.home import home_view
from bot.services.action_lists import my_actions
from bot.services.context import Caller
from bot.slack_faults import classify
from handlers.intake import Intake, request_key
from handlers.work import WorkContext
from storage.db import session_scope

log = logging.getLogger(__name__)


def work_home(ctx: WorkContext, job: Job) -> None:
    """Publish the Home tab of the user who opened it."""
    caller = Caller(team_id=str(job.request["team_id"]), user_id=str(job.request["user"]))
    now = ctx.deps.clock()
    with session_scope(ctx.deps.session_factory) as session:
        groups = my_actions(session, caller=caller, include_closed=False, now=now)
        view = home_view(groups, now)
    try:
        ctx.client.views_publish(user_id=caller.user_id, view=view)
    except Exception as exc:
        # Slack refusing, failing or timing out: the tab keeps its last view; the log keeps the code only.
        log.warning("views.publish for %s failed: %s", caller.user_id, classify(exc).code)


JOBS = {"home": work_home}


def register(app: App, intake: Intake) -> None:
    """Wire `app_home_opened`."""

    @app.event("app_home_opened")
    def home_opened(ack: Ack, event: dict[str, Any], body: dict[str, Any], request: BoltRequest) -> None:
        ack()
        request_log.note(
            kind="event", name="app_home_opened", team=str(body.get("team_id")), user=str(event.get("user"))
        )
        # The Home tab only (not the Messages tab).
        if event.get("tab") != "home":
            request_log.note(outcome="ignored")
            return
        job = {"team_id": body.get("team_id"), "user": event.get("user")}
        request_log.note(outcome=intake.accept("home", job, request_key(request, body)).value)
