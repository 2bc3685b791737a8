"""Resolve every entry of a catalogue to a paper: what it is (title, year, ids), how it was matched, or why not.

:func:`resolve_entries` answers from the embedded snapshot (and the cache, when given) at once, without
the network. Given a Semantic Scholar source, it then asks the API only for the entries those lack: every
id of all of them in ONE ``POST /paper/batch`` call, then one ``/paper/search/match`` per entry known by
title alone. What the API answers (found or not found) is saved to the cache when one is given, so a
second run sends nothing.

The catalogue does not import the store or the sources (they sit above it): the snapshot, the cache and
the source are passed in and used through the small protocols below (:class:`graph.store.snapshot.Snapshot`,
:class:`graph.store.cache.Cache` and :class:`graph.sources.s2.S2Source` fit them).

Examples
--------
>>> from graph.core.models import Paper
>>> from graph.catalogue.model import Catalogue, Seed
>>> class Index:  # a two-paper stand-in for the snapshot
...     papers = {"arxiv:2305.18290": Paper("arxiv:2305.18290", title="Direct Preference Optimization",
...                                         year=2023, arxiv_id="2305.18290")}
...     def find(self, *, arxiv_id=None, doi=None, title=None):
...         return "arxiv:2305.18290" if arxiv_id == "2305.18290" else None
>>> cat = Catalogue({"dpo": Seed("dpo", arxiv_id="2305.18290"), "ghost": Seed("ghost", arxiv_id="2101.99999")}, {})
>>> [(r.alias, r.status, r.title, r.matched_by) for r in resolve_entries(cat, snapshot=Index())]
[('dpo', 'resolved', 'Direct Preference Optimization', 'arxiv'), ('ghost', 'unresolved', None, None)]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from graph.catalogue.model import Catalogue, Seed
from graph.core.errors import LineageError
from graph.core.ids import normalize_title, paper_key
from graph.core.models import Paper
from graph.core.query import TITLE_PREFIX, is_title_query, s2_query_ids, title_query_id

__all__ = ["EntryResolution", "MatchedBy", "entry_input", "realias", "resolve_entries", "unresolved_warnings"]

log = logging.getLogger(__name__)

MatchedBy = Literal["arxiv", "doi", "title", "s2"]
"""How an entry was tied to its paper: by its arXiv id, its DOI, its title or its Semantic Scholar id."""


@dataclass(frozen=True)
class EntryResolution:
    """What one entry of the user's list resolved to, or why it did not."""

    alias: str
    """The entry's alias in the catalogue."""
    input: str
    """What the user wrote (``arXiv:2305.18290``, ``DOI:…``, a quoted title, ``@article{key}``)."""
    title: str | None = None
    """The paper's title (the entry's own title when unresolved)."""
    year: int | None = None
    """Publication year."""
    arxiv_id: str | None = None
    """arXiv id, from the paper or the entry."""
    doi: str | None = None
    """DOI, from the paper or the entry (a DOI Semantic Scholar files under the preprint record is kept)."""
    matched_by: MatchedBy | None = None
    """Which of the entry's ids (or its title) found the paper; None when unresolved."""
    status: Literal["resolved", "unresolved"] = "unresolved"
    """``resolved`` or ``unresolved``."""
    reason: str | None = None
    """Why it is unresolved, in plain words; None when resolved."""
    key: str | None = None
    """The node key of the paper in the graph (``arxiv:…``, ``doi:…``, ``title:…``)."""
    found_in: Literal["snapshot", "cache", "semanticscholar"] | None = None
    """Where the paper was found."""
    first_author: str | None = None
    """The paper's first author, when known."""

    @property
    def resolved(self) -> bool:
        """Whether the entry resolved to a paper."""
        return self.status == "resolved"


class _Index(Protocol):
    papers: Mapping[str, Paper]

    def find(self, *, arxiv_id: str | None = None, doi: str | None = None,
             title: str | None = None) -> str | None: ...


