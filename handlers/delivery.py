"""Sending a Reply: private answers through response_url, board confirmations to the channel."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands.reply import Reply
from bot.rendering.message import Message, section

log = logging.getLogger(__name__)


def deliver(reply: Reply, *, respond: Respond, client: WebClient) -> None:
    """Post the channel part where the board sees it and the private part to the caller only.

    If the bot cannot post in the board's channel (not invited, archived), the
    caller is told privately, with the confirmation, so the change is not silent.
    """
    if reply.channel is not None and reply.channel_id:
        try:
            first = client.chat_postMessage(channel=reply.channel_id, **reply.channel.payload())
            # A long reply (the summary) continues in the thread of its first message.
            for message in reply.thread:
                client.chat_postMessage(channel=first["channel"], thread_ts=first["ts"], **message.payload())
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("chat.postMessage to %s failed: %s", reply.channel_id, error)
            note = (
                f":warning: Done, but I couldn't post this in <#{reply.channel_id}> ({error}). "
                "Invite me there with `/invite @Arising` so the board sees its changes."
            )
            notice = Message(text=note, blocks=[section(note), *reply.channel.blocks])
            respond(response_type="ephemeral", replace_original=False, **notice.payload())
    if reply.private is not None:
        respond(response_type="ephemeral", replace_original=False, **reply.private.payload())
