"""Where papers and citation lists come from during an expansion.

Three stores share one small interface (:class:`Store`):

- :class:`SnapshotStore`: the embedded offline snapshot in ``seeds/snapshot/``;
- :class:`CacheStore`: what earlier online runs saved in the SQLite cache, optionally only what is
  younger than a freshness limit;
- :class:`OnlineStore`: Semantic Scholar, saving every answer in the cache before the next request.

:func:`open_stores` puts them in order. Offline: snapshot, then cache. Online, **snapshot and cache
first, then only what they lack or what is stale**: fresh cache, snapshot (complete reference lists
only: its citation lists are a sample and its partial reference lists are incomplete), Semantic
Scholar, then the stale cache and the rest of the snapshot as fallbacks. The expansion walks seeds
outwards through that list and never talks HTTP itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, Protocol

from graph.core.models import Citation, Paper
from graph.core.query import s2_query_id, s2_query_ids, title_query_id

if TYPE_CHECKING:
    from graph.catalogue.load import Seed
    from graph.core.settings import Settings
    from graph.sources.s2 import S2Source
    from graph.store.cache import Cache
    from graph.store.snapshot import Snapshot

__all__ = ["CacheStore", "Direction", "OnlineStore", "SnapshotStore", "Store", "Stores", "find_paper", "forget_pings",
           "open_stores", "paper_lists", "ping_once"]

log = logging.getLogger(__name__)

Direction = Literal["references", "citations"]
Neighbours = list[tuple[Paper, Citation]]
ProgressCb = Callable[[int, int], None]


class Store(Protocol):
    """What the expansion needs from a data source."""

    name: str
    fetches: bool
    """True for a store that sends requests (the expansion asks it only within the fetch scope)."""

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, str]:
        """Map seed aliases to node keys, for the seeds this store knows."""
        ...

    def papers(self, keys: Iterable[str]) -> dict[str, Paper]:
        """Metadata for the keys this store knows."""
        ...

    def neighbours(self, keys: Sequence[str], direction: Direction, progress: ProgressCb | None = None, *,
                   records: Mapping[str, Paper] | None = None) -> dict[str, Neighbours]:
        """Citation lists for the keys whose list this store has (absent key = unknown here)."""
        ...


class SnapshotStore:
    """The embedded snapshot (read-only). ``complete_only``: answer only complete reference lists."""

    name = "snapshot"
    fetches = False

    def __init__(self, snapshot: Snapshot, *, complete_only: bool = False) -> None:
        self.snap = snapshot
        self.complete_only = complete_only

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, str]:
        out: dict[str, str] = {}
        for s in seeds:
            key = self.snap.find(arxiv_id=s.arxiv_id, doi=s.doi, title=s.title)
            if key is not None:
                out[s.alias] = key
        return out

    def papers(self, keys: Iterable[str]) -> dict[str, Paper]:
        return {k: self.snap.papers[k] for k in keys if k in self.snap.papers}

    def has_list(self, key: str, direction: Direction) -> bool:
        """Whether this store answers ``key``'s list in ``direction``."""
        if key not in self.snap.papers:
            return False
        if self.complete_only:
            return direction == "references" and self.snap.completeness(key) == "complete"
        return True

    def neighbours(self, keys: Sequence[str], direction: Direction, progress: ProgressCb | None = None, *,
                   records: Mapping[str, Paper] | None = None) -> dict[str, Neighbours]:
        out: dict[str, Neighbours] = {}
        for k in keys:
            if not self.has_list(k, direction):
                continue
            edges = self.snap.references(k) if direction == "references" else self.snap.citations(k)
            other = (lambda e: e.cited) if direction == "references" else (lambda e: e.citing)
            out[k] = [(self.snap.papers[other(e)], e) for e in edges if other(e) in self.snap.papers]
        return out


