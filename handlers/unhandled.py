"""Events and buttons Arising does not use are acknowledged with 200, not Bolt's 404 "unhandled request".

Slack retries an event it did not get a 2xx for, and disables the subscription of an app that keeps
failing; an event type the app is subscribed to but has no listener for (`reaction_added`, a
`message` in a channel) must therefore still be accepted.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App

ANY_EVENT = re.compile(r".")
ANY_ACTION = re.compile(r".*")


def ignore_event() -> None:
    """Nothing to do: Bolt has already answered 200."""


def ack_action(ack: Ack) -> None:
    """A button that needs nothing (a link button, say): acknowledged so Slack shows no error."""
    ack()


def register(app: App) -> None:
    """Accept every event type and every button. Register it LAST: Bolt runs the first listener that
    matches, so any `app.event(...)` or `app.action(...)` registered after this one would never run."""
    app.event(ANY_EVENT)(ignore_event)
    app.action(ANY_ACTION)(ack_action)
