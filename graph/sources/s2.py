"""Semantic Scholar Graph API through the ``semanticscholar`` client, with our own retries and rate limit.

:class:`S2Source` wraps ``semanticscholar.SemanticScholar`` (0.12) so that none of its quirks reach
users:

- its constructor calls ``logging.basicConfig``: the handler it adds to the root logger and the
  root level it sets are undone;
- it performs every HTTP request in ``ApiRequester.get_data_async``, which creates a fresh
  ``httpx.AsyncClient`` per call, so no hook can see the response headers; on 429 it raises
  ``ConnectionRefusedError`` and its own retries ignore ``Retry-After``; on 502/503 it returns an
  EMPTY result (an empty ``Paper``) instead of raising; at DEBUG level it logs the request headers
  (the API key); and it does not send the key with paged ``references`` / ``citations`` requests.
  We therefore give the client our own requester (a subclass of its ``ApiRequester`` that overrides
  that one method): the client still builds URLs, fields and pages, while we send the request
  (key only as ``x-api-key``), pace it (client-side rate limit), retry it (``Retry-After`` on 429;
  exponential back-off with jitter on 5xx, resets, timeouts, truncated JSON), validate the shape of
  the answer (an empty or malformed answer is retried, never turned into an empty paper), and
  raise :mod:`graph.core.errors` exceptions;
- its batch call drops the ``null`` entries of unknown ids (and logs a warning), losing which input
  id was unknown, so :meth:`S2Source.get_papers` posts ``/paper/batch`` through the same requester
  and keeps the positions.

Shapes of the real API handled here (recorded answers in ``tests/data/s2/``, see its README):

- ``/paper/search/match`` answers 404 ``{"error": "Title match not found"}`` when nothing matches:
  :meth:`S2Source.match_title` returns None (one request, no retry);
- ``/paper/batch`` answers ``null`` for an unknown id: that id maps to None;
- a paper may come without ``externalIds`` (``null``) or with ``"paperId": null`` (a reference S2 could
  not link): it is kept, keyed by its title (or S2 id), when it has one;
- a published DOI may be answered with the arXiv preprint record, whose ``externalIds`` do not list it:
  the DOI that was asked is kept on the paper (it names the same paper);
- ``/references`` and ``/citations`` items may have a ``null`` ``citedPaper`` / ``citingPaper``: the item
  is skipped with a log line.

Responses are untrusted: fields the client's wrappers would choke on (a malformed
``publicationDate``, ``authors`` that is not a list, …) are cleaned before they reach them, unknown
fields are ignored, and malformed items are skipped with a log line.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import re
import threading
import time
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from semanticscholar import SemanticScholar
from semanticscholar._utils import _run_async
from semanticscholar.ApiRequester import ApiRequester

from graph.core.errors import ApiError, BadIdError, NotFoundError, OfflineError, RateLimitedError
from graph.core.ids import normalize_doi, paper_key
from graph.core.models import Citation, Paper
from graph.core.query import s2_query_id
from graph.core.settings import Settings

__all__ = ["BATCH_SIZE", "LISTING_CAP", "LISTING_FIELDS", "PAGE_LIMIT", "PAPER_FIELDS", "RateLimiter", "S2Source"]

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
"""Most ids ``POST /paper/batch`` accepts in one call."""
PAGE_LIMIT = 1000
"""Largest ``limit`` of ``/references`` and ``/citations``."""
LISTING_CAP = 9_999
"""The client (and the API) stop paging references / citations here."""
MAX_RETRY_AFTER_S = 300.0
"""A ``Retry-After`` longer than this is not waited for: we raise :class:`RateLimitedError` at once."""

PAPER_FIELDS: tuple[str, ...] = (
    "paperId", "externalIds", "corpusId", "title", "year", "authors", "venue", "abstract", "tldr",
    "citationCount", "referenceCount", "influentialCitationCount", "publicationDate", "url", "publicationTypes",
)
"""Fields asked for single papers and batches."""
LISTING_FIELDS: tuple[str, ...] = ("isInfluential", *(f for f in PAPER_FIELDS if f not in ("abstract", "tldr")))
"""Fields asked for each item of ``/references`` and ``/citations`` (no abstracts: pages stay small)."""

_T = TypeVar("_T")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LISTING_PATH = re.compile(r"/(references|citations)$")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RateLimiter:
    """At most ``rate_per_s`` requests a second: a minimum interval, shared and thread-safe.

    Examples
    --------
    >>> lim = RateLimiter(20)
    >>> t0 = time.monotonic(); _ = [lim.acquire() for _ in range(5)]
    >>> time.monotonic() - t0 >= 0.19
    True
    """

    def __init__(self, rate_per_s: float) -> None:
        self.interval = 1.0 / rate_per_s if rate_per_s and rate_per_s > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Reserve the next slot; returns how long the caller must wait for it."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
            return slot - now

    def acquire(self) -> None:
        """Block until the next slot."""
        wait = self.reserve()
        if wait > 0:
            time.sleep(wait)

    async def acquire_async(self) -> None:
        """Wait (asynchronously) until the next slot."""
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)


class _Retry(Exception):
    """A transient failure of one attempt (internal)."""

    def __init__(self, problem: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.retry_after = retry_after


class _Requester(ApiRequester):
    """The client's requester with its one HTTP method replaced by :meth:`S2Source._request`."""

    def __init__(self, source: S2Source) -> None:
        super().__init__(timeout=source.settings.timeout_s, retry=False)
        self._source = source

    async def get_data_async(self, url: str, parameters: str, headers: dict[str, str] | None,
                             payload: dict[str, Any] | None = None) -> Any:
        return await self._source._request(url, parameters, payload)


