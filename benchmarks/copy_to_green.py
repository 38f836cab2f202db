#!/usr/bin/env python3
"""How long from `copier copy` to a green test suite and a first cited answer.

For one example answer file it measures, in the same run and on the same machine:

  baseline   rendering a trivial one-file Copier template (machine speed cancels out:
             every figure is also printed as a ratio to this one)
  copy       copier copy --trust --defaults --data-file <example> <repo> <tmp>
  sync       uv sync in the generated project (uv's cache warmed by one untimed sync)
  test       uv run pytest -q
  green      sync + test: copy-to-green
  ask cold   the first `uv run <slug> ask ...`: the index is empty, so it ingests first
  ask warm   the same question again, index built

and the peak resident memory of each `ask` process. Beside the wall time it reports the
CPU time (user + system) of each command's process tree, which moves less when other
work shares the cores. It reports medians over --runs and
never asserts a time. It exits 1 when a step failed (the table says which).

Needs only copier and uv: copier importable by this Python (or a `copier` next to it or
on PATH), and `uv` next to this Python or on PATH.

    python benchmarks/copy_to_green.py
    python benchmarks/copy_to_green.py --example examples/it-helpdesk.yml --runs 5 --json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EXAMPLE = REPO / "examples" / "support-ticket-deflection.yml"
STEP_TIMEOUT_SECONDS = 300

# Removed from the environment of every command run in the generated project, so the
# figures are those of a fresh checkout: the project's own .env and defaults apply.
CREDENTIALS = {
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_VERSION",
    "ANTHROPIC_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "OLLAMA_BASE_URL",
    "CO_API_KEY",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
}
CREDENTIAL_PREFIXES = ("APP_", "AWS_", "AZURE_", "GOOGLE_", "OPENAI_", "ANTHROPIC_")
# A uv or virtualenv setting from the caller would move or reuse the project's .venv.
FOREIGN_ENVIRONMENT = {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX"}

# (key, label) in the order the table prints them.
STEPS = [
    ("baseline", "baseline: trivial copier template"),
    ("copy", "copier copy"),
    ("sync", "uv sync"),
    ("test", "uv run pytest -q"),
    ("green", "copy-to-green (sync + test)"),
    ("ask_cold", "ask, cold index (ingests first)"),
    ("ask_warm", "ask, warm index"),
]


@dataclass
class Outcome:
    seconds: float
    returncode: int
    max_rss_mib: float | None
    cpu_seconds: float | None
    tail: str


@dataclass
class Run:
    seconds: dict[str, float] = field(default_factory=dict)
    rss_mib: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- tools


def copier_command() -> list[str]:
    if importlib.util.find_spec("copier") is not None:
        return [sys.executable, "-m", "copier"]
    found = _next_to_python("copier") or shutil.which("copier")
    if not found:
        sys.exit("copier not found: install it (pip install 'copier>=9.15') in this Python.")
    return [found]


def uv_command() -> str:
    found = _next_to_python("uv") or shutil.which("uv")
    if not found:
        sys.exit("uv not found next to this Python nor on PATH: pip install uv")
    return found


def _next_to_python(name: str) -> str | None:
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def tool_version(command: list[str]) -> str:
    try:
        text = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except OSError:
        return "unknown"
    match = re.search(r"\d+\.\d+[\w.+-]*", text)
    return match.group(0) if match else text.strip() or "unknown"


def copier_version(command: list[str]) -> str:
    if command[:2] == [sys.executable, "-m"]:
        from importlib.metadata import version

        return version("copier")
    return tool_version(command)


def project_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in CREDENTIALS
        and name not in FOREIGN_ENVIRONMENT
        and not name.startswith(CREDENTIAL_PREFIXES)
        and not name.endswith("_API_KEY")
    }


# --------------------------------------------------------------------------- measuring


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    """Wall time of one command; peak RSS from os.wait4 (the process and its children)."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
        timer = threading.Timer(STEP_TIMEOUT_SECONDS, process.kill)
        timer.start()
        try:
            if hasattr(os, "wait4"):
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = os.waitstatus_to_exitcode(status)
                # ru_maxrss: the largest resident set of the process or any descendant it
                # waited for (uv waits for the Python it runs). KiB on Linux, bytes on macOS.
                scale = 1024 * 1024 if sys.platform == "darwin" else 1024
                rss: float | None = usage.ru_maxrss / scale
                # User + system CPU of the whole tree: steadier than wall time when other
                # work shares the cores.
                cpu: float | None = usage.ru_utime + usage.ru_stime
            else:
                process.wait()
                rss = cpu = None
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    tail = "\n".join(text.strip().splitlines()[-15:])
    return Outcome(seconds, process.returncode, rss, cpu, tail)


