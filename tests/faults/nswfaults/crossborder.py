"""Two national single windows as separate processes on the private node: the cross-border faults (issue 13).

KZ (the shipped routing) and CN (the demo's second-country routing, GACC as its agency) each get a vhost on
the private RabbitMQ node with its topology and users (``nsw topology declare|users``), a database on the
private PostgreSQL cluster, a hub (``nsw hub run``) and a gateway (``nsw adapter run crossborder-gateway``)
whose store is a database of its own; GACC (``nsw adapter run gacc-cn``) decides in CN. The two vhosts are
joined both ways by real Shovels put with ``nsw gateway link``, each writing into the other vhost as the
link user that vhost issued. Each side's signing key comes from ``nsw gateway keys generate`` and reaches
the other's profile as its public entry, as two administrations exchange them.

The load is KZ control results for goods going on to China (each routed only to ``partner-cn``): sealed by
KZ's gateway, carried over the link, receipted by CN's gateway, submitted into CN's intake, accepted by
GACC, and answered back, which becomes ``partner-cn``'s decision and clears the KZ submission. The checker
(``check_crossborder``) follows every accepted KZ submission through both gateways' stores and both hubs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nswfaults.broker import Management
from nswfaults.checker import Report, check_decisions, check_queues, check_terminals
from nswfaults.driver import Driver
from nswfaults.harness import Params, VoidRun, _rows
from nswfaults.processes import NSW, Proc, _nsw, issue_passwords, wait_consuming, wait_healthy
from nswfaults.services import PrivatePostgres, PrivateRabbit, free_port
from singlewindow.adapters.gateway.profiles import default_directory
from singlewindow.platform.demo.crossborder import DATA as CROSSBORDER_DIR
from singlewindow.platform.testing.crossborder import CN_DATA
from singlewindow.platform.topology import names

CONTROL_RESULT = json.loads((CROSSBORDER_DIR / "02-control-result-kz.json").read_text(encoding="utf-8"))
KEY_OVERLAP = "PT10M"
RESEND_AFTER_SECONDS = 20  # the KZ gateway sends an unreceipted envelope again after this (dupes to absorb)


@dataclass(frozen=True)
class Country:
    """One side's fixed facts: code, hub id, vhost, routing (None: the shipped one), and the partner's."""

    code: str
    hub_id: str
    routing_dir: Path | None
    partner: str  # the partner's country code
    profile_source: Path  # the shipped profile of the partner, copied with the partner's real keys

    @property
    def key(self) -> str:
        return self.code.lower()

    @property
    def vhost(self) -> str:
        return self.key

    @property
    def partner_key(self) -> str:
        return self.partner.lower()

    @property
    def recipient(self) -> str:
        """The partner's recipient on this hub, whose gateway runs here (``partner-cn`` in KZ)."""
        return names.partner_recipient(self.partner_key)


KZ = Country("KZ", "kz-nsw", None, "CN", default_directory() / "cn.json")
CN = Country("CN", "cn-sw", CN_DATA / "routing", "KZ", CN_DATA / "partners" / "kz.json")


class ControlResultDriver(Driver):
    """The fault driver's open loop, offering KZ control results (unique documentId and ucr each) to KZ."""

    def request(self, index: int) -> tuple[str, dict[str, Any]]:
        document = json.loads(json.dumps(CONTROL_RESULT))
        document["documentId"] = f"KZ-KGD-CR-{self.tag}-{index:05d}"
        document["ucr"] = f"6KZ{self.tag}-{index:05d}"
        reference = f"XBF-{self.tag}-{index:05d}"
        return reference, {"documentType": "control-result", "document": document, "traderReference": reference}


