"""Load and validate the seeds catalogue: seed papers and the lineages declared between them.

A catalogue is read from one of:

* a folder (the built-in ``seeds/``) holding ``papers.yaml`` and ``lineages.yaml``;
* one YAML file holding both ``papers:`` and ``lineages:``;
* a BibTeX file (``.bib``): its entries become one lineage named after the file;
* a text file (``.txt`` or any other): one arXiv id, DOI or title a line (``#`` comments), also one
  lineage named after the file.

Every problem is raised as :class:`graph.core.errors.SeedFileError` naming the file, the line, the bad
value and the fix. See ``seeds/README.md`` for the format.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.yaml"
>>> _ = p.write_text('''
... papers:
...   - {alias: dpo, arxiv: "2305.18290"}
...   - {alias: kto, arxiv: "2402.01306"}
... lineages:
...   my-chain: [[dpo], [kto]]
... ''')
>>> cat = load_catalogue(p)
>>> cat.get_lineage("my-chain").arrows()
[('dpo', 'kto')]
>>> cat.resolve("arXiv:2305.18290v2").alias
'dpo'
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from graph.core.errors import BadIdError, SeedFileError, UnknownLineageError, UnknownPaperError
from graph.core.ids import normalize_arxiv, normalize_doi, normalize_title, paper_key, parse_paper_ref
from graph.core.settings import default_seeds_path

__all__ = [
    "KINDS",
    "Appearance",
    "Catalogue",
    "Lineage",
    "Seed",
    "load_catalogue",
]

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("paper", "book", "blog", "course", "report", "repo", "list", "docs")
"""Valid values of :attr:`Seed.kind`."""

_ALIAS = re.compile(r"^[a-z0-9][a-z0-9._\-]*$")
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_S2_SHA = re.compile(r"^[0-9a-f]{40}$")
_NULL_TAG = "tag:yaml.org,2002:null"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser keeps line marks too
_LOCATION_HINT = "give a seeds folder, a .yaml, a .bib or a .txt file with --seeds or the LINEAGE_SEEDS variable"


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

    def s2_query_id(self) -> str | None:
        """The id Semantic Scholar accepts (``ARXIV:…``, ``DOI:…``, sha); None when only a title is known."""
        if self.arxiv_id:
            return f"ARXIV:{self.arxiv_id}"
        if self.doi:
            return f"DOI:{self.doi}"
        if self.s2_id:
            return self.s2_id
        return None


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
        """Adopt graph papers (dicts with ``key``, ``title``, ``arxiv_id``, ``doi``, ``s2_id``, ``year``)
        as seeds, as *members* of ``lineage`` (a missing ancestor has no place in the declared order).

        Returns the new catalogue and the aliases of the papers (existing seeds keep their alias).
        Aliases are made from the first words of the title and made unique.

        Examples
        --------
        >>> cat = Catalogue({}, {"po": Lineage("po", (("dpo",),))}, "x")
        >>> cat = cat.with_added([Seed("dpo", arxiv_id="2305.18290")])
        >>> cat2, aliases = cat.with_papers([{"key": "arxiv:1707.06347", "arxiv_id": "1707.06347",
        ...     "title": "Proximal Policy Optimization Algorithms", "year": 2017}], lineage="po")
        >>> aliases, cat2.lineages["po"].members, cat2.seeds[aliases[0]].lineages
        (['proximal-policy-optimization-algorithms'], ('proximal-policy-optimization-algorithms',), ('po',))
        """
        by_key = self.by_key()
        taken = set(self.seeds)
        new: list[Seed] = []
        aliases: list[str] = []
        for d in papers:
            key = str(d.get("key") or "")
            if key in by_key:
                aliases.append(by_key[key].alias)
                continue
            words = re.findall(r"[a-z0-9]+", str(d.get("title") or "").lower())
            base = "-".join(words[:4]) or re.sub(r"[^a-z0-9._-]+", "-", key.lower()).strip("-.") or "paper"
            alias, i = base, 2
            while alias in taken:
                alias, i = f"{base}-{i}", i + 1
            taken.add(alias)
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
            _check_seed(s, self.path)
            new_seeds[s.alias] = s
            by_key[s.key] = s
            added.append(s.alias)
        new_lineages = dict(self.lineages)
        if lineage is not None:
            if not _ALIAS.match(lineage):
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
        _check_cross_cycles(cat.lineages, {}, self.path)
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


def _check_seed(s: Seed, path: str) -> None:
    if not _ALIAS.match(s.alias):
        raise SeedFileError(f"bad alias '{s.alias}'", path=path, hint="use lower-case letters, digits, '-', '_' or '.'")
    if not (s.arxiv_id or s.doi or s.s2_id or normalize_title(s.title)):
        raise SeedFileError(f"paper '{s.alias}' has no arxiv, doi, s2 or title", path=path,
                            hint="give at least one of them")


# --------------------------------------------------------------------------------------------------
# YAML: walk the composed node tree so that every value keeps its line.


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node, path: str, what: str) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        kind = "list" if isinstance(node, yaml.SequenceNode) else "mapping"
        raise SeedFileError(f"{what} must be a single value, not a {kind}", path=path, line=_line(node))
    if node.tag == _NULL_TAG:
        return None
    v = str(node.value).strip()
    return v or None


def _items(node: yaml.MappingNode, path: str, what: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    seen: dict[str, int] = {}
    for k, v in node.value:
        key = _scalar(k, path, f"a key of {what}")
        if key is None:
            raise SeedFileError(f"empty key in {what}", path=path, line=_line(k))
        if key in seen:
            raise SeedFileError(f"'{key}' is given twice in {what} (lines {seen[key]} and {_line(k)})",
                                path=path, line=_line(k), hint="keep one of them")
        seen[key] = _line(k)
        yield key, k, v


def _compose(path: Path) -> yaml.Node | None:
    text = _read_text(path)
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        snippet = ""
        if line is not None:
            lines = text.splitlines()
            if 0 < line <= len(lines):
                snippet = f": {lines[line - 1].strip()!r}"
        ctx = e.context_mark
        if ctx is not None and mark is not None and ctx.line != mark.line and e.context:
            snippet += f" ({e.context} on line {ctx.line + 1})"
        raise SeedFileError(
            f"malformed YAML ({e.problem or e.context}){snippet}", path=str(path), line=line,
            hint="check the indentation and quoting on that line (quote values holding ':' or '#')") from None
    except yaml.YAMLError as e:
        raise SeedFileError(f"malformed YAML ({e})", path=str(path)) from None


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SeedFileError("seeds file not found", path=str(path), hint=_LOCATION_HINT) from None
    except IsADirectoryError:
        raise SeedFileError("expected a file, found a folder", path=str(path), hint=_LOCATION_HINT) from None
    except OSError as e:
        raise SeedFileError(f"cannot read the seeds file ({e.strerror})", path=str(path), hint=_LOCATION_HINT) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SeedFileError(f"not a text file (byte {e.start} is not UTF-8)", path=str(path),
                            hint="a seeds file is YAML, BibTeX (.bib) or a text list (.txt) in UTF-8") from None


_FIELDS = {
    "alias": "alias", "title": "title", "kind": "kind", "arxiv": "arxiv_id", "arxiv_id": "arxiv_id",
    "doi": "doi", "s2": "s2_id", "s2_id": "s2_id", "year": "year", "date": "date", "org": "org",
    "section": "section", "note": "note", "doc": "doc", "url": "url", "lineages": "lineages",
    "source": "source", "also_in": "also_in",
}


@dataclass
class _RawLineage:
    name: str
    path: str
    line: int
    stages: list[list[tuple[str, str, int]]] = field(default_factory=list)  # (alias, path, line)
    members: list[tuple[str, str, int]] = field(default_factory=list)
    description: str | None = None


class _Builder:
    """Collects seeds and lineages from one or more YAML roots, keeping lines for the checks."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.seeds: dict[str, Seed] = {}
        self.seed_lines: dict[str, tuple[str, int]] = {}
        self.seed_tags: dict[str, list[tuple[str, str, int]]] = {}
        self.lineages: dict[str, _RawLineage] = {}
        self.papers_at: tuple[str, int] | None = None

    # -- papers ------------------------------------------------------------------------------------
    def add_papers(self, node: yaml.Node, path: str) -> None:
        if not isinstance(node, yaml.SequenceNode):
            raise SeedFileError("'papers' must be a list of papers (lines starting with '- ')", path=path,
                                line=_line(node), hint="e.g. papers:\\n  - {alias: dpo, arxiv: \"2305.18290\"}")
        keys: dict[str, tuple[str, int]] = {}
        for item in node.value:
            seed = self._paper(item, path)
            line = _line(item)
            if seed.alias in self.seed_lines:
                p0, l0 = self.seed_lines[seed.alias]
                raise SeedFileError(
                    f"duplicate alias '{seed.alias}' (lines {l0} and {line}"
                    + (f" of {p0}" if p0 != path else "") + ")",
                    path=path, line=line, hint="every alias must be unique; rename or remove one of them")
            k = seed.key
            if k in keys:
                p0, l0 = keys[k]
                other = next(a for a, s in self.seeds.items() if s.key == k)
                raise SeedFileError(
                    f"paper '{seed.alias}' is the same paper ({k}) as '{other}' (lines {l0} and {line})",
                    path=path, line=line, hint="list a paper once; record further places with also_in")
            keys[k] = (path, line)
            self.seeds[seed.alias] = seed
            self.seed_lines[seed.alias] = (path, line)

    def _paper(self, node: yaml.Node, path: str) -> Seed:
        line = _line(node)
        if isinstance(node, yaml.ScalarNode):
            raise SeedFileError(f"a paper must be a mapping with an alias, got '{node.value}'", path=path, line=line,
                                hint=f"write '- {{alias: my-paper, arxiv: \"{node.value}\"}}'")
        if not isinstance(node, yaml.MappingNode):
            raise SeedFileError("a paper must be a mapping (alias: ..., arxiv: ...)", path=path, line=line)
        vals: dict[str, Any] = {}
        tags: list[tuple[str, str, int]] = []
        alias: str | None = None
        for key, knode, vnode in _items(node, path, "a paper"):
            if key not in _FIELDS:
                close = difflib.get_close_matches(key, list(_FIELDS), n=1)
                raise SeedFileError(
                    f"unknown field '{key}' in a paper", path=path, line=_line(knode),
                    hint=(f"did you mean '{close[0]}'? " if close else "")
                    + "valid fields: " + ", ".join(k for k in _FIELDS if k not in ("arxiv_id", "s2_id")))
            attr = _FIELDS[key]
            vline = _line(vnode)
            if attr == "lineages":
                for name, nline in _name_list(vnode, path, "lineages of a paper"):
                    tags.append((name, path, nline))
                continue
            if attr == "also_in":
                vals["also_in"] = self._also_in(vnode, path)
                continue
            v = _scalar(vnode, path, f"'{key}'")
            if v is None:
                continue
            if attr == "alias":
                if not _ALIAS.match(v) or _as_alias(v) is None:
                    raise SeedFileError(f"bad alias '{v}'", path=path, line=vline,
                                        hint=f"use lower-case letters, digits, '-', '_' or '.', e.g. '{_slug(v)}'")
                alias = v
            elif attr == "kind":
                if v not in KINDS:
                    raise SeedFileError(f"unknown kind '{v}'", path=path, line=vline,
                                        hint="kind is one of: " + ", ".join(KINDS))
                vals["kind"] = v
            elif attr == "arxiv_id":
                vals["arxiv_id"] = _id(normalize_arxiv, v, path, vline)
            elif attr == "doi":
                vals["doi"] = _id(normalize_doi, v, path, vline)
            elif attr == "s2_id":
                vals["s2_id"] = _s2(v, path, vline)
            elif attr == "year":
                if not re.fullmatch(r"\d{4}", v):
                    raise SeedFileError(f"bad year '{v}'", path=path, line=vline,
                                        hint="a year is four digits, e.g. 2023")
                vals["year"] = int(v)
            elif attr == "date":
                if not _DATE.match(v):
                    raise SeedFileError(f"bad date '{v}'", path=path, line=vline,
                                        hint="an ISO date: 2023-05-29, 2023-05 or 2023")
                vals["date"] = v
            else:
                vals[attr] = v
        if alias is None:
            raise SeedFileError("a paper has no alias", path=path, line=line,
                                hint="add 'alias: <short-name>' (lower-case, e.g. dpo)")
        seed = Seed(alias=alias, **vals)
        if not (seed.arxiv_id or seed.doi or seed.s2_id or normalize_title(seed.title)):
            raise SeedFileError(f"paper '{alias}' has no arxiv, doi, s2 or title", path=path, line=line,
                                hint="give at least one of them so that the paper can be found")
        self.seed_tags[alias] = tags
        return seed

    def _also_in(self, node: yaml.Node, path: str) -> tuple[Appearance, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise SeedFileError("'also_in' must be a list of {doc, section, note, url}", path=path, line=_line(node))
        out = []
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                raise SeedFileError("an 'also_in' entry must be a mapping {doc, section, note, url}", path=path,
                                    line=_line(item))
            d: dict[str, str | None] = {}
            for key, knode, vnode in _items(item, path, "an also_in entry"):
                if key not in ("doc", "section", "note", "url"):
                    raise SeedFileError(f"unknown field '{key}' in also_in", path=path, line=_line(knode),
                                        hint="valid fields: doc, section, note, url")
                d[key] = _scalar(vnode, path, f"'{key}'")
            out.append(Appearance(**d))
        return tuple(out)

    # -- lineages ----------------------------------------------------------------------------------
    def add_lineages(self, node: yaml.Node, path: str) -> None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
            return
        if not isinstance(node, yaml.MappingNode):
            raise SeedFileError("'lineages' must be a mapping: name -> list of stages", path=path, line=_line(node),
                                hint="e.g. lineages:\\n  my-chain: [[dpo], [kto]]")
        for name, knode, vnode in _items(node, path, "lineages"):
            if not _ALIAS.match(name):
                raise SeedFileError(f"bad lineage name '{name}'", path=path, line=_line(knode),
                                    hint=f"use lower-case letters, digits, '-', '_' or '.', e.g. '{_slug(name)}'")
            if name in self.lineages:
                old = self.lineages[name]
                raise SeedFileError(f"lineage '{name}' is declared twice (lines {old.line} and {_line(knode)})",
                                    path=path, line=_line(knode), hint="keep one of them")
            raw = _RawLineage(name, path, _line(knode))
            if isinstance(vnode, yaml.MappingNode):
                for key, k2, v2 in _items(vnode, path, f"lineage '{name}'"):
                    if key == "stages":
                        raw.stages = self._stages(v2, path, name)
                    elif key == "members":
                        raw.members = [(a, path, ln) for a, ln in _name_list(v2, path, "members")]
                    elif key == "description":
                        raw.description = _scalar(v2, path, "description")
                    else:
                        raise SeedFileError(f"unknown field '{key}' in lineage '{name}'", path=path, line=_line(k2),
                                            hint="valid fields: stages, members, description")
            else:
                raw.stages = self._stages(vnode, path, name)
            self.lineages[name] = raw

    def _stages(self, node: yaml.Node, path: str, name: str) -> list[list[tuple[str, str, int]]]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise SeedFileError(f"lineage '{name}' must be a list of stages", path=path, line=_line(node),
                                hint="e.g. [[dpo], [ipo, kto], [grpo]]")
        stages = []
        for st in node.value:
            if isinstance(st, yaml.SequenceNode) and not st.value:
                raise SeedFileError(f"empty stage in lineage '{name}'", path=path, line=_line(st),
                                    hint="remove the empty [] or name an alias in it")
            stages.append([(a, path, ln) for a, ln in _name_list(st, path, f"a stage of lineage '{name}'")])
        return stages

    # -- finish ------------------------------------------------------------------------------------
    def build(self) -> Catalogue:
        if not self.seeds:
            path, line = self.papers_at or (self.where, None)
            raise SeedFileError("the catalogue has no papers", path=path, line=line,
                                hint="add at least one entry under 'papers:' (alias plus arxiv, doi or title)")
        aliases = list(self.seeds)
        # paper-level tags create or extend lineages (as members)
        for alias, tags in self.seed_tags.items():
            for name, path, line in tags:
                raw = self.lineages.setdefault(name, _RawLineage(name, path, line))
                if alias not in {a for a, _, _ in _flat(raw)}:
                    raw.members.append((alias, path, line))
        lineages: dict[str, Lineage] = {}
        arrows_from: dict[tuple[str, str], tuple[str, str, int]] = {}
        for raw in self.lineages.values():
            seen: dict[str, tuple[str, int]] = {}
            for alias, path, line in _flat(raw):
                if alias not in self.seeds:
                    close = difflib.get_close_matches(alias, aliases, n=3)
                    raise SeedFileError(
                        f"lineage '{raw.name}' names unknown alias '{alias}'", path=path, line=line,
                        hint=(f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "")
                        + "every alias in a lineage must be a paper under 'papers:'")
                if alias in seen:
                    _, l0 = seen[alias]
                    raise SeedFileError(
                        f"alias '{alias}' appears twice in lineage '{raw.name}' (lines {l0} and {line}): "
                        "that would be a cycle",
                        path=path, line=line, hint="a paper sits in one stage of a lineage; remove one of them")
                seen[alias] = (path, line)
            lin = Lineage(raw.name, tuple(tuple(a for a, _, _ in st) for st in raw.stages),
                          tuple(a for a, _, _ in raw.members), raw.description)
            lineages[raw.name] = lin
            for a, b in lin.arrows():
                arrows_from.setdefault((a, b), (raw.name, raw.path, raw.line))
        _check_cross_cycles(lineages, arrows_from, self.where)
        member_of: dict[str, list[str]] = {}
        for n, lin in lineages.items():  # one pass: linear in the catalogue's size
            for a in dict.fromkeys(lin.aliases):
                member_of.setdefault(a, []).append(n)
        seeds: dict[str, Seed] = {}
        for alias, s in self.seeds.items():
            seeds[alias] = replace(s, lineages=tuple(member_of.get(alias, ())))
        return Catalogue(seeds, lineages, self.where)


def _flat(raw: _RawLineage) -> list[tuple[str, str, int]]:
    return [x for st in raw.stages for x in st] + raw.members


def _check_cross_cycles(lineages: dict[str, Lineage], origin: dict[tuple[str, str], tuple[str, str, int]],
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


def _name_list(node: yaml.Node, path: str, what: str) -> list[tuple[str, int]]:
    """A single name or a list of names, each with its line."""
    if isinstance(node, yaml.ScalarNode):
        v = _scalar(node, path, what)
        return [] if v is None else [(v, _line(node))]
    if not isinstance(node, yaml.SequenceNode):
        raise SeedFileError(f"{what} must be a name or a list of names", path=path, line=_line(node))
    out = []
    for item in node.value:
        v = _scalar(item, path, f"an entry of {what}")
        if v is None:
            raise SeedFileError(f"empty entry in {what}", path=path, line=_line(item))
        out.append((v, _line(item)))
    return out


def _as_alias(v: str) -> str | None:
    """``v`` if :func:`graph.core.ids.parse_paper_ref` reads it as an alias (not an id), else None."""
    try:
        return parse_paper_ref(v).alias
    except BadIdError:
        return None


def _id(fn: Any, v: str, path: str, line: int) -> str:
    try:
        return str(fn(v))
    except BadIdError as e:
        raise SeedFileError(e.message, path=path, line=line, hint=e.hint) from None


def _s2(v: str, path: str, line: int) -> str:
    low = v.lower()
    if low.startswith("s2:"):
        low = low[3:]
    if _S2_SHA.match(low):
        return low
    m = re.fullmatch(r"corpusid:(\d+)", low)
    if m:
        return f"CorpusId:{m.group(1)}"
    raise SeedFileError(f"malformed S2 id '{v}'", path=path, line=line,
                        hint="a Semantic Scholar id is 40 hex digits or CorpusId:<number>")


def _slug(text: str, maxlen: int = 40) -> str:
    s = re.sub(r"[^a-z0-9.]+", "-", normalize_title(text).replace(" ", "-") or text.lower()).strip("-.")
    s = s[:maxlen].strip("-.")
    return s or "paper"


def _load_yaml_roots(roots: Iterable[tuple[Path, yaml.Node | None]], where: str, single: bool) -> Catalogue:
    b = _Builder(where)
    for path, root in roots:
        p = str(path)
        if root is None:
            continue
        if isinstance(root, yaml.SequenceNode) and not single and path.name.startswith("papers"):
            b.add_papers(root, p)
            continue
        if not isinstance(root, yaml.MappingNode):
            raise SeedFileError("not a seeds catalogue: expected 'papers:' and 'lineages:' at the top", path=p,
                                line=_line(root), hint="see seeds/README.md for the format")
        items = list(_items(root, p, "the file"))
        keys = {k for k, _, _ in items}
        if not single and path.name.startswith("lineages") and not keys & {"papers", "lineages"}:
            b.add_lineages(root, p)
            continue
        if not keys & {"papers", "lineages"}:
            raise SeedFileError(f"not a seeds catalogue: no 'papers:' or 'lineages:' (found {', '.join(sorted(keys))})",
                                path=p, line=_line(root), hint="see seeds/README.md for the format")
        for key, knode, vnode in items:
            if key == "papers":
                b.papers_at = b.papers_at or (p, _line(knode))
                if not (isinstance(vnode, yaml.ScalarNode) and vnode.tag == _NULL_TAG):
                    b.add_papers(vnode, p)
            elif key == "lineages":
                b.add_lineages(vnode, p)
            else:
                raise SeedFileError(f"unknown top-level key '{key}'", path=p, line=_line(knode),
                                    hint="a seeds file has 'papers:' and 'lineages:'")
    return b.build()


# --------------------------------------------------------------------------------------------------
# BibTeX and text lists: one lineage named after the file.


def _one_lineage(path: Path, seeds: list[Seed], years: list[int | None]) -> Catalogue:
    name = _slug(path.stem) if path.stem else "seeds"
    if not seeds:
        raise SeedFileError("the catalogue has no papers", path=str(path),
                            hint="give one arXiv id, DOI or title a line" if path.suffix != ".bib"
                            else "the file holds no BibTeX entries")
    order = sorted(range(len(seeds)), key=lambda i: (years[i] is None, years[i] or 0, i))
    stages = tuple((seeds[i].alias,) for i in order)
    lin = Lineage(name, stages, (), f"from {path.name}")
    out = {s.alias: replace(s, lineages=(name,)) for s in seeds}
    return Catalogue(out, {name: lin}, str(path))


def _unique(alias: str, taken: set[str]) -> str:
    a, n = alias, 2
    while a in taken:
        a = f"{alias}-{n}"
        n += 1
    taken.add(a)
    return a


def _load_text(path: Path, text: str) -> Catalogue:
    p = str(path)
    seeds: list[Seed] = []
    taken: set[str] = set()
    keys: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        low = line.lower()
        arxiv = doi = s2 = title = None
        idlike = low.startswith(("arxiv:", "doi:", "10.", "http://", "https://", "corpusid:", "s2:")) or bool(
            re.match(r"^\d{4}\.\d", line))
        if idlike:
            if low.startswith(("http://", "https://")) and not re.search(r"arxiv\.org/|doi\.org/", low):
                raise SeedFileError(f"cannot read a paper from the URL '{line}'", path=p, line=n,
                                    hint="give an arXiv id, a DOI or a title per line")
            try:
                ref = parse_paper_ref(line)
            except BadIdError as e:
                raise SeedFileError(e.message, path=p, line=n, hint=e.hint) from None
            arxiv, doi = ref.arxiv_id, ref.doi
            s2 = ref.s2_id or (f"CorpusId:{ref.corpus_id}" if ref.corpus_id else None)
        elif _S2_SHA.match(low):
            s2 = low
        else:
            if len(line) > 300:
                raise SeedFileError(f"line is too long for a title ({len(line)} characters): '{line[:60]}…'",
                                    path=p, line=n, hint="give one arXiv id, DOI or title per line")
            if not normalize_title(line):
                raise SeedFileError(f"cannot read a paper from '{line}'", path=p, line=n,
                                    hint="give one arXiv id, DOI or title per line")
            title = line
        if arxiv:
            base = f"arxiv-{arxiv.replace('/', '-')}"
        elif doi:
            base = "doi-" + re.sub(r"[^a-z0-9.]+", "-", doi).strip("-")
        elif s2:
            base = "s2-" + re.sub(r"[^a-z0-9]+", "-", s2.lower())[:16]
        else:
            base = _slug(" ".join(normalize_title(title).split()[:6]))
        seed = Seed(alias=_unique(base, taken), title=title, arxiv_id=arxiv, doi=doi, s2_id=s2,
                    doc=path.name, source=f"{path.name} line {n}")
        if seed.key in keys:
            raise SeedFileError(f"'{line}' is listed twice (lines {keys[seed.key]} and {n})", path=p, line=n,
                                hint="list each paper once")
        keys[seed.key] = n
        seeds.append(seed)
    return _one_lineage(path, seeds, [None] * len(seeds))


def _bib_clean(v: str) -> str:
    return re.sub(r"\s+", " ", v.replace("{", "").replace("}", "")).strip()


def _load_bib(path: Path, text: str) -> Catalogue:
    import bibtexparser

    p = str(path)
    lib = bibtexparser.parse_string(text)
    if lib.failed_blocks:
        fb = lib.failed_blocks[0]
        line = fb.start_line + 1
        snippet = text.splitlines()[fb.start_line].strip() if fb.start_line < len(text.splitlines()) else ""
        reason = str(getattr(getattr(fb, "error", None), "abort_reason", "") or "").strip()
        raise SeedFileError(f"malformed BibTeX entry: '{snippet[:80]}'" + (f" ({reason})" if reason else ""),
                            path=p, line=line,
                            hint="check braces and the comma after each field")
    seeds: list[Seed] = []
    years: list[int | None] = []
    taken: set[str] = set()
    keys: dict[str, int] = {}
    for e in lib.entries:
        line = e.start_line + 1
        f = {k.lower(): _bib_clean(str(v.value)) for k, v in e.fields_dict.items()}
        arxiv = None
        cand = f.get("eprint") if f.get("archiveprefix", "arxiv").lower() == "arxiv" else None
        cand = cand or f.get("arxiv") or f.get("arxivid")
        if not cand:
            for k in ("journal", "url", "note", "howpublished"):
                m = re.search(r"arxiv(?:\.org/abs/|:|\s+)(\d{4}\.\d{4,5}(?:v\d+)?)", f.get(k, ""), re.I)
                if m:
                    cand = m.group(1)
                    break
        if cand:
            arxiv = _id(normalize_arxiv, cand, p, line)
        doi = _id(normalize_doi, f["doi"], p, line) if f.get("doi") else None
        year = int(f["year"][:4]) if re.match(r"^\d{4}", f.get("year", "")) else None
        title = f.get("title") or None
        if not (arxiv or doi or normalize_title(title)):
            raise SeedFileError(f"BibTeX entry '{e.key}' has no title, eprint or doi", path=p, line=line,
                                hint="add a title = {...} field")
        authors = f.get("author")
        seed = Seed(alias=_unique(_slug(e.key), taken), title=title, arxiv_id=arxiv, doi=doi, year=year,
                    date=str(year) if year else None,
                    org=authors.split(" and ")[0] + (" et al." if " and " in authors else "") if authors else None,
                    url=f.get("url") or None, doc=path.name,
                    source=f"{path.name} line {line} (@{e.entry_type}{{{e.key}}})")
        if seed.key in keys:
            raise SeedFileError(f"BibTeX entry '{e.key}' is the same paper as the entry on line {keys[seed.key]}",
                                path=p, line=line, hint="list each paper once")
        keys[seed.key] = line
        seeds.append(seed)
        years.append(year)
    return _one_lineage(path, seeds, years)


# --------------------------------------------------------------------------------------------------


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue: a folder of YAML, one YAML file, a ``.bib`` or a text list.

    ``None`` loads the built-in ``seeds/`` folder. Raises :class:`SeedFileError` with file, line,
    bad value and fix.
    """
    p = Path(path) if path is not None else default_seeds_path()
    p = p.expanduser()
    if p.is_dir():
        papers = p / "papers.yaml"
        if not papers.exists():
            alt = p / "papers.yml"
            if alt.exists():
                papers = alt
            else:
                raise SeedFileError("the seeds folder has no papers.yaml", path=str(p), hint=_LOCATION_HINT)
        files = [papers]
        for name in ("lineages.yaml", "lineages.yml"):
            if (p / name).exists():
                files.append(p / name)
                break
        log.debug("loading seeds folder %s", p)
        return _load_yaml_roots(((f, _compose(f)) for f in files), str(p), single=False)
    if not p.exists():
        raise SeedFileError("seeds file not found", path=str(p), hint=_LOCATION_HINT)
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _load_yaml_roots([(p, _compose(p))], str(p), single=True)
    text = _read_text(p)
    stripped = text.lstrip()
    if suffix == ".bib" or re.match(r"^(%.*\n\s*)*@\w+\s*[{(]", stripped):
        return _load_bib(p, text)
    if suffix == ".json" or stripped.startswith(("{", "[")) or re.match(r"^(papers|lineages)\s*:", stripped):
        root = _compose(p)
        if root is not None and not isinstance(root, yaml.ScalarNode):
            return _load_yaml_roots([(p, root)], str(p), single=True)
    return _load_text(p, text)
