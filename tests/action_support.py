"""Helpers shared by the `/action` tests: what is stored, and what the bot said."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.text import escape
from storage.models import Action, ActionEvent, ActionOwner, Board, BoardEvent, Member
from tests.driver import SlackDriver, posts, replies
from tests.fakeslack import Call

_TABLES = (Board, Member, Action, ActionOwner, ActionEvent, BoardEvent)


def snapshot(session_factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the action log uses, so a test can prove nothing changed."""
    with session_factory() as session:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for model in _TABLES:
            columns = list(model.__table__.columns)
            rows = session.execute(select(*columns).order_by(*model.__table__.primary_key.columns)).all()
            out[model.__tablename__] = [tuple(row) for row in rows]
        return out


def load_action(session_factory: sessionmaker[Session], code: str, number: int) -> Action:
    """The stored action CODE-number with its owners, events and board loaded (detached)."""
    with session_factory() as session:
        action = session.scalars(select(Action).join(Board).where(Board.code == code, Action.number == number)).one()
        _ = action.board, [m.initials for m in action.owners], list(action.events)
        session.expunge_all()
        return action


def owner_initials(session_factory: sessionmaker[Session], code: str, number: int) -> list[str]:
    """The initials of the stored owners of CODE-number, sorted."""
    return sorted(m.initials for m in load_action(session_factory, code, number).owners)


def events(session_factory: sessionmaker[Session], code: str, number: int) -> list[ActionEvent]:
    """The audit rows of CODE-number, oldest first."""
    return list(load_action(session_factory, code, number).events)


def action_count(session_factory: sessionmaker[Session]) -> int:
    """How many actions are stored."""
    with session_factory() as session:
        return len(session.scalars(select(Action.id)).all())


def only_reply(calls: list[Call]) -> Call:
    """The single private answer of a command that must not post anything in a channel."""
    assert not posts(calls), [c.text for c in posts(calls)]
    [reply] = replies(calls)
    return reply


def only_post(calls: list[Call], channel: str = "CBOARD") -> Call:
    """The single channel post of a command that answers nothing privately."""
    assert not replies(calls), [c.text for c in replies(calls)]
    [post] = posts(calls)
    assert post.args["channel"] == channel
    return post


def add(
    slack: SlackDriver, text: str, *, user: str = "UALICE", channel: str = "CBOARD", posted_in: str | None = None
) -> Call:
    """Log an action that must succeed; returns the confirmation posted in the board's channel."""
    calls = slack.command("/action", f"add {text}", user=user, channel=channel)
    # A due date that was interpreted or has passed is also said back privately (see read_back).
    return only_post([c for c in calls if not is_read_back(c)], channel=posted_in or channel)


def is_read_back(call: Call) -> bool:
    """Whether the call is the private say-back of how a due date was read."""
    return call in replies([call]) and call.text.startswith(":calendar: I read")


def read_back(calls: list[Call]) -> Call:
    """The single private say-back of how a due date was read."""
    [reply] = [c for c in calls if is_read_back(c)]
    return reply


def assert_refused(
    slack: SlackDriver,
    session_factory: sessionmaker[Session],
    text: str,
    *,
    says: str | list[str],
    usage: str | None,
    user: str = "UALICE",
    channel: str = "CBOARD",
    team: str | None = None,
) -> Call:
    """Run `/action <text>`, expect a private refusal saying `says` with the usage line, and no change."""
    before = snapshot(session_factory)
    calls = slack.command("/action", text, user=user, channel=channel, team=team)
    reply = only_reply(calls)
    for phrase in [says] if isinstance(says, str) else says:
        assert phrase in reply.text, reply.text
    if usage is not None:
        # Placeholders such as `<date>` reach Slack escaped, so they are shown and not read as links.
        shown = escape(usage)
        assert f"Usage: `{shown}`" in reply.text and f"Usage: {shown}" in reply.text, reply.text
    assert snapshot(session_factory) == before
    return reply


def all_text(calls: list[Call]) -> str:
    """Everything the user reads in every message of `calls`."""
    return "\n".join(c.text for c in calls)


def setup_board(slack: SlackDriver, *, code: str, channel: str, chair: str = "UCAROL", team: str | None = None) -> None:
    """Bind `channel` to another board, with UALICE as its member AF."""
    for text in (
        f"setup Local Partnership {code} code {code} chair <@{chair}>",
        "member add <@UALICE> AF Business support",
    ):
        calls = slack.command("/meeting", text, user=chair, channel=channel, team=team)
        assert not [c for c in replies(calls) if ":warning:" in c.text], [c.text for c in calls]
    slack.fake.clear()


EVIL = "<!channel> <!here> <@UEVE>"
ESCAPED_EVIL = "&lt;!channel&gt; &lt;!here&gt; &lt;@UEVE&gt;"


def assert_no_live_mentions(calls: list[Call]) -> None:
    """Nothing the bot said turns typed `<!channel>`, `<!here>` or `<@UEVE>` into a live mention."""
    assert calls
    for call in calls:
        for token in ("<!channel>", "<!here>", "<@UEVE>"):
            assert token not in call.text, (call.method, call.text)


def lock_boards(engine: Any) -> Any:
    """Hold a lock that stops every write of boards (and, on PostgreSQL, every read): roll it back to release."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.exec_driver_sql("BEGIN")
        conn.exec_driver_sql("LOCK TABLE boards IN ACCESS EXCLUSIVE MODE")
    else:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
    return conn