@dataclass
class CrossBorderSystem:
    """KZ and CN on the private services; ``build`` starts everything and links the two both ways."""

    root: Path
    rabbit: PrivateRabbit
    postgres: PrivatePostgres
    passwords: dict[str, str] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)  # "kz", "cn", "kz-gateway", "cn-gateway" -> URL
    hub_urls: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # "kz-trader", "kz-gateway", "cn-gateway"
    hubs: dict[str, Proc] = field(default_factory=dict)
    gateways: dict[str, Proc] = field(default_factory=dict)
    gacc: Proc | None = None
    timings: dict[str, float] = field(default_factory=dict)

    # -- environments and places -----------------------------------------------------------------------------
    def env(self, country: Country, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NSW_")}
        env |= {
            "NSW_LOG__FORMAT": "json",
            "NSW_BROKER__MANAGEMENT_URL": self.rabbit.management_url,
            "NSW_BROKER__MANAGEMENT_USER": "guest",
            "NSW_BROKER__MANAGEMENT_PASSWORD": "guest",
            "NSW_GATEWAY__COUNTRY": country.code,
            "NSW_GATEWAY__HUB_ID": country.hub_id,
            "NSW_GATEWAY__KEYS_DIR": str(self.keys_dir(country)),
            "NSW_GATEWAY__PARTNERS_DIR": str(self.partners_dir(country)),
        }
        if country.routing_dir is not None:
            env["NSW_HUB__ROUTING_DIR"] = str(country.routing_dir)
        return env | extra

    def admin_env(self, country: Country) -> dict[str, str]:
        return self.env(country, NSW_BROKER__URL=self.rabbit.amqp_url())

    def keys_dir(self, country: Country) -> Path:
        return self.root / country.key / "keys"

    def partners_dir(self, country: Country) -> Path:
        return self.root / country.key / "partners"

    def profile_path(self, country: Country) -> Path:
        """``country``'s profile of its partner (KZ's of CN: the file a key import changes)."""
        return self.partners_dir(country) / f"{country.partner_key}.json"

    def management(self, country: Country) -> Management:
        return Management(self.rabbit.management_url, country.vhost)

    def _log(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    def _mark(self, step: str, since: float) -> float:
        now = time.monotonic()
        self.timings[step] = round(now - since, 1)
        return now

    # -- build -----------------------------------------------------------------------------------------------
    def build(self) -> None:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        mark = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            declared = [pool.submit(self._declare, c) for c in (KZ, CN)]
            databases = {
                name: pool.submit(self.postgres.create_database, name.replace("-", "_"))
                for name in ("kz", "cn", "kz-gateway", "cn-gateway")
            }
            keys = [pool.submit(self._keys, c) for c in (KZ, CN)]
            for future in declared + keys:
                future.result()
            self.databases = {name: future.result() for name, future in databases.items()}
        for country in (KZ, CN):  # users are global on a node: one after the other (nsw-hub is in both)
            self._users(country)
        exported = {c.code: json.loads(_nsw("gateway", "keys", "export", "--json", env=self.env(c))) for c in (KZ, CN)}
        for country in (KZ, CN):
            self._profile(country, exported[country.partner])
        mark = self._mark("topology, users, keys, profiles", mark)
        for country in (KZ, CN):
            self.hubs[country.code] = self._hub(country)
            self.hubs[country.code].start()
        for country in (KZ, CN):
            self.wait_hub(country)
        mark = self._mark("hubs", mark)
        with ThreadPoolExecutor(3) as pool:
            issued = {
                "kz-trader": pool.submit(self._principal, KZ, "kz-trader", "trader"),
                "kz-gateway": pool.submit(self._principal, KZ, KZ.recipient, "partner"),
                "cn-gateway": pool.submit(self._principal, CN, CN.recipient, "partner"),
            }
            self.tokens = {name: future.result() for name, future in issued.items()}
        for country in (KZ, CN):
            self.gateways[country.code] = self._gateway(country)
            self.gateways[country.code].start()
        self.gacc = self._gacc()
        self.gacc.start()
        for country in (KZ, CN):
            self.wait_consumer(country, names.crossborder_in_queue(country.partner_key), self.gateways[country.code])
            self.wait_consumer(country, f"agency.{country.recipient}.inbox", self.gateways[country.code])
        self.wait_consumer(CN, "agency.gacc.inbox", self.gacc)
        mark = self._mark("gateways, GACC", mark)
        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(self.link, c) for c in (KZ, CN)]:
                future.result()
        self._mark("links", mark)

    def _declare(self, country: Country) -> None:
        _nsw("topology", "declare", "--vhost", country.vhost, env=self.admin_env(country))

    def _users(self, country: Country) -> None:
        self.passwords.update(issue_passwords(country.vhost, self.admin_env(country), self.passwords))

    def _keys(self, country: Country) -> None:
        _nsw("gateway", "keys", "generate", "--hub-id", country.hub_id, env=self.env(country))

    def _profile(self, country: Country, partner_keys: list[dict[str, str]]) -> None:
        """The shipped profile of the partner with the partner's real public keys (what an import gives)."""
        profile = json.loads(country.profile_source.read_text(encoding="utf-8"))
        profile["keys"] = partner_keys
        self.partners_dir(country).mkdir(parents=True, exist_ok=True)
        self.profile_path(country).write_text(json.dumps(profile, indent=2), encoding="utf-8")

    def _principal(self, country: Country, name: str, role: str) -> str:
        issued = _nsw(
            "principals", "add", name, "--role", role, "--db", self.databases[country.key], env=self.env(country)
        )
        return next(line.split(": ", 1)[1] for line in issued.splitlines() if line.startswith("token: "))

    def _hub(self, country: Country) -> Proc:
        http_port = free_port()
        self.hub_urls[country.code] = f"http://127.0.0.1:{http_port}"
        env = self.env(
            country,
            NSW_BROKER__URL=self.rabbit.amqp_url("nsw-hub", self.passwords["nsw-hub"], country.vhost),
            NSW_DATABASE__URL=self.databases[country.key],
            NSW_HUB__OUTBOX_POLL_SECONDS="0.5",
        )
        argv = [*NSW, "hub", "run", "--http-port", str(http_port), "--grpc-port", str(free_port())]
        return Proc(
            f"hub-{country.key}", [*argv, "--metrics-port", "0", "--grace", "5"], env, self._log(f"hub-{country.key}")
        )

    def _adapter(
        self, country: Country, name: str, adapter: str, agency: str, table: dict[str, Any], **env: str
    ) -> Proc:
        folder = self.root / country.key / name
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "agency": agency,
            "adapter": table,
            "runtime": {
                "prefetch": 10,
                "failure_threshold": 3,
                "probe_interval_seconds": 1.0,
                "republish_seconds": 2.0,
                "store_url": f"sqlite+aiosqlite:///{folder / 'adapter.db'}",
            },
        }
        path = folder / "adapter.json"
        path.write_text(json.dumps(config, indent=2))
        user = f"nsw-partner-{country.partner_key}" if adapter == "crossborder-gateway" else f"nsw-agency-{agency}"
        variables = self.env(
            country,
            NSW_BROKER__URL=f"amqp://127.0.0.1:{self.rabbit.amqp_port}/{country.vhost}",
            NSW_ADAPTER_BROKER_PASSWORD=self.passwords[user],
            **env,
        )
        return Proc(name, [*NSW, "adapter", "run", adapter, "--config", str(path)], variables, self._log(name))

    def _gateway(self, country: Country) -> Proc:
        table = {
            "partner": country.partner,
            "partners_dir": str(self.partners_dir(country)),
            "keys_dir": str(self.keys_dir(country)),
            "store_url": self.databases[f"{country.key}-gateway"],
            "hub_url": self.hub_urls[country.code],
            "hub_token_env": "NSW_GATEWAY_HUB_TOKEN",
            "sweep_seconds": 0.5,
            "resend_after": RESEND_AFTER_SECONDS,
        }
        token = self.tokens[f"{country.key}-gateway"]
        return self._adapter(
            country,
            f"gateway-{country.key}",
            "crossborder-gateway",
            country.recipient,
            table,
            NSW_GATEWAY_HUB_TOKEN=token,
        )

    def _gacc(self) -> Proc:
        table = {"state_file": str(self.root / "cn" / "gacc" / "state.db")}
        return self._adapter(CN, "gacc", "gacc-cn", "gacc", table)

    # -- links -----------------------------------------------------------------------------------------------
    def link(self, sender: Country) -> None:
        """``nsw gateway link`` in the sender's vhost, as the link user the receiver's vhost issued."""
        password = self.passwords[names.link_user(sender.key)]
        env = self.admin_env(sender) | {"NSW_FAULT_LINK_PASSWORD": password}
        _nsw(
            *("gateway", "link", "--partner", sender.partner, "--vhost", sender.vhost),
            *("--uri", f"amqp://127.0.0.1:{self.rabbit.amqp_port}", "--partner-vhost", sender.partner_key),
            *("--link-password-env", "NSW_FAULT_LINK_PASSWORD", "--wait", "30"),
            env=env,
        )

    def unlink(self, sender: Country) -> str:
        return _nsw(
            "gateway", "unlink", "--partner", sender.partner, "--vhost", sender.vhost, env=self.admin_env(sender)
        )

    # -- readiness and liveness ------------------------------------------------------------------------------
    def wait_hub(self, country: Country, timeout: float = 90) -> None:
        wait_healthy(self.hubs[country.code], self.hub_urls[country.code], timeout)

    def wait_consumer(self, country: Country, queue: str, proc: Proc, timeout: float = 90) -> None:
        wait_consuming(proc, self.rabbit.management_url, country.vhost, queue, timeout)

    def processes(self) -> list[Proc]:
        return [*self.hubs.values(), *self.gateways.values(), *([self.gacc] if self.gacc else [])]

    def check_alive(self) -> None:
        dead = [p for p in self.processes() if not p.alive]
        if dead:
            raise AssertionError(
                f"processes died outside a fault: {[p.name for p in dead]}\n"
                + "\n".join(f"--- {p.name}\n{p.text()[-3000:]}" for p in dead)
            )

    def stop(self) -> None:
        for proc in [*([self.gacc] if self.gacc else []), *self.gateways.values(), *self.hubs.values()]:
            with contextlib.suppress(Exception):
                proc.stop()


