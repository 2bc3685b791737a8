"""Choose the weights of the ``ours`` ancestor score on the DEV split of protocol 1 (never on test).

For every dev case (graph.analyse.evaluate.bibliography_cases) the evidence terms of every reached
candidate are computed once; a grid of weights is then scored with the same expected-rank metrics as
``lineage eval``. Prints the grid's best settings by MRR and recall@20 (480 settings: 4 co-citation forms x
specificity 0-1 x direct weight x cites-seeds weight x smoothing), then every setting.

    python bench/tune_ancestors.py            # dev split only
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections import defaultdict

import _common  # noqa: F401  (puts the repo on sys.path)
import numpy as np


def features(G, case):
    from graph.analyse.scores import _indeg

    ex = case.exclude
    seeds = [s for s in case.seeds if s in G]
    sset = set(seeds)
    succ, pred = G._succ, G._pred
    F = defaultdict(lambda: np.zeros(7))
    for s in seeds:
        for c in succ[s]:
            if c not in sset and c not in ex:
                F[c][0] += 1.0  # direct
    strength_sqrt: dict[str, float] = defaultdict(float)
    strength_log: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for s in seeds:
        cs = _indeg(G, s, ex)
        for p in pred[s]:
            if p in ex:
                continue
            strength_sqrt[p] += 1 / math.sqrt(cs)
            strength_log[p] += 1 / math.log(2 + cs)
            count[p] += 1
            if p not in sset:
                F[p][5] += 1  # cites seeds
    for p in count:
        refs = succ[p]
        lr = math.log(2 + len(refs))
        for c in refs:
            if c not in sset and c not in ex:
                f = F[c]
                f[1] += strength_sqrt[p]
                f[2] += strength_log[p]
                f[3] += strength_log[p] / lr
                f[4] += 1
    keys = list(F)
    X = np.array([F[c] for c in keys]) if keys else np.zeros((0, 7))
    for i, c in enumerate(keys):
        X[i, 6] = max(_indeg(G, c, ex), 1)
    return keys, X


def metrics(scores, keys, case, n_cand, ok_mask):
    idx = {c: i for i, c in enumerate(keys)}
    hidden = case.hidden
    hid_idx = [idx.get(h) for h in hidden]
    mask = ok_mask.copy()
    for i in hid_idx:
        if i is not None:
            mask[i] = False
    sc = scores[mask]
    out = np.zeros(3)
    for i in hid_idx:
        st = scores[i] if i is not None else 0.0
        above = int((sc > st).sum())
        if st > 0:
            tied = int((sc == st).sum()) + 1
        else:
            tied = (n_cand - (len(hidden) - 1)) - int((sc > 0).sum())
        tied = max(tied, 1)
        from graph.analyse.evaluate import expected_hits
        h = expected_hits(above, tied)
        out += [h["recall@10"], h["recall@20"], h["mrr"]]
    return out / len(hidden)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev", choices=["dev"])
    args = ap.parse_args()
    from graph.analyse.ancestors import background_graph
    from graph.analyse.evaluate import bibliography_cases
    from graph.store.snapshot import load_snapshot

    G = background_graph(load_snapshot(None))
    cases = bibliography_cases(G, split=args.split)
    t = time.time()
    data = []
    for case in cases:
        keys, X = features(G, case)
        ex, until = case.exclude, case.until
        sset = set(case.seeds)

        def ok(c, sset=sset, ex=ex, until=until):
            if c in sset or c in ex:
                return False
            y = G.nodes[c].get("year")
            return not (y is not None and y > until)

        n_cand = sum(1 for c in G if ok(c) and (any(v not in ex for v in G._succ[c]) or
                                                 any(v not in ex for v in G._pred[c])))
        ok_mask = np.array([ok(c) for c in keys], dtype=bool)
        data.append((case, keys, X, n_cand, ok_mask))
    print(f"features of {len(cases)} dev cases in {time.time() - t:.1f} s")
    grid = list(itertools.product((1, 2, 3, 4), (0.0, 0.25, 0.5, 0.75, 1.0), (0.5, 1.0, 2.0, 4.0),
                                  (0.0, 0.5), (0, 5, 10)))
    res = []
    for fam, beta, a_direct, a_cites, m in grid:
        tot = np.zeros(3)
        for case, keys, X, n_cand, ok_mask in data:
            if not len(keys):
                continue
            s = (X[:, fam] + a_direct * X[:, 0] + a_cites * X[:, 5]) / (X[:, 6] + m) ** beta
            tot += metrics(s, keys, case, n_cand, ok_mask)
        tot /= len(data)
        res.append((tot, (fam, beta, a_direct, a_cites, m)))
    names = {1: "Σ cit(s)^-0.5", 2: "Σ 1/ln(2+cit s)", 3: "Σ 1/ln(2+cit s)/ln(2+refs p)", 4: "count"}
    print("| cocite family | specificity β | direct | cites seeds | smoothing | R@10 | R@20 | MRR |")
    print("|---|---|---|---|---|---|---|---|")
    seen = set()
    for key in (lambda r: -r[0][2], lambda r: -r[0][1]):
        for tot, cfg in sorted(res, key=key)[:15]:
            if cfg in seen:
                continue
            seen.add(cfg)
            fam, beta, a_d, a_c, m = cfg
            print(f"| {names[fam]} | {beta} | {a_d} | {a_c} | {m} | {tot[0]:.3f} | {tot[1]:.3f} | {tot[2]:.3f} |")
    print("all settings:")
    for tot, cfg in res:
        print(cfg, " ".join(f"{x:.3f}" for x in tot))


if __name__ == "__main__":
    main()