class CacheStore:
    """What earlier online runs left in the cache (no network); ``max_age``: only lists younger than it."""

    name = "cache"
    fetches = False

    def __init__(self, cache: Cache, *, max_age: timedelta | None = None) -> None:
        self.cache = cache
        self.max_age = max_age
        self.hits = 0

    def _lookup(self, seed: Seed) -> str | None:
        for q in seed.s2_query_ids():
            key = self.cache.lookup(q)
            if key:
                return key
        return None

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, str]:
        out: dict[str, str] = {}
        for s in seeds:
            key = self._lookup(s)
            if key:
                out[s.alias] = key
                self.hits += 1
        return out

    def papers(self, keys: Iterable[str]) -> dict[str, Paper]:
        return self.cache.get_papers(list(keys))

    def has_list(self, key: str, direction: Direction) -> bool:
        """Whether the cache holds ``key``'s list in ``direction`` (younger than ``max_age`` if set)."""
        when = self.cache.listing_fetched_at(key, direction)
        if when is None:
            return False
        return self.max_age is None or _age(when) <= self.max_age

    def neighbours(self, keys: Sequence[str], direction: Direction, progress: ProgressCb | None = None, *,
                   records: Mapping[str, Paper] | None = None) -> dict[str, Neighbours]:
        out: dict[str, Neighbours] = {}
        for k in keys:
            if self.max_age is not None and not self.has_list(k, direction):
                continue
            listing = self.cache.get_listing(k, direction)
            if listing is None:
                continue
            self.hits += 1
            papers, edges = listing
            by_key = {p.paper_id: p for p in papers}
            other = (lambda e: e.cited) if direction == "references" else (lambda e: e.citing)
            out[k] = [(by_key[other(e)], e) for e in edges if other(e) in by_key]
        return out


def _age(when: str) -> timedelta:
    try:
        t = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return timedelta.max
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - t


def _queryable(p: Paper) -> bool:
    """Whether Semantic Scholar can be asked for ``p``'s lists (a title-only record cannot)."""
    return s2_query_id(arxiv_id=p.arxiv_id, doi=p.doi, s2_id=p.s2_id, corpus_id=p.corpus_id) is not None


_PINGS: dict[str, bool] = {}
_PING_LOCK = threading.Lock()


def ping_once(source: Any) -> bool:
    """Whether Semantic Scholar answers: one short request, once per process and API URL."""
    url = str(getattr(getattr(source, "settings", None), "s2_api_url", id(source)))
    with _PING_LOCK:
        if url not in _PINGS:
            _PINGS[url] = bool(source.ping())
            if not _PINGS[url]:
                log.info("Semantic Scholar is unreachable: continuing on the snapshot and cache")
        return _PINGS[url]


def forget_pings() -> None:
    """Forget the per-process ping results (a long-lived process whose network came back; tests)."""
    with _PING_LOCK:
        _PINGS.clear()


class OnlineStore:
    """Semantic Scholar: resolves seeds (one batch call for the ids, one match per title-only seed) and
    fetches citation lists; every answer is saved in the cache before the next request, so an
    interrupted run resumes where it stopped."""

    name = "online"
    fetches = True

    def __init__(self, cache: Cache, source: S2Source) -> None:
        self.cache = cache
        self.source = source
        self.hits = 0
        self.unresolved: list[str] = []
        self.reachable: bool | None = None
        """None until the first request is needed; then whether the API answered the ping."""

    def _net(self) -> bool:
        """Ping lazily (a warm cache makes no request at all), once per process."""
        if self.reachable is None:
            self.reachable = ping_once(self.source)
        return bool(self.reachable)

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, str]:
        out: dict[str, str] = {}
        by_qid: dict[str, Seed] = {}
        for s in seeds:
            ids = [q for q in s.s2_query_ids() if not q.startswith("TITLE:") and not self.cache.is_missing(q)]
            if ids:
                by_qid[ids[0]] = s
        if by_qid and self._net():
            found = self.source.get_papers(list(by_qid))
            papers: list[Paper] = []
            aliases: dict[str, str] = {}
            missing: list[str] = []
            for qid, paper in found.items():
                if paper is None:
                    missing.append(qid)
                    continue
                papers.append(paper)
                aliases[qid] = paper.paper_id
                if paper.s2_id:
                    aliases[paper.s2_id] = paper.paper_id
                out[by_qid[qid].alias] = paper.paper_id
            self.cache.put_papers(papers, aliases=aliases)
            if missing:
                self.cache.put_missing(missing)
        for s in seeds:
            if s.alias in out or not s.title or s.s2_query_id():
                continue
            tq = title_query_id(s.title)
            if self.cache.is_missing(tq) or not self._net():  # known-missing first: a warm run sends nothing
                continue
            paper = self.source.match_title(s.title)
            if paper is None:
                self.cache.put_missing([tq])
                continue
            self.cache.put_papers([paper], aliases={tq: paper.paper_id})
            out[s.alias] = paper.paper_id
        self.unresolved = [s.alias for s in seeds if s.alias not in out]
        return out

    def papers(self, keys: Iterable[str]) -> dict[str, Paper]:
        return {}

    def neighbours(self, keys: Sequence[str], direction: Direction, progress: ProgressCb | None = None, *,
                   records: Mapping[str, Paper] | None = None) -> dict[str, Neighbours]:
        out: dict[str, Neighbours] = {}
        known = dict(records or {})
        known.update(self.cache.get_papers([k for k in keys if k not in known]))
        todo = [k for k in keys if k in known and _queryable(known[k])]
        if not todo or not self._net():
            return out
        fetch = self.source.references if direction == "references" else self.source.citations
        for i, k in enumerate(todo):
            pairs = fetch(known[k])
            self.cache.put_listing(k, direction, [p for p, _ in pairs], [c for _, c in pairs])
            out[k] = pairs
            if progress:
                progress(i + 1, len(todo))
        return out


