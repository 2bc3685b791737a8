"""A fake Semantic Scholar Graph API: a real HTTP server on 127.0.0.1 for tests.

Paths and JSON shapes follow the real API (``/work/shared/data/s2_api_samples``: the OpenAPI spec
``s2-graph-api.json`` and the recorded cassettes of the ``semanticscholar`` client's test suite,
copied to ``tests/data/s2/``):

- ``GET  /graph/v1/paper/{id}``: every id form (``<sha>``, ``ARXIV:``, ``DOI:`` or a bare DOI,
  ``CorpusId:``, ``URL:``, ``MAG:`` …), honouring ``fields=``; 404 ``{"error": "Paper with id X not found"}``.
- ``POST /graph/v1/paper/batch`` with ``{"ids": [...]}`` (≤ 500), a list with ``null`` for unknown ids.
- ``GET  /graph/v1/paper/{id}/references`` and ``/citations`` with ``offset``, ``limit`` (≤ 1000),
  ``fields``: ``{"offset", "next" (omitted on the last page), "data": [...]}``.
- ``GET  /graph/v1/paper/search/match?query=``: ``{"data": [paper + matchScore]}`` or 404
  ``{"error": "Title match not found"}``.

Real shapes the fake can also speak (``tests/data/s2/README.md`` says where each was recorded):

- :meth:`FakeS2.replay` loads a recorded vcrpy cassette: each recorded request (method, path, query,
  body) is answered with the recorded status and body verbatim, and every paper object in the answers
  is served for any other request too;
- :meth:`FakeS2.add_listing_item` appends a raw item to a references / citations list, e.g.
  ``{"citedPaper": null}`` or ``{"citedPaper": {"paperId": null, "title": …}}`` (a reference S2 could
  not link, as in the recorded ``test_get_paper_references.yaml``);
- :meth:`FakeS2.add_id` makes one more id name a paper, e.g. a published DOI that Semantic Scholar
  resolves to the arXiv preprint record, whose ``externalIds`` do not carry that DOI;
- a paper added without ``externalIds`` is served with ``"externalIds": null``.

Fault modes can be switched on while the server runs (thread-safe): 429 with ``Retry-After``
(first K requests, a fraction p, or more than R requests a second), 5xx, connection resets,
truncated JSON, timeouts (sleeping longer than the client waits), slow responses and a per-request
latency. The server counts requests (total and per kind: ``batch``, ``paper``, ``references``,
``citations``, ``match``, ``other``) and records the ``x-api-key`` header of each request.

Examples
--------
>>> from graph.core.models import Citation, Paper
>>> a = Paper(paper_id="arxiv:2402.01306", title="KTO", arxiv_id="2402.01306")
>>> b = Paper(paper_id="arxiv:2305.18290", title="DPO", arxiv_id="2305.18290")
>>> with FakeS2.from_models([a, b], [Citation(a.key, b.key)]) as fake:
...     import httpx
...     r = httpx.get(fake.url + "/paper/ARXIV:2305.18290/citations", params={"fields": "title"})
...     r.json()["data"][0]["citingPaper"]["title"], fake.counts["citations"]
('KTO', 1)
"""

from __future__ import annotations

import difflib
import hashlib
import json
import random
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from graph.core.ids import normalize_title
from graph.core.models import Citation, Paper

__all__ = ["FakeS2", "Fault", "paper_to_s2", "s2_paper_id"]

BASE = "/graph/v1"
MAX_BATCH = 500
MAX_LIMIT = 1000
MAX_LISTING = 10_000

# Field names of a paper object in the Graph API (OpenAPI spec, definitions FullPaper / BasePaper).
PAPER_FIELDS = frozenset({
    "paperId", "corpusId", "externalIds", "url", "title", "abstract", "venue", "publicationVenue",
    "year", "referenceCount", "citationCount", "influentialCitationCount", "isOpenAccess",
    "openAccessPdf", "fieldsOfStudy", "s2FieldsOfStudy", "publicationTypes", "publicationDate",
    "journal", "citationStyles", "authors", "citations", "references", "embedding", "tldr",
    "textAvailability",
})
EDGE_FIELDS = frozenset({"contexts", "intents", "isInfluential", "contextsWithIntent"})

