"""Browser tests: a real Chromium (Debian's) driven by Playwright against Django's live server.

Every request the page makes is recorded; a test fails if any goes anywhere but the portal itself
(government intranets have no internet, so nothing may come from a CDN)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run `make install-test` (installs Debian's chromium)"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


class RequestLog:
    """Every URL the page asked for, to prove it never left the portal."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.urls: list[str] = []

    def record(self, request) -> None:
        self.urls.append(request.url)

    def foreign(self) -> list[str]:
        # chrome:// and chrome-extension:// are the browser's own files (its built-in PDF viewer, which
        # shows an Office document's PDF), read from inside the browser, never from a network.
        local = (self.origin, "data:", "blob:", "chrome://", "chrome-extension://")
        return [u for u in self.urls if not u.startswith(local)]


class CspWatch:
    """What the Content Security Policy refused, as Chromium reports it on the console, and every
    page of the portal that arrived without the policy."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.violations: list[str] = []
        self.unprotected: list[str] = []
        self.protected: set[str] = set()

    def console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def response(self, response) -> None:
        is_page = response.request.resource_type == "document" and response.url.startswith(self.origin)
        if not is_page:
            return
        if "content-security-policy" in response.headers:
            self.protected.add(response.url)
        elif response.url not in self.protected:
            # Chromium's PDF viewer hands a framed PDF on to itself as a second, header-less
            # "response" of the same URL, after the portal's own answer (with its policy) arrived.
            self.unprotected.append(response.url)


@pytest.fixture
def portal(page, live_server):
    """The page, with its requests logged; fails the test if any left the portal, if a page came
    without the CSP header, or if the browser refused anything under the CSP (an inline script or
    style somewhere would break that page in production)."""
    log = RequestLog(live_server.url)
    csp = CspWatch(live_server.url)
    page.on("request", log.record)
    page.on("console", csp.console)
    page.on("response", csp.response)
    page.set_default_timeout(15_000)
    page.log = log
    page.csp = csp
    page.base = live_server.url
    yield page
    assert log.urls, "the browser made no request at all"
    assert not log.foreign(), f"requests left the portal: {log.foreign()}"
    assert not csp.unprotected, f"pages without a Content-Security-Policy header: {csp.unprotected}"
    assert not csp.violations, f"the Content Security Policy refused: {csp.violations}"


def login(page, username: str, password: str) -> None:
    page.goto(f"{page.base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shoot(page, name: str) -> None:
    """Keep a picture of the page for docs/screenshots (only when SCREENSHOTS=1 is set)."""
    if os.environ.get("SCREENSHOTS") == "1":
        from PIL import Image

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        # A 256-colour palette keeps flat UI pages sharp at a third of the size in the repository.
        with Image.open(path) as image:
            image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                path, optimize=True
            )


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Live-server tests run outside a transaction and the database is flushed after each one,
    migrations' reference data included: load it again (the loaders are idempotent)."""
    from django.apps import apps

    from duties.reference import load_duties
    from offices.reference import load_divisions

    if not apps.get_model("offices", "Town").objects.exists():
        load_divisions(
            apps.get_model("offices", "County"),
            apps.get_model("offices", "Town"),
            apps.get_model("offices", "Office"),
        )
    if not apps.get_model("duties", "Duty").objects.exists():
        load_duties(apps.get_model("duties", "Duty"))
    from assessment.standard.reference import load_default_catalog

    load_default_catalog(
        apps.get_model("assessment", "CatalogVersion"), apps.get_model("assessment", "CatalogItem")
    )
