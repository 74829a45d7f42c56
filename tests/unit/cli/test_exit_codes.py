"""The console script passes a command's failure on to the shell: a command that ends with ``ctx.exit(1)`` (as
``nsw specs check`` does on a broken spec) exits 1, not 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_failed_check_exits_1_through_the_console_script(tmp_path: Path) -> None:
    broken = tmp_path / "documents" / "broken"
    broken.mkdir(parents=True)
    (broken / "schema.json").write_text("{", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "singlewindow.platform.cli", "specs", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