# externalIds key -> id prefix accepted by /paper/{id} (as the semanticscholar client maps them).
_PREFIX = {"ArXiv": "arxiv", "DOI": "doi", "CorpusId": "corpusid", "MAG": "mag", "ACL": "acl",
           "PubMed": "pmid", "PubMedCentral": "pmcid", "DBLP": "dblp"}

_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                504: "Endpoint request timed out"}


def s2_paper_id(key: str) -> str:
    """The deterministic 40-hex paperId the fake gives a node key (sha1 of the key)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


@dataclass
class Fault:
    """One switchable fault mode.

    ``kind`` is ``429``, ``5xx``, ``reset``, ``truncate``, ``timeout``, ``slow`` or ``empty`` (200 with
    ``{}``: what the ``semanticscholar`` client turns a 502/503 into). It applies to the
    next ``count`` matching requests, or to a ``fraction`` of them (seeded RNG), or to all when both
    are None. ``kinds`` restricts it to some path kinds (``batch``, ``paper``, …).
    """

    kind: str
    count: int | None = None
    fraction: float | None = None
    statuses: tuple[int, ...] = (503,)
    retry_after: float | tuple[float, float] | None = 1
    sleep_s: float = 0.0
    kinds: frozenset[str] | None = None
    fired: int = 0

    def wants(self, kind: str, rng: random.Random) -> bool:
        if self.kinds is not None and kind not in self.kinds:
            return False
        if self.count is not None:
            if self.count <= 0:
                return False
            self.count -= 1
            return True
        if self.fraction is not None:
            return rng.random() < self.fraction
        return True


@dataclass
class _Record:
    raw: dict[str, Any]
    references: list[tuple[str, bool]] = field(default_factory=list)   # (cited paperId, influential)
    citations: list[tuple[str, bool]] = field(default_factory=list)    # (citing paperId, influential)
    raw_items: dict[str, list[Any]] = field(default_factory=dict)      # direction -> verbatim listing items


def _canonical_body(body: Any) -> str:
    """A request body as canonical JSON (or its text when it is not JSON), for matching replays."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), sort_keys=True)
    except (TypeError, ValueError):
        return str(body)


def _papers_in(payload: Any) -> Iterable[dict[str, Any]]:
    """Every paper object (with a non-null paperId) in a recorded answer."""
    items = payload if isinstance(payload, list) else [payload]
    for x in items:
        if not isinstance(x, dict):
            continue
        if isinstance(x.get("data"), list):
            yield from _papers_in(x["data"])
            continue
        for nested in ("citedPaper", "citingPaper"):
            if isinstance(x.get(nested), dict):
                yield from _papers_in([x[nested]])
        if x.get("paperId"):
            yield {k: v for k, v in x.items() if k != "matchScore"}


