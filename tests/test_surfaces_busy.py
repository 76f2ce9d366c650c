"""A click, a shortcut or a form submitted while the inbox is full is answered, never dropped: nothing is
queued or stored, and the user is told to try again."""

from __future__ import annotations

import json

from bot.app import create_app
from bot.inbox import Inbox
from bot.rendering.buttons import DONE
from bot.web import make_wsgi_app
from handlers.intake import BUSY
from handlers.shortcuts import LOG_SHORTCUT
from tests.conftest import SIGNING_SECRET, served
from tests.driver import SlackDriver, TrackingExecutor
from tests.fakeslack import Call
from tests.test_ack_path import _IdleWorkers


def _full(settings, session_factory, clock, tmp_path):
    inbox = Inbox(tmp_path / "busy", max_pending=1)
    app = create_app(settings, session_factory=session_factory, clock=clock, inbox=inbox, workers=_IdleWorkers())
    return inbox, app


def test_click_while_busy_is_answered_privately(settings, session_factory, engine, clock, fake_slack, tmp_path):
    inbox, app = _full(settings, session_factory, clock, tmp_path)
    answer = {
        "blocks": [
            {
                "type": "actions",
                "block_id": "buttons:mine:SSCB-1",
                "elements": [{"type": "button", "action_id": DONE, "value": "SSCB-1"}],
            }
        ]
    }
    with served(make_wsgi_app(app, engine)) as url:
        driver = SlackDriver(url, SIGNING_SECRET, fake_slack, TrackingExecutor())
        driver.post(driver.command_body("/mine", "", user="UALICE", channel="CBOARD"))
        driver.click(DONE, "SSCB-1", message=Call("respond", answer), wait=False)
        [told] = [
            c
            for c in fake_slack.wait_for(lambda calls: any(c.method == "respond" for c in calls))
            if c.method == "respond"
        ]
    assert BUSY in told.text
    assert inbox.pending() == 1


def test_form_submitted_while_busy_says_so_in_the_form(settings, session_factory, engine, clock, fake_slack, tmp_path):
    inbox, app = _full(settings, session_factory, clock, tmp_path)
    view = {
        "id": "V1",
        "type": "modal",
        "callback_id": "add_update",
        "private_metadata": '{"ref":"SSCB-1"}',
        "title": {"type": "plain_text", "text": "Add an update"},
        "blocks": [],
    }
    values = {"progress": {"progress": {"type": "plain_text_input", "value": "Draft sent"}}}
    with served(make_wsgi_app(app, engine)) as url:
        driver = SlackDriver(url, SIGNING_SECRET, fake_slack, TrackingExecutor())
        driver.post(driver.command_body("/mine", "", user="UALICE", channel="CBOARD"))
        payload = {**driver._base("view_submission", "UALICE", None), "view": {**view, "state": {"values": values}}}
        answer = driver.interact(payload)
    assert json.loads(answer.body) == {"response_action": "errors", "errors": {"progress": BUSY}}
    assert inbox.pending() == 1


def test_home_tab_click_while_busy_opens_a_notice_saying_nothing_changed(
    settings, session_factory, engine, clock, fake_slack, tmp_path
):
    inbox, app = _full(settings, session_factory, clock, tmp_path)
    home = {
        "type": "home",
        "blocks": [
            {
                "type": "actions",
                "block_id": "buttons:home:SSCB-1",
                "elements": [{"type": "button", "action_id": DONE, "value": "SSCB-1"}],
            }
        ],
    }
    with served(make_wsgi_app(app, engine)) as url:
        driver = SlackDriver(url, SIGNING_SECRET, fake_slack, TrackingExecutor())
        driver.post(driver.command_body("/mine", "", user="UALICE", channel="CBOARD"))
        driver.click(DONE, "SSCB-1", view=home, wait=False)
        calls = fake_slack.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
    [opened] = [c for c in calls if c.method == "views.open"]
    assert BUSY in json.dumps(opened.args["view"])
    assert inbox.pending() == 1


def test_log_shortcut_while_busy_shows_in_its_form_that_nothing_was_saved(
    settings, session_factory, engine, clock, fake_slack, tmp_path
):
    inbox, app = _full(settings, session_factory, clock, tmp_path)
    with served(make_wsgi_app(app, engine)) as url:
        driver = SlackDriver(url, SIGNING_SECRET, fake_slack, TrackingExecutor())
        driver.post(driver.command_body("/mine", "", user="UALICE", channel="CBOARD"))
        driver.interact({**driver._base("shortcut", "UALICE", None), "callback_id": LOG_SHORTCUT})
        calls = fake_slack.wait_for(lambda calls: any(c.method == "views.update" for c in calls))
    [opened] = [c for c in calls if c.method == "views.open"]
    [updated] = [c for c in calls if c.method == "views.update"]
    assert updated.args["view_id"] == opened.args["opened_view_id"]
    assert BUSY in json.dumps(updated.args["view"])
    assert "submit" not in updated.args["view"]
    assert inbox.pending() == 1