class _Cache(Protocol):
    def lookup(self, query_id: str) -> str | None: ...

    def get_papers(self, keys: Iterable[str]) -> dict[str, Paper]: ...

    def is_missing(self, query_id: str) -> bool: ...

    def put_papers(self, papers: Iterable[Paper], *, aliases: Mapping[str, str] | None = None) -> None: ...

    def put_missing(self, query_ids: Iterable[str]) -> None: ...


class _Source(Protocol):
    def get_papers(self, ids: Sequence[str]) -> Mapping[str, Paper | None]: ...

    def match_title(self, title: str) -> Paper | None: ...


_NEW_ARXIV = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


def _impossible_arxiv(arxiv_id: str | None) -> str | None:
    """Why a new-style arXiv id cannot exist (month outside 01-12, or before April 2007), or None.

    >>> _impossible_arxiv("2599.99999"), _impossible_arxiv("2305.18290")
    ('arXiv 2599.99999 cannot exist: there is no month 99', None)
    """
    m = _NEW_ARXIV.match(arxiv_id or "")
    if not m:
        return None
    yy, mm = int(m.group(1)), int(m.group(2))
    if not 1 <= mm <= 12:
        return f"arXiv {arxiv_id} cannot exist: there is no month {mm:02d}"
    if (yy, mm) < (7, 4):
        return f"arXiv {arxiv_id} cannot exist: new-style arXiv ids start in April 2007 (0704.)"
    return None


def entry_input(seed: Seed) -> str:
    """What the user wrote for an entry, as far as the catalogue keeps it.

    >>> entry_input(Seed("x", arxiv_id="2305.18290")), entry_input(Seed("t", title="Attention Is All You Need"))
    ('arXiv:2305.18290', '"Attention Is All You Need"')
    >>> entry_input(Seed("b", title="T", source="refs.bib line 3 (@article{Key2020})"))
    '@article{Key2020}'
    """
    m = re.search(r"\((@\w+\{[^}]*\})\)$", seed.source or "")
    if m:
        return m.group(1)
    parts = []
    if seed.arxiv_id:
        parts.append(f"arXiv:{seed.arxiv_id}")
    if seed.doi:
        parts.append(f"DOI:{seed.doi}")
    if seed.s2_id:
        parts.append(seed.s2_id if seed.s2_id.startswith("CorpusId:") else f"S2:{seed.s2_id}")
    if not parts and seed.title:
        parts.append(f'"{seed.title}"')
    return " ".join(parts) or seed.alias


def _matched(qid: str) -> MatchedBy:
    low = qid.lower()
    if low.startswith("arxiv:"):
        return "arxiv"
    if low.startswith("doi:"):
        return "doi"
    if is_title_query(qid):
        return "title"
    return "s2"


def _resolved(seed: Seed, paper: Paper, matched_by: MatchedBy, found_in: Literal["snapshot", "cache",
              "semanticscholar"]) -> EntryResolution:
    return EntryResolution(
        alias=seed.alias, input=entry_input(seed), title=paper.title or seed.title, year=paper.year or seed.year,
        arxiv_id=paper.arxiv_id or seed.arxiv_id, doi=paper.doi or seed.doi, matched_by=matched_by,
        status="resolved", reason=None, key=paper.paper_id, found_in=found_in, first_author=paper.first_author)


def _from_index(seed: Seed, index: _Index) -> EntryResolution | None:
    tries: list[tuple[MatchedBy, dict[str, str]]] = []
    if seed.arxiv_id:
        tries.append(("arxiv", {"arxiv_id": seed.arxiv_id}))
    if seed.doi:
        tries.append(("doi", {"doi": seed.doi}))
    if seed.title and normalize_title(seed.title):
        tries.append(("title", {"title": seed.title}))
    for how, kw in tries:
        key = index.find(**kw)
        paper = index.papers.get(key) if key else None
        if paper is not None:
            return _resolved(seed, paper, how, "snapshot")
    return None