class FakeS2:
    """The fake server. Use as a context manager, or :meth:`start` / :meth:`stop`."""

    def __init__(self, *, seed: int = 0) -> None:
        self._lock = threading.RLock()
        self._papers: dict[str, _Record] = {}
        self._index: dict[str, str] = {}
        self._faults: list[Fault] = []
        self._rate_per_s: float | None = None
        self._rate_retry_after: float = 1
        self._window: deque[float] = deque()
        self._latency_s = 0.0
        self._rng = random.Random(seed)
        self._seed = seed
        self._wake = threading.Event()
        self.counts: Counter[str] = Counter()
        """Requests per path kind, plus ``total``."""
        self.api_keys: list[str | None] = []
        """The ``x-api-key`` header of each request (None when absent)."""
        self.log: list[tuple[str, str, dict[str, str]]] = []
        """(method, path below /graph/v1, query) of each request."""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._replays: dict[tuple[str, str, tuple[tuple[str, str], ...], str], tuple[int, Any]] = {}
        self.replayed = 0
        """Requests answered verbatim from a recorded cassette."""

    # ------------------------------------------------------------------ data
    @classmethod
    def from_models(cls, papers: Iterable[Paper], edges: Iterable[Citation] = (), *, seed: int = 0) -> FakeS2:
        """A fake serving our own records: ``papers`` as S2 paper objects, ``edges`` as citations."""
        fake = cls(seed=seed)
        fake.add_models(papers, edges)
        return fake

    @classmethod
    def from_raw(cls, papers: Iterable[dict[str, Any]], edges: Iterable[tuple[str, str, bool]] = (),
                 *, seed: int = 0) -> FakeS2:
        """A fake serving raw S2 paper dicts; ``edges`` are (citing id, cited id, is_influential)."""
        fake = cls(seed=seed)
        for raw in papers:
            fake.add_raw(raw)
        for citing, cited, infl in edges:
            fake.add_edge(citing, cited, is_influential=infl)
        return fake

    def add_models(self, papers: Iterable[Paper], edges: Iterable[Citation] = ()) -> None:
        """Add papers (as S2 JSON) and citation edges; unknown edge ends become stub papers."""
        by_key: dict[str, str] = {}
        for p in papers:
            by_key[p.key] = self.add_raw(paper_to_s2(p))
        for e in edges:
            for k in (e.citing, e.cited):
                if k not in by_key:
                    by_key[k] = self.add_raw(_stub_from_key(k))
            self.add_edge(by_key[e.citing], by_key[e.cited], is_influential=bool(e.is_influential))

    def add_raw(self, raw: dict[str, Any]) -> str:
        """Add one S2 paper dict (its paperId is made from its ids if missing); returns the paperId."""
        raw = dict(raw)
        if not raw.get("paperId"):
            ext = raw.get("externalIds") or {}
            raw["paperId"] = s2_paper_id(json.dumps(ext, sort_keys=True) + str(raw.get("title")))
        pid = str(raw["paperId"]).lower()
        with self._lock:
            self._papers[pid] = _Record(raw)
            self._index[pid] = pid
            ext = raw.get("externalIds") if isinstance(raw.get("externalIds"), dict) else {}
            for name, value in ext.items():
                if value is None:
                    continue
                prefix = _PREFIX.get(name, name.lower())
                self._index[f"{prefix}:{value}".lower()] = pid
                if name == "DOI":
                    self._index[str(value).lower()] = pid
            if raw.get("corpusId") is not None:
                self._index[f"corpusid:{raw['corpusId']}"] = pid
        return pid

    def add_id(self, paper_id: str, to: str) -> None:
        """Make ``paper_id`` (``DOI:…``, ``ARXIV:…``, ``CorpusId:…``) name the paper ``to`` (any id form).

        The paper's ``externalIds`` are left as they are: this is how Semantic Scholar answers a published
        DOI with the preprint record that does not list it.
        """
        with self._lock:
            pid = self.resolve(to)
            if pid is None:
                raise KeyError(to)
            low = paper_id.strip().lower()
            self._index[low] = pid
            if low.startswith("doi:"):
                self._index[low[4:]] = pid

    def add_listing_item(self, paper_id: str, direction: str, item: Any) -> None:
        """Append a verbatim item (served as is, after the regular ones) to a references / citations list."""
        if direction not in ("references", "citations"):
            raise ValueError(direction)
        with self._lock:
            pid = self.resolve(paper_id)
            if pid is None:
                raise KeyError(paper_id)
            self._papers[pid].raw_items.setdefault(direction, []).append(item)

    def replay(self, cassette: str | Path) -> int:
        """Load a recorded vcrpy cassette (``tests/data/s2/test_*.yaml``); returns its interactions.

        Each recorded request is then answered verbatim (recorded status and body) when the same method,
        path, query and JSON body arrive; every paper object of the answers is also served as data.
        """
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        doc = yaml.load(Path(cassette).read_text(encoding="utf-8"), Loader=loader)
        n = 0
        for it in doc.get("interactions") or []:
            req, resp = it["request"], it["response"]
            body = resp["body"]["string"] if "body" in resp else resp.get("content", "")
            status = int(resp["status"]["code"] if "status" in resp else resp.get("status_code", 200))
            try:
                payload: Any = json.loads(body)
            except ValueError:
                payload = body
            parts = urlsplit(req["uri"])
            path = unquote(parts.path)
            query = tuple(sorted((k, v[-1]) for k, v in parse_qs(parts.query, keep_blank_values=True).items()))
            key = (req["method"].upper(), path, query, _canonical_body(req.get("body")))
            with self._lock:
                self._replays[key] = (status, payload)
            if status == 200:
                for raw in _papers_in(payload):
                    self._merge_raw(raw)
            n += 1
        return n

    def _merge_raw(self, raw: dict[str, Any]) -> None:
        """Add a paper, or fill the fields an earlier answer about it left out."""
        pid = str(raw["paperId"]).lower()
        with self._lock:
            rec = self._papers.get(pid)
            if rec is None:
                self.add_raw(raw)
                return
            merged = {**rec.raw, **{k: v for k, v in raw.items() if v is not None}}
        refs, cites, items = rec.references, rec.citations, rec.raw_items
        self.add_raw(merged)
        with self._lock:
            new = self._papers[pid]
            new.references, new.citations, new.raw_items = refs, cites, items

    def replay_answer(self, method: str, path: str, query: dict[str, str], body: bytes) -> tuple[int, Any] | None:
        """The recorded answer to this exact request, if a replayed cassette holds one."""
        key = (method.upper(), path, tuple(sorted(query.items())), _canonical_body(body))
        with self._lock:
            found = self._replays.get(key)
            if found is not None:
                self.replayed += 1
        return found

    def add_edge(self, citing: str, cited: str, *, is_influential: bool = False) -> None:
        """``citing`` cites ``cited`` (any id form of papers already added)."""
        with self._lock:
            a, b = self.resolve(citing), self.resolve(cited)
            if a is None or b is None:
                raise KeyError(f"unknown paper in edge {citing!r} -> {cited!r}")
            self._papers[a].references.append((b, is_influential))
            self._papers[b].citations.append((a, is_influential))

    def add_citing(self, cited: str, n: int, *, prefix: str = "citing") -> list[str]:
        """Add ``n`` synthetic papers citing ``cited`` (for paging tests); returns their paperIds."""
        out = []
        for i in range(n):
            pid = self.add_raw({"paperId": s2_paper_id(f"{prefix}:{cited}:{i}"), "title": f"{prefix} paper {i}",
                                "year": 2024, "externalIds": {"CorpusId": 900_000_000 + i}})
            self.add_edge(pid, cited, is_influential=i % 7 == 0)
            out.append(pid)
        return out

    def add_references(self, citing: str, n: int, *, prefix: str = "ref") -> list[str]:
        """Add ``n`` synthetic papers cited by ``citing``; returns their paperIds."""
        out = []
        for i in range(n):
            pid = self.add_raw({"paperId": s2_paper_id(f"{prefix}:{citing}:{i}"), "title": f"{prefix} paper {i}",
                                "year": 2020})
            self.add_edge(citing, pid)
            out.append(pid)
        return out

    def resolve(self, paper_id: str) -> str | None:
        """The paperId an id of any form names, or None."""
        v = paper_id.strip()
        low = v.lower()
        with self._lock:
            if low in self._index:
                return self._index[low]
            if low.startswith("url:"):
                url = v[4:]
                m = re.search(r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:v\d+)?(?:\.pdf)?$", url, re.I)
                if m:
                    return self._index.get(f"arxiv:{m.group(1)}".lower())
                m = re.search(r"doi\.org/(10\..+)$", url, re.I)
                if m:
                    return self._index.get(f"doi:{m.group(1)}".lower())
                m = re.search(r"semanticscholar\.org/paper/(?:.*/)?([0-9a-f]{40})", url, re.I)
                if m:
                    return self._index.get(m.group(1).lower())
                for pid, rec in self._papers.items():
                    if rec.raw.get("url") == url:
                        return pid
            if low.startswith("corpusid:"):
                return self._index.get(low)
        return None

    def paper(self, paper_id: str) -> dict[str, Any]:
        """The stored raw dict of a paper (any id form)."""
        pid = self.resolve(paper_id)
        if pid is None:
            raise KeyError(paper_id)
        return self._papers[pid].raw

    # ---------------------------------------------------------------- faults
    def inject(self, kind: str, *, count: int | None = None, fraction: float | None = None,
               statuses: Sequence[int] = (503,), retry_after: float | tuple[float, float] | None = 1,
               sleep_s: float = 0.0, kinds: Iterable[str] | None = None) -> Fault:
        """Switch on a fault (see :class:`Fault`); returns it (``fault.fired`` counts hits)."""
        if kind not in {"429", "5xx", "reset", "truncate", "timeout", "slow", "empty"}:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind, count, fraction, tuple(statuses), retry_after, sleep_s,
                      frozenset(kinds) if kinds is not None else None)
        with self._lock:
            self._faults.append(fault)
        return fault

    def rate_limit(self, *, first: int | None = None, fraction: float | None = None,
                   retry_after: float | tuple[float, float] | None = 1, kinds: Iterable[str] | None = None) -> Fault:
        """429 with ``Retry-After`` for the first K requests or a fraction p (Retry-After may be a range)."""
        return self.inject("429", count=first, fraction=fraction, retry_after=retry_after, kinds=kinds)

    def rate_limit_per_second(self, rate: float | None, *, retry_after: float = 1) -> None:
        """429 whenever more than ``rate`` requests arrived in the last second (None switches off)."""
        with self._lock:
            self._rate_per_s = rate
            self._rate_retry_after = retry_after
            self._window.clear()

    def fail(self, status: int | Sequence[int] = 503, *, count: int | None = None, fraction: float | None = None,
             kinds: Iterable[str] | None = None) -> Fault:
        """Answer 5xx (one status or a random choice of several) for the next K requests or a fraction p."""
        statuses = (status,) if isinstance(status, int) else tuple(status)
        return self.inject("5xx", count=count, fraction=fraction, statuses=statuses, kinds=kinds)

    def reset_connections(self, *, count: int | None = None, fraction: float | None = None) -> Fault:
        """Close the socket without any response."""
        return self.inject("reset", count=count, fraction=fraction)

    def truncate(self, *, count: int | None = None, fraction: float | None = None) -> Fault:
        """Send 200 with only the first half of the JSON body, then close."""
        return self.inject("truncate", count=count, fraction=fraction)

    def empty(self, *, count: int | None = None, fraction: float | None = None) -> Fault:
        """Answer 200 with an empty JSON object ``{}``."""
        return self.inject("empty", count=count, fraction=fraction)

    def timeout(self, sleep_s: float, *, count: int | None = None, fraction: float | None = None) -> Fault:
        """Sleep ``sleep_s`` before answering (longer than the client's timeout)."""
        return self.inject("timeout", count=count, fraction=fraction, sleep_s=sleep_s)

    def slow(self, delay_s: float, *, count: int | None = None, fraction: float | None = None) -> Fault:
        """Delay some responses by ``delay_s`` (they still succeed)."""
        return self.inject("slow", count=count, fraction=fraction, sleep_s=delay_s)

    @property
    def latency_s(self) -> float:
        """Delay added to every request."""
        return self._latency_s

    @latency_s.setter
    def latency_s(self, value: float) -> None:
        with self._lock:
            self._latency_s = value

    def clear_faults(self) -> None:
        """Switch every fault off (wakes requests sleeping in a timeout)."""
        with self._lock:
            self._faults.clear()
            self._rate_per_s = None
            self._window.clear()
            self._latency_s = 0.0
            self._wake.set()
            self._wake = threading.Event()

    def reset(self) -> None:
        """Forget data, faults, counters and recorded keys (used between tests)."""
        self.clear_faults()
        with self._lock:
            self._papers.clear()
            self._index.clear()
            self._replays.clear()
            self.replayed = 0
            self.counts.clear()
            self.api_keys.clear()
            self.log.clear()
            self._rng = random.Random(self._seed)

    # ---------------------------------------------------------------- server
    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT/graph/v1`` (like ``Settings.s2_api_url``)."""
        if self._server is None:
            raise RuntimeError("the fake server is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}{BASE}"

    def start(self) -> FakeS2:
        """Start serving in a background thread."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.block_on_close = False
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-s2", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.clear_faults()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeS2:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------- handling
    def _admit(self, kind: str) -> tuple[Fault | None, float]:
        """Count the request; pick the fault to apply (if any) and the latency."""
        with self._lock:
            self.counts[kind] += 1
            self.counts["total"] += 1
            now = time.monotonic()
            if self._rate_per_s is not None:
                while self._window and now - self._window[0] >= 1.0:
                    self._window.popleft()
                self._window.append(now)
                if len(self._window) > self._rate_per_s:
                    return Fault("429", retry_after=self._rate_retry_after, fired=1), self._latency_s
            for fault in self._faults:
                if fault.wants(kind, self._rng):
                    fault.fired += 1
                    return fault, self._latency_s
            return None, self._latency_s

    def _retry_after(self, fault: Fault) -> str | None:
        ra = fault.retry_after
        if ra is None:
            return None
        if isinstance(ra, tuple):
            with self._lock:
                drawn = self._rng.uniform(*ra)
            ra = float(round(drawn)) if ra[1] >= 1 else drawn
        return str(int(ra)) if float(ra).is_integer() else f"{ra:.3f}"

    def _pick_status(self, fault: Fault) -> int:
        with self._lock:
            return self._rng.choice(fault.statuses)

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._wake.wait(seconds)

    # API logic: each returns (status, body)
    def _select(self, raw: dict[str, Any], fields: list[str] | None, rec: _Record | None = None) -> dict[str, Any]:
        wanted = fields if fields is not None else ["title"]
        out: dict[str, Any] = {"paperId": raw.get("paperId")}
        for f in wanted:
            base = f.split(".", 1)[0]
            if base in ("citations", "references") and rec is not None:
                ids = [pid for pid, _ in (rec.citations if base == "citations" else rec.references)]
                out[base] = [{"paperId": pid, "title": self._papers[pid].raw.get("title")} for pid in ids]
            elif base == "citationCount" and raw.get(base) is None and rec is not None:
                out[base] = len(rec.citations)
            elif base == "referenceCount" and raw.get(base) is None and rec is not None:
                out[base] = len(rec.references)
            else:
                out[base] = raw.get(base)
        return out

    def handle_paper(self, paper_id: str, fields: list[str] | None) -> tuple[int, Any]:
        pid = self.resolve(paper_id)
        if pid is None:
            return 404, {"error": f"Paper with id {paper_id} not found"}
        rec = self._papers[pid]
        return 200, self._select(rec.raw, fields, rec)

    def handle_batch(self, body: Any, fields: list[str] | None) -> tuple[int, Any]:
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return 400, {"error": "Unacceptable JSON body: expected {\"ids\": [...]}"}
        if len(ids) > MAX_BATCH:
            # wording from the API's documented limitation ("Can only process 500 paper ids at a time")
            return 400, {"error": "Can only process 500 paper ids at a time."}
        out: list[Any] = []
        for i in ids:
            pid = self.resolve(i)
            out.append(None if pid is None else self._select(self._papers[pid].raw, fields, self._papers[pid]))
        return 200, out

    def handle_listing(self, paper_id: str, direction: str, query: dict[str, str],
                       fields: list[str] | None) -> tuple[int, Any]:
        try:
            offset = int(query.get("offset", "0"))
            limit = int(query.get("limit", "100"))
        except ValueError:
            return 400, {"error": f"Unacceptable query params: [offset={query.get('offset')}, "
                                  f"limit={query.get('limit')}]"}
        if limit > MAX_LIMIT or limit < 0 or offset < 0 or offset + limit > MAX_LISTING:
            return 400, {"error": f"Unacceptable query params: [limit={limit}]" if limit > MAX_LIMIT
                         else f"Unacceptable query params: [offset={offset}, limit={limit}]"}
        pid = self.resolve(paper_id)
        if pid is None:
            return 404, {"error": f"Paper with id {paper_id} not found"}
        rec = self._papers[pid]
        items: list[Any] = list(rec.references if direction == "references" else rec.citations)
        items += [("raw", x) for x in rec.raw_items.get(direction, [])]
        edge_fields = [f for f in (fields or []) if f in EDGE_FIELDS]
        paper_fields = [f for f in fields if f not in EDGE_FIELDS] if fields is not None else None
        nested = "citedPaper" if direction == "references" else "citingPaper"
        data = []
        for other, infl in items[offset:offset + limit]:
            if other == "raw":
                data.append(infl)
                continue
            item: dict[str, Any] = {}
            for f in edge_fields:
                item[f] = infl if f == "isInfluential" else []
            orec = self._papers[other]
            item[nested] = self._select(orec.raw, paper_fields, orec)
            data.append(item)
        out: dict[str, Any] = {"offset": offset}
        if offset + limit < len(items):
            out["next"] = offset + limit
        out["data"] = data
        return 200, out

    def handle_match(self, query: dict[str, str], fields: list[str] | None) -> tuple[int, Any]:
        q = normalize_title(query.get("query", ""))
        best, score = None, 0.0
        with self._lock:
            for pid, rec in self._papers.items():
                t = normalize_title(rec.raw.get("title"))
                if not t or not q:
                    continue
                s = difflib.SequenceMatcher(None, q, t).ratio()
                if q in t and len(q) >= 0.4 * len(t):  # a leading part of the title, as the real API allows
                    s = max(s, 0.85 + 0.15 * len(q) / len(t))
                if s > score:
                    best, score = pid, s
        if best is None or score < 0.85:
            return 404, {"error": "Title match not found"}
        rec = self._papers[best]
        paper = self._select(rec.raw, fields, rec)
        paper["matchScore"] = round(score * 120, 5)
        return 200, {"data": [paper]}