def make_trivial_template(folder: Path) -> Path:
    template = folder / "trivial-template"
    template.mkdir()
    (template / "copier.yml").write_text(
        'name:\n  type: str\n  default: "world"\n', encoding="utf-8"
    )
    (template / "hello.txt.jinja").write_text("Hello, {{ name }}!\n", encoding="utf-8")
    return template


def success_metric(example: Path) -> str:
    text = example.read_text(encoding="utf-8")
    try:
        import yaml

        value = yaml.safe_load(text).get("success_metric")
    except ImportError:
        match = re.search(r"(?m)^success_metric:\s*['\"]?(.*?)['\"]?\s*$", text)
        value = match.group(1) if match else None
    if not value:
        sys.exit(f"{example} has no success_metric answer.")
    return " ".join(str(value).split())


def console_script(project: Path) -> str:
    """The [project.scripts] name in the generated pyproject.toml: the project slug."""
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'(?ms)^\[project\.scripts\]\s*^"?([A-Za-z0-9_.-]+)"?\s*=', text)
    if not match:
        sys.exit(f"no [project.scripts] entry in {project / 'pyproject.toml'}")
    return match.group(1)


def venv_python_version(project: Path) -> str:
    config = project / ".venv" / "pyvenv.cfg"
    if config.is_file():
        match = re.search(r"(?m)^version(?:_info)?\s*=\s*(\S+)", config.read_text())
        if match:
            return match.group(1)
    return "unknown"


# --------------------------------------------------------------------------- the run


class Benchmark:
    def __init__(self, example: Path, work: Path) -> None:
        self.example = example
        self.work = work
        self.copier = copier_command()
        self.uv = uv_command()
        self.env = project_environment()
        self.trivial = make_trivial_template(work)
        self.question = f"What is the target for {success_metric(example)}?"
        self.project_python = "unknown"

    def copy(self, destination: Path) -> Outcome:
        return measure(
            [
                *self.copier,
                "copy",
                "--trust",
                "--defaults",
                "--data-file",
                str(self.example),
                str(REPO),
                str(destination),
            ],
            cwd=self.work,
        )

    def warm_up(self) -> float | None:
        """One untimed-for-the-table copy and sync, so uv's shared cache holds every wheel."""
        project = self.work / "warm-up"
        if self.copy(project).returncode != 0:
            return None
        outcome = measure([self.uv, "sync"], cwd=project, env=self.env)
        self.project_python = venv_python_version(project)
        shutil.rmtree(project, ignore_errors=True)
        return round(outcome.seconds, 2) if outcome.returncode == 0 else None

    def run_once(self, number: int) -> Run:
        run = Run()
        baseline = measure(
            [*self.copier, "copy", "--trust", "--defaults", str(self.trivial), "out"],
            cwd=self._fresh(f"baseline-{number}"),
        )
        self._record(run, "baseline", baseline)

        project = self.work / f"project-{number}"
        if not self._record(run, "copy", self.copy(project)):
            return run
        synced = self._record(run, "sync", measure([self.uv, "sync"], project, self.env))
        tested = synced and self._record(
            run, "test", measure([self.uv, "run", "pytest", "-q"], project, self.env)
        )
        if tested:
            run.seconds["green"] = run.seconds["sync"] + run.seconds["test"]
            if "sync" in run.cpu_seconds and "test" in run.cpu_seconds:
                run.cpu_seconds["green"] = run.cpu_seconds["sync"] + run.cpu_seconds["test"]
        if synced:
            ask = [self.uv, "run", console_script(project), "ask", self.question]
            for key in ("ask_cold", "ask_warm"):
                outcome = measure(ask, project, self.env)
                if self._record(run, key, outcome) and outcome.max_rss_mib is not None:
                    run.rss_mib[key] = outcome.max_rss_mib
        shutil.rmtree(project, ignore_errors=True)
        return run

    def _fresh(self, name: str) -> Path:
        folder = self.work / name
        folder.mkdir()
        return folder

    @staticmethod
    def _record(run: Run, key: str, outcome: Outcome) -> bool:
        if outcome.returncode != 0:
            run.failed[key] = f"exit {outcome.returncode}\n{outcome.tail}"
            return False
        run.seconds[key] = outcome.seconds
        if outcome.cpu_seconds is not None:
            run.cpu_seconds[key] = outcome.cpu_seconds
        return True


