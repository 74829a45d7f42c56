"""Browser tests: Debian's chromium driven by Playwright (``executable_path``; Playwright never downloads a
browser here) against the portal on embedded defaults, started in the test's own event loop.

Without chromium (``scripts/browser`` installs it as root) the tests skip with a clear message; under
``CI=true`` they fail instead. Screenshots of every page go to ``tests/browser/artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from singlewindow.platform.settings import Settings
from singlewindow.platform.web.serve import PortalEndpoints, running_portal

# A page that waits on the hub (the console's proof check, a status reaching CLEARED) can take more than
# Playwright's default 5 s on a loaded two-core machine: seen once in a full run. Assertions still fail,
# only later.
expect.set_options(timeout=15_000)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def chromium_path() -> str:
    found = os.environ.get("NSW_TEST_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    message = "chromium is not installed (run scripts/browser as root: apt-get install chromium)"
    if IN_CI:
        pytest.fail(f"{message}; CI=true: browser tests must not skip")
    pytest.skip(message)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PortalEndpoints]:
    executable = chromium_path()
    del executable  # checked before anything starts: a skip costs nothing
    async with running_portal(Settings(), port=0) as endpoints:
        yield endpoints


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


class Screens:
    """Numbered full-page screenshots of one test, kept as artefacts."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    async def shot(self, page: Page, what: str, *, full_page: bool = True) -> None:
        self.count += 1
        await page.screenshot(path=self.folder / f"{self.count:02d}-{what}.png", full_page=full_page)


@pytest.fixture
def screens(request: pytest.FixtureRequest) -> Screens:
    return Screens(request.node.name.replace("[", "-").replace("]", ""))


async def new_context(browser: Browser, language: str = "en-GB") -> BrowserContext:
    return await browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
