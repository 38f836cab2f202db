"""Copy task: write a local, git-ignored .env from .env.example.

It sets a fresh random API key and the offline model, so the new project answers at once
with no provider key. An existing .env is never touched: it may hold real secrets.
"""

import re
import secrets
import sys
from pathlib import Path

LOCAL_OVERRIDES = {
    # Local development answers offline until a provider key is added; the provider
    # chosen in the interview stays the default everywhere else (see .env.example).
    "APP_LLM_PROVIDER": "offline",
    # The local developer reviews answers and reads the dashboard too: the key is an admin's.
    "APP_API_KEYS": secrets.token_urlsafe(32) + ":admin",
}


def local_sources(example: str) -> dict[str, str]:
    """Local development reads the files under data/ only: the other sources (web,
    postgres, s3) need addresses and credentials set first, and start-up stops, naming
    them, while they are missing."""
    found = re.search(r"(?m)^APP_DATA_SOURCES=(.*)$", example)
    sources = found.group(1).split(",") if found else []
    return {"APP_DATA_SOURCES": "files"} if set(sources) - {"files"} else {}


def main(project: Path) -> int:
    env, example = project / ".env", project / ".env.example"
    if env.exists():
        print(".env exists: left unchanged")
        return 0
    if not example.exists():
        print(".env.example is missing: no .env written", file=sys.stderr)
        return 0
    text = example.read_text(encoding="utf-8")
    for key, value in {**LOCAL_OVERRIDES, **local_sources(text)}.items():
        text = re.sub(rf"(?m)^{key}=.*$", f"{key}={value}", text)
    env.write_text(
        "# Local settings, git-ignored; written from .env.example when the project was made.\n"
        "# To use the provider chosen in the interview, set its key below and remove the\n"
        "# APP_LLM_PROVIDER=offline line (or set it to that provider). APP_DATA_SOURCES lists\n"
        "# only files here: add the other sources once their settings below are set.\n" + text,
        encoding="utf-8",
    )
    env.chmod(0o600)
    print("wrote .env with a local API key and APP_LLM_PROVIDER=offline")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
