"""The health probe answers within its time and never repeats a failure that is already out of date."""

from __future__ import annotations

import threading
from collections.abc import Callable

from storage.db import HealthProbe


def scripted(*answers: tuple[threading.Event, bool]) -> tuple[Callable[[], bool], list[int]]:
    """A check that, on its n-th run, waits for the n-th event and then gives the n-th answer."""
    runs: list[int] = []

    def check() -> bool:
        n = len(runs)
        runs.append(n)
        release, ok = answers[n]
        release.wait(10)
        return ok

    return check, runs


def test_a_check_that_does_not_finish_in_time_is_a_failure():
    hold = threading.Event()
    check, _ = scripted((hold, True))

    assert HealthProbe(check, timeout_seconds=0.2)() is False
    hold.set()


def test_a_failure_that_began_before_the_caller_arrived_is_checked_again():
    stalled, answers_now = threading.Event(), threading.Event()
    answers_now.set()
    check, runs = scripted((stalled, False), (answers_now, True))
    probe = HealthProbe(check, timeout_seconds=0.2)
    assert probe() is False  # the database stalls: the first check is still waiting

    joined = threading.Event()
    find_probe = probe._probe_since

    def joining(arrived: float | None):
        found = find_probe(arrived)
        joined.set()
        return found

    probe._probe_since = joining  # to know when the caller has joined the stalled check
    later: list[bool] = []
    caller = threading.Thread(target=lambda: later.append(probe()))
    caller.start()
    joined.wait(10)
    stalled.set()  # the stalled check gives up just after the caller joined it: the database answers again
    caller.join()

    assert later == [True]
    assert runs == [0, 1]


def test_a_failure_that_began_after_the_caller_arrived_is_the_answer():
    answers_now = threading.Event()
    answers_now.set()
    check, runs = scripted((answers_now, False))

    assert HealthProbe(check, timeout_seconds=5)() is False
    assert runs == [0]
