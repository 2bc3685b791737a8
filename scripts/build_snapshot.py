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
from graph.core.identity import (
    UnionFind,
    candidate_pairs,
    is_access_note,
    is_generic_title,
    is_junk_title,
    same_work,
    surname,
    titles_agree,
)
from graph.core.ids import doi_problem, normalize_arxiv, normalize_doi, normalize_title, paper_key
from graph.core.models import Citation, Paper
from graph.store.snapshot import Snapshot, suspected_duplicates, write_snapshot

__all__ = ["Rec", "build", "main", "match_author_year", "surname", "title_token"]

NON_PAPER_KINDS = {
    "how_to_scale_your_model": "book",
    "sutton_barto_rl_intro_2018": "book",
    "linkedin_atlas_wang_why_rlhf": "blog",
}
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$")
DUPLICATE_THRESHOLD = 92.0
"""Title score from which the detector (:func:`graph.store.snapshot.suspected_duplicates`) suspects a pair."""


def title_token(title: str | None) -> str:
    """Normalised title usable for matching, or ``""`` for parse debris and junk (``CoRR``, ``2023``,
    ``Accessed: 2020-12-31``...)."""
    nt = normalize_title(title)
    return "" if is_junk_title(nt) else nt


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

    def __post_init__(self) -> None:
        if not isinstance(self.year, int):
            self.year = None
        self.surname = surname(self.first_author)
        self.junk = is_access_note(normalize_title(self.title))
        """The printed title is an access note ("Accessed: 2020-12-31"): the reference names nothing."""
        self.tkey = self.ntitle
        if self.ntitle and is_generic_title(self.ntitle):
            # "Deep learning" names several works: the title only counts with a second signal
            signal = str(self.year) if self.year is not None else self.surname
            self.tkey = f"{self.ntitle} {signal}" if signal else ""

    def tokens(self) -> list[str]:
        out = []
        if self.arxiv:
            out.append("a:" + self.arxiv)
        if self.doi:
            out.append("d:" + self.doi)
        if self.tkey:
            out.append("t:" + self.tkey)
        return out


def _ids(raw: dict[str, Any], rejected: Counter[str] | None = None) -> tuple[str | None, str | None]:
    """The record's (arXiv id, DOI); a malformed or truncated DOI is dropped and counted in ``rejected``."""
    arxiv = doi = None
    if raw.get("arxiv_id"):
        try:
            arxiv = normalize_arxiv(str(raw["arxiv_id"]))
        except BadIdError:
            arxiv = None
            if rejected is not None:
                rejected["arxiv_malformed"] += 1
    if raw.get("doi"):
        reason = None
        try:
            doi = normalize_doi(str(raw["doi"]))
        except BadIdError:
            reason = "doi_malformed"
        if doi and (m := _ARXIV_DOI.match(doi)):
            try:
                arxiv = arxiv or normalize_arxiv(m.group(1))
                doi = None
            except BadIdError:
                reason = "doi_truncated"
        if doi and doi_problem(doi):
            reason = "doi_truncated"
        if reason:
            doi = None
            if rejected is not None:
                rejected[reason] += 1
    return arxiv, doi


def _load(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in sorted(folder.glob("*.json"))]


def check_id_titles(prim: list[Rec], refs: list[tuple[int, Rec]], rejected: Counter[str]) -> list[dict[str, Any]]:
    """Refuse to merge on an id when the titles printed with it disagree (a misprinted id).

    The id's title is its primary file's title when a seed / citing file holds it, else the title most
    records with that id agree with (:func:`graph.core.identity.titles_agree`; ties go to the first seen).
    A reference whose title disagrees and names a work that other records print *without* this id
    loses the id and follows its title (GPT-1 printed with arXiv 1704.01444, which is "Learning to
    generate reviews and discovering sentiment"); counted in ``rejected`` (``arxiv_title_conflict`` /
    ``doi_title_conflict``). When its title names nothing else (an author list, a garbled line), the
    id stays and the title is not used for matching (``title_distrusted``). Returns the dropped ids.
    """
    holders: dict[str, list[Rec]] = {}
    for r in [*prim, *(r for _, r in refs)]:
        for kind, val in (("arxiv", r.arxiv), ("doi", r.doi)):
            if val:
                holders.setdefault(f"{kind}:{val}", []).append(r)
    titles_without: dict[str, set[str]] = {}  # normalised title -> ids printed with it ("" = none)
    for r in [*prim, *(r for _, r in refs)]:
        if r.ntitle:
            titles_without.setdefault(r.ntitle, set()).update(
                [f"arxiv:{r.arxiv}"] if r.arxiv else [], [f"doi:{r.doi}"] if r.doi else [], [] if r.arxiv or r.doi
                else [""])
    examples: list[dict[str, Any]] = []
    for idk, recs in holders.items():
        titled = [r for r in recs if r.ntitle]
        if len({r.ntitle for r in titled}) < 2:
            continue
        own = next((r.ntitle for r in recs if r.file and r.ntitle), None)
        if own is None:
            counts = Counter(r.ntitle for r in titled)
            order = list(counts)
            own = max(order, key=lambda t: (sum(n for u, n in counts.items() if titles_agree(t, u)), -order.index(t)))
        for r in titled:
            if r.file is not None or titles_agree(r.ntitle, own):
                continue
            if titles_without[r.ntitle] - {idk}:  # the title is known elsewhere, without this id
                kind = idk.split(":", 1)[0]
                rejected[f"{kind}_title_conflict"] += 1
                examples.append({"id": idk, "title": r.title, "id_title": own, "source": r.source})
                if kind == "arxiv":
                    r.arxiv = None
                else:
                    r.doi = None
            else:
                rejected["title_distrusted"] += 1
                r.tkey = ""
    return examples


