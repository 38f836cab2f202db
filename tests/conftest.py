"""Shared helpers and fixtures for the template's tests.

Test modules import the plain helpers with ``from conftest import ...`` (pytest puts
this folder on ``sys.path``); fixtures are found by pytest as usual.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import copier
import jinja2
import jinja2.sandbox
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO / "examples"
EXAMPLE_NAMES = sorted(path.stem for path in EXAMPLES_DIR.glob("*.yml"))

# The business case has no defaults: without these answers `--defaults` must fail.
IDENTITY_KEYS = ["project_name", "owner_name", "owner_email"]
BUSINESS_KEYS = [
    "problem_statement",
    "primary_users",
    "success_metric",
    "metric_unit",
    "baseline_value",
    "target_value",
    "annual_value_usd",
    "value_rationale",
    "review_date",
]
REQUIRED_KEYS = IDENTITY_KEYS + BUSINESS_KEYS

# The smallest answer set that passes every validator; everything else defaults.
MINIMAL_ANSWERS: dict[str, Any] = {
    "project_name": "Support Answers",
    "owner_name": "Support Operations",
    "owner_email": "support-ops@example.com",
    "problem_statement": (
        "Tier-1 support agents spend 25 minutes per ticket searching three wikis for answers that already exist."
    ),
    "primary_users": "tier-1 support agents",
    "success_metric": "average handling time per ticket",
    "metric_unit": "minutes",
    "baseline_value": 25,
    "target_value": 15,
    "annual_value_usd": 540000,
    "value_rationale": "10 minutes saved x 72,000 tickets a year x $45 an hour.",
    "review_date": "2027-06-30",
}

# Quotes, backslashes, colons, '#', Jinja and raw-block look-alikes, non-ASCII and
# emoji, and a YAML indicator at the start of every answer.
HOSTILE_ANSWERS: dict[str, str] = {
    "project_name": '- "Zoë\'s" Q&A \\ #1: {{ x }} {% raw %} 中文 😀',
    "description": '* Answers "everyone\'s" questions: C:\\temp\\new #hash {{ x }} {% endraw %} ü 中文 🚀',
    "owner_name": '&a O\'Brien "Ops" \\ Team #2: {{ owner }} ü',
    "problem_statement": (
        '!tag Agents spend 25 minutes per "ticket" searching 3 wikis: it\'s slow #pain.\n'
        "- second line with \\backslash, {{ x }} and {% raw %}{{ y }}{% endraw %}\n"
        "  indented: 中文 😀 é ü\n"
        "'''\"\"\" end"
    ),
    "primary_users": "? tier-1 \"agents\" & 'leads' \\ #1: {{ users }} ü",
    "success_metric": '% minutes "to resolve" a ticket: #1 \\ {{ metric }} é',
    "metric_unit": '| "min" \\ #',
    "value_rationale": (
        '[10 min saved x 72,000 "tickets" x $45/h\n'
        "# not a comment: {{ x }} {% endraw %}\n"
        "- C:\\path\\to 中文 😀 {#\n"
        "key: value ---"
    ),
    "so_what": '@ "So what?" {{ project_name }} saves $540,000: it\'s #1 \\ 中文 😀 %}',
}

# Provider credentials and endpoints, by exact name and by prefix. A test must never
# reach a real provider, whatever the developer's shell exports.
CREDENTIAL_VARS = {
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "OLLAMA_HOST",
    "OLLAMA_BASE_URL",
    "CO_API_KEY",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
    "HF_TOKEN",
    "LOGFIRE_TOKEN",
}
CREDENTIAL_PREFIXES = (
    "APP_",  # the generated service's own settings: tests start from its .env only
    "AWS_",
    "AZURE_",
    "OPENAI_",
    "ANTHROPIC_",
    "GOOGLE_",
    "GEMINI_",
    "VERTEX",
    "BEDROCK_",
)
# Set by `uv run` for this repository's environment; a generated project has its own.
FOREIGN_ENV_VARS = {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS"}

# Directories of tools and installs, not of the rendered template.
NOT_RENDERED_DIRS = {
    ".venv",
    ".git",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "node_modules",
}

SUBPROCESS_TIMEOUT = 600  # seconds, for one install, test or lint run
OUTPUT_TAIL = 4000  # characters of a failed command's output shown in the assertion


def load_example(name: str) -> dict[str, Any]:
    """The answers of examples/<name>.yml."""
    return yaml.safe_load((EXAMPLES_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def render(dst: Path, data: Mapping[str, Any], **kwargs: Any) -> Path:
    """Render the working tree of this repository into dst, validating every answer.

    ``vcs_ref="HEAD"`` makes copier take HEAD plus uncommitted changes, never a tag.
    """
    copier.run_copy(
        src_path=str(REPO),
        dst_path=str(dst),
        data=dict(data),
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref="HEAD",
        **kwargs,
    )
    return dst


def read_answers(project: Path) -> dict[str, Any]:
    """The answers copier recorded in the generated project."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