def find_paper(chain: Stores, *, arxiv_id: str | None = None, doi: str | None = None, s2_id: str | None = None,
               corpus_id: int | str | None = None, title: str | None = None) -> Paper | None:
    """One paper's record from the first store that knows it (online: one batch request, cached)."""
    from graph.store.cache import Cache

    for st in chain:
        if isinstance(st, SnapshotStore):
            key = st.snap.find(arxiv_id=arxiv_id, doi=doi, title=title)
            if key is not None:
                return st.snap.papers[key]
        elif isinstance(st, CacheStore) and isinstance(st.cache, Cache):
            for q in s2_query_ids(arxiv_id=arxiv_id, doi=doi, s2_id=s2_id, corpus_id=corpus_id, title=title):
                key = st.cache.lookup(q)
                if key:
                    got = st.cache.get_papers([key]).get(key)
                    if got is not None:
                        return got
        elif isinstance(st, OnlineStore):
            qid = s2_query_id(arxiv_id=arxiv_id, doi=doi, s2_id=s2_id, corpus_id=corpus_id)
            if qid is not None and not st.cache.is_missing(qid) and st._net():
                paper = st.source.get_papers([qid]).get(qid)
                if paper is None:
                    st.cache.put_missing([qid])
                    continue
                st.cache.put_papers([paper], aliases={qid: paper.paper_id})
                return paper
    return None


def paper_lists(chain: Stores, paper: Paper, directions: Sequence[Direction] = ("references", "citations")
                ) -> dict[str, Neighbours]:
    """The reference and citation lists of one paper, from the first store in the chain that has each."""
    out: dict[str, Neighbours] = {}
    for d in directions:
        for st in chain:
            got = st.neighbours([paper.paper_id], d, records={paper.paper_id: paper})
            if paper.paper_id in got:
                out[d] = got[paper.paper_id]
                break
    return out


class Stores:
    """The ordered stores of one expansion, and the cache they share (closed with the context)."""

    def __init__(self, stores: list[Any], *, cache: Any = None, own_cache: bool = False, online: bool = False) -> None:
        self.stores = stores
        self.cache = cache
        self._own = own_cache
        self.online = online

    def __iter__(self) -> Any:
        return iter(self.stores)

    def __enter__(self) -> Stores:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own and self.cache is not None:
            self.cache.close()

    @property
    def online_store(self) -> OnlineStore | None:
        return next((s for s in self.stores if isinstance(s, OnlineStore)), None)


def open_stores(settings: Settings, *, offline: bool, snapshot: Snapshot | None = None, cache: Any = None,
                source: Any = None, max_age: timedelta | None = None) -> Stores:
    """The stores of one expansion, in the order described in the module docstring.

    ``max_age``: cached lists older than this are refetched online (default: 30 days; ``timedelta(0)``
    refetches every list in the fetch scope).
    """
    from graph.store.snapshot import load_snapshot

    snap = snapshot if snapshot is not None else load_snapshot(settings.snapshot_path)
    own = cache is None
    if cache is None:
        from graph.store.cache import Cache

        cache = Cache(settings.cache_path)
    if offline:
        return Stores([SnapshotStore(snap), CacheStore(cache)], cache=cache, own_cache=own)
    if source is None:
        from graph.sources.s2 import S2Source

        source = S2Source(settings)
    age = max_age if max_age is not None else timedelta(days=settings.max_age_days)
    chain: list[Any] = [CacheStore(cache, max_age=age), SnapshotStore(snap, complete_only=True),
                        OnlineStore(cache, source), CacheStore(cache), SnapshotStore(snap)]
    return Stores(chain, cache=cache, own_cache=own, online=True)
