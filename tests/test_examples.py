"""Each example answer file renders a project that installs, passes its own tests, lint,
format and type checks, and answers a question about its own business case offline.

Every command runs inside the generated project with no provider credential and no
APP_* variable: the .env written by the copy task (APP_LLM_PROVIDER=offline) is all
the service gets.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import (
    EXAMPLE_NAMES,
    HOSTILE_ANSWERS,
    MINIMAL_ANSWERS,
    check,
    clean_env,
    describe,
    load_example,
    read_answers,
    render,
    run,
    uv_executable,
)

pytestmark = pytest.mark.slow


_SYNCS: dict[Path, subprocess.CompletedProcess[str]] = {}


def synced(project: Path) -> Path:
    """The project after one `uv sync` per session; a failed sync fails every test using it."""
    if project not in _SYNCS:
        _SYNCS[project] = run([uv_executable(), "sync"], cwd=project)
    check(_SYNCS[project])
    return project


@pytest.fixture(scope="session")
def synced_example(rendered_example: Callable[[str], Path]) -> Callable[[str], Path]:
    """examples/<name>.yml rendered and synced once per session."""
    return lambda name: synced(rendered_example(name))


@pytest.fixture(scope="session")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose every free-text answer is hostile text (quotes, Jinja, emoji...)."""
    # No observability export at all: the one project whose own suite runs with neither
    # /metrics nor traces. Azure OpenAI with an OpenAI-compatible server as fallback: the
    # providers no example uses, rendered, installed and tested as a whole project.
    data = {
        **MINIMAL_ANSWERS,
        **HOSTILE_ANSWERS,
        "project_slug": "hostile-answers",
        "observability": [],
        "llm_provider": "azure_openai",
        "fallback_provider": "openai_compatible",
    }
    return render(tmp_path_factory.mktemp("hostile") / "project", data)


# Terse answers: a one-word metric gives a two-term target question, an owner with an
# initial and a title tests sentence splitting, and a strict threshold tests review.
TERSE_ANSWERS = {
    "success_metric": "NPS",
    "metric_unit": "points",
    "baseline_value": 30,
    "target_value": 55.5,
    "owner_name": "Dr. J. Smith",
    "review_threshold": 0.9,
    # Traces without Prometheus: the one project whose own suite runs with /metrics off.
    "observability": ["otel"],
    # The one project whose own suite runs with no web pages, only the APIs behind them.
    "include_web_ui": False,
    # A self-hosted OpenAI-compatible server first, Anthropic when it is down.
    "llm_provider": "openai_compatible",
    "fallback_provider": "anthropic",
}


@pytest.fixture(scope="session")
def terse_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = {**MINIMAL_ANSWERS, **TERSE_ANSWERS, "project_slug": "terse-answers"}
    return render(tmp_path_factory.mktemp("terse") / "project", data)


def uv_run(project: Path, *args: str, extra_env: dict[str, str] | None = None):
    return run([uv_executable(), "run", *args], cwd=project, extra_env=extra_env)


# The one rendered project whose suite shares rate limits through a real redis-server
# (two service processes): TEST_WITH_REDIS=1 makes a missing redis-server a failure
# there, never a silent skip. .ci/run installs it.
REDIS_EXAMPLE = "support-ticket-deflection"


def number_text(value: float) -> str:
    """A number as GOALS.md writes it: 15.0 -> "15", 1.5 -> "1.5"."""
    return str(int(value)) if float(value).is_integer() else str(value)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_uv_sync(synced_example, name: str) -> None:
    assert (synced_example(name) / ".venv").is_dir()


def check_test_suite_passes(project: Path, extra_env: dict[str, str] | None = None) -> None:
    result = check(uv_run(project, "pytest", "-q", "-rs", extra_env=extra_env))
    passed = re.search(r"\b(\d+) passed\b", result.stdout)
    assert passed and int(passed.group(1)) > 0, describe(result)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_generated_test_suite_passes(synced_example, name: str) -> None:
    redis = {"TEST_WITH_REDIS": "1"} if name == REDIS_EXAMPLE else None
    check_test_suite_passes(synced_example(name), extra_env=redis)


def test_hostile_answers_project_passes_its_own_tests(hostile_project: Path) -> None:
    """Names, metrics and owners with quotes, backslashes, Jinja and emoji still work."""
    check_test_suite_passes(synced(hostile_project))


def test_terse_answers_project_passes_its_own_tests(terse_project: Path) -> None:
    """A one-word metric, initials in the owner's name and a 0.9 review threshold."""
    check_test_suite_passes(synced(terse_project))


CHECKS = {
    "ruff-check": ["ruff", "check", "."],
    "ruff-format": ["ruff", "format", "--check", "."],
    "mypy": ["mypy"],  # the generated pyproject.toml names the files
}


@pytest.mark.parametrize("tool", CHECKS)
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_generated_code_is_clean(synced_example, name: str, tool: str) -> None:
    check(uv_run(synced_example(name), *CHECKS[tool]))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_ask_answers_the_target_from_goals(synced_example, name: str) -> None:
    answers = load_example(name)
    project = synced_example(name)
    target = number_text(answers["target_value"])
    goals = project / "GOALS.md"
    assert goals.is_file(), "the generated project has no GOALS.md"
    assert target in goals.read_text(encoding="utf-8"), f"GOALS.md does not state the target {target}"

    question = f"What is the target for {answers['success_metric']}?"
    command = read_answers(project)["project_slug"]  # the console script
    result = check(uv_run(project, command, "ask", question))
    assert target in result.stdout, describe(result)
    assert "GOALS.md" in result.stdout, describe(result)