def _from_cache(seed: Seed, cache: _Cache) -> EntryResolution | None:
    for qid in s2_query_ids(arxiv_id=seed.arxiv_id, doi=seed.doi, s2_id=seed.s2_id, title=seed.title):
        key = cache.lookup(qid)
        if key is None:
            direct = _direct_key(qid)
            key = direct if direct and cache.get_papers([direct]) else None
        if key is None:
            continue
        paper = cache.get_papers([key]).get(key)
        if paper is not None:
            return _resolved(seed, paper, _matched(qid), "cache")
    return None


def _direct_key(qid: str) -> str | None:
    """The node key a paper would be stored under in the cache, for an id that determines it."""
    low = qid.lower()
    if low.startswith("arxiv:"):
        return paper_key(arxiv_id=qid[6:])
    if low.startswith("doi:"):
        return paper_key(doi=qid[4:])
    if is_title_query(qid) and qid[len(TITLE_PREFIX):]:
        return paper_key(title=qid[len(TITLE_PREFIX):])
    return None


def _not_found(seed: Seed, *, online: bool, cached_missing: bool) -> str:
    if impossible := _impossible_arxiv(seed.arxiv_id):
        return impossible
    what = entry_input(seed)
    if not (seed.arxiv_id or seed.doi or seed.s2_id):
        what = f'no paper titled "{seed.title}"'
        if online or cached_missing:
            return f"{what} in the snapshot, the cache or Semantic Scholar"
        return f"{what} in the snapshot or the cache; Semantic Scholar was not asked (offline)"
    if online or cached_missing:
        return f"Semantic Scholar knows no paper {what}" + (" (cached answer)" if cached_missing else "")
    return f"{what} is not in the snapshot or the cache; Semantic Scholar was not asked (offline)"


def resolve_entries(catalogue: Catalogue, *, snapshot: _Index, cache: _Cache | None = None,
                    source: _Source | None = None, aliases: Sequence[str] | None = None) -> list[EntryResolution]:
    """Resolve every entry (or those named in ``aliases``) of ``catalogue``, in catalogue order.

    Parameters
    ----------
    snapshot:
        The embedded snapshot (:func:`graph.store.snapshot.load_snapshot`), asked first.
    cache:
        The SQLite cache, asked second; answers fetched online are saved to it.
    source:
        A :class:`graph.sources.s2.S2Source`. When given, the entries the snapshot and the cache lack are
        asked for: all their ids in one batch call, then one title match per title-only entry. Ids known
        to be missing (cached "not found") and impossible arXiv ids are not asked again. When the source
        fails (offline, rate-limited past its retries), the entries stay unresolved with that reason.

    Returns
    -------
    list[EntryResolution]
        One per entry. ``status`` is ``resolved`` with title, year, ids, ``matched_by``, ``key`` and
        ``found_in``, or ``unresolved`` with a ``reason``.
    """
    seeds = [catalogue.seeds[a] for a in aliases] if aliases is not None else list(catalogue.seeds.values())
    out: dict[str, EntryResolution] = {}
    todo: list[Seed] = []
    for s in seeds:
        r = _from_index(s, snapshot) or (_from_cache(s, cache) if cache is not None else None)
        if r is not None:
            out[s.alias] = r
        else:
            todo.append(s)
    missing_before: set[str] = set()
    if cache is not None:
        for s in todo:
            qids = s2_query_ids(arxiv_id=s.arxiv_id, doi=s.doi, s2_id=s.s2_id, title=s.title)
            if qids and all(cache.is_missing(q) for q in qids):
                missing_before.add(s.alias)
    failure: str | None = None
    if source is not None:
        ask = [s for s in todo if s.alias not in missing_before and not _impossible_arxiv(s.arxiv_id)]
        try:
            _ask_online(ask, source, cache, out)
        except LineageError as exc:
            failure = f"Semantic Scholar could not be asked: {exc.message}"
            log.info("resolve: %s", failure)
    result = []
    for s in seeds:
        if s.alias in out:
            result.append(out[s.alias])
            continue
        reason = failure if failure and not _impossible_arxiv(s.arxiv_id) and s.alias not in missing_before else \
            _not_found(s, online=source is not None, cached_missing=s.alias in missing_before)
        result.append(EntryResolution(alias=s.alias, input=entry_input(s), title=s.title, year=s.year,
                                      arxiv_id=s.arxiv_id, doi=s.doi, status="unresolved", reason=reason))
    return result