# -- the faults -------------------------------------------------------------------------------------------------
@dataclass
class XbContext:
    system: CrossBorderSystem
    params: Params


async def _queue_total(system: CrossBorderSystem, country: Country, queue: str) -> tuple[int, int]:
    """(ready + unacked, redelivered so far) of one queue."""
    reading = (await system.management(country).queues()).get(queue)
    return (reading.total, reading.redelivered) if reading else (0, 0)


async def _sample(system: CrossBorderSystem, country: Country, queue: str, seconds: float) -> tuple[int, int]:
    """The most ``queue`` held while ``seconds`` pass, and the redeliveries it counted meanwhile."""
    _, redelivered_before = await _queue_total(system, country, queue)
    most, redelivered = 0, redelivered_before
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        total, redelivered = await _queue_total(system, country, queue)
        most = max(most, total)
        await asyncio.sleep(0.5)
    return most, max(0, redelivered - redelivered_before)


async def link_cut(ctx: XbContext) -> dict[str, Any]:
    """KZ's Shovel to CN deleted for the outage (envelopes wait in crossborder.out.cn), then linked again."""
    system = ctx.system
    removed = (await asyncio.to_thread(system.unlink, KZ)).split()[-1]
    held, _ = await _sample(system, KZ, names.crossborder_out_queue("cn"), ctx.params.outage_seconds)
    stranded = await _sealed_not_received(system)
    await asyncio.to_thread(system.link, KZ)
    return {"shovel": removed, "out_backlog_during_cut": held, "sealed_not_received_at_relink": stranded}


