"""SIGTERM stops a command as Ctrl-C does, and the clean-up steps run once, latest first."""

import os
import signal
import threading

import pytest

from bot.shutdown import Stops, Terminated, sigterm_stops


@pytest.fixture(autouse=True)
def keep_sigterm_handler():
    """These tests send SIGTERM to the test process itself: put its handler back afterwards."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def test_sigterm_raises_terminated_in_the_main_thread():
    with pytest.raises(Terminated), sigterm_stops():
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(10)  # interrupted by the handler


def test_terminated_is_handled_like_ctrl_c():
    assert issubclass(Terminated, KeyboardInterrupt)


def test_a_second_sigterm_does_not_interrupt_the_clean_up():
    stopped = []
    with pytest.raises(Terminated), sigterm_stops():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            threading.Event().wait(10)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # logged, not raised
            stopped.append("clean-up finished")
    assert stopped == ["clean-up finished"]


def test_the_previous_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    with sigterm_stops():
        pass
    assert signal.getsignal(signal.SIGTERM) is before


def test_stops_run_latest_first_and_once():
    ran = []
    with Stops() as stops:
        stops.add("database", lambda: ran.append("database"))
        stops.add("workers", lambda: ran.append("workers"))
        stops.add("clock", lambda: ran.append("clock"))
    stops.run()
    assert ran == ["clock", "workers", "database"]


def test_a_failing_stop_does_not_skip_the_others(caplog):
    ran = []

    def broken() -> None:
        raise RuntimeError("boom")

    with Stops() as stops:
        stops.add("database", lambda: ran.append("database"))
        stops.add("clock", broken)
    assert ran == ["database"]
    assert "stopping clock failed" in caplog.text


def test_after_stopping_a_late_sigterm_is_ignored():
    with pytest.raises(Terminated), sigterm_stops():
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(10)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