def _graph_base(api_url: str) -> tuple[str, str]:
    """(client api_url without ``/graph/v1``, graph base with it)."""
    url = api_url.rstrip("/")
    root = url[: -len("/graph/v1")] if url.endswith("/graph/v1") else url
    return root, root + "/graph/v1"


def _make_client(settings: Settings, api_url: str) -> SemanticScholar:
    """Construct the client and undo its ``logging.basicConfig`` side effect."""
    root = logging.getLogger()
    with _BASIC_CONFIG_LOCK:
        handlers, level = list(root.handlers), root.level
        try:
            client = SemanticScholar(timeout=int(max(1, settings.timeout_s)), api_key=settings.s2_api_key,
                                     api_url=api_url, retry=False)
        finally:
            for h in list(root.handlers):
                if h not in handlers:
                    root.removeHandler(h)
                    h.close()
            root.setLevel(level)
    return client


_BASIC_CONFIG_LOCK = threading.Lock()


def _clean_paper(d: Any) -> dict[str, Any] | None:
    """A paper dict the client's wrappers can hold (they crash on some malformed values)."""
    if not isinstance(d, dict):
        return None
    out = dict(d)
    date = out.get("publicationDate")
    if "publicationDate" in out and not (isinstance(date, str) and _DATE.match(date)):
        out["publicationDate"] = None
    if "authors" in out:
        a = out["authors"]
        out["authors"] = [x for x in a if isinstance(x, dict)] if isinstance(a, list) else None
    for k in ("citations", "references"):
        if k in out:
            v = out[k]
            out[k] = [x for x in v if isinstance(x, dict)] if isinstance(v, list) else None
    for k in ("journal", "publicationVenue", "tldr", "externalIds"):
        if k in out and not isinstance(out[k], dict):
            out[k] = None
    return out


def _describe(url: str) -> str:
    """The URL path for messages (no query, never the key)."""
    return urlsplit(url).path or url