async def _sealed_not_received(system: CrossBorderSystem) -> int:
    """Envelopes KZ's gateway sealed for CN that CN's gateway has not taken (yet)."""
    sealed = await _rows(
        system.databases["kz-gateway"], "SELECT envelope_id FROM gateway_outbound WHERE partner = 'cn'"
    )
    received = await _rows(
        system.databases["cn-gateway"], "SELECT envelope_id FROM gateway_inbound WHERE partner = 'kz'"
    )
    return len({r[0] for r in sealed} - {r[0] for r in received})


async def partner_hub_killed(ctx: XbContext) -> dict[str, Any]:
    """CN's hub SIGKILLed mid-stream: CN's gateway cannot submit (TransientError: the envelope is requeued),
    receipts wait; the hub is started again after the outage."""
    system = ctx.system
    hub = system.hubs["CN"]
    offset = system.gateways["CN"].size()
    hub.kill()
    held, redelivered = await _sample(system, CN, names.crossborder_in_queue("kz"), ctx.params.outage_seconds)
    stranded = await _sealed_not_received(system)
    hub.start()
    await asyncio.to_thread(system.wait_hub, CN)
    given_back = system.gateways["CN"].text(offset).count("link message given back")
    return {
        "in_queue_held_while_down": held,
        "in_queue_redelivered": redelivered,
        "sealed_not_received_at_restart": stranded,
        "envelopes_given_back": given_back,
    }


