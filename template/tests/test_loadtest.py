"""The load test runs: a short burst against a real server process answers every request."""

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def test_a_short_load_test_has_no_errors() -> None:
    result = subprocess.run(
        [sys.executable, "loadtest/run.py", "--duration", "1", "--clients", "4", "--json"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["ok"] > 0
    assert summary["errors"] == 0
    assert set(summary["latency_ms"]) == {"p50", "p90", "p99", "max", "mean"}
