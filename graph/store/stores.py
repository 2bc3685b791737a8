"""Where papers and citation lists come from during an expansion.

Three stores share one small interface (:class:`Store`):

- :class:`SnapshotStore`: the embedded offline snapshot in ``seeds/snapshot/``;
- :class:`CacheStore`: what earlier online runs saved in the SQLite cache (offline use);
- :class:`OnlineStore`: fetch-through: the cache first, then Semantic Scholar, saving every batch.

``expand.build_graph`` walks seeds outwards through a list of stores and never talks HTTP itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal, Protocol

from graph.core.ids import normalize_title
from graph.core.models import Citation, Paper

if TYPE_CHECKING:
    from graph.catalogue.load import Seed
    from graph.sources.s2 import S2Source
    from graph.store.cache import Cache
    from graph.store.snapshot import Snapshot

__all__ = ["CacheStore", "Direction", "OnlineStore", "SnapshotStore", "Store"]

log = logging.getLogger(__name__)

Direction = Literal["references", "citations"]
Neighbours = list[tuple[Paper, Citation]]


class Store(Protocol):
    """What the expansion needs from a data source."""

    name: str

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, str]:
        """Map seed aliases to node keys, for the seeds this store knows."""
        ...

    def papers(self, keys: Iterable[str]) -> dict[str, Paper]:
        """Metadata for the keys this store knows."""
        ...

    def neighbours(
        self, keys: Sequence[str], direction: Direction, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Neighbours]:
        """Citation lists for the keys whose list this store has (absent key = unknown here)."""
        ...


class SnapshotStore:
    """The embedded snapshot (read-only)."""

    name = "snapshot"

    def __init__(self, snapshot: Snapshot) -> None:
        self.snap = snapshot

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, str]:
        out: dict[str, str] = {}
        for s in seeds:
            key = self.snap.find(arxiv_id=s.arxiv_id, doi=s.doi, title=s.title)
            if key is not None:
                out[s.alias] = key
        return out

    def papers(self, keys: Iterable[str]) -> dict[str, Paper]:
        return {k: self.snap.papers[k] for k in keys if k in self.snap.papers}

    def neighbours(
        self, keys: Sequence[str], direction: Direction, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Neighbours]:
        out: dict[str, Neighbours] = {}
        for k in keys:
            if k not in self.snap.papers:
                continue
            edges = self.snap.references(k) if direction == "references" else self.snap.citations(k)
            other = (lambda e: e.cited) if direction == "references" else (lambda e: e.citing)
            out[k] = [(self.snap.papers[other(e)], e) for e in edges if other(e) in self.snap.papers]
        return out


def _seed_query_ids(seed: Seed) -> list[str]:
    ids: list[str] = []
    if seed.s2_id:
        ids.append(seed.s2_id)
    if seed.arxiv_id:
        ids.append(f"ARXIV:{seed.arxiv_id}")
    if seed.doi:
        ids.append(f"DOI:{seed.doi}")
    return ids


def _title_query_id(title: str) -> str:
    return f"TITLE:{normalize_title(title)}"


class CacheStore:
    """What earlier online runs left in the cache (no network)."""

    name = "cache"

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.hits = 0

    def _lookup(self, seed: Seed) -> str | None:
        for q in _seed_query_ids(seed):
            key = self.cache.lookup(q)
            if key:
                return key
        if seed.title:
            return self.cache.lookup(_title_query_id(seed.title))
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

    def neighbours(
        self, keys: Sequence[str], direction: Direction, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Neighbours]:
        out: dict[str, Neighbours] = {}
        for k in keys:
            listing = self.cache.get_listing(k, direction)
            if listing is None:
                continue
            self.hits += 1
            papers, edges = listing
            by_key = {p.paper_id: p for p in papers}
            other = (lambda e: e.cited) if direction == "references" else (lambda e: e.citing)
            out[k] = [(by_key[other(e)], e) for e in edges if other(e) in by_key]
        return out


class OnlineStore(CacheStore):
    """Cache first, then Semantic Scholar; every fetched batch is saved before the next request."""

    name = "online"

    def __init__(self, cache: Cache, source: S2Source) -> None:
        super().__init__(cache)
        self.source = source
        self.unresolved: list[str] = []
        self.reachable: bool | None = None
        """None until the first request is needed; then whether the API answered the ping."""

    PING_ATTEMPTS = 3
    """Pings before the API is declared unreachable: one reset or timeout must not take a run offline."""

    def _net(self) -> bool:
        """Ping lazily (a warm cache makes no request at all), retrying a failed ping with back-off."""
        if self.reachable is None:
            settings = getattr(self.source, "settings", None)
            base = float(getattr(settings, "backoff_base_s", 1.0))
            for attempt in range(self.PING_ATTEMPTS):
                self.reachable = bool(self.source.ping())
                if self.reachable or getattr(settings, "offline", False):
                    break
                if attempt + 1 < self.PING_ATTEMPTS:
                    time.sleep(min(1.0, base * 2**attempt))
            if not self.reachable:
                log.info("Semantic Scholar is unreachable: continuing on the snapshot and cache")
        return bool(self.reachable)

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, str]:
        out = super().resolve(seeds)
        todo = [s for s in seeds if s.alias not in out]
        by_qid: dict[str, Seed] = {}
        for s in todo:
            ids = [q for q in _seed_query_ids(s) if not self.cache.is_missing(q)]
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
        for s in todo:
            if s.alias in out or not s.title:
                continue
            tq = _title_query_id(s.title)
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

    def neighbours(
        self, keys: Sequence[str], direction: Direction, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Neighbours]:
        out = super().neighbours(keys, direction)
        todo = [k for k in keys if k not in out]
        if not todo or not self._net():
            return out
        known = self.cache.get_papers(todo)
        for i, k in enumerate(todo):
            paper = known.get(k)
            if paper is None:
                continue  # not resolvable online (e.g. a title-only node from the snapshot)
            fetch = self.source.references if direction == "references" else self.source.citations
            pairs = fetch(paper)
            self.cache.put_listing(k, direction, [p for p, _ in pairs], [c for _, c in pairs])
            out[k] = pairs
            if progress:
                progress(i + 1, len(todo))
        return out
