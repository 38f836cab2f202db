#!/usr/bin/env python3
"""Throughput of a generated service under load, against a bare FastAPI endpoint.

It renders the offline example, syncs it, and runs the project's own `loadtest/run.py`
twice in the same run, on the same machine, with the same clients and duration:

  baseline   a bare FastAPI app whose POST /v1/ask returns a fixed answer, served by the
             same uvicorn in the same virtual environment (the ceiling of the stack)
  service    the generated service with the offline model (guardrails, retrieval, the
             model, citations, confidence, the feedback store, logs and metrics)

It prints answers per second, latency percentiles, errors, the server's memory at the
start and the end of each run and its CPU time per answer, and the service's throughput
as a ratio of the baseline's. On a shared machine the CPU ratio is the steadier figure:
throughput moves with whatever else runs, CPU time per answer hardly does.
It never asserts a time; it exits 1 when a run had errors.

    python benchmarks/loadtest.py                     # 60 s each, 16 clients
    python benchmarks/loadtest.py --duration 20 --clients 8 --json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "offline-policy-desk.yml"

BARE_APP = '''
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class AskRequest(BaseModel):
    question: str


ANSWER = {
    "answer": "A fixed answer [1].",
    "citations": [{"marker": 1, "source": "GOALS.md", "title": "Goals", "position": 0,
                   "snippet": "A fixed snippet.", "score": 0.9}],
    "confidence": 0.9, "needs_review": False, "request_id": "0" * 32,
    "model": "none", "usage": {"input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0},
}


@app.post("/v1/ask")
async def ask(body: AskRequest) -> dict[str, object]:
    return ANSWER


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}
'''


def uv() -> str:
    beside = Path(sys.executable).with_name("uv")
    found = str(beside) if beside.exists() else shutil.which("uv")
    if not found:
        raise SystemExit("uv is needed: next to this Python or on PATH")
    return found


def clean_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("APP_", "UV_INTERNAL")) and key not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }


def render(dst: Path) -> Path:
    import copier
    import yaml

    answers = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    copier.run_copy(str(REPO), str(dst), data=answers, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
    subprocess.run([uv(), "sync", "--quiet"], cwd=dst, env=clean_env(), check=True)
    return dst


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def loadtest(project: Path, args: argparse.Namespace, *extra: str) -> dict[str, object]:
    command = [uv(), "run", "--frozen", "python", "loadtest/run.py", "--json"]
    command += ["--duration", str(args.duration), "--clients", str(args.clients), *extra]
    result = subprocess.run(command, cwd=project, env=clean_env(), capture_output=True, text=True, check=False)
    if not result.stdout.strip():
        raise SystemExit(f"the load test failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def baseline(project: Path, args: argparse.Namespace) -> dict[str, object]:
    (project / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    port = free_port()
    python = project / ".venv" / "bin" / "python"
    server = subprocess.Popen(
        [str(python), "-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=project,
        env=clean_env(),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        return loadtest(project, args, "--url", f"http://127.0.0.1:{port}", "--pid", str(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="loadtest-bench-") as tmp:
        project = render(Path(tmp) / "project")
        runs = {"baseline": baseline(project, args), "service": loadtest(project, args)}
    ratio = runs["service"]["throughput_rps"] / max(runs["baseline"]["throughput_rps"], 1e-9)
    if args.json:
        print(json.dumps({**runs, "throughput_ratio": round(ratio, 3)}, indent=2))
    else:
        print(f"{args.clients} clients, {args.duration:g} s each, {os.cpu_count()} cores")
        print(
            f"{'':10} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
            f"{'MiB start':>10} {'MiB end':>8} {'CPU ms/answer':>14}"
        )
        for name, run in runs.items():
            latency, memory = run["latency_ms"], run["memory_mib"]
            print(
                f"{name:10} {run['throughput_rps']:>10} {latency['p50']:>8} {latency['p99']:>8} "
                f"{run['errors']:>7} {memory['start']!s:>10} {memory['end']!s:>8} "
                f"{run['server_cpu_ms_per_answer']!s:>14}"
            )
        print(f"service / baseline throughput: {ratio:.2f}x")
        cpu = [run["server_cpu_ms_per_answer"] for run in runs.values()]
        if all(cpu):
            print(f"baseline / service server CPU per answer: {cpu[0] / cpu[1]:.2f}x")
    return 1 if any(run["errors"] for run in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