def merge_variants(comp_recs: dict[str, list[Rec]], uf: UnionFind) -> Counter[str]:
    """Unite components that are one work printed differently (title variants, typos, preprint vs
    published): :func:`graph.core.identity.same_work` on (normalised title, year, first-author surname).
    The union-find guards still hold (two arXiv ids, two raw files). Returns merge counts."""
    entries: list[tuple[str, int | None, str]] = []
    roots: list[str] = []
    for root, recs in comp_recs.items():
        for e in sorted({(r.ntitle, r.year, r.surname) for r in recs if r.ntitle},
                        key=lambda e: (e[0], e[1] or 0, e[2])):
            entries.append(e)
            roots.append(root)
    counts: Counter[str] = Counter()
    for i, j in sorted(candidate_pairs(entries)):
        if roots[i] == roots[j] or not same_work(entries[i], entries[j]):
            continue
        if uf.find(roots[i]) == uf.find(roots[j]):
            continue
        refused = uf.refused
        if uf.union(roots[i], roots[j]):
            counts["merged"] += 1
        elif uf.refused > refused:
            counts["refused"] += 1
    return counts


def _components(prim: list[Rec], refs: list[tuple[int, Rec]], uf: UnionFind) -> dict[str, list[Rec]]:
    comp_recs: dict[str, list[Rec]] = {}
    for p in prim:
        comp_recs.setdefault(uf.find(p.tokens()[0]), []).append(p)
    for _, r in refs:
        if r.tokens():
            comp_recs.setdefault(uf.find(r.tokens()[0]), []).append(r)
    return comp_recs


