"""The providers, their default models and their SDK extras are named in the interview
(copier.yml) and in the generated code (settings.py, llm/providers.py): one test holds
every copy to the same facts, so adding a provider in one place and not another fails.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, jinja_env
from conftest import _copier_questions as copier_questions

PACKAGE = REPO / "template" / "src" / "{{package_name}}"


def module_assignment(path: Path, name: str) -> Any:
    """The literal value assigned to `name` at the top of a module (annotated or not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name and node.value is not None:
            return node.value
    raise AssertionError(f"{path.name} assigns no {name}")


def provider_names() -> list[str]:
    """settings.ProviderName, the Literal every other list must match."""
    literal = module_assignment(PACKAGE / "settings.py", "ProviderName")
    assert isinstance(literal, ast.Subscript)
    return [element.value for element in literal.slice.elts]  # type: ignore[attr-defined]


def dict_literal(path: Path, name: str) -> dict[str, str]:
    """A module's dict of string literals; entries bound to a name are left out."""
    node = module_assignment(path, name)
    assert isinstance(node, ast.Dict)
    return {
        ast.literal_eval(key): ast.literal_eval(value)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(value, ast.Constant)
    }


def render_default(key: str, **answers: Any) -> str:
    source = copier_questions()[key]["default"]
    return jinja_env().from_string(source).render(answers).strip()


def test_interview_offers_exactly_the_providers_the_settings_accept() -> None:
    providers = provider_names()
    assert sorted(copier_questions()["llm_provider"]["choices"].values()) == sorted(providers)
    fallback = copier_questions()["fallback_provider"]["choices"].values()
    assert sorted(fallback) == sorted([*providers, "none"])


def test_default_models_are_the_same_in_the_interview_and_the_code() -> None:
    coded = dict_literal(PACKAGE / "llm" / "providers.py", "DEFAULT_MODELS")
    coded["offline"] = "offline-extractive"  # bound to offline.MODEL_NAME in the code
    assert sorted(coded) == sorted(provider_names())
    for provider, model in coded.items():
        assert render_default("llm_model", llm_provider=provider) == model, provider


@pytest.mark.parametrize("fallback", sorted(copier_questions()["fallback_provider"]["choices"].values()))
def test_sdk_extras_are_the_same_in_the_interview_and_the_code(fallback: str) -> None:
    coded = dict_literal(PACKAGE / "llm" / "providers.py", "SDK_EXTRAS")
    assert sorted([*coded, "offline"]) == sorted(provider_names())
    for provider in provider_names():
        if provider == fallback:
            continue
        rendered = json.loads(render_default("sdk_extras", llm_provider=provider, fallback_provider=fallback))
        expected = sorted({coded[p] for p in (provider, fallback) if p in coded})
        assert rendered == expected, (provider, fallback)


def credential_variables() -> set[str]:
    """The provider variables settings.py reads: its _credential(...) and alias names."""
    names = set()
    for node in ast.walk(ast.parse((PACKAGE / "settings.py").read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        called = getattr(node.func, "id", "")
        arguments = list(node.args) if called in {"_credential", "AliasChoices"} else []
        arguments += [k.value for k in node.keywords if k.arg == "validation_alias"]
        names |= {a.value for a in arguments if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return names


def test_the_generated_suite_clears_every_provider_variable() -> None:
    conftest = (REPO / "template" / "tests" / "conftest.py.jinja").read_text(encoding="utf-8")
    variables = credential_variables()
    assert "OPENAI_API_KEY" in variables
    missing = sorted(name for name in variables if f'"{name}"' not in conftest)
    assert not missing, f"the generated tests/conftest.py does not clear {missing}"
