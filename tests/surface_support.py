"""Helpers for the click-and-form surfaces: open a modal, read what it shows, fill it in, submit it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.driver import HttpAnswer, SlackDriver, views
from tests.fakeslack import Call


def opened(calls: list[Call]) -> dict[str, Any]:
    """The one modal opened among `calls`, with its id and hash as Slack returned them."""
    [call] = [c for c in calls if c.method == "views.open"]
    return {**call.args["view"], "id": call.args["opened_view_id"]}


def shown(slack: SlackDriver, calls: list[Call], callback_id: str) -> dict[str, Any]:
    """The modal with `callback_id` as the user now sees it (after any views.update), with its id."""
    ids = [view_id for view_id, (view, _) in slack.fake.views.items() if view.get("callback_id") == callback_id]
    assert ids, f"no {callback_id} modal open; calls: {[c.method for c in calls]}"
    return slack.fake.current_view(ids[-1])


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The block of `view` with this block_id."""
    found = [b for b in view["blocks"] if b.get("block_id") == block_id]
    assert found, f"no block {block_id} in {[b.get('block_id') for b in view['blocks']]}"
    return found[0]


def option_value(view: dict[str, Any], block_id: str, label_part: str) -> str:
    """The value of the option of a select whose label contains `label_part`."""
    element = block(view, block_id)["element"]
    for option in element["options"]:
        if label_part in option["text"]["text"]:
            return str(option["value"])
    raise AssertionError(f"no option like {label_part!r} in {block_id}")


def text_input(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def log_values(
    *,
    what: str,
    board: str | None = "SSCB",
    owners: list[str] | None = None,
    others: list[str] | None = None,
    due: date | None = None,
    next_meeting: bool = False,
    rag: str | None = None,
) -> dict[str, dict[str, Any]]:
    """The state.values Slack sends for the log-action form."""
    values: dict[str, dict[str, Any]] = {
        "what": {"what": text_input(what)},
        "owners": {"owners": {"type": "multi_users_select", "selected_users": owners or []}},
        "due_date": {"due_date": {"type": "datepicker", "selected_date": due.isoformat() if due else None}},
        "due_next": {
            "due_next": {
                "type": "checkboxes",
                "selected_options": [{"value": "next_meeting"}] if next_meeting else [],
            }
        },
        "rag": {"rag": {"type": "static_select", "selected_option": {"value": rag} if rag else None}},
    }
    if board is not None:
        values["board"] = {"board": {"type": "static_select", "selected_option": {"value": board}}}
    if others is not None:
        values["others"] = {
            "others": {"type": "multi_static_select", "selected_options": [{"value": v} for v in others]}
        }
    return values


def answer_json(answer: HttpAnswer) -> dict[str, Any]:
    """The JSON the bot answered a view_submission with."""
    return json.loads(answer.body) if answer.body.strip() else {}


def updates(calls: list[Call]) -> list[dict[str, Any]]:
    """The views sent with views.update, in order."""
    return views(calls, "views.update")


def home_views(calls: list[Call]) -> list[dict[str, Any]]:
    """The Home views published among `calls`."""
    return views(calls, "views.publish")
