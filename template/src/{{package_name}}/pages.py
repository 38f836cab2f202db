"""The web pages, when the project has them: the answer page `/`, the review queue
`/review` and the KPI dashboard `/dashboard`.

Plain HTML, CSS and JavaScript files from the package's `ui/` folder: no build step, no
CDN, no inline script or style, so the service's strict Content-Security-Policy holds.
Each page calls the same HTTP API as any client, with the API key the user typed, which
the page keeps in the browser tab's session storage only.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from . import about

UI_DIR = Path(__file__).parent / "ui"
PAGES = {"/": "index.html", "/review": "review.html", "/dashboard": "dashboard.html"}


def include_pages(app: FastAPI) -> None:
    if not about.WEB_UI:
        return
    app.mount("/ui", StaticFiles(directory=UI_DIR), name="ui")
    for path, file in PAGES.items():
        app.add_api_route(path, _page(UI_DIR / file), methods=["GET"], include_in_schema=False)


def _page(file: Path) -> Callable[[], Awaitable[FileResponse]]:
    async def serve_page() -> FileResponse:
        return FileResponse(file, media_type="text/html; charset=utf-8")

    return serve_page