def run_eval_gate(project: Path, tmp_path: Path, env: dict[str, str], *extra: str) -> tuple[int, set[str], str]:
    """`<slug> eval` with extra APP_* settings: its exit code and the metrics it names as failed."""
    command = read_answers(project)["project_slug"]
    reports = ["--reports", str(tmp_path / "reports"), "--history", str(tmp_path / "history.jsonl")]
    result = subprocess.run(
        [uv_executable(), "run", command, "eval", *reports, *extra],
        cwd=project,
        env={**clean_env(), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    failed = re.search(r"Eval gate failed: (.+)", result.stderr)
    return result.returncode, set(failed.group(1).split(", ")) if failed else set(), describe(result)


def test_the_eval_gate_fails_a_sabotaged_project_naming_each_metric(synced_example, tmp_path: Path) -> None:
    """Emptied documents, a wrong expected fact and a removed source each fail the build."""
    project = synced_example("support-ticket-deflection")
    code, failed, output = run_eval_gate(project, tmp_path / "intact", {})
    assert (code, failed) == (0, set()), output

    emptied = tmp_path / "emptied"
    shutil.copytree(project / "data", emptied / "data")
    for document in [*emptied.joinpath("data").iterdir(), emptied / "GOALS.md"]:
        document.write_text("", encoding="utf-8")
    code, failed, output = run_eval_gate(
        project, emptied, {"APP_DATA_DIR": str(emptied / "data"), "APP_GOALS_FILE": str(emptied / "GOALS.md")}
    )
    assert code == 1, output
    assert {"fact_recall", "citation_recall", "retrieval_recall_at_k", "retrieval_mrr"} <= failed, output
    assert "FAIL fact_recall" in output

    wrong_fact = tmp_path / "wrong-fact.yaml"
    dataset = (project / "evals" / "dataset.yaml").read_text(encoding="utf-8")
    wrong_fact.write_text(dataset.replace('facts: ["15 minutes"]', 'facts: ["12 minutes"]', 1), encoding="utf-8")
    code, failed, output = run_eval_gate(project, tmp_path / "wrong", {}, "--dataset", str(wrong_fact))
    assert (code, failed) == (1, {"fact_recall"}), output

    removed = tmp_path / "removed"
    shutil.copytree(project / "data", removed / "data")
    (removed / "data" / "human-review-policy.md").unlink()
    code, failed, output = run_eval_gate(project, removed, {"APP_DATA_DIR": str(removed / "data")})
    assert code == 1, output
    assert {"fact_recall", "citation_recall", "retrieval_recall_at_k"} <= failed, output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(url: str, body: dict[str, object], headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until_ready(base: str, server: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"serve exited {server.returncode}:\n{server.stdout.read() if server.stdout else ''}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"serve was not ready within {timeout} s")


@contextmanager
def served(project: Path, slug: str, env: dict[str, str]) -> Iterator[str]:
    """`<slug> serve` run in the project with this environment, on `APP_PORT`; yields its base
    URL once /readyz answers, and stops the server afterwards."""
    server = subprocess.Popen(
        [uv_executable(), "run", slug, "serve"],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{env['APP_PORT']}"
    try:
        wait_until_ready(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_served_with_its_rendered_settings_it_asks_for_a_key_as_answered(synced_example, name: str) -> None:
    """The real `serve` with nothing but the generated .env: auth is what the interview said."""
    project = synced_example(name)
    answers = read_answers(project)
    dotenv = (project / ".env").read_text(encoding="utf-8")
    key = re.search(r"^APP_API_KEYS=([^:\n]+)(?::admin)?$", dotenv, re.MULTILINE)
    assert key, "the copy task must write a local API key into .env"
    port = free_port()
    env = {**clean_env(), "APP_PORT": str(port)}
    with served(project, answers["project_slug"], env) as base:
        question = {"question": f"What is the target for {answers['success_metric']}?"}
        anonymous, body = post(f"{base}/v1/ask", question, {})
        with_key, _ = post(f"{base}/v1/ask", question, {"Authorization": f"Bearer {key.group(1)}"})
        # The MCP server over the real network: the `ask` tool, one JSON-RPC message.
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "ask", "arguments": question}}
        accept = {"Accept": "application/json, text/event-stream"}
        mcp_anonymous, mcp_refusal = post(f"{base}/mcp", call, accept)
        mcp_with_key, mcp_body = post(f"{base}/mcp", call, {**accept, "Authorization": f"Bearer {key.group(1)}"})

    assert with_key == 200
    assert mcp_with_key == 200, mcp_body
    mcp_answer = mcp_body["result"]["structuredContent"]  # type: ignore[index]
    assert mcp_answer["citations"][0]["source"] == "GOALS.md", mcp_answer
    if answers["auth"] == "api_key":
        assert anonymous == 401, body
        assert body["error"]["code"] == "missing_api_key"  # type: ignore[index]
        assert mcp_anonymous == 401, mcp_refusal
        assert mcp_refusal["error"]["code"] == "missing_api_key"  # type: ignore[index]
    else:
        assert anonymous == 200, body
        assert mcp_anonymous == 200, mcp_refusal