class S2Source:
    """Semantic Scholar Graph API (see the module docstring).

    Parameters
    ----------
    settings:
        ``s2_api_url``, ``s2_api_key``, ``rate_per_s``, ``timeout_s``, ``max_retries``,
        ``backoff_base_s``, ``backoff_max_s`` and ``offline`` are used.

    Attributes
    ----------
    requests:
        HTTP requests sent (every attempt, retries included).
    throttled:
        429 answers received.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requests = 0
        self.throttled = 0
        self._lock = threading.Lock()
        self._limiter = RateLimiter(settings.rate_per_s)
        self._rng = random.Random()
        self._ssl = httpx.create_ssl_context()  # built once: building one per request costs ~30 ms
        root, self._base = _graph_base(settings.s2_api_url)
        self._headers = {"x-api-key": settings.s2_api_key} if settings.s2_api_key else {}
        self._client = _make_client(settings, root)
        # Route every HTTP call of the client through our requester.
        self._client._AsyncSemanticScholar._requester = _Requester(self)

    def __repr__(self) -> str:
        return f"S2Source(url={self._base!r}, requests={self.requests}, throttled={self.throttled})"

    # ------------------------------------------------------------ public API
    def get_papers(self, ids: Sequence[str]) -> dict[str, Paper | None]:
        """Papers for S2 id forms (``<sha>``, ``ARXIV:…``, ``DOI:…``, ``CorpusId:…``, ``URL:…``).

        Posts ``/paper/batch`` with at most 500 ids a call. Unknown ids map to None.
        """
        unique = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        found: dict[str, Paper | None] = {}
        url = f"{self._base}/paper/batch"
        params = "fields=" + ",".join(PAPER_FIELDS)
        for start in range(0, len(unique), BATCH_SIZE):
            chunk = unique[start:start + BATCH_SIZE]
            data = self._run(self._request(url, params, {"ids": chunk}))
            if not isinstance(data, list) or len(data) != len(chunk):
                raise ApiError(f"Semantic Scholar sent a malformed answer to POST {_describe(url)} "
                               f"({len(chunk)} ids asked)", url=url)
            now = _now()
            for qid, item in zip(chunk, data, strict=True):
                found[qid] = _with_asked_doi(self._paper_or_none(item, now, what=f"batch item {qid!r}"), qid)
        return {i: found.get(i.strip()) for i in ids}

    def get_paper(self, id: str) -> Paper:
        """One paper by any S2 id form; raises :class:`NotFoundError`."""
        result = self._client.get_paper(id.strip(), fields=list(PAPER_FIELDS))
        raw = result.raw_data
        paper = self._paper_or_none(raw, _now(), what=f"paper {id!r}")
        if paper is None:
            raise ApiError(f"Semantic Scholar sent an empty paper for {id!r}", url=f"{self._base}/paper/{id}")
        return _with_asked_doi(paper, id.strip()) or paper

    def references(self, paper: Paper) -> list[tuple[Paper, Citation]]:
        """Every reference of ``paper`` (all pages): (cited paper, ``paper`` → cited edge)."""
        return self._listing(paper, "references")

    def citations(self, paper: Paper) -> list[tuple[Paper, Citation]]:
        """Every citation of ``paper`` (all pages): (citing paper, citing → ``paper`` edge)."""
        return self._listing(paper, "citations")

    def match_title(self, title: str) -> Paper | None:
        """The paper whose title best matches ``title`` (``/paper/search/match``), or None."""
        if not title or not title.strip():
            return None
        query = quote(title.strip()[:300], safe="")
        try:
            result = self._client.search_paper(query, match_title=True, fields=list(PAPER_FIELDS))
        except NotFoundError:
            return None
        except IndexError:  # the client indexes [0] of an empty page
            return None
        return self._paper_or_none(getattr(result, "raw_data", None), _now(), what=f"title match for {title!r}")

    def ping(self) -> bool:
        """Whether the API answers at all (any HTTP status); False quickly when unreachable."""
        if self.settings.offline:
            return False
        url = f"{self._base}/paper/ARXIV:1706.03762"
        self._limiter.acquire()
        self._count()
        t0 = time.monotonic()
        try:
            with httpx.Client(timeout=min(self.settings.timeout_s, 3.0), verify=self._ssl) as client:
                r = client.get(url, params={"fields": "paperId"}, headers=self._headers)
        except httpx.HTTPError as exc:
            logger.info("S2 GET %s -> unreachable (%s)", _describe(url), type(exc).__name__)
            return False
        logger.info("S2 GET %s -> %s in %.0f ms (ping)", _describe(url), r.status_code,
                    (time.monotonic() - t0) * 1000)
        return True

    # -------------------------------------------------------------- helpers
    def _listing(self, paper: Paper, direction: str) -> list[tuple[Paper, Citation]]:
        qid = self._query_id(paper)
        fetch = self._client.get_paper_references if direction == "references" else self._client.get_paper_citations
        nested = "citedPaper" if direction == "references" else "citingPaper"

        def run() -> list[tuple[Paper, Citation]]:
            results = fetch(qid, fields=list(LISTING_FIELDS), limit=PAGE_LIMIT)
            out: list[tuple[Paper, Citation]] = []
            now = _now()
            for item in results:  # pages are fetched while iterating
                raw = getattr(item, "raw_data", None)
                if not isinstance(raw, dict):
                    logger.info("S2 %s of %s: skipped a malformed item", direction, qid)
                    continue
                other = self._paper_or_none(raw.get(nested), now, what=f"{direction} item of {qid}")
                if other is None:
                    continue
                infl = raw.get("isInfluential")
                infl = infl if isinstance(infl, bool) else None
                citing, cited = (paper.key, other.key) if direction == "references" else (other.key, paper.key)
                out.append((other, Citation(citing, cited, is_influential=infl, source="semanticscholar",
                                            fetched_at=now)))
            if results.next:
                logger.warning("S2 %s of %s stop at the API's cap of %d items; more exist", direction, qid,
                               LISTING_CAP)
            return out

        return run()

    @staticmethod
    def _query_id(paper: Paper) -> str:
        qid = s2_query_id(arxiv_id=paper.arxiv_id, doi=paper.doi, s2_id=paper.s2_id, corpus_id=paper.corpus_id)
        if qid is None:
            raise BadIdError(paper.key, "paper id", "Semantic Scholar needs an S2 id, an arXiv id or a DOI; "
                                                    "find the paper with match_title first")
        return qid

    @staticmethod
    def _paper_or_none(item: Any, fetched_at: str, *, what: str) -> Paper | None:
        if item is None:
            return None
        if not isinstance(item, dict):
            logger.info("S2 %s: skipped (not an object)", what)
            return None
        try:
            return Paper.from_s2(item, fetched_at=fetched_at)
        except ValueError as exc:
            logger.info("S2 %s: skipped (%s)", what, exc)
            return None

    def _run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        return _run_async(coro)  # type: ignore[no-any-return]

    def _count(self, *, throttled: bool = False) -> None:
        with self._lock:
            if throttled:
                self.throttled += 1
            else:
                self.requests += 1

    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return min(s.backoff_max_s, s.backoff_base_s * (2 ** attempt)) * self._rng.uniform(0.5, 1.0)

    async def _request(self, url: str, parameters: str, payload: dict[str, Any] | None) -> Any:
        """Send one API call with pacing, retries and validation; returns the JSON body."""
        method = "POST" if payload is not None else "GET"
        params = (parameters or "").lstrip("&")
        path = _describe(url)
        clean_url = url.split("?", 1)[0]
        if self.settings.offline:
            raise OfflineError(f"offline mode: not calling Semantic Scholar ({method} {path})", url=clean_url,
                               hint="unset LINEAGE_OFFLINE to go online")
        attempt = 0
        while True:
            await self._limiter.acquire_async()
            self._count()
            t0 = time.monotonic()
            try:
                return await self._attempt(method, url, params, payload, path, attempt, t0)
            except _Retry as r:
                last = r
            if last.status == 429:
                self._count(throttled=True)
            if last.retry_after is not None and last.retry_after > MAX_RETRY_AFTER_S:
                raise RateLimitedError(
                    f"Semantic Scholar rate-limited {method} {path} and asks to wait {last.retry_after:.0f} s",
                    url=clean_url, status=429, hint="try again later, or set S2_API_KEY for a higher rate")
            if attempt >= self.settings.max_retries:
                tries = attempt + 1
                if last.status == 429:
                    raise RateLimitedError(
                        f"Semantic Scholar kept answering 429 Too Many Requests to {method} {path} "
                        f"({tries} attempts)", url=clean_url, status=429,
                        hint="lower LINEAGE_RATE, wait a minute, or set S2_API_KEY")
                raise ApiError(f"Semantic Scholar failed on {method} {path}: {last.problem} ({tries} attempts)",
                               url=clean_url, status=last.status, hint="try again later; the cache keeps what worked")
            delay = self._backoff(attempt)
            if last.retry_after is not None:
                delay = last.retry_after + self._rng.uniform(0, 0.05)
            logger.info("S2 %s %s: %s; retry %d/%d in %.2f s", method, path, last.problem, attempt + 1,
                        self.settings.max_retries, delay)
            await asyncio.sleep(delay)
            attempt += 1

    async def _attempt(self, method: str, url: str, params: str, payload: dict[str, Any] | None, path: str,
                       attempt: int, t0: float) -> Any:
        clean_url = url.split("?", 1)[0]
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_s, verify=self._ssl) as client:
                r = await client.request(method, url, params=params, headers=self._headers, json=payload)
                status = r.status_code
                body = r.content
        except httpx.ConnectError as exc:
            logger.info("S2 %s %s -> unreachable (%s)", method, path, type(exc).__name__)
            raise OfflineError(f"cannot reach Semantic Scholar at {urlsplit(url).netloc} ({method} {path})",
                               url=clean_url, hint="check the network, or work offline (LINEAGE_OFFLINE=1)") from None
        except httpx.TimeoutException as exc:
            logger.info("S2 %s %s -> timeout after %.1f s", method, path, time.monotonic() - t0)
            raise _Retry(f"timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:  # resets, protocol errors, truncated bodies with a Content-Length
            logger.info("S2 %s %s -> %s", method, path, type(exc).__name__)
            raise _Retry(f"connection failed ({type(exc).__name__})") from None
        logger.info("S2 %s %s -> %d in %.0f ms (attempt %d)", method, path, status,
                    (time.monotonic() - t0) * 1000, attempt + 1)
        if status == 200:
            try:
                data = r.json()
            except ValueError:
                raise _Retry(f"truncated or invalid JSON ({len(body)} bytes)", status=status) from None
            return self._validate(data, path, status)
        if status == 429:
            raise _Retry("429 Too Many Requests", status=429, retry_after=_retry_after(r.headers.get("Retry-After")))
        if status >= 500 or status == 408:
            raise _Retry(f"HTTP {status}", status=status)
        message = _error_text(r)
        if status == 404:
            raise NotFoundError(f"Semantic Scholar: not found ({method} {path}): {message}", url=clean_url,
                                status=404)
        if status in (401, 403):
            raise ApiError(f"Semantic Scholar refused {method} {path} (HTTP {status})", url=clean_url,
                           status=status, hint="check S2_API_KEY")
        raise ApiError(f"Semantic Scholar rejected {method} {path} (HTTP {status}): {message}", url=clean_url,
                       status=status)

    @staticmethod
    def _validate(data: Any, path: str, status: int) -> Any:
        """Check the shape of a 200 answer; clean it for the client's wrappers; empty -> retry."""
        if path.endswith("/paper/batch"):
            if not isinstance(data, list):
                raise _Retry("malformed batch answer (not a list)", status=status)
            return [_clean_paper(x) if x is not None else None for x in data]
        if _LISTING_PATH.search(path) or path.endswith("/search/match"):
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise _Retry("malformed page (no data list)", status=status)
            nested = ("citedPaper" if path.endswith("/references") else "citingPaper"
                      if path.endswith("/citations") else None)
            items = []
            for x in data["data"]:
                if not isinstance(x, dict):
                    logger.info("S2 %s: skipped a malformed item", path)
                    continue
                if nested is None:
                    cleaned = _clean_paper(x)
                    if cleaned:
                        items.append(cleaned)
                    continue
                x = dict(x)
                x[nested] = _clean_paper(x.get(nested))
                if x[nested] is None:
                    logger.info("S2 %s: skipped an item without %s", path, nested)
                    continue
                items.append(x)
            out = dict(data)
            out["data"] = items
            if "next" in out and not isinstance(out["next"], int):
                out.pop("next")
            if "offset" in out and not isinstance(out["offset"], int):
                out.pop("offset")
            return out
        # a single paper
        if not isinstance(data, dict) or not data or set(data) == {"error"}:
            raise _Retry("empty or malformed paper", status=status)
        cleaned = _clean_paper(data)
        if not cleaned or not (cleaned.get("paperId") or cleaned.get("title")):
            raise _Retry("empty paper (no paperId)", status=status)
        return cleaned