def build(src: Path) -> tuple[list[Paper], list[Citation], dict[str, Any]]:
    """Read ``src/papers`` and ``src/citing``; return (papers, edges, meta). Deterministic."""
    seeds, citing = _load(src / "papers"), _load(src / "citing")
    rejected: Counter[str] = Counter()
    prim: list[Rec] = []
    for role, files in (("seed", seeds), ("citing", citing)):
        for stem, d in files:
            arxiv, doi = _ids(d, rejected)
            msrc = [str(s) for s in d.get("metadata_sources") or []]
            prim.append(Rec(arxiv, doi, title_token(d.get("title")), d.get("title"), d.get("year"),
                            (d.get("authors") or [None])[0], d.get("venue"), "; ".join(msrc) or None,
                            d.get("gathered"), file=stem, role=role, raw=d))
    # references: (citing primary index, Rec)
    refs: list[tuple[int, Rec]] = []
    for i, p in enumerate(prim):
        for r in p.raw.get("references") or []:
            arxiv, doi = _ids(r, rejected)
            refs.append((i, Rec(arxiv, doi, title_token(r.get("title")), r.get("title"), r.get("year"),
                                r.get("first_author"), r.get("venue"), r.get("source"), p.raw.get("gathered"),
                                raw=r)))
    conflicts = check_id_titles(prim, refs, rejected)

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
    for _, r in refs:
        toks = r.tokens()
        for t in toks:
            uf.add(t, arxiv=t[2:] if t.startswith("a:") else None)
        for t in toks[1:]:
            uf.union(toks[0], t)
    id_refused = uf.refused
    fuzzy = merge_variants(_components(prim, refs, uf), uf)
    comp_recs = _components(prim, refs, uf)  # one per future node

    ay, ay_target = match_author_year(prim, refs, comp_recs, uf)

    node_key: dict[str, str] = {}
    papers: dict[str, Paper] = {}
    aliases: dict[str, str] = {}
    merged = variants = 0
    for root, recs in comp_recs.items():
        pi = uf.primary.get(root)
        toks = {t for r in recs for t in r.tokens()}
        if len(toks) > max(len(r.tokens()) for r in recs):
            merged += 1  # no single record carries every id: records were bridged (e.g. DOI + arXiv)
        if len({r.ntitle for r in recs if r.ntitle}) > 1:
            variants += 1
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
            cited = node_key[uf.find(ay_target[n])]
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
    n_junk = sum(1 for _, r in refs if r.junk)
    n_junk_lost = sum(1 for _, r in refs if r.junk and not r.tokens())
    n_ay = sum(1 for _, r in refs if not r.tokens() and not r.junk)
    generic = [r for _, r in refs if r.ntitle and is_generic_title(r.ntitle)]
    out_papers = sorted(papers.values(), key=lambda p: p.paper_id)
    out_edges = sorted(edges.values(), key=lambda e: (e.citing, e.cited))
    dup = suspected_duplicates(Snapshot({p.paper_id: p for p in out_papers}, [], {}), threshold=DUPLICATE_THRESHOLD)
    dup_nodes = len({k for a, b, _ in dup for k in (a, b)})
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
        "identity": {
            "rejected_ids": {**{k: v for k, v in sorted(rejected.items()) if k != "title_distrusted"},
                             "total": sum(v for k, v in rejected.items() if k != "title_distrusted")},
            "titles_distrusted": rejected["title_distrusted"],
            "id_title_conflicts": sorted(conflicts, key=lambda c: (c["id"], str(c["title"]))),
            "access_notes": n_junk,
            "generic_titles": {"references": len(generic), "by_year": sum(1 for r in generic if r.year is not None),
                               "by_author": sum(1 for r in generic if r.year is None and r.surname),
                               "no_signal": sum(1 for r in generic if not r.tkey)},
            "merges": {"ids_bridged": merged, "title_variant_nodes": variants, "fuzzy_unions": fuzzy["merged"],
                       "fuzzy_unions_refused": fuzzy["refused"], "id_unions_refused": id_refused},
            "suspected_duplicates": {"pairs": len(dup), "nodes": dup_nodes,
                                     "share_of_nodes": round(dup_nodes / max(len(papers), 1), 5),
                                     "threshold": DUPLICATE_THRESHOLD},
        },
        "completeness": completeness,
        "completeness_counts": dict(sorted(Counter(c["status"] for c in completeness.values()).items())),
        "citing_completeness_counts": dict(sorted(Counter(
            p.raw.get("references_status") for p in prim if p.role == "citing").items())),
        "author_year": {"references": n_ay, "matched": ay["matched"], "unmatched": n_ay - ay["matched"],
                        "ambiguous": ay["ambiguous"], "no_candidate": ay["no_candidate"],
                        "no_name_or_year": ay["no_name_or_year"]},
        "unmatched": {"references_without_node": n_ay - ay["matched"] + n_junk_lost,
                      "author_year_ambiguous": ay["ambiguous"], "author_year_no_candidate": ay["no_candidate"],
                      "no_title_no_id_no_year": ay["no_name_or_year"], "access_note": n_junk_lost},
        "aliases": dict(sorted(aliases.items())),
    }
    return out_papers, out_edges, meta


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
        if r.tokens() or r.junk:
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
    arxivs = Counter(r.arxiv for r in recs if r.arxiv)
    dois = Counter(r.doi for r in recs if r.doi)
    arxiv = arxivs.most_common(1)[0][0] if arxivs else None
    doi = dois.most_common(1)[0][0] if dois else None
    clean = [r for r in recs if r.ntitle]
    if not clean:  # only junk titles ("Accessed: 2024-04-19. [96] ..."): the node, held by its id, has none
        rep = recs[0]
    elif len({r.ntitle for r in clean}) == 1:
        rep = clean[0]
    else:  # title variants were merged: the title printed beside the node's id, else the most common one
        with_id = [r for r in clean if (arxiv and r.arxiv == arxiv) or (not arxiv and doi and r.doi == doi)]
        top = Counter(r.ntitle for r in with_id or clean).most_common(1)[0][0]
        rep = next(r for r in with_id or clean if r.ntitle == top)
    return Paper(
        paper_id=paper_key(arxiv_id=arxiv, doi=doi, title=rep.tkey or rep.title),
        title=rep.title if rep.ntitle else None, year=rep.year,
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
