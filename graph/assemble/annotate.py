"""Annotation of a built graph: seeds, aliases, sections, lineages, roles, completeness, lineage tags."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import networkx as nx

from graph.assemble.contract import add_paper, seed_paper
from graph.assemble.dedup import merge_duplicates
from graph.core.ids import normalize_title

if TYPE_CHECKING:
    from graph.catalogue.load import Catalogue, Seed

__all__ = ["annotate"]

log = logging.getLogger(__name__)


def _sections(seed: Seed) -> list[str]:
    secs = getattr(seed, "sections", None)
    if secs:
        return [x for x in secs if x]
    return [seed.section] if seed.section else []


def _mark_other_seeds(G: nx.DiGraph, catalogue: Catalogue, selected: set[str]) -> None:
    """Papers of the catalogue that the expansion reached without starting from them are seeds too:
    the list already has them, so they are never reported as missing."""
    by_id: dict[tuple[str, str], str] = {}
    for n, d in G.nodes(data=True):
        if d.get("arxiv_id"):
            by_id[("a", d["arxiv_id"])] = n
        if d.get("doi"):
            by_id[("d", str(d["doi"]).lower())] = n
        t = normalize_title(d.get("title"))
        if len(t) >= 12:
            by_id.setdefault(("t", t), n)
    for alias, s in catalogue.seeds.items():
        if alias in selected:
            continue
        n = (
            (s.arxiv_id and by_id.get(("a", s.arxiv_id)))
            or (s.doi and by_id.get(("d", s.doi.lower())))
            or by_id.get(("t", normalize_title(s.title)))
        )
        if not n or G.nodes[n].get("is_seed"):
            continue
        d = G.nodes[n]
        d["is_seed"] = True
        d["alias"] = alias
        d["sections"] = sorted({*d.get("sections", []), *_sections(s)})
        d["lineages"] = {name: 1.0 for name in s.lineages}


def annotate(G: nx.DiGraph, catalogue: Catalogue, seeds: Sequence[Seed]) -> None:
    """Seeds, lineages, sections, roles and completeness; then lineage tags for everyone."""
    seed_keys: dict[str, str] = G.graph["seed_keys"]
    for s in seeds:
        k = seed_keys[s.alias]
        if k not in G:
            add_paper(G, seed_paper(s))
        d = G.nodes[k]
        d["is_seed"] = True
        d["alias"] = s.alias
        d["sections"] = sorted({*d.get("sections", []), *_sections(s)})
        d["lineages"] = {name: 1.0 for name in s.lineages}
        if s.title and not d.get("title"):
            d["title"] = s.title
        if s.kind and s.kind != "paper":
            d["kind"] = s.kind
    _mark_other_seeds(G, catalogue, {s.alias for s in seeds})
    removed = merge_duplicates(G)
    if removed:
        log.info("merged %d duplicate nodes", removed)
    # keys may have moved during the merge: re-find seeds by alias
    alias_to_key = {d["alias"]: n for n, d in G.nodes(data=True) if d.get("is_seed") and d.get("alias")}
    G.graph["seed_keys"] = alias_to_key
    selected = {s.alias for s in seeds}
    G.graph["lineages"] = {
        name: [[alias_to_key[a] for a in stage if a in alias_to_key] for stage in lin.stages]
        for name, lin in catalogue.lineages.items()
        if any(a in selected for a in lin.aliases)
    }
    G.graph["lineage_members"] = {
        name: [alias_to_key[a] for a in lin.members if a in alias_to_key]
        for name, lin in catalogue.lineages.items()
        if name in G.graph["lineages"]
    }
    G.graph["completeness"] = {alias_to_key[a]: G.nodes[alias_to_key[a]].get("references_status") for a in alias_to_key}
    from graph.assemble.lineage import assign_roles, tag_lineages

    assign_roles(G)
    tag_lineages(G, G.graph["lineages"], members=G.graph["lineage_members"])
