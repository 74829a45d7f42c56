"""Private RabbitMQ node and PostgreSQL cluster for the fault harness, never the machine's shared ones.

Both run from a temporary folder with their own names and ports, so stopping, restarting or alarming them
cannot touch ``rabbit@localhost`` (5672/15672/25672) or the 5432 cluster. Debian's wrapper runs RabbitMQ as
the ``rabbitmq`` user, so its folders belong to that user; PostgreSQL refuses to run as root, so its data
folder belongs to ``postgres``. Each is removed by ``remove()`` whatever happened before.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
RABBIT_HOME = Path("/var/lib/rabbitmq")  # the Erlang cookie the CLI tools share; only read
PLUGINS = ("rabbitmq_management", "rabbitmq_shovel", "rabbitmq_shovel_management")
"""Enabled from the node's own plugins file at start; the shovel pair carries the cross-border links
(``test_crossborder_faults.py``) and costs the other faults nothing."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_user(user: str, argv: list[str], env: dict[str, str] | None = None) -> list[str]:
    pairs = [f"{k}={v}" for k, v in (env or {}).items()]
    return ["runuser", "-u", user, "--", "env", *pairs, *argv]


def can_run_private_services() -> str | None:
    """None when this machine can host the private services, else why not."""
    if os.geteuid() != 0:
        return "the fault harness runs RabbitMQ and PostgreSQL as their own users, which needs root"
    if not (RABBIT_BIN / "rabbitmq-server").exists():
        return "rabbitmq-server is not installed"
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "PostgreSQL server binaries are not installed"
    return None


