"""arXiv metadata through the ``arxiv`` client (titles, dates, abstracts, DOIs, journal refs).

``ArxivSource(settings).get(ids)`` asks the arXiv query API for up to 100 ids per request
(``id_list``; ``page_size=100`` so one chunk is one request) with ``max_results=None`` (the client's
default of 100 silently truncates). What the ``arxiv`` client lacks is added here:

- a request **timeout**: the client calls ``self._session.get(url)`` with no timeout, so we mount a
  ``requests`` transport adapter on its session that fills in ``settings.timeout_s``;
- a check that a 200 answer is an Atom feed (the client would parse an HTML error page as an empty
  result, i.e. "none of these ids exist");
- one exception type: every failure becomes :class:`~graph.core.errors.ApiError` (or
  :class:`~graph.core.errors.OfflineError`) naming the URL, never a ``requests`` / ``arxiv`` traceback.

The client's own retries (``num_retries=settings.max_retries``, ``delay_seconds=settings.arxiv_delay_s``
between requests) handle HTTP errors, dropped connections and unexpectedly empty pages. A read
timeout is not retried: a server that does not answer within ``timeout_s`` fails fast.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import arxiv
import requests
from requests.adapters import HTTPAdapter

from graph.core.errors import ApiError, BadIdError, OfflineError
from graph.core.ids import normalize_arxiv, normalize_doi, paper_key
from graph.core.models import MAX_ABSTRACT, MAX_TITLE, Paper
from graph.core.settings import Settings

__all__ = ["CHUNK", "ArxivSource", "result_to_paper"]

logger = logging.getLogger(__name__)

CHUNK = 100
"""Ids per query (and the page size): one chunk is one HTTP request."""

_MAX_AUTHORS = 200


class _TimeoutAdapter(HTTPAdapter):
    """A transport adapter that applies a default timeout and counts every attempt."""

    def __init__(self, timeout: float, on_send: Callable[[requests.PreparedRequest], None]) -> None:
        super().__init__()
        self._timeout = timeout
        self._on_send = on_send

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        self._on_send(request)
        return super().send(request, stream=stream, timeout=self._timeout if timeout is None else timeout,
                            verify=verify, cert=cert, proxies=proxies)


class _NotAFeed(requests.exceptions.ConnectionError):
    """A 200 answer that is not an Atom feed. Subclasses ``ConnectionError`` on purpose: the ``arxiv``
    client retries those, and a proxy's error page is usually transient."""


