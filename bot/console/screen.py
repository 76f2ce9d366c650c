"""How the console shows a message: Block Kit and Slack's markup turned into terminal text (pure)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

from bot.console.standin import Delivery

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
WIDTH = 100


def readable(mrkdwn: str, name_of: Callable[[str], str]) -> str:
    """Slack markup as a person reads it: mentions by name, links by label, entities decoded."""

    def swap(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return target[0] + label.lstrip("@#") if label else name_of(target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return f"{label} ({target})" if label else target

    text = _LINK.sub(swap, mrkdwn)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def block_lines(block: dict[str, Any], name_of: Callable[[str], str]) -> list[str]:
    """The lines one block shows."""
    kind = block.get("type")
    if kind == "divider":
        return ["-" * 40]
    if kind == "header":
        title = readable(block["text"]["text"], name_of)
        return [title, "=" * min(len(title), WIDTH)]
    lines: list[str] = []
    if isinstance(block.get("text"), dict):
        lines += readable(block["text"].get("text", ""), name_of).splitlines()
    for item in block.get("fields") or []:
        lines += readable(item.get("text", ""), name_of).splitlines()
    elements = block.get("elements") or []
    if kind == "context":
        lines += ["  " + readable(_element_text(e), name_of) for e in elements]
    elif kind == "actions":
        lines.append("  " + "  ".join(f"[{_element_text(e)}]" for e in elements))
    elif kind == "rich_text":
        lines += [readable(_element_text(e), name_of) for e in elements]
    if block.get("accessory", {}).get("type") == "button":
        lines.append(f"  [{_element_text(block['accessory'])}]")
    return lines


def _element_text(element: dict[str, Any]) -> str:
    text = element.get("text")
    if isinstance(text, dict):
        return str(text.get("text", ""))
    if isinstance(text, str):
        return text
    return " ".join(_element_text(e) for e in element.get("elements") or [])


_TITLES = {
    "channel": "in {target}",
    "thread": "  in the thread, {target}",
    "private": "only you ({target}) see",
    "dm": "DM to {target}",
    "home": "Home tab of {target}",
    "modal": "a form opens for {target}",
}


def show(delivery: Delivery, name_of: Callable[[str], str]) -> str:
    """One delivery as a titled, indented paragraph."""
    title = _TITLES.get(delivery.where, delivery.where).format(target=name_of(delivery.target))
    if delivery.blocks:
        body = [line for block in delivery.blocks for line in block_lines(block, name_of)]
    else:
        body = readable(delivery.text, name_of).splitlines()
    wrapped = [piece for line in body for piece in (textwrap.wrap(line, WIDTH - 4) or [""])]
    return "\n".join([f"── {title} ──", *("    " + line for line in wrapped)])
