"""Where a click came from, and drawing that place again after a change.

A button shown under an action sits in a `/mine` or `/action show` answer (private: replaced through
the click's response_url), a chaser or overdue reminder DM (the bot's own message: `chat.update`), or
the Home tab (`views.publish`). The ack side reads the place from the payload (`Origin.of_click`, no
database); the work side draws it again from what is stored (`refresh`), so it never shows a stale
state, and also refreshes the clicker's Home tab.

After any change, from any surface, `refresh_homes` publishes again the Home tab of the people whose Home
it changes (the caller, the action's owners), once the change is committed and from the job: only for
people who have opened their Home tab lately (a view nobody looks at is not worth a call), at most
`HOMES_PER_CHANGE` of them. Everyone else's Home tab is drawn afresh when they next open it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from slack_bolt.context.respond import Respond

from bot.errors import UserError
from bot.refs import parse_ref
from bot.rendering import actions as render
from bot.rendering import reminders as reminder_render
from bot.rendering.buttons import CHASER, HOME, MINE, REMINDER, SHOW, read_block_id, refs_in
from bot.rendering.home import home_view
from bot.rendering.message import Message, section
from bot.services import actions as service
from bot.services.action_lists import my_actions, my_boards
from bot.services.context import Caller
from bot.slack_faults import FaultKind, SlackFault, classify
from handlers.work import WorkContext
from storage.db import read_scope
from storage.home_tabs import opened_since
from storage.models import Meeting

log = logging.getLogger(__name__)
MAX_REFS = 40
# A change republishes at most this many Home tabs (an "All members" action or a meeting of a large board
# would otherwise publish to everyone); the others are drawn afresh when next opened.
HOMES_PER_CHANGE = 10
# Home tabs opened within this long are kept current after changes.
HOME_KEPT_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Origin:
    """The surface a button was clicked on: kind (mine, show, chaser, reminder, home), the message
    (channel, ts) or its response_url, the references it lists, and the chaser's meeting."""

    kind: str = HOME
    channel: str | None = None
    ts: str | None = None
    response_url: str | None = None
    refs: list[str] = field(default_factory=list)
    meeting_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A plain dict for a queued job or a modal's private_metadata."""
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Origin:
        """Read back what `to_json` wrote (anything unreadable: the Home tab)."""
        data = data or {}
        try:
            return cls(
                kind=str(data.get("kind") or HOME),
                channel=data.get("channel"),
                ts=data.get("ts"),
                response_url=data.get("response_url"),
                refs=[str(r) for r in data.get("refs") or []][:MAX_REFS],
                meeting_id=int(data["meeting_id"]) if data.get("meeting_id") else None,
            )
        except (TypeError, ValueError):
            return cls()

    @classmethod
    def of_click(cls, body: dict[str, Any], block_id: str) -> Origin:
        """Where the clicked button is, from the block_actions payload alone."""
        at = read_block_id(block_id)
        kind = at.origin if at else HOME
        container = body.get("container") or {}
        message = body.get("message") or {}
        blocks = message.get("blocks") or []
        meeting_id = None
        if blocks and str(blocks[0].get("block_id", "")).startswith("chaser:"):
            meeting_id = int(str(blocks[0]["block_id"]).split(":", 1)[1] or 0) or None
        refs = [at.ref] if at and kind == SHOW else refs_in(blocks)[:MAX_REFS]
        return cls(
            kind=kind,
            channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
            ts=container.get("message_ts"),
            response_url=body.get("response_url"),
            refs=refs,
            meeting_id=meeting_id,
        )


def respond_to(origin: Origin) -> Callable[..., Any] | None:
    """A way to answer the clicker privately where they clicked (None in the Home tab)."""
    return Respond(response_url=origin.response_url) if origin.response_url else None


def refresh(
    ctx: WorkContext, caller: Caller, origin: Origin, notice: str | None = None, others: Sequence[str] = ()
) -> None:
    """Draw the message the click came from again, then the Home tabs of the clicker (with `notice` on top
    when the click was there) and of `others` whose Home the change altered (see `refresh_homes`). A failure
    is logged by code and never raised: the change is already saved."""
    now = ctx.deps.clock()
    try:
        with read_scope(ctx.deps.session_factory) as session:
            message = _redrawn(session, caller, origin, now)
    except Exception as exc:
        log.warning("redrawing %s failed: %s", origin.kind, type(exc).__name__)
        message = None
    if message is not None:
        try:
            if origin.kind in (MINE, SHOW) and origin.response_url:
                Respond(response_url=origin.response_url)(replace_original=True, **message.payload())
            elif origin.kind in (CHASER, REMINDER) and origin.channel and origin.ts:
                ctx.client.chat_update(channel=origin.channel, ts=origin.ts, **message.payload())
        except Exception as exc:
            log.warning("refreshing the %s message failed: %s", origin.kind, classify(exc).code)
    on_home = origin.kind == HOME
    refresh_homes(ctx, caller, [caller.user_id, *others], notice=notice if on_home else None, on_home=on_home)


