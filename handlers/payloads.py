"""Pydantic models of the Slack payloads the handlers read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from bot.services.context import Caller


class SlashCommand(BaseModel):
    """The fields of a slash-command request Arising uses."""

    model_config = ConfigDict(extra="ignore")

    command: str
    text: str = ""
    team_id: str
    user_id: str
    channel_id: str
    response_url: str | None = None
    trigger_id: str | None = None

    @field_validator("text")
    @classmethod
    def _unescape(cls, text: str) -> str:
        # Slack sends typed &, <, > as entities; read them back as typed (`AF &amp; EA` means `AF & EA`).
        # Everything echoed is escaped again on the way out, so nothing typed can become markup.
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    @property
    def caller(self) -> Caller:
        """Who is asking and from where."""
        return Caller(team_id=self.team_id, user_id=self.user_id, channel_id=self.channel_id)
