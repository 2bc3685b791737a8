"""The benchmark of graph.analyse.evaluate on hand-computed graphs, and the ``lineage eval`` shell."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from graph.analyse.ancestors import METHODS, score_candidates
from graph.analyse.evaluate import (
    Case,
    bibliography_cases,
    bootstrap,
    evaluate,
    expected_hits,
    loo_cases,
    run_cases,
    split_of,
)
from graph.core.errors import LineageError


def _biblio() -> nx.DiGraph:
    """q (2020, complete) cites a, b, c, d, e, f; the other papers make a, b, c hideable.

    o1 and o2 (complete, 2019) cite a, b and the seeds d, e; n (2021) cites c; f is cited by q only.
    """
    G = nx.DiGraph()
    years = {"q": 2020, "a": 2015, "b": 2016, "c": 2018, "d": 2017, "e": 2017, "f": 2019, "o1": 2019, "o2": 2019,
             "n": 2021, "late": 2022}
    for k, y in years.items():
        G.add_node(k, year=y)
    G.nodes["q"]["references_status"] = "complete"
    G.add_edges_from([("q", r) for r in "abcdef"])
    G.add_edges_from([("o1", "a"), ("o1", "b"), ("o1", "d"), ("o1", "e"), ("o2", "a"), ("o2", "d"), ("n", "c"),
                      ("n", "late"), ("o1", "late")])
    return G


def test_split_is_a_fixed_hash() -> None:
    keys = [f"arxiv:2301.{i:05d}" for i in range(400)]
    splits = [split_of(k) for k in keys]
    assert splits == [split_of(k) for k in keys]
    assert 150 < splits.count("dev") < 250  # about half
    assert {"dev", "test"} == set(splits)


def test_bibliography_cases_hide_only_cited_and_older_references() -> None:
    G = _biblio()
    (case,) = bibliography_cases(G, split="all", k_hidden=3, min_seeds=3)
    assert case.key == "q" and case.exclude == frozenset({"q"}) and case.until == 2020
    # hideable: cited by another paper and not after 2020: a, b, c, d, e (f is cited by q only)
    assert len(case.hidden) == 3 and set(case.hidden) <= set("abcde")
    assert sorted(case.seeds + case.hidden) == list("abcdef") and "f" in case.seeds
    assert bibliography_cases(G, split="all", k_hidden=4) == []  # 2 references left: fewer than 3 seeds
    # a different draw seed changes which references are hidden but never their eligibility
    for s in range(5):
        (c,) = bibliography_cases(G, split="all", k_hidden=2, seed=s)
        assert set(c.hidden) <= {"a", "b", "c", "d", "e"}


def test_expected_rank_of_ties() -> None:
    assert expected_hits(0, 1) == {"recall@10": 1.0, "recall@20": 1.0, "mrr": 1.0}
    h = expected_hits(5, 10)  # ranks 6..15: 5 of 10 within the top 10
    assert h["recall@10"] == 0.5 and h["recall@20"] == 1.0
    assert h["mrr"] == pytest.approx(sum(1 / r for r in range(6, 16)) / 10)
    big = expected_hits(100, 5000)
    assert big["mrr"] == pytest.approx(sum(1 / r for r in range(101, 5101)) / 5000, rel=1e-6)


def test_run_cases_protocol_one_by_hand() -> None:
    """Seeds d, e, f; q is removed. Top Cited has no voting seed (d, e, f cite nothing): every candidate ties."""
    G = _biblio()
    case = Case("q", seeds=["d", "e", "f"], hidden=["a", "b", "c"], exclude=frozenset({"q"}), until=2020)
    (row,) = run_cases(G, [case], methods=("top_cited", "coupling", "ours"))
    # candidates: not q, not seeds, not newer than 2020 (n, late out), with an edge left: a, b, c, o1, o2
    assert row["candidates"] == 5
    # top_cited: all score 0; each hidden paper ties with the 3 non-hidden candidates (filtered ranks)
    assert row["top_cited"]["gt"] == [(0, 3), (0, 3), (0, 3)]
    assert row["top_cited"]["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    # coupling: o1 cites d, e; o2 cites d. a <- o1, o2; b <- o1; c unreached
    sc = score_candidates(G, ["d", "e", "f"], method="coupling", exclude={"q"})
    assert sc["a"] > sc["b"] > 0 and "c" not in sc
    assert row["coupling"]["gt"][0] == (0, 1)  # a first (o1, o2 are not cited by anyone: unreached)
    assert row["coupling"]["mrr"] > row["top_cited"]["mrr"]


def test_loo_cases_and_hidden_references_are_restored() -> None:
    G = nx.DiGraph([("B", "A"), ("C", "A"), ("B", "g"), ("C", "g"), ("A", "r"), ("x", "g")])
    for n in "ABC":
        G.nodes[n].update(is_seed=True, references_status="complete")
    G.graph["lineages"] = {"L": [["A"], ["B", "C"]]}
    cases = loo_cases(G, lineage="L", split="all")
    assert [c.key for c in cases] == ["A"]
    before = sorted(G.edges())
    rows = run_cases(G, cases, methods=METHODS)
    assert sorted(G.edges()) == before  # the input graph is never changed
    assert rows[0]["ours"]["mrr"] == 1.0
    assert rows[0]["top_cited"]["ranks"] == [1.5]


def test_bootstrap_interval_covers_the_mean() -> None:
    vals = [0.0] * 30 + [1.0] * 10
    iv = bootstrap(vals, reps=500, seed=1)
    assert iv.mean == 0.25 and iv.lo < 0.25 < iv.hi
    se = (0.25 * 0.75 / 40) ** 0.5  # the normal approximation's half-width is 1.96 se = 0.134
    assert abs((iv.hi - iv.lo) / 2 - 1.96 * se) < 0.03
    assert bootstrap([], reps=10).mean == 0.0


def test_evaluate_report_has_every_method_with_intervals() -> None:
    G = _biblio()
    G.add_node("q2", year=2020, references_status="complete")
    rep = evaluate(G, protocol="bibliography", split="all", k_hidden=1, reps=50)
    assert rep.cases >= 1
    d = rep.to_dict()
    assert set(d["methods"]) == set(METHODS)
    for figs in d["methods"].values():
        for k in ("recall@10", "recall@20", "mrr"):
            assert figs[k]["lo"] <= figs[k]["mean"] <= figs[k]["hi"]
    assert set(d["diff_ours_minus"]) == set(METHODS) - {"ours"}
    with pytest.raises(LineageError):
        evaluate(G, protocol="bibliography", split="all", methods=("nope",))
    with pytest.raises(LineageError):
        evaluate(G, protocol="nope", split="all")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# the shell


runner = CliRunner()


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINEAGE_OFFLINE", "1")
    monkeypatch.delenv("LINEAGE_SEEDS", raising=False)


def _eval_app():  # type: ignore[no-untyped-def]
    from graph.cli.evaluate import eval_app

    return eval_app


def test_eval_help() -> None:
    r = runner.invoke(_eval_app(), ["--help"])
    assert r.exit_code == 0 and "--protocol" in r.stdout and "--split" in r.stdout


def test_eval_loo_json_on_one_lineage() -> None:
    r = runner.invoke(_eval_app(), ["--protocol", "loo", "--split", "all", "--lineage", "early-alignment",
                                    "--offline", "--format", "json", "--reps", "50"])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["protocol"] == "loo" and out["cases"] >= 1
    assert set(out["methods"]) == set(METHODS)
    assert out["per_lineage"]["early-alignment"]["cases"] == out["cases"]
    for figs in out["methods"].values():
        assert figs["mrr"]["lo"] <= figs["mrr"]["mean"] <= figs["mrr"]["hi"]


def test_eval_bibliography_table_two_methods() -> None:
    r = runner.invoke(_eval_app(), ["--protocol", "bibliography", "--split", "dev", "--method", "top_cited",
                                    "--method", "cocitation", "--reps", "20"])
    assert r.exit_code == 0, r.stderr
    assert "top_cited" in r.stdout and "cocitation" in r.stdout and "[" in r.stdout


def test_eval_unknown_method_is_one_line() -> None:
    r = runner.invoke(_eval_app(), ["--method", "magic", "--reps", "20"])
    assert r.exit_code != 0
    assert "unknown method 'magic'" in r.stderr and "Traceback" not in r.stderr
