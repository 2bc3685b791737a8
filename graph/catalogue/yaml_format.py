"""The YAML catalogue: a folder with ``papers.yaml`` + ``lineages.yaml``, or one file with both.

The composed node tree is walked (not the loaded dict) so that every value keeps its line for
:class:`graph.core.errors.SeedFileError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from graph.catalogue.common import parse_id, parse_s2, read_text, slug
from graph.catalogue.model import ALIAS_RE, KINDS, Appearance, Catalogue, Lineage, Seed, check_cross_cycles
from graph.core.errors import BadIdError, SeedFileError
from graph.core.ids import normalize_arxiv, normalize_doi, normalize_title, parse_paper_ref

__all__ = ["compose", "load_yaml_roots"]

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_NULL_TAG = "tag:yaml.org,2002:null"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser keeps line marks too


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


def compose(path: Path) -> yaml.Node | None:
    text = read_text(path)
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
                if not ALIAS_RE.match(v) or _as_alias(v) is None:
                    raise SeedFileError(f"bad alias '{v}'", path=path, line=vline,
                                        hint=f"use lower-case letters, digits, '-', '_' or '.', e.g. '{slug(v)}'")
                alias = v
            elif attr == "kind":
                if v not in KINDS:
                    raise SeedFileError(f"unknown kind '{v}'", path=path, line=vline,
                                        hint="kind is one of: " + ", ".join(KINDS))
                vals["kind"] = v
            elif attr == "arxiv_id":
                vals["arxiv_id"] = parse_id(normalize_arxiv, v, path, vline)
            elif attr == "doi":
                vals["doi"] = parse_id(normalize_doi, v, path, vline)
            elif attr == "s2_id":
                vals["s2_id"] = parse_s2(v, path, vline)
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
            if not ALIAS_RE.match(name):
                raise SeedFileError(f"bad lineage name '{name}'", path=path, line=_line(knode),
                                    hint=f"use lower-case letters, digits, '-', '_' or '.', e.g. '{slug(name)}'")
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
        check_cross_cycles(lineages, arrows_from, self.where)
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



def load_yaml_roots(roots: Iterable[tuple[Path, yaml.Node | None]], where: str, single: bool) -> Catalogue:
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

