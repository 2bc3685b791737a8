"""What an online expansion will fetch, and how long that takes, said before anything is fetched.

:func:`plan_fetch` walks the same store chain as the expansion without sending a request: the seeds
the snapshot or cache cannot resolve need a batch call (ids, 500 a call) or a title match each; each
seed list the chain lacks, or holds only in a stale form, is one request (a page of up to 1,000).
Hops beyond the fetch scope are never fetched, so the plan of a scoped question is exact; for an
unscoped expansion of depth 2 or more the lists of later hops are only known once the first hop is
in, and the plan says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.core.query import title_query_id
from graph.store.stores import CacheStore, OnlineStore, SnapshotStore, Stores

if TYPE_CHECKING:
    from graph.catalogue.load import Seed

__all__ = ["FetchPlan", "plan_fetch"]


@dataclass(frozen=True)
class FetchPlan:
    """Requests an online expansion will send (a lower bound when :attr:`more_later` is set).

    Examples
    --------
    >>> p = FetchPlan(batch_calls=1, title_matches=0, reference_lists=84, citation_lists=84, rate_per_s=1.0)
    >>> p.requests, p.describe()
    (169, 'will fetch 84 reference lists, 84 citation lists, 1 batch call: about 3 min at 1 request/s; \
an API key raises the rate')
    >>> FetchPlan().describe()
    'nothing to fetch: the snapshot and the cache have it all'
    """

    batch_calls: int = 0
    title_matches: int = 0
    reference_lists: int = 0
    citation_lists: int = 0
    rate_per_s: float = 1.0
    keyed: bool = False
    more_later: bool = False
    """True when later hops will add lists that cannot be counted before the first hop is in."""

    @property
    def requests(self) -> int:
        """Requests counted (the network check aside)."""
        return self.batch_calls + self.title_matches + self.reference_lists + self.citation_lists

    @property
    def seconds(self) -> float:
        """Time at the current rate."""
        return self.requests / max(self.rate_per_s, 1e-9)

    def describe(self) -> str:
        """One line: what will be fetched and about how long it takes."""
        if not self.requests:
            return "nothing to fetch: the snapshot and the cache have it all"
        parts = [(self.reference_lists, "reference list"), (self.citation_lists, "citation list"),
                 (self.batch_calls, "batch call"), (self.title_matches, "title match")]
        what = ", ".join(f"{n} {w}{'s' if n != 1 else ''}" for n, w in parts if n)
        rate = f"{self.rate_per_s:g} request{'s' if self.rate_per_s != 1 else ''}/s"
        tail = "" if self.keyed else "; an API key raises the rate"
        later = " (then the lists of the next hop)" if self.more_later else ""
        return f"will fetch {what}{later}: about {_duration(self.seconds)} at {rate}{tail}"


def _duration(s: float) -> str:
    if s < 90:
        return f"{max(1, math.ceil(s))} s"
    if s < 5400:
        return f"{round(s / 60)} min"
    return f"{s / 3600:.1f} h"


def plan_fetch(seeds: Sequence[Seed], stores: Stores, *, depth: int, direction: str,
               fetch_hops: int | None, rate_per_s: float, keyed: bool) -> FetchPlan:
    """Count, without a request, what expanding ``seeds`` through ``stores`` will fetch online."""
    chain = list(stores)
    online = next((s for s in chain if isinstance(s, OnlineStore)), None)
    if online is None or online.reachable is False:
        return FetchPlan(rate_per_s=rate_per_s, keyed=keyed)
    before = chain[: chain.index(online)]
    keys: dict[str, str] = {}
    for st in before:
        keys.update(st.resolve([s for s in seeds if s.alias not in keys]))
    todo = [s for s in seeds if s.alias not in keys]
    ids = [s for s in todo if s.s2_query_id() and not online.cache.is_missing(s.s2_query_id())]
    titles = [s for s in todo if not s.s2_query_id() and s.title
              and not online.cache.is_missing(title_query_id(s.title))]
    batch = math.ceil(len(ids) / 500)
    lists = {"references": 0, "citations": 0}
    if depth >= 1 and (fetch_hops is None or fetch_hops >= 1):
        dirs = ["references", "citations"] if direction == "both" else [direction]
        for d in dirs:
            for k in dict.fromkeys(keys.values()):
                if not any(_has(st, k, d) for st in before):
                    lists[d] += 1
            lists[d] += len(ids) + len(titles)  # resolved online: their lists come from the API too
    more = depth >= 2 and (fetch_hops is None or fetch_hops >= 2)
    return FetchPlan(batch, len(titles), lists["references"], lists["citations"], rate_per_s, keyed, more)


def _has(store: object, key: str, direction: str) -> bool:
    if isinstance(store, (CacheStore, SnapshotStore)):
        return store.has_list(key, direction)  # type: ignore[arg-type]
    return False
