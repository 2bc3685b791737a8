"""Synthetic graphs that follow the graph contract (docs/architecture.md, "The graph").

Used by the render/export tests and by the benchmarks:

- :func:`synthetic_graph` — a citation DAG of any size with power-law in-degrees, every attribute filled;
- :func:`xss_graph` — a small graph whose text fields carry every string of ``tests/data/xss/corpus.txt``.

Both are deterministic (same arguments, same graph).
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import networkx as nx

__all__ = ["LINEAGE_NAMES", "XSS_CORPUS", "load_xss_corpus", "synthetic_graph", "xss_graph"]

XSS_CORPUS = Path(__file__).parent / "data" / "xss" / "corpus.txt"
LINEAGE_NAMES = ("transformers", "rlhf", "diffusion", "graph-nets", "deep-rl")

_WORDS = (
    "attention", "learning", "deep", "neural", "networks", "language", "models", "scaling", "laws",
    "reinforcement", "policy", "gradient", "diffusion", "denoising", "score", "matching", "graph",
    "convolution", "transformer", "pretraining", "alignment", "preference", "optimization", "reward",
    "human", "feedback", "generative", "adversarial", "variational", "inference", "representation",
    "contrastive", "self", "supervised", "vision", "retrieval", "memory", "sparse", "mixture", "experts",
    "efficient", "fast", "robust", "theory", "analysis", "benchmark", ").split(",
)
_SURNAMES = ("Smith", "Zhang", "Müller", "García", "Kim", "Nakamura", "Okafor", "Rossi", "Ivanova", "Dubois")
_GIVEN = ("A.", "B.", "C.", "D.", "E.", "F.", "G.", "H.", "J.", "K.")
_VENUES = ("NeurIPS", "ICML", "ICLR", "ACL", "CVPR", "JMLR", "Nature", "arXiv", None)
_KINDS = ("paper",) * 18 + ("book", "blog")
_STATUSES = ("complete", "partial", "none_found", None)


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def synthetic_graph(n: int, seed: int = 0) -> nx.DiGraph:
    """A citation DAG with ``n`` nodes, ~2.4 edges per node, power-law in-degrees.

    Years span 1990–2025 (skewed towards recent years, ~1 % undated); an edge ``u → v`` always has
    ``year(u) > year(v)`` when both are dated. 3–5 lineages (depending on ``seed``), ~2 % seeds, every
    node attribute of the contract is present.

    Examples
    --------
    >>> G = synthetic_graph(200)
    >>> G.number_of_nodes(), nx.is_directed_acyclic_graph(G)
    (200, True)
    >>> all(G.nodes[u]["year"] > G.nodes[v]["year"] for u, v in G.edges
    ...     if G.nodes[u]["year"] and G.nodes[v]["year"])
    True
    >>> synthetic_graph(50, seed=3).edges == synthetic_graph(50, seed=3).edges
    True
    """
    rng = random.Random(seed)
    lineage_names = list(LINEAGE_NAMES[: 3 + seed % 3])
    years: list[int | None] = sorted(1990 + int(35.999 * rng.random() ** 0.55) for _ in range(n))
    keys: list[str] = []
    G = nx.DiGraph()
    n_seeds = max(1, round(n * 0.02))
    seed_idx = set(rng.sample(range(n), min(n_seeds, n)))
    for i, year in enumerate(years):
        assert year is not None
        has_arxiv = year >= 2007 and rng.random() < 0.7
        arxiv_id = f"{year % 100:02d}{rng.randint(1, 12):02d}.{i % 100000:05d}" if has_arxiv else None
        doi = f"10.{5000 + seed}/synth.{i}" if (not has_arxiv or rng.random() < 0.5) else None
        key = f"arxiv:{arxiv_id}" if arxiv_id else f"doi:{doi}"
        keys.append(key)
        title_words = rng.sample(_WORDS, rng.randint(3, 9))
        title = " ".join(title_words).capitalize()
        authors = [f"{rng.choice(_GIVEN)} {rng.choice(_SURNAMES)}" for _ in range(rng.randint(1, 5))]
        main = rng.choice(lineage_names)
        lineages: dict[str, float] = {}
        if i in seed_idx:
            lineages[main] = 1.0
        elif rng.random() < 0.9:
            lineages[main] = round(rng.uniform(0.4, 1.0), 3)
            if rng.random() < 0.3:
                other = rng.choice(lineage_names)
                if other != main:
                    lineages[other] = round(rng.uniform(0.05, lineages[main]), 3)
        s2 = _sha(f"{seed}:{i}")
        dated: int | None = None if rng.random() < 0.01 else year
        G.add_node(
            key,
            title=title,
            authors=authors,
            year=dated,
            venue=rng.choice(_VENUES),
            abstract=f"We study {title.lower()}. " + " ".join(rng.choices(_WORDS, k=40)) + ".",
            tldr=f"{title} in one sentence." if rng.random() < 0.6 else None,
            arxiv_id=arxiv_id,
            doi=doi,
            s2_id=s2,
            url=f"https://www.semanticscholar.org/paper/{s2}",
            citation_count=None,
            influential_citation_count=None,
            kind=rng.choice(_KINDS),
            references_status=rng.choice(_STATUSES),
            is_seed=i in seed_idx,
            alias=f"seed-{i}" if i in seed_idx else None,
            role="seed" if i in seed_idx else "other",
            lineages=lineages,
            sections=[main.replace("-", " ").title()],
            source="synthetic",
            fetched_at="2026-11-01T00:00:00Z",
        )
    # Preferential attachment: `pool` holds each older node once plus once per citation it received.
    pool: list[int] = []
    ptr = 0
    p_stop = 1 / 2.4
    for i, year in enumerate(years):
        while ptr < i and years[ptr] < year:  # type: ignore[operator]
            pool.append(ptr)
            ptr += 1
        if not pool:
            continue
        k = 1
        while rng.random() > p_stop and k < 30:
            k += 1
        chosen = {rng.choice(pool) for _ in range(k)}
        for j in chosen:
            G.add_edge(keys[i], keys[j], is_influential=rng.random() < 0.1, source="synthetic",
                       fetched_at="2026-11-01T00:00:00Z", match=rng.choice(("arxiv", "doi", "title", "s2")))
            pool.append(j)
    seeds = [keys[i] for i in sorted(seed_idx)]
    for s in seeds:
        for v in G.successors(s):
            if not G.nodes[v]["is_seed"]:
                G.nodes[v]["role"] = "ancestor"
        for u in G.predecessors(s):
            if not G.nodes[u]["is_seed"] and G.nodes[u]["role"] == "other":
                G.nodes[u]["role"] = "descendant"
    for key in keys:
        d = G.nodes[key]
        d["citation_count"] = G.in_degree(key) * 3 + rng.randint(0, 20)
        d["influential_citation_count"] = d["citation_count"] // 10
    by_lineage: dict[str, list[str]] = {name: [] for name in lineage_names}
    for s in seeds:
        by_lineage[max(G.nodes[s]["lineages"], key=G.nodes[s]["lineages"].get)].append(s)
    G.graph.update(
        lineages={name: [members[i : i + 2] for i in range(0, len(members), 2)]
                  for name, members in by_lineage.items()},
        completeness={s: G.nodes[s]["references_status"] for s in seeds},
        built_from="synthetic",
        requests=0,
        cache_hits=0,
    )
    return G


def load_xss_corpus() -> list[str]:
    """Every hostile string of ``tests/data/xss/corpus.txt`` (one a line; U+2028 stays inside a line)."""
    text = XSS_CORPUS.read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip()]


def xss_graph() -> nx.DiGraph:
    """A small graph whose titles, abstracts, authors, venues (and a few ids/keys) are XSS payloads.

    Node ``xss:0`` … ``xss:N-1`` carry corpus line *i*; ``xss:href`` has a title containing ``href``
    (the pyvis innerHTML trigger); a node key itself is a ``</script>`` breakout; one lineage name is
    an ``<img onerror>`` payload; ``url`` / ``arxiv_id`` / ``doi`` hold ``javascript:`` and quote-breaking
    values that must never become links.

    Examples
    --------
    >>> G = xss_graph()
    >>> G.number_of_nodes() == len(load_xss_corpus()) + 3
    True
    """
    corpus = load_xss_corpus()
    bad_lineage = "<img src=x onerror=window.__xss++>"
    G = nx.DiGraph()
    keys: list[str] = []
    for i, text in enumerate(corpus):
        key = f"xss:{i}"
        keys.append(key)
        G.add_node(
            key,
            title=text,
            authors=[text, "Normal Author"],
            year=2000 + i % 25,
            venue=text,
            abstract=f"{text} — abstract {i}",
            tldr=text,
            arxiv_id="javascript:alert(1)" if i % 3 == 0 else None,
            doi=f'10.1234/"><img src=x onerror=window.__xss++>{i}' if i % 3 == 1 else None,
            s2_id=text if i % 3 == 2 else None,
            url="javascript:window.__xss++;alert(1)" if i % 2 == 0 else f"https://example.org/{i}?q=<b>",
            citation_count=i,
            influential_citation_count=None,
            kind="paper",
            references_status="complete",
            is_seed=i == 0,
            alias=text if i == 0 else None,
            role="seed" if i == 0 else ("ancestor" if i % 2 else "descendant"),
            lineages={bad_lineage: 1.0} if i % 2 == 0 else {"normal": 0.5, bad_lineage: 0.2},
            sections=[text],
            source=text,
            fetched_at="2026-11-01T00:00:00Z",
        )
    extra = {
        "xss:href": "Click <a href='javascript:window.__xss++'>href</a> here",
        "title:</script><img src=x onerror=window.__xss++>": "</script><script>window.__xss++</script>",
        "xss:plain": "A perfectly normal paper title",
    }
    for key, title in extra.items():
        G.add_node(key, **{**G.nodes[keys[1]], "title": title, "alias": None, "is_seed": False, "role": "other"})
        keys.append(key)
    for a, b in zip(keys[1:], keys[:-1], strict=True):
        G.add_edge(a, b, is_influential=None, source="<script>window.__xss++</script>", fetched_at="x",
                   match="title")
    G.graph.update(lineages={bad_lineage: [[keys[0]]], "normal": [[keys[1]]]}, completeness={}, built_from="synthetic",
                   requests=0, cache_hits=0)
    return G
