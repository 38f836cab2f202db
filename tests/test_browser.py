"""The generated web pages in a real browser: Debian's chromium driven by Playwright.

One example project is served with `uv run <slug> serve` and the offline model, and a
person's path through it is walked: ask, read the citations and the confidence, open a
source at its passage, vote an answer down with a correction, find a low-confidence
answer marked for review and approve it in the review queue, and read the dashboard's
GOALS.md target line. Every request the pages make is recorded (none may leave the
service) and every console error or Content-Security-Policy violation fails the test.
Screenshots of each page are saved under tests/artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, clean_env, read_answers
from test_examples import free_port, synced
from test_examples import served as serving

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_EXAMPLE = "support-ticket-deflection"
ARTIFACTS = REPO / "tests" / "artifacts" / "browser"
UNKNOWN_QUESTION = "Which moon of Jupiter has the thickest ice?"
# Collects what the page reports: CSP violations arrive as events, not only as console lines.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def served(
    rendered_example: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The example project served on a free port, with its own state, and its local key."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(`apt-get install chromium`; .ci/run installs it)."
        )
    project = synced(rendered_example(BROWSER_EXAMPLE))
    answers = read_answers(project)
    dotenv = (project / ".env").read_text(encoding="utf-8")
    entry = re.search(r"^APP_API_KEYS=(.+)$", dotenv, re.MULTILINE)
    assert entry, "the copy task must write a local API key into .env"
    key, _, role = entry.group(1).partition(":")
    assert role == "admin", "the local developer's key must be an admin's, to review and see the dashboard"
    state = tmp_path_factory.mktemp("browser-state")
    port = free_port()
    env = {**clean_env(), "APP_PORT": str(port), "APP_STATE_DIR": str(state)}
    with serving(project, answers["project_slug"], env) as base:
        yield {"base": base, "key": key, "answers": answers, "state": state}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def api(served: dict[str, Any], path: str) -> Any:
    request = urllib.request.Request(served["base"] + path, headers={"Authorization": f"Bearer {served['key']}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_person_asks_checks_rates_reviews_and_reads_the_dashboard(served: dict[str, Any], browser: Any) -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    print(f"\nbrowser screenshots: {ARTIFACTS}")
    base, answers = served["base"], served["answers"]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    requested: list[str] = []
    console_errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    failed: list[str] = []
    page.on(
        "response",
        lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    violations: list[str] = []

    def settle(name: str) -> None:
        """A screenshot of the page as it is, and the CSP violations it reported."""
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        violations.extend(page.evaluate("window.__cspViolations"))

    # The key is typed once and kept for the tab only.
    page.goto(base + "/")
    page.get_by_label("API key").fill(served["key"])
    page.get_by_role("button", name="Use key").click()
    assert page.evaluate("sessionStorage.getItem('api-key')") == served["key"]
    assert page.evaluate("localStorage.length") == 0

    # Ask: the answer streams in with numbered citations, sources and a confidence level.
    page.get_by_label("Your question").fill(f"What is the target for {answers['success_metric']}?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.locator("#confidence-level").wait_for()
    assert page.locator("#answer-text a.cite").count() >= 1
    assert page.locator("#sources li").count() >= 1
    assert page.locator("#confidence-level").inner_text() in {"high", "medium", "low"}
    assert "key terms" in page.locator("#confidence-reason").inner_text()
    page.get_by_text("Show work").click()
    assert page.locator("#work-passages tr").count() >= 1
    assert "offline" in page.locator("#work-facts").inner_text()
    settle("answer")

    # A citation opens its document at the cited passage.
    snippet = page.locator("#sources li blockquote").first.inner_text()
    page.locator("#sources li a.open-document").first.click()
    cited = page.locator("#document-dialog .passage.cited")
    cited.wait_for()
    assert cited.get_attribute("aria-current") == "true"
    assert " ".join(snippet.rstrip("…").split())[:30] in " ".join(cited.inner_text().split())
    settle("document")
    page.keyboard.press("Escape")
    assert not page.locator("#document-dialog").is_visible()

    # Vote it down with a correction: stored, and the answer enters the review queue.
    rated_id = page.locator("#work-facts dd").last.inner_text()
    page.get_by_role("button", name="Not helpful").click()
    page.get_by_label("Correction (optional)").fill("The target is lower than that.")
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("feedback recorded").wait_for()
    queue = {item["request_id"]: item for item in api(served, "/v1/review")["items"]}
    assert queue[rated_id]["rating"] == "down"
    assert queue[rated_id]["correction"] == "The target is lower than that."

    # A low-confidence answer says it needs review, and shows up in /review. Asked with the
    # keyboard only: type, Tab to the button, Enter.
    page.get_by_label("Your question").fill("")
    page.get_by_label("Your question").focus()
    page.keyboard.type(UNKNOWN_QUESTION)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "ask-button"
    page.keyboard.press("Enter")
    page.locator("#review-banner").wait_for(state="visible")
    assert page.locator("#confidence-level").inner_text() == "none"
    low_id = page.locator("#work-facts dd").last.inner_text()
    settle("needs-review")

    page.goto(base + "/review")
    item = page.locator(f'article[data-request-id="{low_id}"]')
    item.wait_for()
    assert page.locator(f'article[data-request-id="{rated_id}"]').count() == 1
    item.get_by_label("Note (required to reject)").fill("Right to say it does not know.")
    item.get_by_role("button", name="Save decision").click()
    item.get_by_text("Saved: approve").wait_for()
    settle("review")
    assert low_id not in {entry["request_id"] for entry in api(served, "/v1/review")["items"]}

    # The dashboard draws the GOALS.md target and the review date on the key result chart.
    page.goto(base + "/dashboard")
    target = page.locator("svg .target-line[data-target]")
    target.wait_for(state="attached")
    assert float(target.get_attribute("data-target")) == float(answers["target_value"])
    assert page.locator("svg .review-date-line").get_attribute("data-review-date") == str(answers["review_date"])
    assert page.locator("figure.chart").count() >= 7
    settle("dashboard")

    # At phone width nothing needs sideways scrolling.
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/review", "/dashboard"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 376, path
        settle("phone" + path.replace("/", "-").rstrip("-"))
    context.close()

    foreign = [url for url in requested if not url.startswith(base + "/")]
    assert not foreign, f"the pages requested other hosts: {foreign}"
    assert not violations, f"Content-Security-Policy violations: {violations}"
    assert not failed, f"requests that failed: {failed}"
    assert not console_errors, f"console errors: {console_errors}"
