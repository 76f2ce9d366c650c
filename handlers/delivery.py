"""Sending a Reply: private answers through response_url, board confirmations to the channel."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands.reply import Reply, Upload
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
    for upload in reply.uploads:
        if not _upload(upload, client):
            note = f":warning: I couldn't send you {upload.filename}. Please try again in a minute."
            respond(response_type="ephemeral", replace_original=False, text=note, blocks=[section(note).to_dict()])
            return
    if reply.private is not None:
        respond(response_type="ephemeral", replace_original=False, **reply.private.payload())


def _upload(upload: Upload, client: WebClient) -> bool:
    """Send a file to the user's direct messages with the bot (files upload v2); False if Slack refused."""
    try:
        channel = client.conversations_open(users=upload.user_id)["channel"]["id"]
        client.files_upload_v2(channel=channel, file=upload.content, filename=upload.filename, title=upload.title)
    except SlackApiError as exc:
        log.warning("file upload to %s failed: %s", upload.user_id, exc.response.get("error"))
        return False
    return True