def _redrawn(session: Any, caller: Caller, origin: Origin, now: Any) -> Message | None:
    if origin.kind == MINE:
        return render.mine(my_actions(session, caller=caller, include_closed=False, now=now), now, include_closed=False)
    actions = []
    for ref in origin.refs:
        try:
            actions.append(service.find_action(session, caller, parse_ref(ref)))
        except UserError:
            continue  # purged since: left out
    if origin.kind == SHOW and actions:
        return render.show(service.action_detail(session, actions[0]), now)
    if origin.kind == CHASER and actions and origin.meeting_id:
        meeting = session.get(Meeting, origin.meeting_id)
        return reminder_render.chaser(meeting, actions, now) if meeting else None
    if origin.kind == REMINDER and actions:
        return reminder_render.overdue_reminder(actions, now)
    return None


def publish_home(ctx: WorkContext, caller: Caller, notice: str | None = None) -> SlackFault | None:
    """Publish the caller's Home tab as it now stands; a failure keeps the last view (logged by code, and
    returned)."""
    now = ctx.deps.clock()
    with read_scope(ctx.deps.session_factory) as session:
        groups = my_actions(session, caller=caller, include_closed=False, now=now, per_group=HOME_PER_GROUP)
        boards = my_boards(session, caller=caller, now=now)
        view = home_view(groups, boards, now, notice)
    try:
        ctx.client.views_publish(user_id=caller.user_id, view=view)
    except Exception as exc:
        fault = classify(exc)
        log.warning("views.publish for team=%s user=%s failed: %s", caller.team_id, caller.user_id, fault.code)
        return fault
    return None


def refresh_homes(
    ctx: WorkContext, caller: Caller, user_ids: Sequence[str], *, notice: str | None = None, on_home: bool = False
) -> int:
    """After a committed change, publish again the Home tab of each of `user_ids` (the caller's with `notice`
    on top), in order, once each: only those who opened their Home tab within HOME_KEPT_FOR (the caller
    too when `on_home`: the change was made there), at most HOMES_PER_CHANGE. Returns how many were published.

    Never raises: the change is saved whatever Slack says. A refusal is logged by user and code; a rate
    limit the client's own waits did not outlast stops the round (the rest are drawn when next opened)."""
    wanted = list(dict.fromkeys(u for u in user_ids if u))
    if not wanted:
        return 0
    now = ctx.deps.clock()
    try:
        with read_scope(ctx.deps.session_factory) as session:
            opened = opened_since(session, caller.team_id, wanted, now - HOME_KEPT_FOR)
    except Exception as exc:
        log.warning("reading who opened the Home tab failed (team=%s): %s", caller.team_id, type(exc).__name__)
        return 0
    if on_home:
        opened.add(caller.user_id)
    chosen = [u for u in wanted if u in opened]
    if len(chosen) > HOMES_PER_CHANGE:
        log.info("Home tabs to refresh: %d, publishing %d (team=%s)", len(chosen), HOMES_PER_CHANGE, caller.team_id)
        chosen = chosen[:HOMES_PER_CHANGE]
    published = 0
    for n, user_id in enumerate(chosen):
        person = Caller(team_id=caller.team_id, user_id=user_id)
        try:
            fault = publish_home(ctx, person, notice if user_id == caller.user_id else None)
        except Exception as exc:
            # Reading what the tab shows failed (the database): the others would fail alike.
            log.warning(
                "drawing the Home tab of team=%s user=%s failed: %s", caller.team_id, user_id, type(exc).__name__
            )
            break
        if fault is None:
            published += 1
        elif fault.kind is FaultKind.RATE_LIMITED:
            log.warning(
                "Home tabs left unpublished after a rate limit: %d (team=%s)", len(chosen) - n - 1, caller.team_id
            )
            break
    return published


HOME_PER_GROUP = 20


def notice_message(text: str) -> Message:
    """A private one-line answer."""
    return Message(text=text, blocks=[section(text)])
