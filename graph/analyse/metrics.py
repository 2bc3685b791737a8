"""Metrics of the benchmark: the dev/test split, expected ranks of ties, bootstrap intervals, the report.

See :mod:`graph.analyse.evaluate` for the protocols.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "METRICS",
    "EvalReport",
    "Interval",
    "bootstrap",
    "expected_hits",
    "split_of",
    "summarise",
]

METRICS: tuple[str, ...] = ("recall@10", "recall@20", "mrr")


def split_of(key: str) -> str:
    """``dev`` or ``test``: the first hex digit of the key's SHA-1 below 8 is dev.

    >>> split_of("arxiv:2305.18290"), hashlib.sha1(b"arxiv:2305.18290").hexdigest()[0]
    ('test', 'b')
    """
    return "dev" if int(hashlib.sha1(key.encode()).hexdigest()[0], 16) < 8 else "test"


def _harmonic(n: int) -> float:
    if n <= 0:
        return 0.0
    if n < 64:
        return sum(1.0 / i for i in range(1, n + 1))
    return math.log(n) + 0.5772156649015329 + 1 / (2 * n) - 1 / (12 * n * n)


def expected_hits(g: int, t: int, ks: Sequence[int] = (10, 20)) -> dict[str, float]:
    """Expected recall@k and reciprocal rank of a target with ``g`` candidates above and ``t`` tied.

    Examples
    --------
    Alone at rank 3; tied with 3 others right after 8 better ones (ranks 9–12 equally likely).

    >>> h = expected_hits(2, 1); h["recall@10"], h["recall@20"], round(h["mrr"], 6)
    (1.0, 1.0, 0.333333)
    >>> h = expected_hits(8, 4); h["recall@10"], round(h["mrr"], 6) == round((1/9 + 1/10 + 1/11 + 1/12) / 4, 6)
    (0.5, True)
    """
    out = {f"recall@{k}": min(1.0, max(0.0, (k - g) / t)) for k in ks}
    out["mrr"] = (_harmonic(g + t) - _harmonic(g)) / t
    return out


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap 95 % interval."""

    mean: float
    lo: float
    hi: float

    def to_dict(self) -> dict[str, float]:
        """``{"mean", "lo", "hi"}`` rounded to 4 places."""
        return {"mean": round(self.mean, 4), "lo": round(self.lo, 4), "hi": round(self.hi, 4)}

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.lo:.3f}, {self.hi:.3f}]"



@dataclass
class EvalReport:
    """Figures of every method on one protocol and split."""

    protocol: str
    split: str
    cases: int
    targets: int
    k_hidden: int
    methods: dict[str, dict[str, Interval]]
    """Method → metric → interval."""
    diff: dict[str, dict[str, Interval]]
    """Method → metric → interval of ``ours − method`` (paired bootstrap)."""
    per_lineage: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Lineage → ``{"cases", "methods": {method: {metric: mean}}}`` (where a lineage has cases)."""
    per_case: list[dict[str, Any]] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (per-case rows included)."""
        return {
            "protocol": self.protocol, "split": self.split, "cases": self.cases, "targets": self.targets,
            "k_hidden": self.k_hidden, "weights": dict(self.weights),
            "methods": {m: {k: v.to_dict() for k, v in d.items()} for m, d in self.methods.items()},
            "diff_ours_minus": {m: {k: v.to_dict() for k, v in d.items()} for m, d in self.diff.items()},
            "per_lineage": self.per_lineage, "per_case": self.per_case,
        }


def bootstrap(values: Sequence[float], *, reps: int = 1000, seed: int = 0,
              idx: Sequence[Sequence[int]] | None = None) -> Interval:
    """Mean and percentile 95 % interval of the mean over ``reps`` resamples (or the given ``idx``).

    >>> iv = bootstrap([1.0, 1.0, 1.0]); (iv.mean, iv.lo, iv.hi)
    (1.0, 1.0, 1.0)
    >>> iv = bootstrap([0.0, 1.0] * 50); iv.lo < 0.5 < iv.hi
    True
    """
    n = len(values)
    if n == 0:
        return Interval(0.0, 0.0, 0.0)
    if idx is None:
        idx = _resamples(n, reps, seed)
    means = sorted(sum(values[i] for i in ix) / n for ix in idx)
    lo = means[int(0.025 * (len(means) - 1))]
    hi = means[math.ceil(0.975 * (len(means) - 1))]
    return Interval(sum(values) / n, lo, hi)


def _resamples(n: int, reps: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randrange(n) for _ in range(n)] for _ in range(reps)]


def summarise(rows: Sequence[dict[str, Any]], methods: Sequence[str], *, protocol: str, split: str,
              k_hidden: int, reps: int = 1000, seed: int = 0, weights: Mapping[str, float] | None = None,
              reference: str = "ours") -> EvalReport:
    """Aggregate :func:`run_cases` rows into an :class:`EvalReport` with paired bootstrap intervals."""
    idx = _resamples(len(rows), reps, seed)
    figs: dict[str, dict[str, Interval]] = {}
    diff: dict[str, dict[str, Interval]] = {}
    for m in methods:
        figs[m] = {k: bootstrap([r[m][k] for r in rows], idx=idx) for k in METRICS}
    if reference in methods:
        for m in methods:
            if m == reference:
                continue
            diff[m] = {k: bootstrap([r[reference][k] - r[m][k] for r in rows], idx=idx) for k in METRICS}
    per_lineage: dict[str, dict[str, Any]] = {}
    for lin in sorted({r["lineage"] for r in rows if r.get("lineage")}):
        sub = [r for r in rows if r.get("lineage") == lin]
        per_lineage[lin] = {"cases": len(sub), "methods": {
            m: {k: round(sum(r[m][k] for r in sub) / len(sub), 4) for k in METRICS} for m in methods}}
    return EvalReport(protocol=protocol, split=split, cases=len(rows), targets=sum(len(r["hidden"]) for r in rows),
                      k_hidden=k_hidden, methods=figs, diff=diff, per_lineage=per_lineage, per_case=list(rows),
                      weights=dict(weights or {}))