async def key_rotated(ctx: XbContext) -> dict[str, Any]:
    """CN rotates its signing key with an overlap. The rotation is made in a copy of CN's keystore, KZ imports
    the new public entry into its profile of CN (``nsw gateway keys import``) and its gateway takes the
    profile again; only then does the copy replace CN's keystore, so CN signs with the new key from an
    instant KZ already knows it, while what CN signed with the old key is still on the link."""
    system = ctx.system
    live, staged = system.keys_dir(CN), system.keys_dir(CN).with_name("keys.next")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(live, staged)
    staged_env = system.env(CN, NSW_GATEWAY__KEYS_DIR=str(staged))
    old = json.loads((live / "keys.json").read_text())
    old_key = next(k["keyId"] for k in old["keys"] if k["active"])
    await asyncio.to_thread(_nsw, "gateway", "keys", "rotate", "--overlap", KEY_OVERLAP, env=staged_env)
    entries = json.loads(await asyncio.to_thread(_nsw, "gateway", "keys", "export", "--json", env=staged_env))
    new_key = next(k["keyId"] for k in json.loads((staged / "keys.json").read_text())["keys"] if k["active"])
    entry = next(e for e in entries if e["keyId"] == new_key)
    kz_gateway = system.gateways["KZ"]
    offset = kz_gateway.size()
    await asyncio.to_thread(
        _nsw,
        *("gateway", "keys", "import", "--profile", str(system.profile_path(KZ)), "--key-id", new_key),
        *("--public-key", entry["publicKey"], "--valid-from", entry["validFrom"], "--valid-to", entry["validTo"]),
        env=system.env(KZ),
    )
    deadline = time.monotonic() + 20
    while "partner profile reloaded" not in kz_gateway.text(offset):
        if time.monotonic() > deadline:
            raise AssertionError(f"KZ's gateway did not take the new profile:\n{kz_gateway.text(offset)[-3000:]}")
        await asyncio.sleep(0.2)
    shutil.copy2(staged / f"{new_key}.key", live / f"{new_key}.key")
    os.replace(staged / "keys.json", live / "keys.json")  # CN's gateway reads the index on every signature
    shutil.rmtree(staged, ignore_errors=True)
    await asyncio.sleep(ctx.params.outage_seconds)
    return {"old_key": old_key, "new_key": new_key}


FAULTS = {"link-cut": link_cut, "partner-hub-killed": partner_hub_killed, "key-rotated": key_rotated}
SHORT = ("link-cut",)


def assert_struck(name: str, evidence: dict[str, Any]) -> None:
    """A fault that found nothing in flight voids the run (it fails)."""
    # The stores, not the management API's queue figures: those can lag (a short run read 0 for
    # crossborder.out.cn all through a cut that held 16 envelopes back), so they are reported, not judged.
    if name == "link-cut":
        struck = evidence.get("sealed_not_received_at_relink", 0) > 0
    elif name == "partner-hub-killed":
        struck = evidence.get("sealed_not_received_at_restart", 0) > 0 and evidence.get("envelopes_given_back", 0) > 0
    elif name == "key-rotated":
        struck = evidence.get("signed_old_key", 0) > 0 and evidence.get("signed_new_key", 0) > 0
    else:
        raise ValueError(f"unknown cross-border fault {name!r}")
    if not struck:
        raise VoidRun(f"VOID run: fault {name} did not strike anything in flight (evidence {evidence})")