@dataclass
class PrivateRabbit:
    """One RabbitMQ node of its own: ``nswfault-<random>@localhost`` with the management plugin."""

    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nswfault-rabbit-")))
    node: str = field(default_factory=lambda: f"nswfault-{secrets.token_hex(3)}@localhost")
    amqp_port: int = field(default_factory=free_port)
    management_port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    home: Path = RABBIT_HOME  # where the Erlang cookie is; a cluster brings its own
    process: subprocess.Popen[bytes] | None = None

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.management_port}"

    def amqp_url(self, user: str = "guest", password: str = "guest", vhost: str = "") -> str:
        """With ``user`` empty the URL carries no credentials (an adapter gets its password apart)."""
        login = f"{user}:{password}@" if user else ""
        return f"amqp://{login}127.0.0.1:{self.amqp_port}/{vhost}"

    def amqp_urls(self, user: str = "guest", password: str = "guest", vhost: str = "") -> list[str]:
        """The one node's URL, as a cluster lists all of its nodes'."""
        return [self.amqp_url(user, password, vhost)]

    def _environment(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(self.base / "plugins-expand"),
            "RABBITMQ_PID_FILE": str(self.base / "node.pid"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def prepare(self) -> None:
        self.base.chmod(0o755)
        for name in ("mnesia", "log"):
            (self.base / name).mkdir(exist_ok=True)
        (self.base / "enabled_plugins").write_text(f"[{','.join(PLUGINS)}].\n")
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.amqp_port}\n"
            f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {self.management_port}\n"
            "collect_statistics_interval = 500\n"  # fresh unacked/redeliver figures for timing kills
            "loopback_users = none\n"
        )
        subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(self.base)], check=True)

    def start(self, timeout: float = 90) -> None:
        log = (self.base / "server.out").open("ab")
        self.process = subprocess.Popen(
            _as_user("rabbitmq", [str(RABBIT_BIN / "rabbitmq-server")], self._environment()),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(RABBIT_HOME),
            start_new_session=True,
        )
        log.close()
        self.wait_ready(timeout)

    def ctl(self, *args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``rabbitmqctl -n <this node> ...`` as the rabbitmq user."""
        argv = _as_user("rabbitmq", [str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, *args], {"HOME": str(self.home)})
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False, cwd=str(RABBIT_HOME)
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"rabbitmq-server exited:\n{self.output()[-3000:]}")
            if self.ctl("await_startup", "--timeout", "10", check=False, timeout=30).returncode == 0:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{self.management_url}/api/overview", auth=("guest", "guest"), timeout=2).is_success:
                        return
            time.sleep(0.5)
        raise RuntimeError(f"private node {self.node} did not start in {timeout} s:\n{self.output()[-3000:]}")

    def stop_node(self) -> None:
        """Stop the whole node (the Erlang VM exits); ``start()`` brings it back with its data."""
        self.ctl("stop", check=False, timeout=60)
        if self.process is not None:
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def output(self) -> str:
        logs = [self.base / "server.out", *sorted((self.base / "log").glob("*.log"))]
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in logs if p.exists())

    def kill(self) -> None:
        """SIGKILL to the node's process group: the VM dies mid-write, as in a power cut; ``start()`` again."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)

    def remove(self) -> None:
        """Gone with its data: no graceful stop (up to a minute of the session's end), the VM is killed."""
        self.kill()
        shutil.rmtree(self.base, ignore_errors=True)


@dataclass
class PrivatePostgres:
    """A throw-away PostgreSQL cluster: initdb into a temporary folder, its own port, trust auth on 127.0.0.1."""

    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nswfault-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def bin(self) -> Path:
        return Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        argv = _as_user("postgres", [str(self.bin / "pg_ctl"), "-D", str(self.data), *args])
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {result.stdout}{result.stderr}\n{self.output()}")

    def prepare(self) -> None:
        self.base.chmod(0o755)
        subprocess.run(["chown", "postgres:postgres", str(self.base)], check=True)
        argv = _as_user("postgres", [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"])
        subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.base}'\n"
                "max_connections = 200\nfsync = on\n"
            )

    def start(self) -> None:
        self._pg_ctl("-l", str(self.base / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "-l", str(self.base / "server.log"), "restart")

    def create_database(self, name: str) -> str:
        argv = _as_user("postgres", [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name])
        subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)
        return self.url(name)

    def output(self) -> str:
        log = self.base / "server.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


@dataclass
class PrivateRabbitCluster:
    """Three private nodes joined into one cluster: ``nswfault-<tag>-<n>@localhost``, each with its own AMQP,
    management and distribution ports and data folder, all sharing an Erlang cookie of their own (a HOME made
    for them), so neither they nor their CLI calls can reach ``rabbit@localhost``. ``remove()`` kills them all.
    """

    size: int = 3
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nswfault-cluster-")))
    nodes: list[PrivateRabbit] = field(default_factory=list)
    down: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        tag = secrets.token_hex(3)
        home = self.base / "home"
        for n in range(self.size):
            (self.base / f"node-{n}").mkdir()
            self.nodes.append(PrivateRabbit(self.base / f"node-{n}", f"nswfault-{tag}-{n}@localhost", home=home))

    @property
    def live(self) -> PrivateRabbit:
        """The first node the harness has not taken down: where its own API calls and publishes go."""
        return next(node for index, node in enumerate(self.nodes) if index not in self.down)

    @property
    def management_url(self) -> str:
        return self.live.management_url

    @property
    def amqp_port(self) -> int:
        return self.live.amqp_port

    def amqp_url(self, user: str = "guest", password: str = "guest", vhost: str = "") -> str:
        return self.live.amqp_url(user, password, vhost)

    def amqp_urls(self, user: str = "guest", password: str = "guest", vhost: str = "") -> list[str]:
        """Every node's URL in order: ``broker.url`` is the first, ``broker.urls`` the others."""
        return [node.amqp_url(user, password, vhost) for node in self.nodes]

    def prepare(self) -> None:
        home = self.base / "home"
        home.mkdir(parents=True)
        (home / ".erlang.cookie").write_text(secrets.token_hex(20))
        self.base.chmod(0o755)
        subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(home)], check=True)
        (home / ".erlang.cookie").chmod(0o400)
        for node in self.nodes:
            node.prepare()

    def start(self, timeout: float = 120) -> None:
        """Start the nodes side by side, then join the others to the first one by one (stop_app,
        join_cluster, start_app), and wait until every node sees all of them running."""
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            for started in [pool.submit(node.start, timeout) for node in self.nodes]:
                started.result()
        first = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.node)
            node.ctl("start_app")
            node.ctl("await_startup", "--timeout", "60", timeout=90)
        self.wait_formed(timeout)

    def running(self, via: PrivateRabbit | None = None) -> set[str]:
        """Node names the cluster reports running (asked of ``via``, else the live node)."""
        status = (via or self.live).ctl("cluster_status", "--formatter", "json", check=False, timeout=30)
        if status.returncode != 0:
            return set()
        try:
            return set(json.loads(status.stdout).get("running_nodes", []))
        except ValueError:
            return set()

    def wait_formed(self, timeout: float = 120) -> None:
        """Until every node is up and each one reports all of them running."""
        names = {node.node for node in self.nodes}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.running(node) == names for node in self.nodes):
                return
            time.sleep(0.5)
        raise RuntimeError(f"cluster not formed in {timeout} s: {self.running()} of {sorted(names)}")

    def kill(self, index: int) -> None:
        """SIGKILL node ``index``: its connections drop and its queue leaders move, nothing is handed over."""
        self.down.add(index)
        self.nodes[index].kill()

    def stop(self, index: int) -> None:
        """Stop node ``index`` the way an operator does before maintenance (``rabbitmqctl stop``)."""
        self.down.add(index)
        self.nodes[index].stop_node()

    def start_node(self, index: int) -> None:
        """Start node ``index`` again with its data: it rejoins the cluster by itself."""
        self.nodes[index].start()
        self.down.discard(index)
        self.wait_formed()

    def output(self) -> str:
        return "\n".join(f"--- {node.node}\n{node.output()}" for node in self.nodes)

    def remove(self) -> None:
        for node in self.nodes:
            node.remove()
        shutil.rmtree(self.base, ignore_errors=True)
