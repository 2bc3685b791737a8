"""Every ``lineage`` command, in-process through typer's CliRunner, offline on the snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from graph.present.export import graph_from_json

runner = CliRunner()


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_OFFLINE", "1")
    monkeypatch.delenv("LINEAGE_SEEDS", raising=False)
    monkeypatch.delenv("S2_API_KEY", raising=False)


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


COMMANDS = [
    [], ["seeds"], ["lineages"], ["show"], ["expand"], ["ancestors"], ["frontier"], ["check"], ["path"],
    ["order"], ["eval"], ["eval", "ancestors"], ["export"], ["snapshot"], ["snapshot", "info"],
    ["snapshot", "refresh"], ["cache"], ["cache", "clear"], ["cache", "info"],
]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_help(cmd: list[str]) -> None:
    code, out, _ = run(*cmd, "--help")
    assert code == 0
    assert "Usage" in out


def test_seeds_json_lists_every_seed() -> None:
    code, out, _ = run("seeds", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 74
    dpo = next(r for r in rows if r["alias"] == "dpo")
    assert dpo["arxiv_id"] == "2305.18290"
    assert dpo["year"] == 2023
    assert "preference-optimization" in dpo["lineages"]
    assert {"alias", "title", "arxiv_id", "doi", "year", "section", "lineages"} <= set(dpo)


def test_seeds_table_and_lineages() -> None:
    code, out, _ = run("seeds")
    assert code == 0 and "dpo" in out
    code, out, _ = run("lineages", "--format", "json")
    lins = {r["name"]: r for r in json.loads(out)}
    assert lins["preference-optimization"]["stages"] == [["dpo"], ["ipo", "kto", "orpo"], ["grpo"], ["gspo", "dr-grpo"]]
    assert lins["user-sequence-modeling"]["stages"] == [["din"], ["sim"], ["transact"]]


def test_show_accepts_alias_and_ids() -> None:
    for ref in ("dpo", "2305.18290", "arXiv:2305.18290"):
        code, out, err = run("show", ref, "--format", "json", "--offline")
        assert code == 0, err
        d = json.loads(out)
        assert d["paper_id"] == "arxiv:2305.18290"
        assert d["references_status"] == "complete"
    code, out, _ = run("show", "DOI:10.1145/2959100.2959190", "--format", "json")
    assert code == 0 and json.loads(out)["alias"] == "youtube-dnn"


def test_expand_ends_with_counts_and_writes_json(tmp_path: Path) -> None:
    out_file = tmp_path / "g.json"
    code, out, err = run("expand", "--lineage", "preference-optimization", "--offline", "--out", str(out_file))
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    assert last.startswith("nodes=") and "requests=0" in last and "cache_hits=" in last
    n = int(last.split()[0].split("=")[1])
    G = graph_from_json(out_file.read_text())
    assert G.number_of_nodes() == n


def test_expand_max_nodes_and_direction() -> None:
    code, out, _ = run("expand", "--lineage", "attention", "--direction", "references", "--max-nodes", "20")
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("nodes=20 ")


def test_ancestors_json_shape_and_completeness_note() -> None:
    code, out, err = run("ancestors", "--lineage", "preference-optimization", "--top", "5", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 5
    keys = {"paper_id", "title", "year", "arxiv_id", "doi", "score", "explanation", "cited_by", "lineages"}
    assert keys <= set(rows[0])
    assert "reference lists of the 7 seeds" in err
    assert any("dpo" in r["cited_by"] for r in rows)
    # InstructGPT is in the catalogue (early-alignment): never reported as missing
    assert all(r["paper_id"] != "arxiv:2203.02155" for r in rows)


def test_frontier_json() -> None:
    code, out, _ = run("frontier", "--lineage", "preference-optimization", "--since", "2025", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(r["year"] >= 2025 for r in rows)
    assert all(len(r["cites"]) >= 2 for r in rows)


def test_check_json_has_a_verdict_per_arrow() -> None:
    code, out, _ = run("check", "--lineage", "preference-optimization", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 1 * 3 + 3 * 1 + 1 * 2
    assert {r["verdict"] for r in rows} <= {"direct", "path", "none"}
    dpo_kto = next(r for r in rows if r["from"] == "dpo" and r["to"] == "kto")
    assert dpo_kto["verdict"] == "direct"


def test_path_and_order() -> None:
    code, out, _ = run("path", "kto", "dpo", "--format", "json")
    assert code == 0
    steps = json.loads(out)
    assert steps[0]["alias"] == "kto" and steps[-1]["alias"] == "dpo"
    code, out, _ = run("order", "--lineage", "attention", "--format", "json")
    assert code == 0
    aliases = [r["alias"] for r in json.loads(out) if r["alias"]]
    assert aliases.index("transformer") < aliases.index("bert")


def test_eval_ancestors_json() -> None:
    code, out, _ = run("eval", "ancestors", "--format", "json")
    assert code == 0
    res = json.loads(out)
    assert res["cases"] > 0
    for m in ("ours", "baseline"):
        assert set(res[m]) == {"recall@5", "recall@10", "mrr"}


def test_snapshot_info() -> None:
    code, out, _ = run("snapshot", "info", "--format", "json")
    assert code == 0
    info = json.loads(out)
    assert info["papers"] > 1000 and info["edges"] > 1000
    po = next(r for r in info["lineages"] if r["lineage"] == "preference-optimization")
    assert po["complete"] == 7


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["ancestors", "--lineage", "preference-optimisation"], "did you mean 'preference-optimization'"),
        (["order", "--lineage", "nope"], "unknown lineage 'nope'"),
        (["show", "no-such-paper"], "unknown paper 'no-such-paper'"),
        (["show", "arXiv:23x5"], "malformed arXiv id"),
        (["show", "DOI:11.1/x"], "malformed DOI"),
        (["path", "dpo", "zzz"], "unknown paper 'zzz'"),
        (["seeds", "--seeds", "/nonexistent/seeds.yaml"], "/nonexistent/seeds.yaml"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], needle: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err + out
    assert len([ln for ln in err.splitlines() if ln.startswith("error:")]) == 1


def test_seeds_option_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "mine.txt"
    f.write_text("2305.18290\n2402.01306\n", encoding="utf-8")
    code, out, _ = run("seeds", "--format", "json", "--seeds", str(f))
    assert code == 0 and len(json.loads(out)) == 2
    monkeypatch.setenv("LINEAGE_SEEDS", str(f))
    code, out, _ = run("lineages", "--format", "json")
    assert [r["name"] for r in json.loads(out)] == ["mine"]
    code, out, _ = run("expand", "--offline")
    assert code == 0 and out.strip().splitlines()[-1].startswith("nodes=")


def test_malformed_seed_file_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("papers:\n  - {alias: dpo, arxiv: '2305.18290'}\n  - {alias: dpo, arxiv: '2402.01306'}\n",
                 encoding="utf-8")
    code, _, err = run("seeds", "--seeds", str(f))
    assert code == 2
    assert "bad.yaml:3" in err and "dpo" in err


def test_cache_clear_and_info(tmp_path: Path) -> None:
    code, out, _ = run("cache", "info", "--format", "json")
    assert code == 0 and json.loads(out)["papers"] == 0
    code, _, err = run("cache", "clear")
    assert code == 0 and "cleared" in err


def test_corrupt_cache_gives_one_clear_message(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "cache.sqlite3"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"this is not a database" * 100)
    code, out, err = run("expand", "--lineage", "attention")
    assert code == 1
    assert str(cache) in err and "lineage cache clear" in err
    assert "Traceback" not in err + out
    code, _, _ = run("cache", "clear")
    assert code == 0
    code, _, _ = run("expand", "--lineage", "attention")
    assert code == 0


def test_snapshot_refresh_offline_is_a_clear_error() -> None:
    code, _, err = run("snapshot", "refresh", "--out", "/tmp/never-written")
    assert code == 1
    assert "unreachable" in err and not Path("/tmp/never-written").exists()


def test_export_writes_all_seven_formats_for_a_lineage(tmp_path: Path) -> None:
    import csv
    import io

    import bibtexparser
    import networkx as nx

    n_nodes = None
    for fmt in ("json", "html", "graphml", "gexf", "bibtex", "ris", "csv"):
        out = tmp_path / f"po.{fmt}"
        code, _, err = run("export", "--format", fmt, "--lineage", "preference-optimization", "-o", str(out))
        assert code == 0, err
        assert out.stat().st_size > 0
        text = out.read_text(encoding="utf-8")
        if fmt == "json":
            G = graph_from_json(text)
            n_nodes = G.number_of_nodes()
            assert G.nodes["arxiv:2305.18290"]["alias"] == "dpo"
        elif fmt == "graphml":
            assert nx.read_graphml(out).number_of_nodes() == n_nodes
        elif fmt == "gexf":
            assert nx.read_gexf(out).number_of_nodes() == n_nodes
        elif fmt == "bibtex":
            assert len(bibtexparser.parse_string(text).entries) == n_nodes
        elif fmt == "ris":
            assert text.count("\nER  -") + text.startswith("ER  -") == n_nodes
        elif fmt == "csv":
            assert len(list(csv.DictReader(io.StringIO(text)))) == n_nodes
        elif fmt == "html":
            assert "https://cdn" not in text and "<script src=" not in text


def test_export_around_a_paper_and_top_ancestors(tmp_path: Path) -> None:
    out = tmp_path / "dpo.json"
    code, _, err = run("export", "-f", "json", "--lineage", "preference-optimization", "--around", "dpo",
                       "--radius", "1", "-o", str(out))
    assert code == 0, err
    G = graph_from_json(out.read_text())
    assert "arxiv:2305.18290" in G
    assert all(n == "arxiv:2305.18290" or G.has_edge(n, "arxiv:2305.18290") or G.has_edge("arxiv:2305.18290", n)
               for n in G)
    out2 = tmp_path / "top.json"
    code, _, _ = run("export", "-f", "json", "--lineage", "preference-optimization", "--ancestors", "5",
                     "-o", str(out2))
    H = graph_from_json(out2.read_text())
    seeds = [n for n, d in H.nodes(data=True) if d.get("is_seed")]
    assert code == 0 and H.number_of_nodes() <= len(seeds) + 5


def test_unreachable_api_gives_one_notice_and_works_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.delenv("LINEAGE_OFFLINE")
    monkeypatch.setenv("S2_API_URL", f"http://127.0.0.1:{port}/graph/v1")
    code, out, err = run("ancestors", "--lineage", "user-sequence-modeling", "--top", "3", "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)) == 3
    assert [ln for ln in err.splitlines() if "unreachable" in ln] == [
        f"notice: Semantic Scholar is unreachable at http://127.0.0.1:{port}/graph/v1: "
        "working offline on the snapshot and cache."
    ]
    assert "reference lists of the 4 seeds of user-sequence-modeling" in err  # members (bst) count too
