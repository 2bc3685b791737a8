"""The catalogue's records: :class:`Seed`, :class:`Lineage`, :class:`Catalogue` and :class:`Appearance`.

A catalogue is built by :func:`graph.catalogue.load.load_catalogue`; these records are frozen, and the
editing methods (:meth:`Catalogue.with_added`, :meth:`Catalogue.with_papers`) return new catalogues.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import yaml

from graph.core.errors import BadIdError, SeedFileError, UnknownLineageError, UnknownPaperError
from graph.core.ids import normalize_title, paper_key, parse_paper_ref
from graph.core.query import s2_query_id, s2_query_ids

__all__ = ["ALIAS_RE", "KINDS", "Appearance", "Catalogue", "Lineage", "Seed", "check_cross_cycles", "check_seed"]

KINDS: tuple[str, ...] = ("paper", "book", "blog", "course", "report", "repo", "list", "docs")
"""Valid values of :attr:`Seed.kind`."""

ALIAS_RE = re.compile(r"^[a-z0-9][a-z0-9._\-]*$")



@dataclass(frozen=True)
class Appearance:
    """One more place (document and section) where a seed is listed, besides its primary one."""

    doc: str | None = None
    """The seed document."""
    section: str | None = None
    """The heading it is listed under."""
    note: str | None = None
    """The author's comment there."""
    url: str | None = None
    """The link given there."""


@dataclass(frozen=True)
class Seed:
    """A seed of the catalogue: a paper (or book, blog, course, ...) the user declared."""

    alias: str
    """Short lower-case name (``dpo``), unique in the catalogue."""
    title: str | None = None
    """Title."""
    kind: str = "paper"
    """One of :data:`KINDS`."""
    arxiv_id: str | None = None
    """Normalised arXiv id, without version."""
    doi: str | None = None
    """Normalised (lower-case) DOI."""
    s2_id: str | None = None
    """Semantic Scholar paperId (40 hex) or ``CorpusId:<n>``."""
    year: int | None = None
    """Publication year."""
    date: str | None = None
    """ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
    org: str | None = None
    """Organisation or authors named by the seed document."""
    section: str | None = None
    """Heading of the seed document it is listed under (a topic tag)."""
    note: str | None = None
    """The seed document author's comment, verbatim."""
    doc: str | None = None
    """The seed document (or file) it comes from."""
    lineages: tuple[str, ...] = ()
    """Names of the lineages it belongs to (chain or members)."""
    url: str | None = None
    """Link given by the seed document."""
    source: str | None = None
    """Where the ids and facts came from."""
    also_in: tuple[Appearance, ...] = ()
    """Further documents / sections listing the same seed."""

    @property
    def key(self) -> str:
        """The node key (:func:`graph.core.ids.paper_key`)."""
        return paper_key(arxiv_id=self.arxiv_id, doi=self.doi, s2_id=self.s2_id, title=self.title)

    @property
    def sections(self) -> tuple[str, ...]:
        """Every section heading it is listed under (primary first), without repeats."""
        out = [s for s in [self.section, *(a.section for a in self.also_in)] if s]
        return tuple(dict.fromkeys(out))

    @property
    def docs(self) -> tuple[str, ...]:
        """Every document it is listed in (primary first), without repeats."""
        out = [d for d in [self.doc, *(a.doc for a in self.also_in)] if d]
        return tuple(dict.fromkeys(out))

    def s2_query_ids(self) -> list[str]:
        """Every id Semantic Scholar accepts for it, most specific first, then its title-match key
        (:func:`graph.core.query.s2_query_ids`)."""
        return s2_query_ids(arxiv_id=self.arxiv_id, doi=self.doi, s2_id=self.s2_id, title=self.title)

    def s2_query_id(self) -> str | None:
        """The most specific id Semantic Scholar accepts (:func:`graph.core.query.s2_query_id`); None for a
        title alone."""
        return s2_query_id(arxiv_id=self.arxiv_id, doi=self.doi, s2_id=self.s2_id)


