"""Build the embedded offline snapshot ``seeds/snapshot/`` from the gathered raw data.

Usage::

    python scripts/build_snapshot.py --src ../shared/data --out seeds/snapshot

Input: ``<src>/papers/*.json`` (seed papers) and ``<src>/citing/*.json`` (non-seed papers that cite a
seed); both hold metadata plus a reference list (``references_status`` complete / partial /
none_found, ``metadata_sources``, ``references_sources``, ``gathered``).

Output (see ``docs/snapshot.md``): ``papers.jsonl``, ``edges.jsonl``, ``meta.json``, written by
:func:`graph.store.snapshot.write_snapshot`. Facts carry over; nothing is invented:

1. Every seed / citing file is a *primary* record; every reference a *reference* record.
2. Records are merged by union-find over their identifier tokens: arXiv id, DOI (an arXiv DOI
   ``10.48550/arXiv.X`` counts as arXiv id X) and normalised title (:func:`graph.core.ids.normalize_title`,
   equal strings only; parse debris such as ``CoRR`` or ``2023`` is no title). A union is refused
   when it would put two different arXiv ids, or two different primary files, into one node (a
   mis-parsed id must not glue two papers together; the reference then follows its id).
3. References with no title and no id ("author-year", e.g. ``Rafailov 2023``) are matched by
   first-author surname and year (exact, else +-1) only when the data knows exactly one such work
   (see :func:`match_author_year`); otherwise they stay unmatched, become no node, and are counted.
4. A primary file keeps its own key (``paper_key`` of its own ids), so seed keys equal the
   catalogue's; a reference-only node is keyed by ``paper_key`` of its ids (arXiv first). Ids that a
   node holds but does not carry in its fields are listed in ``meta.json`` ``aliases``.
5. No self-loops; one edge per (citing, cited) pair (the first reference's source is kept).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.core.errors import BadIdError
from graph.core.ids import UnionFind, normalize_arxiv, normalize_doi, normalize_title, paper_key
from graph.core.models import Citation, Paper
from graph.store.snapshot import write_snapshot

NON_PAPER_KINDS = {
    "how_to_scale_your_model": "book",
    "sutton_barto_rl_intro_2018": "book",
    "linkedin_atlas_wang_why_rlhf": "blog",
}
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$")
# Parse debris seen in the raw reference titles: not titles, so they must not tie records together.
JUNK_TITLES = frozenset({"arxiv", "arxiv preprint", "corr", "pmlr", "personal communication", "preprint",
                         "technical report", "tech rep", "in", "online", "url", "blog", "github"})
_WORD = re.compile(r"[a-z]{3,}")


def title_token(title: str | None) -> str:
    """Normalised title usable for matching, or ``""`` for parse debris (``CoRR``, ``2023``...)."""
    nt = normalize_title(title)
    if nt in JUNK_TITLES or not _WORD.search(nt):
        return ""
    return nt


@dataclass
class Rec:
    """One record (a seed / citing file, or one reference inside one)."""

    arxiv: str | None
    doi: str | None
    ntitle: str
    title: str | None
    year: int | None
    first_author: str | None
    venue: str | None
    source: str | None
    fetched_at: str | None
    file: str | None = None  # set for primary records: the raw file's stem
    role: str = "ref"  # seed / citing / ref
    raw: dict[str, Any] = field(default_factory=dict)

    def tokens(self) -> list[str]:
        out = []
        if self.arxiv:
            out.append("a:" + self.arxiv)
        if self.doi:
            out.append("d:" + self.doi)
        if self.ntitle:
            out.append("t:" + self.ntitle)
        return out


def _ids(raw: dict[str, Any]) -> tuple[str | None, str | None]:
    arxiv = doi = None
    if raw.get("arxiv_id"):
        try:
            arxiv = normalize_arxiv(str(raw["arxiv_id"]))
        except BadIdError:
            arxiv = None
    if raw.get("doi"):
        try:
            doi = normalize_doi(str(raw["doi"]))
        except BadIdError:
            doi = None
    if doi and (m := _ARXIV_DOI.match(doi)):
        try:
            arxiv = arxiv or normalize_arxiv(m.group(1))
            doi = None
        except BadIdError:
            pass
    return arxiv, doi


def surname(name: str | None) -> str:
    """Normalised last name: ``'Rami Al-Rfou'`` and ``'Al-Rfou'`` -> ``'rfou'``; ``'Sutton, R.'`` -> ``'sutton'``."""
    if not name:
        return ""
    if "," in name:
        name = name.split(",", 1)[0]
    parts = normalize_title(name).split()
    return parts[-1] if parts else ""


def _load(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in sorted(folder.glob("*.json"))]


def build(src: Path) -> tuple[list[Paper], list[Citation], dict[str, Any]]:
    """Read ``src/papers`` and ``src/citing``; return (papers, edges, meta). Deterministic."""
    seeds, citing = _load(src / "papers"), _load(src / "citing")
    prim: list[Rec] = []
    for role, files in (("seed", seeds), ("citing", citing)):
        for stem, d in files:
            arxiv, doi = _ids(d)
            msrc = [str(s) for s in d.get("metadata_sources") or []]
            prim.append(Rec(arxiv, doi, title_token(d.get("title")), d.get("title"), d.get("year"),
                            (d.get("authors") or [None])[0], d.get("venue"), "; ".join(msrc) or None,
                            d.get("gathered"), file=stem, role=role, raw=d))
    uf = UnionFind()
    for i, p in enumerate(prim):
        toks = p.tokens()
        for t in toks:
            uf.add(t, arxiv=t[2:] if t.startswith("a:") else None)
        root = uf.find(toks[0])
        if uf.primary.get(root, i) != i:
            raise SystemExit(f"two raw files describe one paper: {p.file} and {prim[uf.primary[root]].file}")
        uf.primary[root] = i
        for t in toks[1:]:
            uf.union(toks[0], t)

    # references: (citing primary index, Rec)
    refs: list[tuple[int, Rec]] = []
    for i, p in enumerate(prim):
        for r in p.raw.get("references") or []:
            arxiv, doi = _ids(r)
            refs.append((i, Rec(arxiv, doi, title_token(r.get("title")), r.get("title"), r.get("year"),
                                r.get("first_author"), r.get("venue"), r.get("source"), p.raw.get("gathered"),
                                raw=r)))
    for _, r in refs:
        toks = r.tokens()
        for t in toks:
            uf.add(t, arxiv=t[2:] if t.startswith("a:") else None)
        for t in toks[1:]:
            uf.union(toks[0], t)

    # components (one per future node)
    comp_recs: dict[str, list[Rec]] = {}
    for p in prim:
        comp_recs.setdefault(uf.find(p.tokens()[0]), []).append(p)
    for _, r in refs:
        if r.tokens():
            comp_recs.setdefault(uf.find(r.tokens()[0]), []).append(r)

    ay, ay_target = match_author_year(prim, refs, comp_recs, uf)

    node_key: dict[str, str] = {}
    papers: dict[str, Paper] = {}
    aliases: dict[str, str] = {}
    merged = 0
    for root, recs in comp_recs.items():
        pi = uf.primary.get(root)
        toks = {t for r in recs for t in r.tokens()}
        if len(toks) > max(len(r.tokens()) for r in recs):
            merged += 1  # no single record carries every id: records were bridged (e.g. DOI + arXiv)
        paper = _primary_paper(prim[pi]) if pi is not None else _ref_paper(recs)
        if paper.paper_id in papers:
            raise SystemExit(f"key collision: {paper.paper_id}")
        papers[paper.paper_id] = paper
        node_key[root] = paper.paper_id
        for t in sorted(toks):
            kind, val = t[0], t[2:]
            if kind == "a" and val != paper.arxiv_id:
                aliases[f"arxiv:{val}"] = paper.paper_id
            elif kind == "d" and val != paper.doi:
                aliases[f"doi:{val}"] = paper.paper_id

    # edges
    edges: dict[tuple[str, str], Citation] = {}
    by_match: Counter[str] = Counter()
    self_loops = dupes = 0
    for n, (ci, r) in enumerate(refs):
        toks = r.tokens()
        if toks:
            cited = node_key[uf.find(toks[0])]
            match = "arxiv" if r.arxiv else "doi" if r.doi else "title"
        elif n in ay_target:
            cited = node_key[ay_target[n]]
            match = "author-year"
        else:
            continue
        citing_key = node_key[uf.find(prim[ci].tokens()[0])]
        if cited == citing_key:
            self_loops += 1
            continue
        if (citing_key, cited) in edges:
            dupes += 1
            continue
        edges[(citing_key, cited)] = Citation(citing_key, cited, None, r.source, r.fetched_at, {"match": match})
        by_match[match] += 1

    completeness = {
        node_key[uf.find(p.tokens()[0])]: {
            "file": p.file, "status": p.raw.get("references_status"),
            "n_references": len(p.raw.get("references") or []),
        } for p in prim if p.role == "seed"
    }
    sources = sorted({str(s) for p in prim for s in [*(p.raw.get("metadata_sources") or []),
                                                       *(p.raw.get("references_sources") or [])]})
    n_refs = len(refs)
    n_ay = sum(1 for _, r in refs if not r.tokens())
    meta: dict[str, Any] = {
        "built_at": max((str(p.fetched_at) for p in prim if p.fetched_at), default=None),
        "built_by": "scripts/build_snapshot.py",
        "inputs": {"papers/": len(seeds), "citing/": len(citing)},
        "sources": sources,
        "counts": {
            "papers": len(papers), "edges": len(edges), "seeds": len(seeds), "citing_papers": len(citing),
            "referenced_only": len(papers) - len(prim), "references": n_refs,
            "edges_by_match": dict(sorted(by_match.items())), "self_loops_dropped": self_loops,
            "duplicate_edges_dropped": dupes, "merged_nodes": merged, "unions_refused": uf.refused,
        },
        "completeness": completeness,
        "completeness_counts": dict(sorted(Counter(c["status"] for c in completeness.values()).items())),
        "citing_completeness_counts": dict(sorted(Counter(
            p.raw.get("references_status") for p in prim if p.role == "citing").items())),
        "author_year": {"references": n_ay, "matched": ay["matched"], "unmatched": n_ay - ay["matched"],
                        "ambiguous": ay["ambiguous"], "no_candidate": ay["no_candidate"],
                        "no_name_or_year": ay["no_name_or_year"]},
        "unmatched": {"references_without_node": n_ay - ay["matched"],
                      "author_year_ambiguous": ay["ambiguous"], "author_year_no_candidate": ay["no_candidate"],
                      "no_title_no_id_no_year": ay["no_name_or_year"]},
        "aliases": dict(sorted(aliases.items())),
    }
    return sorted(papers.values(), key=lambda p: p.paper_id), sorted(edges.values(), key=lambda e: (
        e.citing, e.cited)), meta


def match_author_year(prim: list[Rec], refs: list[tuple[int, Rec]], comp_recs: dict[str, list[Rec]],
                      uf: UnionFind) -> tuple[Counter[str], dict[int, str]]:
    """Tie references without title and ids (``Rafailov 2023``) to a node, conservatively.

    The candidates are the *known works* (nodes) one of whose records has that first-author surname
    and that year (exact year first; ``+-1`` only when no work has the exact year); the citing paper
    itself is never a candidate. One candidate -> matched. Several -> the seed among them wins only
    when it is the only seed and every other candidate is a reference-only work cited once in the
    whole data (a lone, possibly garbled mention); otherwise the reference stays unmatched
    ("ambiguous"). Returns (counts, {reference index: component root}).
    """
    seed_roots = {uf.find(p.tokens()[0]) for p in prim if p.role == "seed"}
    prim_roots = {uf.find(p.tokens()[0]) for p in prim}
    works: dict[tuple[str, int], set[str]] = {}
    for root, recs in comp_recs.items():
        for r in recs:
            if (s := surname(r.first_author)) and isinstance(r.year, int):
                works.setdefault((s, r.year), set()).add(root)
    counts: Counter[str] = Counter()
    target: dict[int, str] = {}
    for n, (ci, r) in enumerate(refs):
        if r.tokens():
            continue
        s = surname(r.first_author)
        if not s or not isinstance(r.year, int):
            counts["no_name_or_year"] += 1
            continue
        self_root = uf.find(prim[ci].tokens()[0])
        cands: set[str] = set()
        for years in ((r.year,), (r.year - 1, r.year + 1)):
            cands = {c for y in years for c in works.get((s, y), ()) if c != self_root}
            if cands:
                break
        if len(cands) > 1:
            seeds = cands & seed_roots
            others = cands - seeds
            if len(seeds) == 1 and all(c not in prim_roots and len(comp_recs[c]) == 1 for c in others):
                cands = seeds
        if len(cands) == 1:
            counts["matched"] += 1
            target[n] = next(iter(cands))
        elif cands:
            counts["ambiguous"] += 1
        else:
            counts["no_candidate"] += 1
    return counts, target


def _primary_paper(p: Rec) -> Paper:
    d = p.raw
    status = d.get("references_status")
    n = len(d.get("references") or [])
    return Paper(
        paper_id=paper_key(arxiv_id=p.arxiv, doi=p.doi, title=p.title),
        title=p.title, year=p.year if isinstance(p.year, int) else None,
        authors=tuple(str(a) for a in d.get("authors") or []), venue=p.venue,
        arxiv_id=p.arxiv, doi=p.doi, publication_date=d.get("publication_date"),
        reference_count=n if status == "complete" else None,
        kind=NON_PAPER_KINDS.get(p.file or "", "paper"), references_status=status,
        source=p.source, fetched_at=p.fetched_at,
    )


def _ref_paper(recs: list[Rec]) -> Paper:
    rep = next((r for r in recs if r.title), recs[0])
    arxivs = Counter(r.arxiv for r in recs if r.arxiv)
    dois = Counter(r.doi for r in recs if r.doi)
    arxiv = arxivs.most_common(1)[0][0] if arxivs else None
    doi = dois.most_common(1)[0][0] if dois else None
    return Paper(
        paper_id=paper_key(arxiv_id=arxiv, doi=doi, title=rep.title),
        title=rep.title, year=rep.year if isinstance(rep.year, int) else None,
        authors=(str(rep.first_author),) if rep.first_author else (), venue=rep.venue,
        arxiv_id=arxiv, doi=doi, source=rep.source, fetched_at=rep.fetched_at,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=Path("../shared/data"), help="folder holding papers/ and citing/")
    ap.add_argument("--out", type=Path, default=Path("seeds/snapshot"), help="output folder")
    args = ap.parse_args(argv)
    if not (args.src / "papers").is_dir():
        print(f"error: {args.src / 'papers'} not found (give --src the folder holding papers/ and citing/)",
              file=sys.stderr)
        return 2
    papers, edges, meta = build(args.src)
    write_snapshot(papers, edges, meta, args.out)
    c, ay = meta["counts"], meta["author_year"]
    print(f"papers: {c['papers']} (seeds {c['seeds']}, citing {c['citing_papers']}, "
          f"referenced only {c['referenced_only']})")
    print(f"edges: {c['edges']} by match {c['edges_by_match']} "
          f"(self-loops dropped {c['self_loops_dropped']}, duplicates dropped {c['duplicate_edges_dropped']})")
    print(f"seeds by completeness: {meta['completeness_counts']}")
    print(f"merged nodes: {c['merged_nodes']}; unions refused: {c['unions_refused']}")
    print(f"author-year references: {ay['references']}: matched {ay['matched']}, unmatched {ay['unmatched']} "
          f"(ambiguous {ay['ambiguous']}, no candidate {ay['no_candidate']}, no name/year {ay['no_name_or_year']})")
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file())
    print(f"written to {args.out} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
