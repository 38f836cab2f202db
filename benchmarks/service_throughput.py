#!/usr/bin/env python3
"""The generated service's own cost per request, measured against baselines of the same run.

Provider path: a fake OpenAI-compatible provider answers every chat completion after
--delay seconds (0.5 by default). The same --concurrency closed-loop clients (64) first
drive the fake directly, then the service (`serve --workers N`, provider `openai` pointed
at the fake). The ratio of the two throughputs is the share the service keeps; its p95
is compared with the fake's own.

Offline path: answers per second of the service with the offline model, against a bare
FastAPI endpoint (one pydantic body, one JSON answer) under the same clients.

Everything runs on this machine, clients included, so the figures are for the cores the
run had; ratios cancel out the machine's speed. Each row also gives the CPU the server's
process tree (the serve supervisor and its workers, or the fake, or the bare endpoint)
spent per answer, read from /proc: it moves far less than throughput when other work
shares the cores. The load average before and after the run is printed. It never
asserts a time.

    python benchmarks/service_throughput.py                       # renders the support example
    python benchmarks/service_throughput.py --project /tmp/my-project --workers 2 --seconds 20
    python benchmarks/service_throughput.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from generated_project import REPO, render_and_sync

PARTS = Path(__file__).resolve().with_name("service_load_parts.py")
EXAMPLE = REPO / "examples" / "support-ticket-deflection.yml"
API_KEY = "benchmark-key"
QUESTION = "What is the target for average handling time per ticket?"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("APP_", "OPENAI_", "ANTHROPIC_", "AWS_", "GOOGLE_", "AZURE_"))
        and k not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    return {**env, **settings}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process and all its live descendants (the serve
    supervisor and its workers), from /proc; 0.0 where /proc is missing."""
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        grew, tree = bool(more), tree | more
    return sum(times.get(member, 0.0) for member in tree)


