"""A generated project for a benchmark to measure: rendered from an example answer file
and synced with uv, or one the caller already has."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def uv() -> str:
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.exists() else (shutil.which("uv") or "uv")


def render_and_sync(example: Path | str, project: Path) -> Path:
    """The working tree's template (HEAD plus uncommitted changes) rendered and installed."""
    subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--quiet", "--vcs-ref=HEAD",
         "--data-file", str(example), str(REPO), str(project)],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )
    subprocess.run([uv(), "sync", "--quiet"], cwd=project, check=True)
    return project


def package_of(project: Path) -> str:
    return next(p.name for p in (project / "src").iterdir() if (p / "pipeline.py").exists())


def run_inside(project: Path, code: str, *args: str) -> str:
    """Python `code` (its `{package}` filled in) run in the project's environment; its
    standard output, or exit naming the project and the error."""
    result = subprocess.run(
        [uv(), "run", "python", "-c", code.replace("{package}", package_of(project)), *args],
        cwd=project, capture_output=True, text=True,
    )
    if result.returncode != 0:
        sys.exit(f"the measurement failed in {project}:\n{result.stderr[-3000:]}")
    return result.stdout
