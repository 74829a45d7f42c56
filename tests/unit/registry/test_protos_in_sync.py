"""The registry's committed generated code is exactly what scripts/gen-protos produces for its proto."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "registry" / "proto"


def test_regenerating_gives_the_committed_files(tmp_path: Path) -> None:
    pytest.importorskip("grpc_tools", reason="grpcio-tools is in the dev extra")
    script = str(ROOT / "scripts" / "gen-protos")
    subprocess.run([sys.executable, script, "--target", "registry", "--out", str(tmp_path)], check=True)
    generated = sorted(p.name for p in tmp_path.iterdir())
    assert generated == ["registry_pb2.py", "registry_pb2.pyi", "registry_pb2_grpc.py"]
    for name in generated:
        assert (tmp_path / name).read_text() == (COMMITTED / name).read_text(), f"{name} drifted"


def test_generated_modules_import_under_the_registry_package() -> None:
    from singlewindow.registry.proto import registry_pb2, registry_pb2_grpc

    assert registry_pb2.CreateVersionRequest.__module__ == "singlewindow.registry.proto.registry_pb2"
    assert registry_pb2.DESCRIPTOR.name == "nsw/registry/v1/registry.proto"
    assert hasattr(registry_pb2_grpc, "RegistryServiceStub")
