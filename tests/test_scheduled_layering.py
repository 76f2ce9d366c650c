"""The scheduled work sits above the services: services never import rendering or scheduled work."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offending(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        module: sorted(n for n in names if n.startswith(forbidden))
        for module, names in _imports(package).items()
        if any(n.startswith(forbidden) for n in names)
    }


def test_services_import_neither_rendering_nor_scheduled_work():
    assert _offending("bot/services", ("bot.rendering", "bot.scheduled")) == {}


def test_rendering_does_not_import_scheduled_work():
    assert _offending("bot/rendering", ("bot.scheduled",)) == {}


def test_scheduled_work_does_not_import_slack_surfaces():
    assert _offending("bot/scheduled", ("handlers", "slack_sdk", "slack_bolt")) == {}
