"""The Streamlit app in-process (``streamlit.testing.v1.AppTest``), offline on the embedded snapshot.

Every control of the sidebar and the main page is exercised; node counts are read from the caption
under the graph (``"<n> papers, <m> citation links in view ..."``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from graph.catalogue.load import load_catalogue

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DPO = "arxiv:2305.18290"
TIMEOUT = 30


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_OFFLINE", "1")
    monkeypatch.delenv("LINEAGE_SEEDS", raising=False)
    monkeypatch.delenv("S2_API_KEY", raising=False)


def start(query: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def start_full(query: dict[str, str | list[str]] | None = None) -> AppTest:
    """The app on the full graph (time axis) instead of the default lineage view."""
    return start({"layout": "time", **(query or {})})


def counts(at: AppTest) -> tuple[int, int]:
    """(papers, citation links) in view, from the caption under the graph."""
    for c in at.caption:
        m = re.match(r"(\d+) papers, (\d+) citation links in view", c.value)
        if m:
            return int(m.group(1)), int(m.group(2))
    raise AssertionError("no counts caption: " + repr([c.value for c in at.caption]))


def qp(at: AppTest, name: str) -> list[str]:
    """A URL query parameter as a list of values."""
    v = at.query_params[name]
    return list(v) if isinstance(v, list) else [v]


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """Markdown-escaped text (the app escapes every message) back to plain text."""
    return re.sub(r"\\(.)", r"\1", markdown)


def errors(at: AppTest) -> list[str]:
    return [plain(e.value) for e in at.error]


def test_starts_offline_on_preference_optimization() -> None:
    at = start()
    assert errors(at) == []
    assert at.sidebar.multiselect(key="lineages").value == ["preference-optimization"]
    n, m = counts(at)
    assert 20 <= n <= 60 and m > 20  # the lineage view: about 40-60 papers around the chain
    assert at.sidebar.radio(key="layout").value == "lineage"
    caption = next(c.value for c in at.caption if "papers," in c.value)
    assert "reference lists of the 7 seeds of preference" in caption and "complete" in caption
    assert "built from snapshot" in caption
    assert any("preference" in md.value for md in at.markdown)
    # the graph itself: one iframe element holding the rendered page
    assert at.get("iframe"), [type(e).__name__ for e in at.main]
    assert qp(at, "lineage") == ["preference-optimization"]


def test_lineage_change_changes_node_count() -> None:
    at = start_full()
    n0, _ = counts(at)
    at.sidebar.multiselect(key="lineages").set_value(["user-sequence-modeling"])
    n1, _ = counts(rerun(at))
    assert n1 > 0 and n1 != n0
    assert qp(at, "lineage") == ["user-sequence-modeling"]
    at.sidebar.multiselect(key="lineages").set_value(["user-sequence-modeling", "preference-optimization"])
    n2, _ = counts(rerun(at))
    assert n2 > max(n0, n1) - 1


def test_year_range_reduces_nodes_and_is_in_url() -> None:
    at = start_full()
    n0, _ = counts(at)
    at.sidebar.slider(key="years").set_value((2023, 2026))
    n1, _ = counts(rerun(at))
    assert 0 < n1 < n0
    assert qp(at, "years") == ["2023-2026"]


def test_depth_and_direction_change_the_graph() -> None:
    at = start_full()
    n0, _ = counts(at)
    at.sidebar.number_input(key="depth").set_value(0)
    n_seeds, _ = counts(rerun(at))
    assert 0 < n_seeds < n0
    at.sidebar.number_input(key="depth").set_value(1)
    at.sidebar.selectbox(key="direction").set_value("references")
    n_refs, _ = counts(rerun(at))
    assert n_seeds < n_refs < n0


def test_section_filter_changes_the_view() -> None:
    at = start_full({"lineage": ["preference-optimization", "early-alignment"]})
    n0, _ = counts(at)
    at.sidebar.multiselect(key="sections").set_value(["Early alignment efforts"])
    n1, _ = counts(rerun(at))
    assert 0 < n1 < n0


def test_min_citations_keeps_unknown_counts() -> None:
    at = start_full()
    n0, _ = counts(at)
    at.sidebar.number_input(key="min_citations").set_value(100)
    n1, _ = counts(rerun(at))
    assert 0 < n1 <= n0  # offline the snapshot has no counts: they are kept
    assert qp(at, "min_citations") == ["100"]


def test_colour_layout_and_size_keep_the_count() -> None:
    at = start_full()
    n0 = counts(at)
    html0 = at.get("iframe")[0].proto.srcdoc
    for key, value in (("color", "year"), ("color", "role"), ("layout", "force"), ("size", "degree")):
        at.sidebar.radio(key=key).set_value(value)
        assert counts(rerun(at)) == n0, (key, value)
    assert at.get("iframe")[0].proto.srcdoc != html0
    assert qp(at, "color") == ["role"] and qp(at, "layout") == ["force"]


def test_focus_and_radius() -> None:
    at = start_full()
    n0, _ = counts(at)
    at.sidebar.selectbox(key="focus").set_value(DPO)
    n1, _ = counts(rerun(at))
    assert 1 < n1 < n0
    assert qp(at, "focus") == ["dpo"]
    assert at.selectbox(key="detail").value == DPO
    at.sidebar.number_input(key="radius").set_value(2)
    n2, _ = counts(rerun(at))
    assert n2 > n1


def test_search_finds_dpo_by_alias_and_title() -> None:
    at = start()
    at.sidebar.text_input(key="search").input("DPO")
    rerun(at)
    assert at.selectbox(key="detail").value == DPO
    assert any("Direct Preference Optimization" in plain(md.value) for md in at.markdown)
    at.sidebar.text_input(key="search").input("direct preference optim")
    rerun(at)
    assert at.selectbox(key="detail").value == DPO
    at.sidebar.text_input(key="search").input("no such paper zzzz")
    rerun(at)
    assert any("No paper matches" in plain(w.value) for w in at.sidebar.warning)


def test_details_panel_has_links_and_neighbours() -> None:
    at = start({"focus": "dpo"})
    text = "\n".join(plain(md.value) for md in at.markdown)
    assert "https://arxiv.org/abs/2305.18290" in text
    assert "Cites (in graph)" in text and "Cited by (in graph)" in text
    assert "Role:" in text


def seeds_in_view(at: AppTest) -> int:
    caption = next(c.value for c in at.caption if "papers," in c.value)
    m = re.search(r"(\d+) seeds\)", caption)
    assert m, caption
    return int(m.group(1))


def test_missing_ancestor_explanations_and_add_to_seeds() -> None:
    at = start_full()
    table = at.dataframe[0].value
    assert len(table) > 0 and "explanation" in table.columns and table["explanation"].str.len().gt(0).all()
    assert "paper_id" not in table.columns and "key" not in table.columns  # titles, never raw keys
    seeds0 = seeds_in_view(at)
    by_key = load_catalogue().by_key()
    key = next(k for k in _keys_of(at) if k not in by_key)
    rows = _engine().ancestors("preference-optimization", top=10).rows
    title = next(r["title"] for r in rows if r["paper_id"] == key)
    at.multiselect(key="to_add").set_value([key])
    rerun(at)
    at.button(key="add_btn").click()
    rerun(at)
    assert any("Added 1 seed" in plain(s.value) for s in at.success), [s.value for s in at.success]
    cat = at.session_state["catalogue"]
    assert len(cat.seeds) == len(by_key) + 1
    added = next(s for s in cat.seeds.values() if s.key == key)
    assert "preference-optimization" in added.lineages
    assert added.alias in cat.get_lineage("preference-optimization").members
    assert seeds_in_view(at) >= seeds0 + 1  # expanded again with the new seed (which may reach other seeds)
    assert title not in list(at.dataframe[0].value["title"])  # no longer a missing ancestor


def _engine() -> Any:
    from graph.explore import Engine

    return Engine(offline=True)


def _keys_of(at: AppTest) -> list[str]:
    """The paper keys the app offers to add: the missing-ancestors table's papers, in order."""
    ans = _engine().ancestors("preference-optimization", top=10)
    assert list(at.dataframe[0].value["title"]) == [r["title"] for r in ans.rows]  # the app shows the engine's rows
    return ans.paper_keys()


