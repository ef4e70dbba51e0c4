"""The only way WeasyPrint may load anything: ``data:`` URLs and our own files.

WeasyPrint 70 expects a ``weasyprint.urls.URLFetcher`` instance (a subclass of
``urllib.request.OpenerDirector``): it calls ``fetcher(url)`` → ``fetch(url)``
and reads ``fetcher._fail_on_errors`` when the call raises; a plain function
(the pre-67 style ``url_fetcher(url) -> dict``) no longer works. ``SafeFetcher``
overrides ``fetch`` completely and never reaches urllib's handlers, so no
network, ``file:`` or redirect is possible; ``open`` is overridden as well.

Documents are rendered with ``base_url = BASE_URL`` (``https://absolvent.invalid/``,
a reserved name that never resolves), so a template writes the same URLs the
web app serves: ``/static/vendor/fonts/DejaVuSans.ttf`` or
``/forms/_print/print.css``. Each mount maps such a URL prefix to a folder;
the resolved file must stay inside that folder (``..``, encoded ``%2e%2e``,
and symlinks pointing outside are refused).
"""

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://absolvent.invalid/"
_BASE = urlsplit(BASE_URL)

mimetypes.add_type("font/ttf", ".ttf")
mimetypes.add_type("text/css", ".css")


class FetchRefused(ValueError):
    """Raised (and logged by WeasyPrint, which then skips the resource) for refused URLs."""


class SafeFetcher(URLFetcher):
    """URL fetcher allowing ``data:`` and files under the given mounts only.

    ``mounts`` maps URL path prefixes (e.g. ``"/static/"``) to folders.
    ``refused`` and ``fetched`` record the URLs for tests and logs.
    """

    def __init__(self, mounts: dict[str, Path], max_bytes: int = 20_000_000):
        super().__init__(allowed_protocols=("data", "https"), allow_redirects=False)
        self.mounts = {prefix: Path(folder).resolve() for prefix, folder in mounts.items()}
        self.max_bytes = max_bytes
        self.refused: list[str] = []
        self.fetched: list[str] = []
        self._lock = threading.Lock()

    def fetch(self, url, headers=None):
        """Return a ``URLFetcherResponse``; raise ``FetchRefused`` for anything not allowed."""
        try:
            response = self._fetch(url)
        except FetchRefused:
            with self._lock:
                self.refused.append(url)
            raise
        with self._lock:
            self.fetched.append(url)
        return response

    def open(self, url, data=None, timeout=None):  # never use urllib's handlers
        return self.fetch(url.full_url if isinstance(url, Request) else url)

    def _fetch(self, url: str) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            if len(url) > self.max_bytes * 2:
                raise FetchRefused("data-URL zu groß")
            response = DataHandler().data_open(Request(url))
            return URLFetcherResponse(
                url, response.read(), {"Content-Type": response.headers["Content-Type"]}
            )
        path = self.resolve(url)
        if path is None:
            raise FetchRefused(f"Adresse nicht erlaubt: {url}")
        if path.stat().st_size > self.max_bytes:
            raise FetchRefused(f"Datei zu groß: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def resolve(self, url: str) -> Path | None:
        """Return the file a URL maps to, or None when the URL is not allowed."""
        if url.startswith("/"):
            url = BASE_URL.rstrip("/") + url
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (_BASE.scheme, _BASE.netloc):
            return None
        url_path = unquote(parts.path)
        if "\\" in url_path or "\x00" in url_path:
            return None
        for prefix, folder in self.mounts.items():
            if not url_path.startswith(prefix):
                continue
            relative = url_path[len(prefix):]
            if any(part in ("..", ".") for part in relative.split("/")):
                return None
            candidate = (folder / relative).resolve()
            if candidate.is_relative_to(folder) and candidate.is_file():
                return candidate
            return None
        return None