# -- the checker ----------------------------------------------------------------------------------------------
@dataclass
class XbReport(Report):
    """The fault checker's report (KZ's submissions: terminal once, partner-cn's decision once) plus the
    envelopes' fate in both gateways' stores and CN's hub."""

    envelopes: int = 0
    envelopes_missing: list[str] = field(default_factory=list)  # accepted in KZ, never sealed
    envelopes_twice: list[str] = field(default_factory=list)  # one KZ submission, two envelopes
    not_receipted: list[str] = field(default_factory=list)  # no ACCEPTED receipt in KZ's store
    not_received: list[str] = field(default_factory=list)  # no inbound row in CN's store
    not_applied: list[str] = field(default_factory=list)  # inbound row not APPLIED
    cn_missing: list[str] = field(default_factory=list)  # no CN submission with reference XB-kz-<id>
    cn_twice: list[str] = field(default_factory=list)  # more than one
    cn_not_cleared: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)  # anything in either gateway's quarantine
    receipts_received: int = 0
    duplicates_suppressed: int = 0  # redelivered envelopes CN recognised and receipted again

    @property
    def failures(self) -> list[str]:
        problems = super().failures
        for name in (
            "envelopes_missing",
            "envelopes_twice",
            "not_receipted",
            "not_received",
            "not_applied",
            "cn_missing",
            "cn_twice",
            "cn_not_cleared",
            "quarantined",
        ):
            found = getattr(self, name)
            if found:
                problems.append(f"{name}: {len(found)} (e.g. {sorted(found)[:5]})")
        return problems

    def summary(self) -> str:
        return (
            f"{super().summary()} envelopes={self.envelopes} receipts_received={self.receipts_received} "
            f"duplicates_suppressed={self.duplicates_suppressed} quarantined={len(self.quarantined)}"
        )


async def check_crossborder(report: XbReport, system: CrossBorderSystem, accepted: set[str]) -> dict[str, str]:
    """Every accepted KZ submission: one envelope, receipted ACCEPTED, one inbound row in CN's store, APPLIED as
    one CN submission (reference ``XB-kz-<envelopeId>``) that GACC cleared; nothing in quarantine. Returns the
    envelope ids by KZ submission."""
    ids = list(accepted)
    sealed = await _rows(
        system.databases["kz-gateway"],
        "SELECT submission_id, envelope_id, receipt_outcome, receipts FROM gateway_outbound "
        "WHERE partner = 'cn' AND kind = 'document' AND submission_id = ANY($1::text[])",
        ids,
    )
    per_submission = Counter(row[0] for row in sealed)
    report.envelopes = len(sealed)
    report.envelopes_missing = sorted(accepted - set(per_submission))
    report.envelopes_twice = sorted(s for s, n in per_submission.items() if n > 1)
    report.not_receipted = sorted(row[1] for row in sealed if row[2] != "ACCEPTED")
    report.receipts_received = sum(int(row[3]) for row in sealed)
    envelopes = {row[0]: row[1] for row in sealed}
    envelope_ids = list(envelopes.values())
    inbound = await _rows(
        system.databases["cn-gateway"],
        "SELECT envelope_id, state, submission_id, redeliveries FROM gateway_inbound "
        "WHERE partner = 'kz' AND envelope_id = ANY($1::text[])",
        envelope_ids,
    )
    received = {row[0]: row for row in inbound}
    report.not_received = sorted(set(envelope_ids) - set(received))
    report.not_applied = sorted(e for e, row in received.items() if row[1] != "APPLIED")
    report.duplicates_suppressed = sum(int(row[3]) for row in inbound)
    references = [f"XB-kz-{e}" for e in envelope_ids]
    cn_rows = await _rows(
        system.databases["cn"],
        "SELECT s.trader_reference, s.id, t.status FROM submissions s "
        "LEFT JOIN terminal_statuses t ON t.submission_id = s.id WHERE s.trader_reference = ANY($1::text[])",
        references,
    )
    per_reference = Counter(row[0] for row in cn_rows)
    report.cn_missing = sorted(set(references) - set(per_reference))
    report.cn_twice = sorted(r for r, n in per_reference.items() if n > 1)
    report.cn_not_cleared = sorted(row[0] for row in cn_rows if row[2] != "CLEARED")
    for key, partner in (("cn-gateway", "kz"), ("kz-gateway", "cn")):
        entries = await _rows(
            system.databases[key],
            "SELECT id, reason_code, envelope_id FROM gateway_quarantine WHERE partner = $1",
            partner,
        )
        report.quarantined += [f"{key}#{row[0]} {row[1]} {row[2]}" for row in entries]
    return envelopes