def _check_feed(resp: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """``requests`` response hook: a 200 must carry an Atom ``<feed``."""
    if resp.status_code == 200 and b"<feed" not in resp.content[:4096]:
        ctype = resp.headers.get("Content-Type", "?")
        raise _NotAFeed(f"not an Atom feed (Content-Type {ctype})", request=resp.request, response=resp)
    return resp


def _text(value: Any, cap: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value[:cap] or None


def result_to_paper(r: arxiv.Result, *, fetched_at: str | None = None) -> Paper | None:
    """Map one ``arxiv.Result`` to a :class:`~graph.core.models.Paper` (None for an API error entry).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> r = arxiv.Result("http://arxiv.org/abs/2305.18290v3", title="Direct  Preference\\n Optimization",
    ...                  published=datetime(2023, 5, 29, tzinfo=timezone.utc),
    ...                  authors=[arxiv.Result.Author("Rafael Rafailov")], doi="10.1000/ABC")
    >>> p = result_to_paper(r, fetched_at="2026-11-24")
    >>> p.paper_id, p.title, p.year, p.publication_date, p.doi, p.authors
    ('arxiv:2305.18290', 'Direct Preference Optimization', 2023, '2023-05-29', '10.1000/abc', ('Rafael Rafailov',))
    """
    if "/api/errors" in r.entry_id:
        logger.warning("arXiv answered an error entry: %s", _text(r.summary, 300))
        return None
    try:
        arxiv_id = normalize_arxiv(r.get_short_id())
    except BadIdError:
        logger.warning("arXiv entry with an unparseable id %r skipped", r.entry_id)
        return None
    doi: str | None = None
    if r.doi:
        try:
            doi = normalize_doi(r.doi)
        except BadIdError:
            logger.debug("arXiv %s: ignoring malformed DOI %r", arxiv_id, r.doi)
    title = _text(r.title, MAX_TITLE)
    published = r.published if isinstance(r.published, datetime) and r.published.year > 1 else None
    authors = tuple(n for a in r.authors[:_MAX_AUTHORS] if (n := _text(a.name, 300)))
    return Paper(
        paper_id=paper_key(arxiv_id=arxiv_id, doi=doi, title=title),
        title=title,
        year=published.year if published else None,
        authors=authors,
        venue=_text(r.journal_ref, 500),
        abstract=_text(r.summary, MAX_ABSTRACT),
        arxiv_id=arxiv_id,
        doi=doi,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        publication_date=published.date().isoformat() if published else None,
        kind="paper",
        source="arxiv",
        fetched_at=fetched_at,
    )


class ArxivSource:
    """arXiv metadata for arXiv ids (see the module docstring).

    Parameters
    ----------
    settings:
        Uses ``arxiv_url``, ``arxiv_delay_s``, ``max_retries``, ``timeout_s`` and ``offline``.

    Attributes
    ----------
    requests:
        HTTP requests sent (every attempt, retries included).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requests = 0
        self.url = settings.arxiv_url
        self.client = arxiv.Client(page_size=CHUNK, delay_seconds=settings.arxiv_delay_s,
                                   num_retries=settings.max_retries)
        # The client formats ``query_url_format.format(urlencode(args))``: escape braces in our URL.
        sep = "&" if "?" in self.url else "?"
        self.client.query_url_format = self.url.replace("{", "{{").replace("}", "}}") + sep + "{}"
        session: requests.Session | None = getattr(self.client, "_session", None)
        if not isinstance(session, requests.Session):  # pragma: no cover - a future client layout
            raise RuntimeError("arxiv.Client has no requests session to attach a timeout to")
        adapter = _TimeoutAdapter(settings.timeout_s, self._count)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.hooks.setdefault("response", []).append(_check_feed)

    def _count(self, request: requests.PreparedRequest) -> None:
        self.requests += 1
        logger.debug("arXiv GET %s", request.url)

    def get(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        """Metadata for these arXiv ids, keyed by the id as given.

        Ids may carry a prefix or version (``arXiv:2305.18290v2``); the latest version is fetched.
        Ids arXiv does not know are absent from the result; malformed ids are skipped with a
        warning. Raises :class:`~graph.core.errors.ApiError` (``OfflineError`` when unreachable or
        ``settings.offline``) after the client's retries.
        """
        if isinstance(arxiv_ids, str):
            arxiv_ids = [arxiv_ids]
        wanted: dict[str, list[str]] = {}  # base id -> ids as given
        for raw in arxiv_ids:
            try:
                base = normalize_arxiv(raw)
            except BadIdError:
                logger.warning("skipping malformed arXiv id %r", raw)
                continue
            wanted.setdefault(base, []).append(raw)
        if not wanted:
            return {}
        if self.settings.offline:
            raise OfflineError("offline mode: not asking arXiv", url=self.url,
                               hint="unset LINEAGE_OFFLINE to fetch arXiv metadata")
        bases = list(wanted)
        found: dict[str, Paper] = {}
        for i in range(0, len(bases), CHUNK):
            chunk = bases[i:i + CHUNK]
            for p in self._query(chunk):
                if p.arxiv_id in wanted:
                    found[p.arxiv_id] = p
        missing = len(bases) - len(found)
        logger.info("arXiv: %d of %d ids found%s", len(found), len(bases),
                    f", {missing} unknown" if missing else "")
        return {raw: found[base] for base, raws in wanted.items() if base in found for raw in raws}

    def _query(self, ids: list[str]) -> list[Paper]:
        search = arxiv.Search(id_list=ids, max_results=None)
        fetched_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            results = list(self.client.results(search))
        except arxiv.HTTPError as e:
            raise ApiError(f"arXiv API answered HTTP {e.status} after {e.retry + 1} tries ({e.url})",
                           url=e.url, status=e.status, hint=_hint(e.status)) from None
        except arxiv.UnexpectedEmptyPageError as e:
            raise ApiError(f"arXiv API returned an empty page after {e.retry + 1} tries ({e.url})",
                           url=e.url, hint="arXiv is flaky; try again in a minute") from None
        except arxiv.ArxivError as e:
            raise ApiError(f"arXiv API failed: {e.message} ({e.url})", url=e.url) from None
        except _NotAFeed as e:
            url = _url_of(e, self.url)
            raise ApiError(f"arXiv API sent something that is not an Atom feed ({url})", url=url,
                           status=200, hint="check ARXIV_API_URL, or a proxy in between") from None
        except requests.exceptions.Timeout:
            raise ApiError(f"arXiv API did not answer within {self.settings.timeout_s:g} s ({self.url})",
                           url=self.url, hint="arXiv is slow or unreachable; try again later") from None
        except requests.exceptions.ConnectionError as e:
            raise OfflineError(f"cannot reach the arXiv API ({self.url}): {_reason(e)}", url=self.url,
                               hint="check the network connection, or use the offline snapshot") from None
        except requests.exceptions.RequestException as e:
            raise ApiError(f"arXiv API request failed ({self.url}): {_reason(e)}", url=self.url) from None
        out: list[Paper] = []
        for r in results:
            p = result_to_paper(r, fetched_at=fetched_at)
            if p is not None:
                out.append(p)
        return out


def _url_of(e: requests.exceptions.RequestException, default: str) -> str:
    req = getattr(e, "request", None)
    url = getattr(req, "url", None)
    return str(url) if url else default


def _reason(e: BaseException) -> str:
    """A one-line reason without urllib3's nested object reprs."""
    text = str(e)
    m = re.search(r"\[Errno [^\]]+\] [^')\]]+", text)
    if m:
        return m.group(0)
    return text.splitlines()[0][:200] if text else type(e).__name__


def _hint(status: int) -> str:
    if status == 400:
        return "arXiv rejected the query; check the ids"
    if status in (429, 503):
        return "arXiv is rate limiting; wait a minute and retry"
    if status >= 500:
        return "arXiv is having trouble; try again later"
    return "check ARXIV_API_URL"