@dataclass(frozen=True)
class Lineage:
    """A declared lineage: ordered stages of seed aliases, plus tagged members outside the chain."""

    name: str
    stages: tuple[tuple[str, ...], ...] = ()
    """Ordered stages; each alias of stage i is declared to precede each alias of stage i+1."""
    members: tuple[str, ...] = ()
    """Aliases tagged with the lineage but not in the chain."""
    description: str | None = None
    """What the lineage is and how it is ordered."""
    declared: bool = True
    """False for the one lineage of a BibTeX file or id list: its stages are only the entries by year, so
    the engine suggests a chain (the main path through the seeds) instead of checking that order."""

    @property
    def aliases(self) -> tuple[str, ...]:
        """Stages flattened, then members."""
        return tuple(a for s in self.stages for a in s) + self.members

    def arrows(self) -> list[tuple[str, str]]:
        """The declared order as pairs ``(a, b)`` for a in stage i and b in stage i+1.

        >>> Lineage("x", (("a",), ("b", "c"), ("d",))).arrows()
        [('a', 'b'), ('a', 'c'), ('b', 'd'), ('c', 'd')]
        """
        return [(a, b) for s, t in zip(self.stages, self.stages[1:], strict=False) for a in s for b in t]


@dataclass(frozen=True)
class Catalogue:
    """The seeds and lineages, as loaded from :attr:`path`."""

    seeds: dict[str, Seed]
    """alias -> seed, in file order."""
    lineages: dict[str, Lineage]
    """name -> lineage, in file order."""
    path: str = field(default="", compare=False)
    """Where it was loaded from (not part of equality)."""

    def get_lineage(self, name: str) -> Lineage:
        """The lineage called ``name``; raises :class:`UnknownLineageError`."""
        try:
            return self.lineages[name]
        except KeyError:
            raise UnknownLineageError(name, list(self.lineages)) from None

    def resolve(self, ref: str) -> Seed:
        """The seed named by an alias, an arXiv id (any form), a DOI, an S2 id or an exact title.

        Raises :class:`UnknownPaperError` (with close aliases) or :class:`BadIdError` (malformed id).
        """
        text = ref.strip()
        if text.lower() in self.seeds:
            return self.seeds[text.lower()]
        try:
            pref = parse_paper_ref(text)
        except BadIdError as e:
            found = self._by_title(text)
            if found:
                return found
            if e.kind != "paper reference":
                raise
            raise UnknownPaperError(ref, hint=self._close_hint(text)) from None
        for seed in self.seeds.values():
            if (pref.arxiv_id and seed.arxiv_id == pref.arxiv_id) or (pref.doi and seed.doi == pref.doi) or (
                pref.s2_id and seed.s2_id == pref.s2_id
            ) or (pref.corpus_id and seed.s2_id == f"CorpusId:{pref.corpus_id}"):
                return seed
        found = self._by_title(text)
        if found:
            return found
        raise UnknownPaperError(ref, hint=self._close_hint(text))

    def _by_title(self, text: str) -> Seed | None:
        nt = normalize_title(text)
        if not nt:
            return None
        return next((s for s in self.seeds.values() if normalize_title(s.title) == nt), None)

    def _close_hint(self, text: str) -> str:
        close = difflib.get_close_matches(text.lower(), list(self.seeds), n=5, cutoff=0.5)
        base = "use a seed alias, an arXiv id, DOI:... or a Semantic Scholar id"
        return (f"close aliases: {', '.join(close)}; " if close else "") + base

    def by_key(self) -> dict[str, Seed]:
        """node key -> seed."""
        return {s.key: s for s in self.seeds.values()}

    @property
    def sections(self) -> list[str]:
        """Every section heading (topic tag) of the seeds, in first-seen order."""
        return list(dict.fromkeys(sec for s in self.seeds.values() for sec in s.sections))

    def with_papers(self, papers: list[dict[str, Any]], *, lineage: str | None = None,
                    source: str = "added by the user") -> tuple[Catalogue, list[str]]:
        """Adopt graph papers (dicts with ``key``, ``title``, ``authors``, ``arxiv_id``, ``doi``, ``s2_id``,
        ``year``) as seeds, as *members* of ``lineage`` (a missing ancestor has no place in the declared order).

        Returns the new catalogue and the aliases of the papers (existing seeds keep their alias).
        Aliases follow the rules of :mod:`graph.catalogue.aliases` (first author + year, else a short
        title) and are made unique.

        Examples
        --------
        >>> cat = Catalogue({}, {"po": Lineage("po", (("dpo",),))}, "x")
        >>> cat = cat.with_added([Seed("dpo", arxiv_id="2305.18290")])
        >>> cat2, aliases = cat.with_papers([{"key": "arxiv:1707.06347", "arxiv_id": "1707.06347",
        ...     "title": "Proximal Policy Optimization Algorithms", "authors": ["John Schulman"], "year": 2017},
        ...     {"key": "title:x", "title": "Proximal Policy Optimization Algorithms, again"}], lineage="po")
        >>> aliases, cat2.lineages["po"].members, cat2.seeds[aliases[0]].lineages
        (['schulman2017', 'proximal-policy-optimization'], ('schulman2017', 'proximal-policy-optimization'), ('po',))
        """
        from graph.catalogue.aliases import alias_for

        by_key = self.by_key()
        taken = set(self.seeds)
        new: list[Seed] = []
        aliases: list[str] = []
        for n, d in enumerate(papers, 1):
            key = str(d.get("key") or "")
            if key in by_key:
                aliases.append(by_key[key].alias)
                continue
            authors = d.get("authors") or ()
            first = authors[0] if isinstance(authors, (list, tuple)) and authors else None
            year = d.get("year") if isinstance(d.get("year"), int) else None
            alias = alias_for(title=d.get("title"), first_author=first if isinstance(first, str) else None, year=year,
                              taken=taken, number=len(self.seeds) + n)
            aliases.append(alias)
            new.append(Seed(alias=alias, title=d.get("title"), arxiv_id=d.get("arxiv_id"), doi=d.get("doi"),
                            s2_id=d.get("s2_id"), year=d.get("year"), source=source))
        out = self.with_added(new) if new else self
        if lineage is None:
            return out, aliases
        lin = out.lineages.get(lineage) or Lineage(lineage)
        seeds = dict(out.seeds)
        for a in aliases:
            if lineage not in seeds[a].lineages:
                seeds[a] = replace(seeds[a], lineages=(*seeds[a].lineages, lineage))
        joined = tuple(a for a in dict.fromkeys(aliases) if a not in lin.aliases)
        lineages = {**out.lineages, lineage: replace(lin, members=(*lin.members, *joined))}
        return Catalogue(seeds, lineages, out.path), aliases

    def renamed(self, mapping: dict[str, str]) -> Catalogue:
        """A new catalogue where each alias ``old`` of ``mapping`` is called ``mapping[old]`` (in seeds,
        stages and members). Raises :class:`SeedFileError` if a new alias is malformed or taken.

        >>> cat = Catalogue({"paper-1": Seed("paper-1", arxiv_id="2305.18290")}, {"l": Lineage("l", (("paper-1",),))})
        >>> cat.renamed({"paper-1": "rafailov2023"}).lineages["l"].stages
        (('rafailov2023',),)
        """
        mapping = {a: b for a, b in mapping.items() if a in self.seeds and a != b}
        if not mapping:
            return self
        keep = set(self.seeds) - set(mapping)
        for new in mapping.values():
            if not ALIAS_RE.match(new) or new in keep or list(mapping.values()).count(new) > 1:
                raise SeedFileError(f"cannot rename to '{new}': malformed or already used", path=self.path,
                                    hint="use lower-case letters, digits, '-', '_' or '.', unique")

        def ren(a: str) -> str:
            return mapping.get(a, a)

        seeds = {ren(a): replace(s, alias=ren(a)) for a, s in self.seeds.items()}
        lineages = {n: replace(lin, stages=tuple(tuple(ren(a) for a in st) for st in lin.stages),
                               members=tuple(ren(a) for a in lin.members)) for n, lin in self.lineages.items()}
        return Catalogue(seeds, lineages, self.path)

    def with_added(self, seeds: list[Seed], lineage: str | None = None) -> Catalogue:
        """A new catalogue with ``seeds`` added (each as a new last stage of ``lineage`` when given).

        A seed whose paper (key) is already in the catalogue is not added twice; the existing seed is
        used for the lineage. An alias already taken by another paper raises :class:`SeedFileError`.
        """
        new_seeds = dict(self.seeds)
        by_key = self.by_key()
        added: list[str] = []
        for s in seeds:
            if s.key in by_key:
                added.append(by_key[s.key].alias)
                continue
            if s.alias in new_seeds:
                raise SeedFileError(f"alias '{s.alias}' is already used by another paper", path=self.path,
                                    hint="choose another alias")
            check_seed(s, self.path)
            new_seeds[s.alias] = s
            by_key[s.key] = s
            added.append(s.alias)
        new_lineages = dict(self.lineages)
        if lineage is not None:
            if not ALIAS_RE.match(lineage):
                raise SeedFileError(f"bad lineage name '{lineage}'", path=self.path,
                                    hint="use lower-case letters, digits, '-', '_' or '.'")
            old = new_lineages.get(lineage, Lineage(lineage))
            have = set(old.aliases)
            stages = list(old.stages)
            for a in dict.fromkeys(added):
                if a not in have:
                    stages.append((a,))
                    have.add(a)
            new_lineages[lineage] = replace(old, stages=tuple(stages))
            for a in added:
                s = new_seeds[a]
                if lineage not in s.lineages:
                    new_seeds[a] = replace(s, lineages=(*s.lineages, lineage))
        cat = Catalogue(new_seeds, new_lineages, self.path)
        check_cross_cycles(cat.lineages, {}, self.path)
        return cat

    def to_yaml(self) -> str:
        """The catalogue in the single-file YAML format (``papers:`` and ``lineages:``).

        ``load_catalogue`` of the written file gives back an equal catalogue.
        """
        papers = [_seed_to_dict(s) for s in self.seeds.values()]
        lineages: dict[str, Any] = {}
        for lin in self.lineages.values():
            stages = [list(s) for s in lin.stages]
            if lin.members or lin.description is not None:
                d: dict[str, Any] = {}
                if lin.description is not None:
                    d["description"] = lin.description
                d["stages"] = stages
                if lin.members:
                    d["members"] = list(lin.members)
                lineages[lin.name] = d
            else:
                lineages[lin.name] = stages
        return yaml.safe_dump({"papers": papers, "lineages": lineages}, sort_keys=False, allow_unicode=True,
                              default_flow_style=None, width=100)