@contextmanager
def process(args: list[str], cwd: Path, env: dict[str, str], ready_url: str) -> Iterator[int]:
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe nobody reads: never fills
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_ready(ready_url, proc, log)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_until_ready(url: str, proc: subprocess.Popen[str], log: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{proc.args} exited {proc.returncode}: {log.read()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError as error:
            if getattr(error, "code", None) is not None:  # an HTTP answer: it is up
                return
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


def run_load(python: Path, cwd: Path, url: str, body: dict[str, Any], headers: dict[str, str],
             concurrency: int, seconds: float) -> dict[str, Any]:
    result = subprocess.run(
        [str(python), str(PARTS), "load", url, json.dumps(body), json.dumps(headers),
         str(concurrency), str(seconds)],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, help="a rendered, synced project (default: render the support example)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--delay", type=float, default=0.5, help="the fake provider's seconds per call")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="service-throughput-") as scratch:
        workdir = Path(scratch)
        project = args.project or render_and_sync(EXAMPLE, workdir / "project")
        python = project / ".venv" / "bin" / "python"
        slug = str(json.loads(json.dumps(_slug(project))))
        results: dict[str, Any] = {"workers": args.workers, "concurrency": args.concurrency,
                                   "delay": args.delay, "cpus": os.cpu_count(),
                                   "load_average_before": os.getloadavg()[0]}
        def load(url: str, body: dict[str, Any], headers: dict[str, str], server: int) -> dict[str, Any]:
            """The load's figures, with the CPU the server process tree spent per answer."""
            before = cpu_seconds(server)
            figures = run_load(python, project, url, body, headers, args.concurrency, args.seconds)
            spent = cpu_seconds(server) - before
            figures["server_cpu_ms"] = 1000 * spent / figures["requests"] if figures["requests"] else None
            return figures

        fake_port, service_port = free_port(), free_port()
        fake_url = f"http://127.0.0.1:{fake_port}"
        with process([str(python), str(PARTS), "fake-provider", str(fake_port), str(args.delay)],
                     project, clean_env(), fake_url) as fake:
            completion = {"model": "gpt-5-mini", "messages": [{"role": "user", "content": QUESTION * 40}]}
            results["provider_direct"] = load(f"{fake_url}/v1/chat/completions", completion, {}, fake)
            service_env = clean_env(
                APP_LLM_PROVIDER="openai", APP_FALLBACK_PROVIDER="none", OPENAI_API_KEY="bench",
                OPENAI_BASE_URL=f"{fake_url}/v1", APP_API_KEYS=API_KEY, APP_MONTHLY_BUDGET_USD="0",
                APP_LOG_LEVEL="WARNING", APP_STATE_DIR=str(workdir / "var-provider"),
                APP_RATE_LIMIT="1000000/second",
            )
            serve = [str(project / ".venv" / "bin" / slug), "serve", "--port", str(service_port),
                     "--workers", str(args.workers)]
            service_url = f"http://127.0.0.1:{service_port}"
            with process(serve, project, service_env, f"{service_url}/healthz") as service:
                results["provider_service"] = load(
                    f"{service_url}/v1/ask", {"question": QUESTION},
                    {"Authorization": f"Bearer {API_KEY}"}, service)

        bare_port = free_port()
        bare_url = f"http://127.0.0.1:{bare_port}"
        with process([str(python), str(PARTS), "bare-endpoint", str(bare_port)], project, clean_env(),
                     bare_url) as bare_server:
            results["bare_fastapi"] = load(f"{bare_url}/v1/ask", {"question": QUESTION}, {}, bare_server)
        offline_env = {**service_env, "APP_LLM_PROVIDER": "offline",
                       "APP_STATE_DIR": str(workdir / "var-offline")}
        with process(serve, project, offline_env, f"{service_url}/healthz") as offline_server:
            results["offline_service"] = load(
                f"{service_url}/v1/ask", {"question": QUESTION},
                {"Authorization": f"Bearer {API_KEY}"}, offline_server)

    direct, service = results["provider_direct"], results["provider_service"]
    bare, offline = results["bare_fastapi"], results["offline_service"]
    results["provider_share_of_direct"] = service["per_second"] / direct["per_second"]
    results["offline_share_of_bare"] = offline["per_second"] / bare["per_second"]
    results["load_average_after"] = os.getloadavg()[0]
    if service["server_cpu_ms"] and direct["server_cpu_ms"]:
        results["provider_cpu_x_fake"] = service["server_cpu_ms"] / direct["server_cpu_ms"]
    if offline["server_cpu_ms"] and bare["server_cpu_ms"]:
        results["offline_cpu_x_bare"] = offline["server_cpu_ms"] / bare["server_cpu_ms"]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{args.concurrency} clients, {args.seconds:.0f} s each, serve --workers {args.workers}, "
          f"{os.cpu_count()} CPUs, fake provider {args.delay} s/call\n")
    print(f"{'':28} {'req/s':>8} {'p50 s':>7} {'p95 s':>7} {'errors':>7} {'server CPU ms/answer':>21}")
    for name in ("provider_direct", "provider_service", "bare_fastapi", "offline_service"):
        row = results[name]
        cpu = f"{row['server_cpu_ms']:.2f}" if row["server_cpu_ms"] is not None else "-"
        print(f"{name:28} {row['per_second']:8.1f} {row['p50'] or 0:7.3f} {row['p95'] or 0:7.3f} {row['errors']:7d} {cpu:>21}")
        if row.get("error_kinds"):
            print(f"{'':28} errors by kind: {row['error_kinds']}")
    print(f"\nservice / direct provider throughput: {results['provider_share_of_direct']:.0%}")
    print(f"offline service / bare FastAPI:       {results['offline_share_of_bare']:.0%}")
    if "provider_cpu_x_fake" in results:
        print(f"server CPU per answer, service over the fake provider's per call: {results['provider_cpu_x_fake']:.1f}x")
    if "offline_cpu_x_bare" in results:
        print(f"server CPU per answer, offline service over bare FastAPI:          {results['offline_cpu_x_bare']:.1f}x")
    print(f"load average (1 min) before and after: {results['load_average_before']:.1f}, {results['load_average_after']:.1f}")
    return 0


def _slug(project: Path) -> str:
    import yaml

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return str(answers["project_slug"])


if __name__ == "__main__":
    sys.exit(main())
