"""Peak memory (RSS) of `arising serve` under concurrent clients, next to a bare Bolt app, in one run.

Seeds a log (100,000 actions, 50 boards, 2,000 people by default), starts the bot (`arising serve`,
its worker processes, no clock: `arising clock` runs elsewhere) and a bare Bolt app that only acks,
fires `--clients` concurrent signed clients at each (`/action add`, `/action update`, `/mine`), and
samples the memory of each server's whole process tree every 50 ms from /proc. Prints, for the tree
(the server, its worker processes and multiprocessing's resource tracker), the RSS at rest
and at its peak, the peak PSS (shared pages counted once across the tree) and the peak RSS of the
server process alone (VmHWM).

Run: .venv/bin/python -m benchmarks.serve_rss [--database-url URL_OF_AN_EMPTY_DATABASE] [--clients 50]
Linux only (/proc). Slack is the fake from tests/fakeslack.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.ack_latency import Client, _wait_healthy, run_clients, start_bare_bolt, start_bot, stop
from benchmarks.seed_log import analyze, seed
from storage.db import make_engine
from storage.migrate import upgrade_to_head
from tests.fakeslack import FakeSlack

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # The command name may hold spaces: the parent id is the second field after its ')'.
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += _children(current)
    return out


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    """The process's proportional share of resident memory: pages shared with others count in part."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def hwm_bytes(pid: int) -> int:
    """The process's own peak resident memory (VmHWM)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler:
    """Samples the RSS of a process tree in a thread; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        # Each process's own peaks: (RSS, PSS) by pid.
        self.each: dict[int, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = tree(self.pid)
            sizes = {p: (rss_bytes(p), pss_bytes(p)) for p in pids}
            self.peak = max(self.peak, sum(rss for rss, _ in sizes.values()))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in sizes.values()))
            for p, (rss, pss) in sizes.items():
                was = self.each.get(p, (0, 0))
                self.each[p] = (max(was[0], rss), max(was[1], pss))
            self._stop.wait(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def mb(n: int) -> str:
    return f"{n / 1_048_576:7.1f} MB"


def measure(name: str, pid: int, client: Client, seeded, clients: int, requests: int) -> None:  # type: ignore[no-untyped-def]
    rest = sum(rss_bytes(p) for p in tree(pid))
    processes = len(tree(pid))
    with Sampler(pid) as sampler:
        result = run_clients(name, client, seeded, clients, requests)
    print(
        f"{name:36} at rest {mb(rest)}   peak RSS {mb(sampler.peak)}   peak PSS {mb(sampler.peak_pss)}"
        f"   server process alone {mb(hwm_bytes(pid))}"
        f"   ({processes} processes, {len(result.latencies)} requests, {result.errors} errors)"
    )
    if len(sampler.each) > 1:
        for p, (rss, pss) in sorted(sampler.each.items()):
            print(f"{'':36}   {role(p, pid):28} peak RSS {mb(rss)}   peak PSS {mb(pss)}")


def role(pid: int, server: int) -> str:
    """What a process of the server's tree is: the server itself, multiprocessing's resource tracker,
    or a worker."""
    if pid == server:
        return "the web process"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "a process that has ended"
    return "multiprocessing's resource tracker" if "resource_tracker" in words else "a worker process"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="an EMPTY database (default: a temporary SQLite file)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the bot")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="arising-rss-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    seeded = seed(engine, boards=50, people=2_000, actions=100_000)
    analyze(engine)
    engine.dispose()
    print(f"{engine.dialect.name}: {seeded.actions:,} actions, {seeded.boards} boards, {seeded.people:,} people")

    fake = FakeSlack().start()
    bare, bare_port = start_bare_bolt(fake)
    bot, bot_port = start_bot(url, fake, workdir, args.workers)
    try:
        _wait_healthy(bare_port, "/", bare)
        time.sleep(1)  # let start-up settle before reading memory at rest
        measure(
            f"baseline: bare Bolt app, {args.clients} clients",
            bare.pid,
            Client(bare_port, fake),
            seeded,
            args.clients,
            args.requests,
        )
        measure(
            f"arising serve, {args.clients} clients",
            bot.pid,
            Client(bot_port, fake),
            seeded,
            args.clients,
            args.requests,
        )
    finally:
        stop(bot)
        bare.terminate()
        bare.wait()
        fake.stop()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
