"""Shared Playwright launcher for the browser tests (real Chromium at /usr/bin/chromium).

Policy: a browser test *skips* when Playwright or Chromium is missing on a developer machine, and
*fails* when the environment variable ``CI`` is ``"true"`` (a CI job must not silently skip them).

- :func:`require_browser` — apply that policy (call it first in a test or fixture).
- :func:`launch_chromium` — a headless persistent context on a fresh temporary profile, with the flags in
  :data:`CHROMIUM_ARGS` (no background networking, no component updates, no sync, no QUIC).
- :func:`browser_page` — context manager: one fresh context and page, closed afterwards.
- :func:`block_network` — route every request that is not ``file://`` / ``data:`` / ``about:`` to
  abort, and record it; returns the list of recorded URLs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright, Route

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "block_network", "browser_page", "launch_chromium", "require_browser"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
]
_LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_browser() -> None:
    """Skip the calling test when Chromium/Playwright is missing locally; fail instead when ``CI=true``."""
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "playwright is not installed (pip install -e '.[test]')"
    if problem is None and not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    if problem is None:
        return
    if _in_ci():
        pytest.fail(f"browser test cannot run in CI: {problem}")
    pytest.skip(problem)


def launch_chromium(
    playwright: Playwright, *, user_data_dir: str | Path | None = None, **options: Any
) -> BrowserContext:
    """A headless Chromium persistent context on a fresh temporary profile (removed when the context closes).

    ``options`` go to ``launch_persistent_context`` (viewport, locale, …).
    """
    own_dir = user_data_dir is None
    profile = Path(tempfile.mkdtemp(prefix="lineage-chromium-") if user_data_dir is None else user_data_dir)
    options.setdefault("viewport", {"width": 1280, "height": 900})
    try:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **options
        )
    except Exception:
        if own_dir:
            shutil.rmtree(profile, ignore_errors=True)
        raise
    if own_dir:
        context.on("close", lambda _ctx: shutil.rmtree(profile, ignore_errors=True))
    return context


def block_network(context: BrowserContext) -> list[str]:
    """Abort every request to a non-local URL; return the (live) list of URLs that were attempted."""
    attempted: list[str] = []

    def handle(route: Route) -> None:
        if route.request.url.startswith(_LOCAL_SCHEMES):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", handle)
    context.on("request", lambda req: None if req.url.startswith(_LOCAL_SCHEMES) else attempted.append(req.url))
    return attempted


@contextmanager
def browser_page(**options: Any) -> Iterator[Page]:
    """A fresh Chromium context and page (see :func:`require_browser` for the skip/fail policy)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = launch_chromium(pw, **options)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