def test_frontier_chain_and_reading_order_tabs() -> None:
    at = start()
    assert len(at.dataframe) >= 3  # missing ancestors, frontier, chain check
    frontier = at.dataframe[1].value
    assert "cites" in frontier.columns and len(frontier) > 0
    chain = at.dataframe[2].value
    assert set(chain["verdict"]) <= {"direct", "path", "none"}
    assert any("Reading order" in md.value for md in at.markdown)


def test_export_buttons_exist() -> None:
    at = start()
    labels = [b.proto.label for b in at.get("download_button")]
    for fmt in ("HTML", "GRAPHML", "GEXF", "JSON", "BibTeX", "RIS", "CSV"):
        assert fmt in labels, labels
    assert any("seeds YAML" in label for label in labels)


def test_unknown_lineage_in_url_is_an_error_not_an_exception() -> None:
    at = start({"lineage": "no-such-lineage"})
    errs = errors(at)
    assert len(errs) == 1 and "unknown lineage 'no-such-lineage'" in errs[0]
    assert counts(at)[0] > 0  # falls back to the default lineage


def test_url_state_is_read_on_start() -> None:
    at = start({"lineage": "user-sequence-modeling", "color": "year", "layout": "force", "years": "2018-2024"})
    assert errors(at) == []
    assert at.sidebar.multiselect(key="lineages").value == ["user-sequence-modeling"]
    assert at.sidebar.radio(key="color").value == "year"
    assert at.sidebar.radio(key="layout").value == "force"
    assert at.sidebar.slider(key="years").value == (2018, 2024)


