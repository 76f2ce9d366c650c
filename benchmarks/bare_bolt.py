"""The floor for ack latency: a Bolt app that only acks slash commands, served like the bot.

Started by benchmarks/ack_latency.py as its own process:
    python -m benchmarks.bare_bolt PORT SIGNING_SECRET THREADS SLACK_API_URL
"""

from __future__ import annotations

import sys
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from waitress import serve


def main() -> None:
    port, secret, threads, api_url = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    # Like the bot: one auth.test at start-up (against the fake Slack), none per request.
    client = WebClient(token="xoxb-bare", base_url=api_url)
    app = App(signing_secret=secret, client=client, process_before_response=True)

    def ack_only(ack: Ack, body: dict[str, Any]) -> None:
        ack()

    for name in ("/action", "/mine"):
        app.command(name)(ack_only)

    from slack_bolt.adapter.wsgi import SlackRequestHandler

    serve(SlackRequestHandler(app, path="/slack/events"), host="127.0.0.1", port=port, threads=threads, ident="bare")


if __name__ == "__main__":
    main()
