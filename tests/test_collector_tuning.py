"""A process that ticks runs the garbage collector less often (a busy tick makes tens of thousands of
short-lived objects), and never more often than it was set to."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.scheduler import COLLECTOR_THRESHOLDS, tune_collector_for_ticks


@pytest.fixture
def thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_a_ticking_process_raises_the_collectors_default_thresholds(thresholds):
    gc.set_threshold(700, 10, 10)
    tune_collector_for_ticks()
    assert gc.get_threshold() == COLLECTOR_THRESHOLDS


def test_thresholds_set_higher_by_the_operator_are_kept(thresholds):
    gc.set_threshold(200_000, 10, 500)
    tune_collector_for_ticks()
    assert gc.get_threshold() == (200_000, COLLECTOR_THRESHOLDS[1], 500)
