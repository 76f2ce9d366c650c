"""Telling someone that their click or shortcut was not taken (the inbox was full or could not be written).

Runs after the ack, never on the request thread. Surfaces differ in what they offer for an answer: a
message button has a `response_url` (a private reply); a Home-tab button or a global shortcut has only a
`trigger_id`, so the answer is a small modal; a form that is already open is updated in place.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.inbox import Put
from bot.rendering import views
from bot.slack_faults import classify
from handlers.delivery import tell
from handlers.intake import not_taken_text
from handlers.origin import notice_message

log = logging.getLogger(__name__)

NOTICE = "arising_notice"
TITLE = "Arising"


def notice_view(text: str) -> dict[str, Any]:
    """A modal that says one thing and has only a Close button."""
    return views.result_view(NOTICE, TITLE, text)


def answer_not_taken(outcome: Put, body: dict[str, Any], client: WebClient) -> None:
    """Tell the clicker, in the background, that nothing was queued; does nothing when it was."""
    text = not_taken_text(outcome)
    if text is None:
        return
    threading.Thread(target=_answer, args=(text, body, client), name="not-taken", daemon=True).start()


def _answer(text: str, body: dict[str, Any], client: WebClient) -> None:
    if body.get("response_url"):
        tell(Respond(response_url=body["response_url"]), notice_message(text))
        return
    if body.get("trigger_id"):
        try:
            client.views_open(trigger_id=body["trigger_id"], view=notice_view(text))
        except Exception as exc:
            log.warning("busy notice not shown: %s", classify(exc).code)
        return
    log.warning("busy notice not shown: no_response_url_or_trigger")


def show_in_opened_form(outcome: Put, client: WebClient, view_id: str, view_hash: str | None) -> None:
    """Replace a form that was opened before its job could be queued with what went wrong (lazy listener)."""
    text = not_taken_text(outcome)
    if text is None:
        return
    try:
        client.views_update(view_id=view_id, hash=view_hash, view=notice_view(text))
    except Exception as exc:
        log.warning("busy notice not shown in the form: %s", classify(exc).code)
