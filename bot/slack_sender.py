"""Posting outbox messages through the Slack Web API."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient


class SlackSender:
    """A Sender over `chat.postMessage`; a user id as recipient posts in the bot's DM with them."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        """Post and return (channel, ts); the client itself waits out 429s (Retry-After)."""
        if thread is not None:
            response = self._client.chat_postMessage(channel=thread[0], thread_ts=thread[1], **message)
        else:
            response = self._client.chat_postMessage(channel=recipient, **message)
        return str(response["channel"]), str(response["ts"])