def clean_env() -> dict[str, str]:
    """os.environ without provider credentials, APP_* settings or this repo's venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in CREDENTIAL_VARS
        and key not in FOREIGN_ENV_VARS
        and not key.startswith(CREDENTIAL_PREFIXES)
        and not key.endswith(("_API_KEY", "_API_TOKEN", "_ACCESS_KEY"))
        and not key.startswith("UV_INTERNAL")
    }
    # Commits made by a generated project's tooling need an identity; CI has none.
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", "Template Tests")
        env.setdefault(f"GIT_{role}_EMAIL", "template-tests@example.com")
    return env


def uv_executable() -> str:
    """The uv installed beside this interpreter (the dev group has it), else the one on PATH."""
    beside = Path(sys.executable).with_name("uv")
    if beside.exists():
        return str(beside)
    found = shutil.which("uv")
    if found is None:
        pytest.fail("uv is neither beside sys.executable nor on PATH")
    return found


def run(
    args: list[str], cwd: Path, timeout: float = SUBPROCESS_TIMEOUT, extra_env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command with the credential-free environment; a timeout becomes exit code -9."""
    try:
        return subprocess.run(
            args,
            cwd=cwd,
            env={**clean_env(), **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as expired:

        def text(stream: str | bytes | None) -> str:
            return stream.decode(errors="replace") if isinstance(stream, bytes) else stream or ""

        return subprocess.CompletedProcess(
            args, -9, text(expired.stdout), text(expired.stderr) + f"\n[timed out after {timeout} s]"
        )


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """A failed command, its exit code and the tail of its output, for assertion messages."""
    output = f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    return f"`{' '.join(map(str, result.args))}` exited {result.returncode}\n{output[-OUTPUT_TAIL:]}"


def check(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """The result of a command that must succeed; else the test fails showing its output."""
    if result.returncode != 0:
        pytest.fail(describe(result))
    return result


def rendered_files(project: Path, *suffixes: str) -> Iterator[Path]:
    """The files copier wrote with one of the suffixes, skipping tool and install folders."""
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_file() and path.suffix in suffixes and not NOT_RENDERED_DIRS & set(relative.parts):
            yield path


def is_helm_template(path: Path) -> bool:
    """Helm chart templates are Go templates, not YAML until Helm renders them."""
    return any(parent.name == "templates" and (parent.parent / "Chart.yaml").exists() for parent in path.parents)


def parse_errors(project: Path) -> list[str]:
    """Every TOML, YAML, JSON and Python file of a generated project that does not parse."""
    parsers: dict[str, Callable[[str], object]] = {
        ".toml": tomllib.loads,
        ".yaml": lambda text: list(yaml.safe_load_all(text)),
        ".yml": lambda text: list(yaml.safe_load_all(text)),
        ".json": json.loads,
        ".py": ast.parse,
    }
    errors = []
    for path in rendered_files(project, *parsers):
        if path.suffix in {".yaml", ".yml"} and is_helm_template(path):
            continue
        try:
            parsed = parsers[path.suffix](path.read_text(encoding="utf-8"))
        except Exception as error:  # noqa: BLE001 - every parser has its own error type
            errors.append(f"{path.relative_to(project)}: {type(error).__name__}: {error}")
            continue
        broken = [text for text in strings_in(parsed) if not is_valid_unicode(text)]
        if broken:
            errors.append(
                f"{path.relative_to(project)}: parses to text with lone UTF-16 surrogates, as JSON-style"
                f" \\uD83D\\uDE00 escapes of one character outside the BMP give: {broken[0]!r}"
            )
    return errors


def strings_in(parsed: object) -> Iterator[str]:
    """Every string in parsed data, or every string literal of a Python module."""
    if isinstance(parsed, str):
        yield parsed
    elif isinstance(parsed, dict):
        for key, value in parsed.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(parsed, list | tuple):
        for item in parsed:
            yield from strings_in(item)
    elif isinstance(parsed, ast.AST):
        for node in ast.walk(parsed):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value


def is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _copier_questions() -> dict[str, Any]:
    return yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))


@cache
def jinja_env() -> jinja2.Environment:
    """An environment like copier's: the template root as loader, the ansible filters."""
    return jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(REPO)),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def validator_message(key: str, value: Any, **context: Any) -> str:
    """What copier.yml's validator of `key` says about `value` ("" when it accepts it)."""
    source = _copier_questions()[key]["validator"]
    return jinja_env().from_string(source).render({**context, key: value}).strip()


def is_asked(key: str, answers: Mapping[str, Any]) -> bool:
    """Whether copier asks (and so records) `key`, by its `when` given these answers."""
    when = _copier_questions()[key].get("when", True)
    if isinstance(when, str):
        when = jinja_env().from_string(when).render(answers).strip().lower()
        return when not in {"", "false", "no", "off", "0", "none", "null"}
    return bool(when)


@pytest.fixture(scope="session")
def rendered_example(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Render examples/<name>.yml once per session (validated, with the copy task)."""
    projects: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in projects:
            projects[name] = render(tmp_path_factory.mktemp(name) / "project", load_example(name))
        return projects[name]

    return get


def pytest_configure(config: pytest.Config) -> None:
    # pytest-copie renders --template, "." by default: make that this repository
    # wherever pytest was started.
    template = getattr(config.option, "template", None)
    if template in (".", str(Path.cwd().resolve())):
        config.option.template = str(REPO)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow, install-everything tests last, so fast failures show first."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)
