"""The committed generated code is exactly what scripts/gen-protos produces: it never drifts from the proto."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "platform" / "api" / "proto"


def test_regenerating_gives_the_committed_files(tmp_path: Path) -> None:
    pytest.importorskip("grpc_tools", reason="grpcio-tools is in the dev extra")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen-protos"), "--out", str(tmp_path)], check=True)
    generated = sorted(p.name for p in tmp_path.iterdir())
    assert generated == [
        "agency_pb2.py", "agency_pb2.pyi", "agency_pb2_grpc.py",
        "permits_pb2.py", "permits_pb2.pyi", "permits_pb2_grpc.py",
        "submission_pb2.py", "submission_pb2.pyi", "submission_pb2_grpc.py",
    ]  # fmt: skip
    for name in generated:
        assert (tmp_path / name).read_text() == (COMMITTED / name).read_text(), f"{name} drifted"


def test_generated_modules_import_under_the_package_name() -> None:
    from singlewindow.platform.api.proto import submission_pb2, submission_pb2_grpc

    assert submission_pb2.SubmitRequest.__module__ == "singlewindow.platform.api.proto.submission_pb2"
    assert submission_pb2.DESCRIPTOR.name == "nsw/submission/v1/submission.proto"
    assert hasattr(submission_pb2_grpc, "SubmissionServiceStub")
