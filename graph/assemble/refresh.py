"""Snapshot reports and the online refresh (``lineage snapshot info|refresh``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.core.errors import OfflineError
from graph.core.models import Citation, Paper

if TYPE_CHECKING:
    from graph.assemble.expand import ProgressFn
    from graph.catalogue.load import Catalogue
    from graph.core.settings import Settings
    from graph.store.snapshot import Snapshot

__all__ = ["identity_info", "refresh_snapshot", "snapshot_info"]


def _source_name(src: str | None) -> str:
    if not src:
        return "unknown"
    if src.startswith("github:"):
        return src.split()[0]
    if src.startswith("http"):
        return src.split("/")[2]
    return src.split()[0][:60]


def identity_info(meta: dict[str, Any]) -> dict[str, Any] | None:
    """The identity figures of a snapshot build: merges, rejected ids and suspected duplicates.

    Read from ``meta.identity`` (written by ``scripts/build_snapshot.py``); None for a snapshot
    without them (e.g. one written by ``lineage snapshot refresh``).

    Examples
    --------
    >>> meta = {"counts": {"merged_nodes": 3, "unions_refused": 1}, "identity": {
    ...     "merges": {"fuzzy_unions": 2, "title_variant_nodes": 2}, "rejected_ids": {"doi_truncated": 4, "total": 4},
    ...     "suspected_duplicates": {"pairs": 1, "nodes": 2, "share_of_nodes": 0.004, "threshold": 92.0}}}
    >>> info = identity_info(meta)
    >>> info["merges"]["ids_bridged"], info["rejected_ids"]["total"], info["suspected_duplicates"]["nodes"]
    (3, 4, 2)
    >>> identity_info({"counts": {}}) is None
    True
    """
    ident = meta.get("identity")
    if not isinstance(ident, dict):
        return None
    counts = meta.get("counts") or {}
    merges = {"ids_bridged": counts.get("merged_nodes"), "unions_refused": counts.get("unions_refused"),
              **(ident.get("merges") or {})}
    return {
        "merges": merges,
        "rejected_ids": dict(ident.get("rejected_ids") or {}),
        "suspected_duplicates": dict(ident.get("suspected_duplicates") or {}),
        "titles_distrusted": ident.get("titles_distrusted"),
        "access_notes": ident.get("access_notes"),
        "generic_titles": ident.get("generic_titles"),
    }


def snapshot_info(snap: Snapshot, catalogue: Catalogue) -> dict[str, Any]:
    """Counts, sources, dates, reference-list completeness per lineage, and the build's identity
    figures (``identity``: merges, rejected ids, suspected duplicates; see :func:`identity_info`)."""
    dates = sorted({p.fetched_at[:10] for p in snap.papers.values() if p.fetched_at})
    sources = Counter(_source_name(e.source) for e in snap.edges)
    rows = []
    for name, lin in catalogue.lineages.items():
        counts: Counter[str] = Counter()
        for alias in lin.aliases:
            seed = catalogue.seeds.get(alias)
            key = snap.find(arxiv_id=seed.arxiv_id, doi=seed.doi, title=seed.title) if seed else None
            if key is None:
                counts["missing"] += 1
                continue
            counts["in_snapshot"] += 1
            counts[snap.papers[key].references_status or "unknown"] += 1
        rows.append({"lineage": name, "seeds": len(lin.aliases), "in_snapshot": counts["in_snapshot"],
                     "complete": counts["complete"], "partial": counts["partial"],
                     "none_found": counts["none_found"], "missing": counts["missing"]})
    return {
        "papers": len(snap.papers),
        "edges": len(snap.edges),
        "built_at": snap.meta.get("built_at"),
        "gathered": f"{dates[0]} .. {dates[-1]}" if dates else None,
        "sources": [{"name": n, "count": c} for n, c in sources.most_common(12)],
        "lineages": rows,
        "meta": {k: v for k, v in snap.meta.items() if k in ("counts", "unmatched", "author_year")},
        "identity": identity_info(snap.meta),
    }


def refresh_snapshot(catalogue: Catalogue, *, settings: Settings, out: Path | None = None,
                     progress: ProgressFn | None = None, source: Any = None) -> dict[str, Any]:
    """Re-fetch every seed (metadata, references, citations) from Semantic Scholar and rewrite the
    snapshot in the same format. Raises :class:`OfflineError` when the API is unreachable; the old
    snapshot is only replaced once everything was fetched."""
    from graph.core.settings import repo_root
    from graph.sources.s2 import S2Source
    from graph.store.snapshot import write_snapshot

    src = source or S2Source(settings)
    if not src.ping():
        raise OfflineError(f"Semantic Scholar is unreachable at {settings.s2_api_url}",
                           hint="refresh needs the network; the current snapshot is unchanged")
    seeds = list(catalogue.seeds.values())
    qids = {}
    for s in seeds:
        q = s.s2_query_id()
        if q:
            qids[q] = s
    found = src.get_papers(list(qids))
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    papers: dict[str, Paper] = {}
    edges: dict[tuple[str, str], Citation] = {}
    resolved: list[Paper] = []
    for p in found.values():
        if p is not None:
            resolved.append(p)
    for s in seeds:
        if s.s2_query_id() is None and s.title:
            p = src.match_title(s.title)
            if p is not None:
                resolved.append(p)
    for i, p in enumerate(resolved):
        refs = src.references(p)
        cits = src.citations(p)
        status = "complete" if refs else "none_found"
        papers[p.paper_id] = Paper.from_dict({**p.to_dict(), "references_status": status, "fetched_at": now})
        for q, c in [*refs, *cits]:
            papers.setdefault(q.paper_id, Paper.from_dict({**q.to_dict(), "fetched_at": now}))
            edges.setdefault((c.citing, c.cited), Citation.from_dict({**c.to_dict(), "extra": {"match": "s2"}}))
        if progress:
            progress("refresh", i + 1, len(resolved))
    meta = {
        "built_at": now,
        "sources": [settings.s2_api_url],
        "counts": {"papers": len(papers), "edges": len(edges), "seeds_resolved": len(resolved),
                   "seeds": len(seeds)},
        "requests": src.requests,
    }
    write_snapshot(list(papers.values()), list(edges.values()), meta, out or repo_root() / "seeds" / "snapshot")
    return meta