def _with_asked_doi(paper: Paper | None, qid: str) -> Paper | None:
    """``paper`` with the DOI it was asked by, when its record lists none (a preprint record answering for
    the published DOI); its key is recomputed with :func:`graph.core.ids.paper_key`.

    >>> p = Paper("arxiv:2212.09748", arxiv_id="2212.09748", title="Scalable Diffusion Models with Transformers")
    >>> q = _with_asked_doi(p, "DOI:10.1109/ICCV51070.2023.00387")
    >>> q.doi, q.paper_id
    ('10.1109/iccv51070.2023.00387', 'arxiv:2212.09748')
    >>> _with_asked_doi(p, "ARXIV:2212.09748") is p
    True
    """
    if paper is None or paper.doi:
        return paper
    text = qid[4:] if qid[:4].upper() == "DOI:" else qid if qid.startswith("10.") else None
    if not text:
        return paper
    try:
        doi = normalize_doi(text)
    except BadIdError:
        return paper
    key = paper_key(arxiv_id=paper.arxiv_id, doi=doi, s2_id=paper.s2_id, title=paper.title)
    return replace(paper, doi=doi, paper_id=key)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _error_text(r: httpx.Response) -> str:
    """The API's ``error`` / ``message`` text (untrusted: capped)."""
    try:
        data = r.json()
    except ValueError:
        return r.text[:200].strip() or f"HTTP {r.status_code}"
    if isinstance(data, dict):
        text = data.get("error") or data.get("message")
        if isinstance(text, str):
            return text[:300]
    return f"HTTP {r.status_code}"
