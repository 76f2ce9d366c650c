"""Dependencies point one way: Slack surfaces (handlers/) → services (bot/services) → storage/.

Read from the source's imports, so a surface's Slack types or a handler never leak into the services,
and storage knows nothing of the bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _offending(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in _modules(folder):
        bad = sorted(n for n in _imports(path) if n.split(".")[0] in forbidden or n.startswith(forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_services_know_nothing_of_slack_or_its_surfaces():
    assert _offending("bot/services", ("slack_sdk", "slack_bolt", "handlers")) == {}


@pytest.mark.parametrize("folder", ["bot/rendering", "bot/importing"])
def test_rendering_and_reading_never_reach_the_surfaces(folder):
    assert _offending(folder, ("slack_bolt", "handlers")) == {}


def test_storage_knows_nothing_of_the_bot():
    assert _offending("storage", ("bot", "handlers", "slack_sdk", "slack_bolt")) == {}


def test_only_the_composition_roots_in_bot_import_handlers():
    importers = {
        str(p.relative_to(ROOT))
        for p in _modules("bot")
        if any(n == "handlers" or n.startswith("handlers.") for n in _imports(p))
    }
    assert importers <= {"bot/app.py", "bot/cli.py"}
