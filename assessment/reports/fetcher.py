"""What the PDF renderer may load: the portal's own static files, nothing else.

A report's HTML is rendered from a Django template, so every text a user typed (a town name, a note,
a record title) is escaped and cannot become an element. This fetcher is the second wall: even
markup that slipped through could not make WeasyPrint read a local file, reach a network address or
attach a file. WeasyPrint asks it for every image, stylesheet, font and attachment; it answers only
URLs of the pseudo-origin below whose path is a file under the static folders, and refuses anything
else with an error that WeasyPrint treats as a failed load (the resource is left out)."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The base URL of every report: `.invalid` is reserved and never resolves, and nothing is ever
# fetched from it; `static/...` under it maps to the portal's static folders.
ORIGIN = "https://portal.invalid/"
HOST = "portal.invalid"
STATIC_PREFIX = "/static/"


class ResourceRefused(ValueError):
    """A URL the report may not load; WeasyPrint logs it and renders without the resource."""


def static_roots() -> list[Path]:
    """The folders a report may read from: the portal's static folders (and the collected ones)."""
    roots = [Path(p) for p in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return [r.resolve() for r in roots if r.is_dir()]


class StaticOnlyFetcher(URLFetcher):
    """Serves files of the static folders to WeasyPrint and refuses every other URL. Keeps what it
    served and what it refused, so tests can see that nothing else was asked for."""

    def __init__(self, roots: list[Path] | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False)
        self.roots = [Path(r).resolve() for r in roots] if roots is not None else static_roots()
        self.served: list[str] = []
        self.refused: list[str] = []

    def resolve(self, url: str) -> Path:
        """The static file a URL names, or ResourceRefused."""
        try:
            parts = urlsplit(url)
        except ValueError as error:
            raise ResourceRefused(f"malformed URL: {url!r}") from error
        if parts.scheme != "https" or parts.netloc != HOST:
            raise ResourceRefused(f"not the portal's own static files: {url!r}")
        if parts.username or parts.password or parts.port:
            raise ResourceRefused(f"not the portal's own static files: {url!r}")
        if not parts.path.startswith(STATIC_PREFIX):
            raise ResourceRefused(f"outside the static folder: {url!r}")
        relative = unquote(parts.path[len(STATIC_PREFIX) :])
        segments = relative.split("/")
        if (
            not relative
            or "\\" in relative
            or "\x00" in relative
            or any(s in ("", ".", "..") for s in segments)
        ):
            raise ResourceRefused(f"not a plain static path: {url!r}")
        for root in self.roots:
            candidate = (root / relative).resolve()
            # resolve() follows symbolic links: a link pointing out of the folder is refused too.
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        raise ResourceRefused(f"no such static file: {url!r}")

    def fetch(self, url, headers=None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
        except ResourceRefused:
            self.refused.append(url)
            raise
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