def _seed_to_dict(s: Seed) -> dict[str, Any]:
    d: dict[str, Any] = {"alias": s.alias}
    pairs: list[tuple[str, Any]] = [
        ("title", s.title), ("kind", None if s.kind == "paper" else s.kind), ("arxiv", s.arxiv_id),
        ("doi", s.doi), ("s2", s.s2_id), ("year", s.year), ("date", s.date), ("org", s.org),
        ("section", s.section), ("note", s.note), ("doc", s.doc), ("url", s.url),
        ("lineages", list(s.lineages) or None), ("source", s.source),
    ]
    d.update((k, v) for k, v in pairs if v is not None)
    if s.also_in:
        d["also_in"] = [{k: v for k, v in vars(a).items() if v is not None} for a in s.also_in]
    return d


def check_seed(s: Seed, path: str) -> None:
    if not ALIAS_RE.match(s.alias):
        raise SeedFileError(f"bad alias '{s.alias}'", path=path, hint="use lower-case letters, digits, '-', '_' or '.'")
    if not (s.arxiv_id or s.doi or s.s2_id or normalize_title(s.title)):
        raise SeedFileError(f"paper '{s.alias}' has no arxiv, doi, s2 or title", path=path,
                            hint="give at least one of them")



def check_cross_cycles(lineages: dict[str, Lineage], origin: dict[tuple[str, str], tuple[str, str, int]],
                        where: str) -> None:
    g: nx.DiGraph = nx.DiGraph()
    for lin in lineages.values():
        for a, b in lin.arrows():
            if not g.has_edge(a, b):
                g.add_edge(a, b, lineage=lin.name)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return
    names = list(dict.fromkeys(g.edges[u, v]["lineage"] for u, v, *_ in cycle))
    chain = " -> ".join([cycle[0][0], *(v for _, v, *_ in cycle)])
    first = origin.get((cycle[0][0], cycle[0][1]))
    path, line = (first[1], first[2]) if first else (where, None)
    raise SeedFileError(f"the lineages {', '.join(repr(n) for n in names)} declare a cycle: {chain}", path=path,
                        line=line, hint="lineage stages must agree on the order of the papers; move one of them")