async def _signed_with(system: CrossBorderSystem, envelope_ids: list[str]) -> Counter[str]:
    """Key ids of CN's signatures on the receipts of ``envelope_ids`` and on its answers in the same run."""
    rows = await _rows(
        system.databases["cn-gateway"],
        "SELECT receipt FROM gateway_inbound WHERE partner = 'kz' AND envelope_id = ANY($1::text[])",
        envelope_ids,
    )
    keys: Counter[str] = Counter(json.loads(row[0])["signature"]["keyId"] for row in rows if row[0])
    return keys


# -- one run ----------------------------------------------------------------------------------------------------
async def _drained(system: CrossBorderSystem, accepted: set[str], params: Params) -> bool:
    """Every accepted KZ submission terminal and receipted, and every queue of both vhosts empty."""
    deadline = time.monotonic() + params.drain_seconds
    while time.monotonic() < deadline:
        terminal = (
            await _rows(
                system.databases["kz"],
                "SELECT count(*) FROM terminal_statuses WHERE submission_id = ANY($1::text[])",
                list(accepted),
            )
        )[0][0]
        receipted = (
            await _rows(
                system.databases["kz-gateway"],
                "SELECT count(*) FROM gateway_outbound WHERE partner = 'cn' AND receipt_outcome IS NOT NULL "
                "AND submission_id = ANY($1::text[])",
                list(accepted),
            )
        )[0][0]
        if terminal >= len(accepted) and receipted >= len(accepted):
            totals = [await _totals(system, c) for c in (KZ, CN)]
            if all(total == 0 for queues in totals for total in queues.values()):
                return True
        await asyncio.sleep(1)
    return False


async def _totals(system: CrossBorderSystem, country: Country) -> dict[str, int]:
    return {f"{country.vhost}:{n}": q.total for n, q in (await system.management(country).queues()).items()}


async def run_crossborder_fault(system: CrossBorderSystem, name: str, params: Params) -> XbReport:
    """Stream KZ control results, strike once, heal, drain, check."""
    report = XbReport(fault=name)
    tag = f"{name[:4].upper().replace('-', '')}{os.urandom(2).hex().upper()}"
    driver = ControlResultDriver([system.hub_urls["KZ"]], system.tokens["kz-trader"], tag, params.rate)
    started = time.monotonic()
    system.check_alive()
    load = asyncio.create_task(driver.run(params.stream_seconds))
    await asyncio.sleep(params.strike_after)
    fault_started = time.monotonic()
    evidence = await FAULTS[name](XbContext(system, params))
    report.seconds["fault"] = time.monotonic() - fault_started
    await load
    accepted = set(driver.accepted.values())
    drain_started = time.monotonic()
    drained = await _drained(system, accepted, params)
    report.seconds["drain"] = time.monotonic() - drain_started

    kz = system.databases["kz"]
    terminal = await _rows(
        kz,
        "SELECT submission_id, version, status FROM terminal_statuses WHERE submission_id = ANY($1::text[])",
        list(accepted),
    )
    check_terminals(report, accepted, [tuple(r) for r in terminal], None)
    expected = await _rows(
        kz,
        "SELECT submission_id, version, recipient FROM recipients WHERE submission_id = ANY($1::text[])",
        list(accepted),
    )
    applied = await _rows(
        kz,
        "SELECT submission_id, version, recipient, detail::json->>'message_id' FROM events "
        "WHERE kind = 'DECISION' AND submission_id = ANY($1::text[])",
        list(accepted),
    )
    check_decisions(report, [tuple(r) for r in expected], [tuple(r) for r in applied])
    envelopes = await check_crossborder(report, system, accepted)
    queues = await _totals(system, KZ) | await _totals(system, CN)
    check_queues(report, queues, {})
    if name == "key-rotated":
        signed = await _signed_with(system, list(envelopes.values()))
        evidence |= {"signed_old_key": signed[evidence["old_key"]], "signed_new_key": signed[evidence["new_key"]]}
    evidence |= {
        "offered": driver.offered,
        "not_accepted": len(driver.indeterminate),
        "driver_retries": driver.retries,
        "drained": drained,
    }
    report.evidence = evidence
    report.seconds["total"] = time.monotonic() - started
    system.check_alive()
    return report


def start_system(root: Path, rabbit: PrivateRabbit, postgres: PrivatePostgres) -> CrossBorderSystem:
    system = CrossBorderSystem(root, rabbit, postgres)
    try:
        system.build()
    except BaseException:
        system.stop()
        raise
    return system
