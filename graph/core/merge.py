"""The one merge rule for two records of the same paper (or the same citation).

**Newer wins, field by field, never null over a value.** The record fetched later (``fetched_at``)
gives its fields; the other fills the fields it lacks. When neither date decides (both unknown or
equal), the richer record (more known fields) wins, and on a tie the incoming one. The cache, the
expansion (snapshot, cache and Semantic Scholar records of one paper) and the catalogue's own records
all merge with it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graph.core.models import Citation, Paper

__all__ = ["merge_citations", "merge_papers", "new_wins"]


def _known(d: dict[str, Any]) -> int:
    return sum(1 for v in d.values() if v not in (None, [], (), {}, ""))


def new_wins(new_at: str | None, old_at: str | None, *, new_rich: int = 0, old_rich: int = 0) -> bool:
    """Whether the incoming record's fields win: the newer date, else the richer record, else the incoming.

    Examples
    --------
    >>> new_wins("2025", "2024"), new_wins("2024", "2025"), new_wins(None, "2024")
    (True, False, False)
    >>> new_wins(None, None, new_rich=3, old_rich=5), new_wins(None, None, new_rich=5, old_rich=5)
    (False, True)
    """
    if new_at and old_at and new_at != old_at:
        return new_at > old_at
    if bool(new_at) != bool(old_at):
        return bool(new_at)
    return new_rich >= old_rich


def _merge_dicts(old: dict[str, Any], new: dict[str, Any], *, new_first: bool) -> dict[str, Any]:
    win, lose = (new, old) if new_first else (old, new)
    out = dict(lose)
    for k, v in win.items():
        if v in (None, [], (), {}):
            out.setdefault(k, v)
            continue
        out[k] = v
    return out


def merge_papers(old: Paper | None, new: Paper) -> Paper:
    """Merge two records of the same paper by the rule above; the key is the incoming record's.

    Examples
    --------
    >>> a = Paper("arxiv:1", title="T", abstract="A", fetched_at="2024")
    >>> b = Paper("arxiv:1", title="T2", year=2020, fetched_at="2025")
    >>> m = merge_papers(a, b)
    >>> m.title, m.abstract, m.year, m.fetched_at
    ('T2', 'A', 2020, '2025')
    >>> seed = Paper("arxiv:1", title="T (catalogue)")
    >>> merge_papers(seed, Paper("arxiv:1", title="T", year=2020, venue="V")).title  # undated: richer wins
    'T'
    """
    if old is None:
        return new
    od, nd = old.to_dict(), new.to_dict()
    first = new_wins(new.fetched_at, old.fetched_at, new_rich=_known(nd), old_rich=_known(od))
    d = _merge_dicts(od, nd, new_first=first)
    d["paper_id"] = new.paper_id
    return Paper.from_dict(d)


def merge_citations(old: Citation | None, new: Citation) -> Citation:
    """Merge two records of the same citation by the same rule (``extra`` is unioned, winner first)."""
    if old is None:
        return new
    od, nd = old.to_dict(), new.to_dict()
    first = new_wins(new.fetched_at, old.fetched_at, new_rich=_known(nd), old_rich=_known(od))
    d = _merge_dicts(od, nd, new_first=first)
    extra = {**old.extra, **new.extra} if first else {**new.extra, **old.extra}
    return replace(Citation.from_dict(d), extra=extra)