def _ask_online(todo: list[Seed], source: _Source, cache: _Cache | None, out: dict[str, EntryResolution]) -> None:
    """One batch for every id of ``todo``; then a title match for each title-only entry still open."""
    by_seed = {s.alias: [q for q in s2_query_ids(arxiv_id=s.arxiv_id, doi=s.doi, s2_id=s.s2_id)
                         if cache is None or not cache.is_missing(q)] for s in todo}
    ids = list(dict.fromkeys(q for qs in by_seed.values() for q in qs))
    found: Mapping[str, Paper | None] = source.get_papers(ids) if ids else {}
    papers: list[Paper] = []
    aliases: dict[str, str] = {}
    missing: list[str] = []
    for s in todo:
        for qid in by_seed[s.alias]:
            paper = found.get(qid)
            if paper is None:
                missing.append(qid)
                continue
            papers.append(paper)
            aliases[qid] = paper.paper_id
            if s.alias not in out:
                out[s.alias] = _resolved(s, paper, _matched(qid), "semanticscholar")
    for s in todo:
        if s.alias in out or not s.title or not normalize_title(s.title):
            continue
        tq = title_query_id(s.title)
        if cache is not None and cache.is_missing(tq):
            continue
        paper = source.match_title(s.title)
        if paper is None:
            missing.append(tq)
            continue
        papers.append(paper)
        aliases[tq] = paper.paper_id
        out[s.alias] = _resolved(s, paper, "title", "semanticscholar")
    if cache is not None:
        if papers:
            cache.put_papers(papers, aliases=aliases)
        if missing:
            cache.put_missing([q for q in missing if q not in aliases])


def unresolved_warnings(resolutions: Iterable[EntryResolution]) -> list[str]:
    """One plain line per unresolved entry, for the shells to print (the library never prints).

    >>> unresolved_warnings([EntryResolution("ghost", "arXiv:2599.99999", reason="no such id")])
    ["warning: 'ghost' (arXiv:2599.99999) is unresolved: no such id; it is left out"]
    """
    return [f"warning: '{r.alias}' ({r.input}) is unresolved: {r.reason}; it is left out"
            for r in resolutions if not r.resolved]


def realias(catalogue: Catalogue, resolutions: Iterable[EntryResolution]) -> tuple[Catalogue, dict[str, str]]:
    """Give the entries that loaded as ``paper-<n>`` (nothing was known offline) their readable alias.

    The alias follows the rules of :mod:`graph.catalogue.aliases` from what the entry resolved to (first
    author + year, else a short title), deterministically: with the same snapshot and cache, the same
    file gets the same aliases. Returns the renamed catalogue and the ``old -> new`` mapping.

    Examples
    --------
    >>> from graph.catalogue.model import Lineage
    >>> cat = Catalogue({"paper-1": Seed("paper-1", arxiv_id="2501.00001")}, {"l": Lineage("l", (("paper-1",),))})
    >>> r = EntryResolution("paper-1", "arXiv:2501.00001", title="T", year=2025, status="resolved",
    ...                     first_author="Ada Lovelace")
    >>> new, mapping = realias(cat, [r])
    >>> mapping, new.lineages["l"].stages
    ({'paper-1': 'lovelace2025'}, (('lovelace2025',),))
    """
    from graph.catalogue.aliases import alias_for

    by_alias = {r.alias: r for r in resolutions}
    todo = [a for a in catalogue.seeds if re.fullmatch(r"paper-\d+", a) and a in by_alias and by_alias[a].resolved]
    taken = set(catalogue.seeds) - set(todo)
    mapping: dict[str, str] = {}
    for a in todo:
        r = by_alias[a]
        new = alias_for(title=r.title, first_author=r.first_author, year=r.year, taken=taken,
                        number=int(a.split("-", 1)[1]))
        if new != a:
            mapping[a] = new
    return catalogue.renamed(mapping), mapping
