"""Bad input: one line naming the value and the fix (non-zero exit where fatal); non-fatal problems are
listed and the rest proceeds; large and odd input (10,000 seeds, 10k-character titles, non-Latin titles,
empty abstracts) through build_graph, render/export and the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.assemble.expand import build_graph
from graph.catalogue.load import load_catalogue
from graph.cli import app
from graph.core.models import MAX_TITLE, Paper
from graph.present.export import FORMATS, export_graph
from graph.present.render import render_html
from tests.fakes.s2_server import FakeS2
from tests.test_faults import empty_snapshot, fast_settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).parent / "data" / "seeds"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_OFFLINE", "1")
    monkeypatch.setenv("LINEAGE_RATE", "1000")
    for k in ("LINEAGE_SEEDS", "S2_API_KEY", "S2_API_URL"):
        monkeypatch.delenv(k, raising=False)
    return tmp_path


# ----------------------------------------------------------------------------- seed files: fatal, exit 2

SEED_ERRORS = {
    "bad_yaml.yaml": ("bad_yaml.yaml:4", "malformed YAML", "check the indentation"),
    "bad_duplicate.yaml": ("bad_duplicate.yaml:4", "duplicate alias 'dpo'", "rename or remove"),
    "bad_unknown_alias.yaml": ("bad_unknown_alias.yaml:7", "unknown alias 'ktoo'", "did you mean 'kto'"),
    "bad_cycle_in_lineage.yaml": ("bad_cycle_in_lineage.yaml:8", "cycle", "remove one"),
    "bad_cycle_across.yaml": ("bad_cycle_across.yaml:6", "dpo -> kto -> grpo -> dpo", "move one"),
    "bad_empty.yaml": ("bad_empty.yaml", "no papers", "add at least one"),
    "bad_arxiv.yaml": ("bad_arxiv.yaml:3", "'2402.0130x'", "looks like 2305.18290"),
    "bad_doi.yaml": ("bad_doi.yaml:4", "'11.1145/2959100'", "a DOI looks like"),
}


@pytest.mark.parametrize("name", list(SEED_ERRORS))
@pytest.mark.parametrize("cmd", [["seeds"], ["expand", "--quiet"]])
def test_bad_seed_file_is_one_line_exit_2(name: str, cmd: list[str], env: Path) -> None:
    code, out, err = run(*cmd, "--seeds", str(SEEDS / name))
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for part in SEED_ERRORS[name]:
        assert part in lines[0]
    assert out == "" and "Traceback" not in err


def test_missing_seed_file_is_one_line(env: Path) -> None:
    code, _, err = run("seeds", "--seeds", str(env / "nope.yaml"))
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "nope.yaml" in err and "Traceback" not in err


# ----------------------------------------------------------------------------- lookups


def test_unknown_lineage_did_you_mean(env: Path) -> None:
    code, _, err = run("expand", "--lineage", "preference-optimisation", "--quiet")
    assert code == 2
    assert err.count("\n") == 1
    assert "unknown lineage 'preference-optimisation'" in err and "did you mean 'preference-optimization'" in err


@pytest.mark.parametrize(
    ("ref", "words"),
    [("DOI:notadoi", ["malformed DOI 'DOI:notadoi'", "looks like"]), ("2305.1829999", ["'2305.1829999'", "alias"])],
)
def test_bad_paper_reference(ref: str, words: list[str], env: Path) -> None:
    code, _, err = run("show", ref)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    for w in words:
        assert w in err


def test_unknown_paper_is_listed_and_the_rest_expands(
    fake_s2: FakeS2, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dpo = Paper("arxiv:2305.18290", title="Direct Preference Optimization", year=2023, arxiv_id="2305.18290")
    ref = Paper("arxiv:2203.02155", title="Training language models to follow instructions", arxiv_id="2203.02155")
    from graph.core.models import Citation

    fake_s2.add_models([dpo, ref], [Citation(dpo.key, ref.key)])
    seeds = env / "s.yaml"
    seeds.write_text(
        "papers:\n  - {alias: dpo, arxiv: '2305.18290'}\n  - {alias: ghost, arxiv: '2101.99999'}\n"
        "lineages:\n  mine: [[dpo], [ghost]]\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("LINEAGE_OFFLINE")
    monkeypatch.setenv("S2_API_URL", fake_s2.url)
    monkeypatch.setenv("LINEAGE_SNAPSHOT", str(Path(__file__).parent / "data" / "empty_snapshot"))
    code, out, err = run("expand", "--quiet", "--seeds", str(seeds))
    assert code == 0, err
    assert "warning: 'ghost' (arXiv:2101.99999) is unresolved" in err
    assert out.startswith("nodes=3 edges=1 ")  # dpo, its reference, and the unresolved seed as a bare node


# ----------------------------------------------------------------------------- odd titles and abstracts

LONG = "Scaling " * 1250  # 10,000 characters
ODD = [
    Paper("arxiv:2401.00001", title=LONG.strip(), year=2024, arxiv_id="2401.00001", abstract=""),
    Paper("arxiv:2401.00002", title="注意力就是你所需要的一切：中文标题", year=2024, arxiv_id="2401.00002"),
    Paper("arxiv:2401.00003", title="Внимание — это всё, что вам нужно", year=2023, arxiv_id="2401.00003"),
    Paper("arxiv:2401.00004", title="الانتباه هو كل ما تحتاجه 🚀 <script>alert(1)</script>", arxiv_id="2401.00004"),
    Paper("arxiv:2401.00005", title="", year=2022, arxiv_id="2401.00005", abstract="   "),
]


def test_odd_titles_through_build_graph_render_export_and_cli(
    fake_s2: FakeS2, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.core.models import Citation

    fake_s2.add_models(ODD, [Citation(ODD[i].key, ODD[i + 1].key) for i in range(len(ODD) - 1)])
    seeds = env / "odd.yaml"
    seeds.write_text(
        "papers:\n"
        + "".join(f"  - {{alias: p{i}, arxiv: '{p.arxiv_id}'}}\n" for i, p in enumerate(ODD))
        + "lineages:\n  odd: [[p0], [p1, p2], [p3], [p4]]\n",
        encoding="utf-8",
    )
    cat = load_catalogue(seeds)
    G = build_graph(cat, settings=fast_settings(fake_s2.url, env / "c"), snapshot=empty_snapshot(), offline=False)
    assert G.number_of_nodes() == 5 and G.number_of_edges() == 4
    assert len(G.nodes["arxiv:2401.00001"]["title"]) == MAX_TITLE  # capped
    assert G.nodes["arxiv:2401.00002"]["title"] == ODD[1].title
    assert G.nodes["arxiv:2401.00001"]["abstract"] is None  # empty abstract -> unknown
    html = render_html(G, title="odd")
    assert ODD[1].title in html and "<script>alert(1)</script>" not in html
    for fmt in FORMATS:
        out = export_graph(G, fmt)
        text = out.decode("utf-8") if isinstance(out, bytes) else out
        if fmt != "html":
            assert "注意力" in text or "\\u6ce8" in text, fmt
    # the CLI, online, with an export
    monkeypatch.delenv("LINEAGE_OFFLINE")
    monkeypatch.setenv("S2_API_URL", fake_s2.url)
    code, out, err = run("expand", "--quiet", "--seeds", str(seeds), "--out", str(env / "g.json"))
    assert code == 0, err
    assert out.startswith("nodes=5 edges=4")
    d = json.loads((env / "g.json").read_text(encoding="utf-8"))
    assert {n["title"] for n in d["nodes"]} >= {ODD[1].title, ODD[2].title}


# ----------------------------------------------------------------------------- 10,000 seeds

BIG_SCRIPT = r"""
import resource, sys
from graph.cli import app
from graph.catalogue.load import load_catalogue
load_catalogue(sys.argv[1])  # warm the YAML parser; the catalogue itself is loaded again by the CLI
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    app(["expand", "--depth", "0", "--seeds", sys.argv[1]], standalone_mode=False)
finally:
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"RSS_KB {before} {after}\n")
"""

N_BIG = 10_000


def test_ten_thousand_seeds_bounded_memory_and_progress(fake_s2: FakeS2, tmp_path: Path) -> None:
    ids = [f"24{1 + i // 90000:02d}.{10000 + i % 90000:05d}" for i in range(N_BIG)]
    papers = [
        Paper(f"arxiv:{a}", title=f"Synthetic paper number {i}", year=2024, arxiv_id=a) for i, a in enumerate(ids)
    ]
    fake_s2.add_models(papers)
    seeds = tmp_path / "big.yaml"
    # 10,000 papers; a small lineage (a lineage of all 10,000 is quadratic in graph/seeds.py: see
    # docs/reliability.md)
    seeds.write_text(
        "papers:\n"
        + "".join(f"  - {{alias: p{i}, arxiv: '{a}'}}\n" for i, a in enumerate(ids))
        + "lineages:\n  pair: [[p0], [p1]]\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINEAGE_", "S2_"))}
    env.update(S2_API_URL=fake_s2.url, LINEAGE_CACHE_DIR=str(tmp_path / "c"), LINEAGE_RATE="1000", PYTHONPATH=str(ROOT))
    r = subprocess.run(
        [sys.executable, "-c", BIG_SCRIPT, str(seeds)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith(f"nodes={N_BIG} edges=0 "), r.stdout
    # said beforehand (500 ids a batch call), then a progress bar (stderr is not a terminal: its final state)
    assert f"will fetch {N_BIG // 500} batch calls: about 1 s at 1000 requests/s" in r.stderr
    assert re.search(rf"resolve .* {N_BIG}/{N_BIG}", r.stderr), r.stderr
    before, after = map(int, r.stderr.split("RSS_KB ")[1].split())
    growth_mb = (after - before) / 1024
    assert growth_mb < 250, f"peak RSS grew by {growth_mb:.0f} MB for {N_BIG} seeds"
    assert fake_s2.counts["batch"] == N_BIG // 500  # 500 ids a batch


def test_non_latin_titles_keep_their_own_keys() -> None:
    from graph.core.ids import normalize_title, paper_key

    assert paper_key(title="Attention 注意力") != paper_key(title="Attention 自注意")
    assert normalize_title("注意力就是你所需要的一切") == "注意力就是你所需要的一切"
    assert normalize_title("low-distortion ˇ embeddings") == "low distortion embeddings"  # PDF debris dropped


def test_a_seed_known_only_by_a_non_latin_title_loads(tmp_path: Path) -> None:
    from graph.catalogue.load import load_catalogue

    f = tmp_path / "zh.yaml"
    f.write_text("papers:\n  - {alias: zh, title: '注意力就是你所需要的一切'}\nlineages:\n  z: [[zh]]\n",
                 encoding="utf-8")
    cat = load_catalogue(f)
    assert cat.seeds["zh"].key == "title:注意力就是你所需要的一切"