def test_bad_url_values_are_errors() -> None:
    at = start({"color": "purple", "years": "soon", "focus": "nosuchpaper"})
    errs = " | ".join(errors(at))
    assert "color" in errs and "years" in errs and "focus" in errs
    assert counts(at)[0] > 0


def test_bad_seeds_upload_is_an_error(tmp_path: Path) -> None:
    at = start()
    at.sidebar.file_uploader[0].set_value(("mine.yaml", b"papers:\n  - {alias: 'Bad Alias!', arxiv: '1'}\n",
                                           "application/x-yaml"))
    rerun(at)
    errs = errors(at)
    assert any("Could not load the seeds file 'mine.yaml'" in e for e in errs), errs
    assert counts(at)[0] > 0  # still on the previous catalogue


def test_good_seeds_upload_switches_catalogue() -> None:
    at = start()
    text = b"papers:\n  - {alias: dpo, arxiv: '2305.18290'}\n  - {alias: kto, arxiv: '2402.01306'}\n" \
           b"lineages:\n  my-chain: [[dpo], [kto]]\n"
    at.sidebar.file_uploader[0].set_value(("mine.yaml", text, "application/x-yaml"))
    rerun(at)
    assert errors(at) == []
    assert at.sidebar.multiselect(key="lineages").value == ["my-chain"]
    assert counts(at)[0] > 2


def test_bad_seeds_file_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("papers: [1, 2\n")
    monkeypatch.setenv("LINEAGE_SEEDS", str(bad))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert len(errors(at)) == 1 and "bad.yaml" in errors(at)[0]


def test_online_toggle_shows_key_field_and_key_is_not_in_url() -> None:
    at = start()
    toggle = at.sidebar.toggle(key="online")
    assert toggle.disabled  # LINEAGE_OFFLINE=1 forces offline
    assert not at.sidebar.text_input.filter(lambda w: w.key == "s2_key") if hasattr(
        at.sidebar.text_input, "filter") else True
    assert "s2_key" not in at.query_params


def test_filter_rerun_does_not_rebuild() -> None:
    at = start_full()
    builds = at.session_state["_builds"]
    for years in ((2020, 2026), (2016, 2026), (2020, 2026)):
        at.sidebar.slider(key="years").set_value(years)
        rerun(at)
    at.sidebar.radio(key="color").set_value("year")
    rerun(at)
    assert at.session_state["_builds"] == builds  # the graph was not expanded again (latency: bench/app.py)


def test_online_but_unreachable_shows_one_calm_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.delenv("LINEAGE_OFFLINE")
    monkeypatch.setenv("S2_API_URL", f"http://127.0.0.1:{port}/graph/v1")
    monkeypatch.setenv("LINEAGE_RETRIES", "0")
    at = start()
    n0, _ = counts(at)
    toggle = at.sidebar.toggle(key="online")
    assert not toggle.disabled
    toggle.set_value(True)
    rerun(at)
    at.sidebar.text_input(key="s2_key").input("sekret-key-123")
    rerun(at)
    assert errors(at) == []
    infos = [plain(i.value) for i in at.info if "unreachable" in plain(i.value)]
    assert len(infos) == 1, [i.value for i in at.info]
    assert counts(at)[0] == n0  # continued on the snapshot
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info] if hasattr(e, "value"))
    assert "sekret-key-123" not in shown
    assert all("sekret" not in v for k in at.query_params for v in qp(at, k))


def test_hostile_titles_are_escaped_in_every_markdown_element() -> None:
    at = start()
    text = (b"papers:\n  - {alias: dpo, arxiv: '2305.18290'}\n"
            b"  - {alias: trap, title: '<img src=x onerror=alert(1)> [x](javascript:alert(2))', year: 2024}\n"
            b"lineages:\n  traps: [[dpo], [trap]]\n")
    at.sidebar.file_uploader[0].set_value(("traps.yaml", text, "application/x-yaml"))
    rerun(at)
    at.sidebar.text_input(key="search").input("onerror")
    rerun(at)
    assert errors(at) == []
    shown = [md.value for md in [*at.markdown, *at.caption]]
    assert any("onerror" in v for v in shown)
    for v in shown:
        assert not re.search(r"(?<!\\)<img", v), v
        assert not re.search(r"(?<!\\)\]\(javascript", v), v


def test_top_k_numbers_and_only_top_view() -> None:
    at = start_full()
    n0, _ = counts(at)
    at.sidebar.number_input(key="top_ma").set_value(3)
    at.sidebar.number_input(key="top_fr").set_value(2)
    rerun(at)
    assert len(at.dataframe[0].value) == 3 and len(at.dataframe[1].value) == 2
    at.sidebar.checkbox(key="only_top").check()
    n1, _ = counts(rerun(at))
    assert n1 <= seeds_in_view(at) + 3 + 2 and n1 < n0
