"""The system under test as separate processes: two hubs, one echo-file adapter and one stand-in per agency.

Everything runs against the private node and cluster of ``services``. Each process appends to its own log
file, so the harness can read what a process said during one fault (``LogCursor``) and restart it after a
SIGKILL with the same command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from nswfaults.services import PrivatePostgres, PrivateRabbit, PrivateRabbitCluster, free_port
from singlewindow.platform.testing import short_retry_routing

VHOST = "nsw"
AGENCIES = ("customs", "border-guard", "veterinary", "phytosanitary", "sanitary")
STANDIN = Path(__file__).with_name("standin.py")
NSW = [sys.executable, "-m", "singlewindow.platform.cli"]


@dataclass
class Proc:
    """One child process that can be killed and started again with the same command line."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        with self.log.open("ab") as handle:
            handle.write(f"\n=== start {self.starts + 1} of {self.name} at {time.time():.3f}\n".encode())
            handle.flush()
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=handle, stderr=subprocess.STDOUT)
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def freeze(self) -> None:
        """SIGSTOP: the process holds what it received and acknowledges nothing until thawed or killed."""
        if self.alive:
            os.kill(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.alive:
            os.kill(self.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acks, no confirms waited for."""
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self, timeout: float = 30) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def text(self, start: int = 0) -> str:
        with self.log.open("rb") as handle:
            handle.seek(start)
            return handle.read().decode(errors="replace")

    def size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0


def _nsw(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run([*NSW, *args], env=env, capture_output=True, text=True, timeout=180, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"nsw {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _users(vhost: str, env: dict[str, str], *extra: str) -> tuple[dict[str, str], list[str]]:
    """``nsw topology users``: (user -> password it issued, users that existed and kept theirs)."""
    argv = [*NSW, "topology", "users", "--vhost", vhost, *extra]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"nsw topology users failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    issued = dict(line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line)
    kept = [line.split("\t")[0] for line in result.stderr.splitlines() if "(exists;" in line]
    return issued, kept


def issue_passwords(vhost: str, env: dict[str, str], known: dict[str, str]) -> dict[str, str]:
    """The passwords of ``vhost``'s users. Users are global to a node, so one another system of this session
    made (the cross-border one runs first) exists with a password we do not know: then every user is issued
    a new one (``--rotate``; that system's processes have stopped by then)."""
    issued, kept = _users(vhost, env)
    if any(user not in known for user in kept):
        issued, _ = _users(vhost, env, "--rotate")
    return issued


def wait_healthy(proc: Proc, url: str, timeout: float = 90) -> None:
    """Until the hub process at ``url`` answers /healthz; RuntimeError with its log if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive:
            raise RuntimeError(f"{proc.name} exited:\n{proc.text()[-4000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not become healthy:\n{proc.text()[-4000:]}")


def wait_consuming(proc: Proc, management_url: str, vhost: str, queue: str, timeout: float = 90) -> None:
    """Until ``queue`` in ``vhost`` has a consumer (``proc``'s); RuntimeError with its log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive:
            raise RuntimeError(f"{proc.name} exited:\n{proc.text()[-4000:]}")
        with contextlib.suppress(httpx.HTTPError, KeyError):
            found = httpx.get(
                f"{management_url}/api/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}",
                auth=("guest", "guest"),
                timeout=2,
            ).json()
            if found["consumers"] >= 1:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{proc.name} did not start consuming {queue}:\n{proc.text()[-4000:]}")


@dataclass
class System:
    """The hub, adapters and agency stand-ins on the private services; ``build`` starts them all. On a
    cluster every process is given every node (``broker.url`` and ``broker.urls``)."""

    root: Path
    rabbit: PrivateRabbit | PrivateRabbitCluster
    postgres: PrivatePostgres
    officer_seconds: float = 0.05
    database_url: str = ""
    routing_dir: Path = field(default=Path())
    passwords: dict[str, str] = field(default_factory=dict)
    token: str = ""
    hubs: list[Proc] = field(default_factory=list)
    hub_urls: list[str] = field(default_factory=list)
    adapters: dict[str, Proc] = field(default_factory=dict)
    standins: dict[str, Proc] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def _mark(self, step: str, since: float) -> float:
        now = time.monotonic()
        self.timings[step] = round(now - since, 1)
        return now

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NSW_")}
        return env | {
            "NSW_LOG__FORMAT": "json",
            "NSW_HUB__ROUTING_DIR": str(self.routing_dir),
            "NSW_BROKER__MANAGEMENT_URL": self.rabbit.management_url,
            "NSW_BROKER__MANAGEMENT_USER": "guest",
            "NSW_BROKER__MANAGEMENT_PASSWORD": "guest",
        }

    def broker_env(self, user: str = "", password: str = "") -> dict[str, str]:
        """The broker URLs of ``user`` in the vhost, first node in NSW_BROKER__URL, the others in NSW_BROKER__URLS."""
        first, *others = self.rabbit.amqp_urls(user, password, VHOST)
        return {"NSW_BROKER__URL": first} | ({"NSW_BROKER__URLS": json.dumps(others)} if others else {})

    def outbox(self, agency: str) -> Path:
        return self.root / "agencies" / agency / "outbox"

    def decisions(self, agency: str) -> Path:
        return self.root / "agencies" / agency / "decisions"

    def ledger(self, agency: str) -> Path:
        return self.root / "agencies" / agency / "ledger.txt"

    def build(self) -> None:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        mark = time.monotonic()
        self.routing_dir = short_retry_routing(self.root / "routing", tiers=(1, 2))
        admin = self.base_env() | {"NSW_BROKER__URL": self.rabbit.amqp_url()}
        _nsw("topology", "declare", "--vhost", VHOST, env=admin)
        self.passwords.update(issue_passwords(VHOST, admin, self.passwords))
        mark = self._mark("topology", mark)
        self.database_url = self.postgres.create_database("nsw")
        hub_env = self.base_env() | self.broker_env("nsw-hub", self.passwords["nsw-hub"])
        hub_env |= {
            "NSW_DATABASE__URL": self.database_url,
            "NSW_HUB__OUTBOX_POLL_SECONDS": "0.5",
        }
        for index in range(2):
            http_port = free_port()
            argv = [*NSW, "hub", "run", "--http-port", str(http_port), "--grpc-port", str(free_port())]
            hub = Proc(
                f"hub-{index}", [*argv, "--metrics-port", "0", "--grace", "5"], hub_env, self._log(f"hub-{index}")
            )
            self.hubs.append(hub)
            self.hub_urls.append(f"http://127.0.0.1:{http_port}")
        for agency in AGENCIES:
            self.outbox(agency).mkdir(parents=True)
            self.adapters[agency] = self._adapter(agency)
            self.adapters[agency].start()
            self.standins[agency] = Proc(
                f"standin-{agency}",
                [
                    sys.executable,
                    str(STANDIN),
                    *("--outbox", str(self.outbox(agency)), "--decisions", str(self.decisions(agency))),
                    *("--ledger", str(self.ledger(agency)), "--officer-seconds", str(self.officer_seconds)),
                ],
                {k: v for k, v in os.environ.items() if not k.startswith("NSW_")},
                self._log(f"standin-{agency}"),
            )
            self.standins[agency].start()
        self.hubs[0].start()
        self.wait_hub(0)  # before the second: it migrates the database and loads the registry
        mark = self._mark("first hub", mark)
        self.hubs[1].start()
        issued = _nsw("principals", "add", "fault-trader", "--role", "trader", "--db", self.database_url, env=hub_env)
        self.token = next(line.split(": ", 1)[1] for line in issued.splitlines() if line.startswith("token: "))
        self.wait_hub(1)
        for agency in AGENCIES:
            self.wait_adapter(agency)
        self._mark("second hub, adapters, stand-ins", mark)

    def _log(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    def _adapter(self, agency: str) -> Proc:
        config = {
            "agency": agency,
            "adapter": {
                "outbox_dir": str(self.outbox(agency)),
                "decisions_dir": str(self.decisions(agency)),
                "poll_seconds": 0.2,
            },
            "runtime": {
                "prefetch": 10,
                "failure_threshold": 3,
                "probe_interval_seconds": 1.0,
                "republish_seconds": 2.0,
                "store_url": f"sqlite+aiosqlite:///{self.root / 'agencies' / agency / 'adapter.db'}",
            },
        }
        path = self.root / "agencies" / agency / "adapter.json"
        path.write_text(json.dumps(config, indent=2))
        env = self.base_env() | self.broker_env()
        env["NSW_ADAPTER_BROKER_PASSWORD"] = self.passwords[f"nsw-agency-{agency}"]
        return Proc(
            f"adapter-{agency}",
            [*NSW, "adapter", "run", "echo-file", "--config", str(path)],
            env,
            self._log(f"adapter-{agency}"),
        )

    def wait_hub(self, index: int, timeout: float = 90) -> None:
        wait_healthy(self.hubs[index], self.hub_urls[index], timeout)

    def wait_adapter(self, agency: str, timeout: float = 90) -> None:
        """Ready when the agency's inbox has a consumer again (the adapter's)."""
        wait_consuming(self.adapters[agency], self.rabbit.management_url, VHOST, f"agency.{agency}.inbox", timeout)

    def processes(self) -> list[Proc]:
        return [*self.hubs, *self.adapters.values(), *self.standins.values()]

    def check_alive(self) -> None:
        dead = [p.name for p in self.processes() if not p.alive]
        if dead:
            raise AssertionError(
                f"processes died outside a fault: {dead}\n"
                + "\n".join(f"--- {p.name}\n{p.text()[-3000:]}" for p in self.processes() if p.name in dead)
            )

    def stop(self) -> None:
        for proc in [*self.standins.values(), *self.adapters.values(), *self.hubs]:
            with contextlib.suppress(Exception):
                proc.stop()
