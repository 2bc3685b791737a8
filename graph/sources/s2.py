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
  We therefore give the client our own requester (a subclass of its ``ApiRequester`` that overrides that
  one method): the client still builds URLs, fields and pages, while we send the request
  (:class:`graph.sources.s2_http.S2Transport`; key only as ``x-api-key``), pace it (client-side rate
  limit), retry it (``Retry-After`` on 429; exponential back-off with jitter on 5xx, resets, timeouts,
  truncated JSON), validate the shape of the answer (an empty or malformed answer is retried, never
  turned into an empty paper), and raise :mod:`graph.core.errors` exceptions;
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

import logging
import re
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import quote

from semanticscholar import SemanticScholar
from semanticscholar._utils import _run_async
from semanticscholar.ApiRequester import ApiRequester

from graph.core.errors import ApiError, BadIdError, NotFoundError
from graph.core.ids import normalize_doi, paper_key
from graph.core.models import Citation, Paper
from graph.core.query import s2_query_id
from graph.core.settings import Settings
from graph.sources.s2_http import MAX_RETRY_AFTER_S, RateLimiter, S2Transport, describe

__all__ = [
    "BATCH_SIZE", "LISTING_CAP", "LISTING_FIELDS", "MAX_RETRY_AFTER_S", "PAGE_LIMIT", "PAPER_FIELDS", "RateLimiter",
    "S2Source",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
"""Most ids ``POST /paper/batch`` accepts in one call."""
PAGE_LIMIT = 1000
"""Largest ``limit`` of ``/references`` and ``/citations``."""
LISTING_CAP = 9_999
"""The client (and the API) stop paging references / citations here."""

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


class _Requester(ApiRequester):
    """The client's requester with its one HTTP method replaced by :meth:`graph.sources.s2_http.S2Transport.request`."""

    def __init__(self, http: S2Transport) -> None:
        super().__init__(timeout=http.settings.timeout_s, retry=False)
        self._http = http

    async def get_data_async(self, url: str, parameters: str, headers: dict[str, str] | None,
                             payload: dict[str, Any] | None = None) -> Any:
        return await self._http.request(url, parameters, payload)


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
        self._http = S2Transport(settings)
        root, self._base = _graph_base(settings.s2_api_url)
        self._client = _make_client(settings, root)
        # Route every HTTP call of the client through our requester.
        self._client._AsyncSemanticScholar._requester = _Requester(self._http)

    @property
    def requests(self) -> int:
        """HTTP requests sent (every attempt, retries included)."""
        return self._http.requests

    @property
    def throttled(self) -> int:
        """429 answers received."""
        return self._http.throttled

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
            data = self._run(self._http.request(url, params, {"ids": chunk}))
            if not isinstance(data, list) or len(data) != len(chunk):
                raise ApiError(f"Semantic Scholar sent a malformed answer to POST {describe(url)} "
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
        return self._http.ping(f"{self._base}/paper/ARXIV:1706.03762")

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