# --------------------------------------------------------------------------- reporting


def summarise(runs: list[Run]) -> dict[str, dict[str, Any]]:
    steps: dict[str, dict[str, Any]] = {}
    baseline = _median([r.seconds["baseline"] for r in runs if "baseline" in r.seconds])
    for key, label in STEPS:
        values = [r.seconds[key] for r in runs if key in r.seconds]
        median = _median(values)
        rss = _median([r.rss_mib[key] for r in runs if key in r.rss_mib])
        cpu = _median([r.cpu_seconds[key] for r in runs if key in r.cpu_seconds])
        failures = [r.failed[key] for r in runs if key in r.failed]
        steps[key] = {
            "label": label,
            "measured_runs": len(values),
            "median_seconds": None if median is None else round(median, 2),
            "seconds_each_run": [round(value, 2) for value in values],
            "ratio_to_baseline": (
                None if median is None or not baseline else round(median / baseline, 1)
            ),
            "median_cpu_seconds": None if cpu is None else round(cpu, 2),
            "peak_rss_mib": None if rss is None else round(rss, 1),
            "failures": failures,
        }
    return steps


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def print_table(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print(f"copy-to-green benchmark: {report['example']}, {report['runs']} runs (medians)")
    print(
        f"machine: {machine['cores']} cores, {machine['system']}, python {machine['python']}"
        f" (project venv {machine['project_python']}), copier {machine['copier']},"
        f" uv {machine['uv']}"
    )
    warm = report["uv_cache_warm_up_seconds"]
    print(
        "uv cache: warmed by one sync before the runs"
        + (f" ({warm} s)" if warm is not None else " (the warm-up failed)")
    )
    print(f"question: {report['question']}")
    print(f"peak RSS: {report['rss_method']}")
    print()
    header = f"{'step':<36} {'median s':>9} {'x baseline':>11} {'CPU s':>7} {'peak RSS MiB':>13}"
    print(header)
    print("-" * len(header))
    steps = report["steps"]
    for key, _ in STEPS:
        step = steps[key]
        seconds = step["median_seconds"]
        ratio = step["ratio_to_baseline"]
        rss = step["peak_rss_mib"]
        cpu = step["median_cpu_seconds"]
        failed = f"  FAILED in {len(step['failures'])} run(s)" if step["failures"] else ""
        print(
            f"{step['label']:<36} {_cell(seconds, '.2f'):>9} {_cell(ratio, '.1f'):>11}"
            f" {_cell(cpu, '.2f'):>7} {_cell(rss, '.0f'):>13}{failed}"
        )
    for key, _ in STEPS:
        for failure in steps[key]["failures"][:1]:
            print(f"\n{key} failed: {failure}")


def _cell(value: object, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--example", type=Path, default=DEFAULT_EXAMPLE, help="answer file")
    parser.add_argument("--runs", type=int, default=3, help="measured runs (default 3)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    example = args.example if args.example.is_file() else REPO / args.example
    if not example.is_file():
        parser.error(f"no such answer file: {args.example}")

    work = Path(tempfile.mkdtemp(prefix="copy-to-green-"))
    try:
        bench = Benchmark(example.resolve(), work)
        warm_up = bench.warm_up()
        runs = []
        for number in range(args.runs):
            if not args.json:
                print(f"run {number + 1} of {args.runs} ...", file=sys.stderr, flush=True)
            runs.append(bench.run_once(number))
        report: dict[str, Any] = {
            "example": str(example.resolve().relative_to(REPO))
            if example.resolve().is_relative_to(REPO)
            else str(example),
            "runs": args.runs,
            "question": bench.question,
            "uv_cache_warm_up_seconds": warm_up,
            "rss_method": (
                "ru_maxrss from os.wait4 on the `uv run ... ask` process (largest process"
                " in its tree: the Python that answers)"
                if hasattr(os, "wait4")
                else "not measured on this platform"
            ),
            "machine": {
                "cores": os.cpu_count(),
                "system": f"{platform.system()} {platform.machine()}",
                "python": platform.python_version(),
                "project_python": bench.project_python,
                "copier": copier_version(bench.copier),
                "uv": tool_version([bench.uv]),
            },
            "steps": summarise(runs),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 1 if any(step["failures"] for step in report["steps"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
