"""Ack latency of the real bot (`arising serve`) next to a bare Bolt app that only acks, in one run.

Seeds a log (100,000 actions, 50 boards, 2,000 people by default), starts both servers as their
own processes behind the same WSGI server (waitress, same thread count), fires concurrent signed
clients at `/action add`, `/action update` and `/mine`, and prints p50/p99/max ack latency,
throughput and the ratio to the floor. Then the slow-Slack (every Web API call answers after
10 s) and rate-limited (429, Retry-After 5) scenarios, where it prints the slowest ack.

Run: .venv/bin/python -m benchmarks.ack_latency [--database-url URL] [--clients 50] [--requests 20]
Everything listens on 127.0.0.1; Slack is the fake from tests/fakeslack.py.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from benchmarks.seed_log import Seeded, analyze, seed
from storage.db import make_engine
from storage.migrate import upgrade_to_head
from tests.fakeslack import FakeSlack

SECRET = "bench-signing-secret"
THREADS = 16


@dataclass
class Result:
    """Latencies (seconds) of one scenario, and how long it took."""

    name: str
    latencies: list[float]
    errors: int
    busy: int
    elapsed: float

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(port: int, path: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


class Client:
    """Signs and posts slash commands as Slack does; records the time to the HTTP answer (the ack)."""

    def __init__(self, port: int, fake: FakeSlack) -> None:
        self.port = port
        self.fake = fake
        self.signer = SignatureVerifier(SECRET)
        self.counter = 0
        self.lock = threading.Lock()

    def body(self, n: int, seeded: Seeded, kind: str) -> str:
        board = n % seeded.boards
        chair = Seeded.user(board * (seeded.people // seeded.boards))
        with self.lock:
            self.counter += 1
            serial = self.counter
        if kind == "add":
            command, text = "/action", f"add <@{chair}> to review case audit {serial} by 15/12/2026"
        elif kind == "update":
            number = 1 + (serial * 3 + 1) % (seeded.actions // seeded.boards - 2)
            number += 1 if number % 3 == 0 else 0  # open actions only
            command, text = "/action", f"update {Seeded.code(board)}-{number} progress reviewed at panel"
        else:
            command, text = "/mine", ""
        return urlencode(
            {
                "team_id": "T1",
                "channel_id": Seeded.channel(board),
                "user_id": chair,
                "command": command,
                "text": text,
                "response_url": self.fake.response_url(f"b{serial}"),
                "trigger_id": f"t{serial}",
            }
        )

    def post(self, body: str) -> tuple[float, int, str]:
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.signer.generate_signature(timestamp=ts, body=body),
        }
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            return time.perf_counter() - started, response.status, text
        finally:
            conn.close()


def run_clients(name: str, client: Client, seeded: Seeded, clients: int, per_client: int) -> Result:
    """`clients` threads released together, each posting `per_client` commands one after another."""
    kinds = ("add", "update", "mine")
    latencies: list[float] = []
    errors = busy = 0
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def one(i: int) -> None:
        nonlocal errors, busy
        bodies = [client.body(i, seeded, kinds[(i + k) % 3]) for k in range(per_client)]
        barrier.wait()
        for body in bodies:
            try:
                took, status, text = client.post(body)
            except OSError:
                with lock:
                    errors += 1
                continue
            with lock:
                latencies.append(took)
                errors += status != 200
                busy += "busy" in text

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(name, latencies, errors, busy, time.perf_counter() - started)


def start_bare_bolt(fake: FakeSlack) -> tuple[subprocess.Popen[bytes], int]:
    """The baseline: a bare Bolt app that only acks, behind the same server, on a free port."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bare_bolt", str(port), SECRET, str(THREADS), fake.api_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, port


def start_bot(url: str, fake: FakeSlack, workdir: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = os.environ | {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": url,
        "SCHEDULER_ENABLED": "false",
        "INBOX_DIR": str(workdir / f"inbox-{port}"),
        "WORKER_PROCESSES": str(workers),
        "LISTENER_THREADS": str(THREADS),
        "LOG_LEVEL": "WARNING",
    }
    log = open(workdir / f"bot-{port}.log", "wb")  # noqa: SIM115 - the process owns it until it ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _wait_healthy(port, "/healthz", proc)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def report(rows: list[Result], floor: Result) -> None:
    print(
        f"{'scenario':44} {'reqs':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7} "
        f"{'p50/floor':>9} {'busy':>5}"
    )
    for r in rows:
        ratio = r.p50 / floor.p50 if floor.p50 else float("nan")
        print(
            f"{r.name:44} {len(r.latencies):5d} {r.p50 * 1000:8.1f} {r.pct(0.99) * 1000:8.1f} "
            f"{max(r.latencies) * 1000:8.1f} {len(r.latencies) / r.elapsed:7.0f} {ratio:9.2f} {r.busy:5d}"
            + (f"  errors={r.errors}" if r.errors else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="an EMPTY database (default: a temporary SQLite file)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the bot")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="arising-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    started = time.perf_counter()
    seeded = seed(engine, boards=50, people=2_000, actions=args.actions)
    analyze(engine)
    engine.dispose()
    print(
        f"seeded {seeded.actions:,} actions, {seeded.boards} boards, {seeded.people:,} people "
        f"on {engine.dialect.name} in {time.perf_counter() - started:.1f} s"
    )

    fake = FakeSlack().start()
    bare, bare_port = start_bare_bolt(fake)
    bot, bot_port = start_bot(url, fake, workdir, args.workers)
    rows: list[Result] = []
    try:
        _wait_healthy(bare_port, "/", bare)
        bare_client, bot_client = Client(bare_port, fake), Client(bot_port, fake)
        run_clients("warm-up", bare_client, seeded, 4, 5)
        run_clients("warm-up", bot_client, seeded, 4, 5)
        floor = run_clients(
            f"floor: bare Bolt app, {args.clients} clients", bare_client, seeded, args.clients, args.requests
        )
        rows.append(floor)
        rows.append(run_clients(f"bot, {args.clients} clients", bot_client, seeded, args.clients, args.requests))
        stop(bot)

        fake.latency = 10.0
        bot, bot_port = start_bot(url, fake, workdir, args.workers)
        rows.append(run_clients("bot, Slack answers after 10 s, 40 at once", Client(bot_port, fake), seeded, 40, 1))
        stop(bot)

        fake.latency, fake.throttle = 0.0, 5
        bot, bot_port = start_bot(url, fake, workdir, args.workers)
        rows.append(
            run_clients("bot, Slack answers 429 Retry-After 5, 40 at once", Client(bot_port, fake), seeded, 40, 1)
        )
    finally:
        stop(bot)
        bare.terminate()
        bare.wait()
        fake.throttle = None
        fake.stop()
    report(rows, rows[0])
    slowest = max(max(r.latencies) for r in rows[1:])
    print(f"slowest bot ack in any scenario: {slowest * 1000:.0f} ms (Slack's limit: 3000 ms)")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
