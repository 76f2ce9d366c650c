"""Sending a Reply: private answers through response_url, board confirmations to the channel.

Whatever goes wrong on the way (Slack refusing, rate-limiting, failing, timing out, or the connection
dropping) ends with a private word to the caller saying what was done and what could not be posted,
for the true reason. If even that word cannot be sent, the log gets ids and an error code, no text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.rendering.message import MAX_BLOCKS, Message, section
from bot.services.context import Caller
from bot.slack_faults import FaultKind, SlackFault, classify
from handlers.reply import Reply, Upload

log = logging.getLogger(__name__)

INVITE = "Invite me there with `/invite @Arising` so the board sees its changes."
# Why the post did not happen, by kind of fault; NOT_IN_CHANNEL says "invite me" instead.
_REASONS = {
    FaultKind.ARCHIVED: "the channel is archived",
    FaultKind.RATE_LIMITED: "Slack is limiting how fast I can post just now",
    FaultKind.SLACK_DOWN: "Slack had a problem on its side",
    FaultKind.UNREACHABLE: "I couldn't reach Slack",
    FaultKind.REFUSED_TOKEN: "Slack refused my token; please tell your workspace admin",
    FaultKind.REFUSED: "Slack refused the post",
    FaultKind.TIMEOUT: "Slack did not answer in time",
    FaultKind.DROPPED: "the connection to Slack dropped before it answered",
}


def deliver(reply: Reply, *, respond: Callable[..., Any], client: WebClient, caller: Caller | None = None) -> None:
    """Post the channel part where the board sees it and the private part to the caller only.

    If the channel post fails for any reason, the caller is told privately why, with the confirmation
    when it surely did not reach the channel, so the change is never silent. `caller` only labels
    log lines.
    """
    if reply.channel is not None and reply.channel_id:
        posted = 0
        try:
            first = client.chat_postMessage(channel=reply.channel_id, **reply.channel.payload())
            posted = 1
            # A long reply (the summary) continues in the thread of its first message.
            for message in reply.thread:
                client.chat_postMessage(channel=first["channel"], thread_ts=first["ts"], **message.payload())
                posted += 1
        except Exception as exc:
            fault = classify(exc)
            log.warning(
                "chat.postMessage to %s failed after %d of %d messages (%s): %s",
                reply.channel_id,
                posted,
                1 + len(reply.thread),
                _ids(caller),
                fault.code,
            )
            tell(respond, _not_posted(reply, fault, posted), caller=caller)
    for upload in reply.uploads:
        if not _upload(upload, client):
            note = f":warning: I couldn't send you {upload.filename}. Please try again in a minute."
            tell(respond, Message(text=note, blocks=[section(note)]), caller=caller)
            return
    if reply.private is not None:
        tell(respond, reply.private, caller=caller)


def tell(respond: Callable[..., Any], message: Message, *, caller: Caller | None = None) -> bool:
    """Answer the caller privately; False (and a log line of ids and an error code) when that failed."""
    try:
        response = respond(response_type="ephemeral", replace_original=False, **message.payload())
    except Exception as exc:
        log.warning("private reply failed (%s): %s", _ids(caller), classify(exc).code)
        return False
    status = getattr(response, "status_code", 200)
    if status != 200:
        # The body of a failed response_url post is not logged: it may be an error page.
        log.warning("private reply failed (%s): http_%s", _ids(caller), status)
        return False
    return True


def _not_posted(reply: Reply, fault: SlackFault, posted: int) -> Message:
    """The private notice for a channel post that failed after `posted` of its messages went out."""
    where = f"<#{reply.channel_id}>"
    reason = _REASONS.get(fault.kind, "Slack refused the post")
    if posted > 0:
        note = f":warning: I posted the start of this in {where}, but not all of its thread ({fault.code}): {reason}."
        return Message(text=note, blocks=[section(note)])
    if fault.kind is FaultKind.NOT_IN_CHANNEL:
        note = f":warning: Done, but I couldn't post this in {where} ({fault.code}). {INVITE}"
    elif fault.maybe_done:
        note = (
            f":warning: Done, but I can't tell whether this reached {where} ({fault.code}): {reason}. "
            "Check the channel before sharing it yourself."
        )
    else:
        note = (
            f":warning: Done, but I couldn't post this in {where} ({fault.code}): {reason}. "
            "Here is what it said, so you can share it."
        )
    assert reply.channel is not None
    blocks = [section(note), *reply.channel.blocks][:MAX_BLOCKS]
    return Message(text=note, blocks=blocks)


def _ids(caller: Caller | None) -> str:
    return f"team={caller.team_id} user={caller.user_id}" if caller else "caller unknown"


def _upload(upload: Upload, client: WebClient) -> bool:
    """Send a file to the user's direct messages with the bot (files upload v2); False if it failed."""
    try:
        channel = client.conversations_open(users=upload.user_id)["channel"]["id"]
        client.files_upload_v2(channel=channel, file=upload.content, filename=upload.filename, title=upload.title)
    except Exception as exc:
        log.warning("file upload to %s failed: %s", upload.user_id, classify(exc).code)
        return False
    return True