def _fields(query: dict[str, str]) -> tuple[list[str] | None, str | None]:
    """Parse ``fields=``; returns (fields or None, error)."""
    if "fields" not in query:
        return None, None
    fields = [f.strip() for f in query["fields"].split(",") if f.strip()]
    bad = [f for f in fields if f.split(".", 1)[0] not in PAPER_FIELDS | EDGE_FIELDS]
    if bad:
        return None, f"Unrecognized or unsupported fields: [{', '.join(bad)}]"
    return fields, None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeS2/1.0"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid the 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    @property
    def fake(self) -> FakeS2:
        return self.server.fake  # type: ignore[attr-defined, no-any-return]

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        body_bytes = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            body_bytes = self.rfile.read(length)
        kind, route = _route(method, path)
        fake = self.fake
        with fake._lock:
            fake.api_keys.append(self.headers.get("x-api-key"))
            fake.log.append((method, path[len(BASE):] if path.startswith(BASE) else path, query))
        fault, latency = fake._admit(kind)
        fake._wait(latency)
        if fault is not None:
            if fault.kind == "429":
                ra = fake._retry_after(fault)
                self._send(429, {"message": "Too Many Requests. Please wait and try again or apply for a key "
                                            "for higher rate limits."},
                           {"Retry-After": ra} if ra is not None else {})
                return
            if fault.kind == "5xx":
                status = fake._pick_status(fault)
                self._send(status, {"message": _STATUS_TEXT.get(status, "Server Error")})
                return
            if fault.kind == "reset":
                self._reset()
                return
            if fault.kind == "empty":
                self._send(200, {})
                return
            if fault.kind in ("timeout", "slow"):
                fake._wait(fault.sleep_s)
        status, payload = self._answer(kind, route, query, body_bytes)
        if fault is not None and fault.kind == "truncate" and status == 200:
            body = (json.dumps(payload) + "\n").encode()
            self._raw(200, body[: max(1, len(body) // 2)])
            return
        self._send(status, payload)

    def _answer(self, kind: str, route: str, query: dict[str, str], body_bytes: bytes) -> tuple[int, Any]:
        fake = self.fake
        path = unquote(urlsplit(self.path).path)
        recorded = fake.replay_answer(self.command, path, query, body_bytes)
        if recorded is not None:
            return recorded
        fields, err = _fields(query)
        if err:
            return 400, {"error": err}
        if kind == "paper":
            return fake.handle_paper(route, fields)
        if kind in ("references", "citations"):
            return fake.handle_listing(route, kind, query, fields)
        if kind == "batch":
            try:
                body = json.loads(body_bytes or b"null")
            except ValueError:
                return 400, {"error": "Unacceptable JSON body"}
            return fake.handle_batch(body, fields)
        if kind == "match":
            if not query.get("query"):
                return 400, {"error": "Missing required parameter: query"}
            return fake.handle_match(query, fields)
        return 404, {"message": "Not Found"}

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = (json.dumps(payload) + "\n").encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _raw(self, status: int, body: bytes) -> None:
        """Send ``body`` without Content-Length and close: the client sees a short body."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection without a response (RST where the OS allows)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _route(method: str, path: str) -> tuple[str, str]:
    """(kind, id or '') of a request path."""
    if not path.startswith(BASE + "/paper/"):
        return "other", ""
    rest = path[len(BASE + "/paper/"):]
    if method == "POST":
        return ("batch", "") if rest == "batch" else ("other", "")
    if rest == "search/match":
        return "match", ""
    for direction in ("references", "citations"):
        if rest.endswith("/" + direction):
            return direction, rest[: -len(direction) - 1]
    return "paper", rest


def _author_id(name: str) -> str:
    return str(int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:8], 16))


def paper_to_s2(p: Paper) -> dict[str, Any]:
    """Our :class:`Paper` as a Semantic Scholar paper object (what ``Paper.from_s2`` reads back)."""
    pid = p.s2_id or s2_paper_id(p.key)
    corpus = p.corpus_id if p.corpus_id is not None else int(pid[:7], 16)
    ext: dict[str, Any] = {}
    if p.doi:
        ext["DOI"] = p.doi
    if p.arxiv_id:
        ext["ArXiv"] = p.arxiv_id
    ext["CorpusId"] = corpus
    return {
        "paperId": pid,
        "externalIds": ext,
        "corpusId": corpus,
        "url": f"https://www.semanticscholar.org/paper/{pid}",
        "title": p.title,
        "abstract": p.abstract,
        "venue": p.venue or "",
        "year": p.year,
        "referenceCount": p.reference_count,
        "citationCount": p.citation_count,
        "influentialCitationCount": p.influential_citation_count or 0,
        "tldr": {"model": "tldr@v2.0.0", "text": p.tldr} if p.tldr else None,
        "publicationTypes": ["Book"] if p.kind == "book" else None,
        "publicationDate": p.publication_date,
        "authors": [{"authorId": _author_id(a), "name": a} for a in p.authors],
    }


def _stub_from_key(key: str) -> dict[str, Any]:
    kind, _, value = key.partition(":")
    if kind == "arxiv":
        return {"paperId": s2_paper_id(key), "externalIds": {"ArXiv": value}}
    if kind == "doi":
        return {"paperId": s2_paper_id(key), "externalIds": {"DOI": value}}
    if kind == "s2":
        return {"paperId": value}
    return {"paperId": s2_paper_id(key), "title": value}
