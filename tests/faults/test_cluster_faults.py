"""The hub on a private three-node RabbitMQ cluster (issue 17): the node holding the most work-queue leaders
killed under load, then every node restarted in turn under load; nothing lost, nothing applied twice.

Runs with ``--long`` only (the cluster takes about 40 s to form, the rolling restart over a minute).
"""

from __future__ import annotations

import dataclasses

import pytest
from nswfaults.broker import Management
from nswfaults.cluster_faults import CLUSTER_FAULTS, STREAM_SECONDS, assert_cluster_struck, is_work_queue
from nswfaults.harness import Params, run_fault
from nswfaults.processes import AGENCIES, VHOST, System
from nswfaults.services import PrivateRabbitCluster

from singlewindow.platform.topology import names

pytestmark = pytest.mark.faults


async def test_every_work_queue_is_a_quorum_queue_on_all_three_nodes(cluster_system: System) -> None:
    assert isinstance(cluster_system.rabbit, PrivateRabbitCluster)
    nodes = {node.node for node in cluster_system.rabbit.nodes}
    placements = await Management(lambda: cluster_system.rabbit.management_url, VHOST).placements()
    work = {name for name in placements if is_work_queue(name)}
    assert work >= {names.ROUTER_QUEUE, names.AGGREGATOR_QUEUE} | {names.inbox_queue(a) for a in AGENCIES}
    for placement in placements.values():
        assert set(placement.members) == nodes, placement
        assert set(placement.online) == nodes, placement
        assert placement.leader in nodes, placement


async def test_cluster_fault_loses_nothing(cluster_fault: str, cluster_system: System, fault_params: Params) -> None:
    """``cluster_fault`` is parametrized by the conftest; each runs under at least its STREAM_SECONDS of load."""
    stream = max(fault_params.stream_seconds, STREAM_SECONDS[cluster_fault])
    params = dataclasses.replace(fault_params, stream_seconds=stream)
    report = await run_fault(cluster_system, cluster_fault, CLUSTER_FAULTS[cluster_fault], params)
    print(report.summary())
    assert_cluster_struck(cluster_fault, report.evidence)
    assert report.evidence["drained"], f"not drained in {params.drain_seconds} s: {report.summary()}"
    assert report.failures == [], report.summary()
    assert report.accepted > 0 and report.terminal_once == report.accepted
