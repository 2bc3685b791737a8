"""paper-lineage explorer: a thin Streamlit shell over :class:`graph.explore.Engine`.

Run ``python3 -m streamlit run app.py --server.address 127.0.0.1``: it opens on the embedded offline
snapshot, lineage ``preference-optimization``, in the lineage view. Every question (which graph, which
analysis, which papers are marked, what a paper's details are) is answered by the engine, exactly as
for the CLI and the HTML export; this file only holds widgets, layout, caching wrappers and the
translation of errors into one readable line. The URL <-> state mapping is in ``app_state.py``.

Caching: one engine per (catalogue content hash, online flag, hash of the API key), kept by
``st.cache_resource``; the engine builds each graph once and memoises each answer, so a change of a
*view* control only re-renders (itself memoised with ``st.cache_data``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import streamlit as st

from app_state import DEFAULT_LINEAGE, DEFAULTS, NO_FOCUS, query_from_state, state_from_query
from graph.catalogue.load import Catalogue, load_catalogue
from graph.core.errors import LineageError
from graph.core.settings import Settings
from graph.explore import FORMATS, Answer, Engine, View, catalogue_hash

log = logging.getLogger("paper_lineage.app")

DIRECTIONS = ("both", "references", "citations")
COLORS = ("lineage", "year", "role")
LAYOUTS = ("lineage", "time", "force")
LAYOUT_LABELS = {"lineage": "lineage view", "time": "full graph, time axis", "force": "full graph, force"}
SIZES = ("citations", "degree")
SIZE_LABELS = {"citations": "citations", "degree": "local degree"}
GRAPH_HEIGHT = 760
GRAPH_WIDTH = 1040.0  # the main column of a 1500 px wide window beside the sidebar (measured in Chromium)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


# ------------------------------------------------------------------------------------------------
# small helpers (text, errors)


def esc(text: object) -> str:
    """Text for ``st.markdown``: every Markdown special character backslash-escaped (no HTML, no links)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def one_line(err: BaseException) -> str:
    """An exception as one readable line."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text if isinstance(err, LineageError) else f"{type(err).__name__}: {text}"


@contextmanager
def guarded(what: str) -> Iterator[None]:
    """Run a step; a LineageError or any unexpected error becomes one ``st.error`` line (never a traceback)."""
    try:
        yield
    except LineageError as e:
        st.error(esc(f"{what}: {one_line(e)}"))
    except Exception as e:
        log.exception("app step failed: %s", what)
        st.error(esc(f"{what} failed: {one_line(e)}"))


def node_label(G: nx.DiGraph, key: str, width: int = 90) -> str:
    """``alias · title (year)`` for widgets (plain text, never Markdown)."""
    if not key:
        return "(none)"
    if key not in G:
        return key
    d = G.nodes[key]
    title = " ".join(str(d.get("title") or key).split())
    if len(title) > width:
        title = title[: width - 1] + "…"
    alias = f"{d['alias']} · " if d.get("alias") else ""
    year = f" ({d['year']})" if d.get("year") else ""
    return f"{alias}{title}{year}"


def md_link(label: str, url: str) -> str:
    """A Markdown link whose URL cannot break out of the parentheses."""
    return f"[{esc(label)}]({url.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"



# ------------------------------------------------------------------------------------------------
# the engine and the catalogue


@st.cache_resource(show_spinner=False, max_entries=8)
def engine_for(cat_hash: str, online: bool, key_hash: str, env: str, _cat: Catalogue, _api_key: str) -> Engine:
    """One engine per catalogue content, online flag, API key (only its hash is a cache key) and settings
    (``env``: the settings as read from the environment, without secrets)."""
    settings = Settings.from_env()
    if online and _api_key:
        settings = settings.with_(s2_api_key=_api_key)
    return Engine(_cat, settings=settings, offline=not online)


@st.cache_resource(show_spinner=False)
def default_catalogue(path: str, stamp: str) -> tuple[Catalogue, str]:
    """The catalogue at ``path`` (LINEAGE_SEEDS or the built-in ``seeds/``) and its content hash ``stamp``."""
    return load_catalogue(path), stamp


def current_catalogue() -> tuple[Catalogue, str]:
    """The catalogue in use: uploaded or extended in this session, else the default one."""
    if st.session_state.get("catalogue") is not None:
        return st.session_state["catalogue"], st.session_state["cat_hash"]
    path = Path(Settings.from_env().seeds_path)
    return default_catalogue(str(path), catalogue_hash(path))


def set_catalogue(cat: Catalogue | None, content_hash: str | None = None) -> None:
    """Use ``cat`` (None: back to the default catalogue) in this session, under ``content_hash``."""
    st.session_state["catalogue"] = cat
    st.session_state["cat_hash"] = content_hash


def current_engine() -> Engine:
    """The engine for this session's catalogue, network choice and key."""
    ss = st.session_state
    cat, cat_hash = current_catalogue()
    online = bool(ss.get("online")) and not Settings.from_env().offline
    key = (ss.get("s2_key") or "") if online else ""
    key_hash = hashlib.sha256(key.encode()).hexdigest()[:12] if key else ""
    return engine_for(cat_hash, online, key_hash, repr(Settings.from_env()), cat, key)


def with_progress(what: str, fn: Callable[[Callable[[str, int, int], None], Callable[[Any], None]], Any]) -> Any:
    """Run ``fn(progress, announce)`` inside an ``st.status``: the plan (what will be fetched and how long
    it takes) first, then a progress bar (graph builds only)."""
    owner = threading.current_thread()
    slot = st.empty()
    fetched: list[str] = []
    with slot.container(), st.status(what, expanded=True) as status:
        bar = st.progress(0.0, text="resolving seeds")

        def progress(stage: str, done: int, total: int) -> None:
            if threading.current_thread() is not owner:
                return  # widgets may only be updated from the script thread
            frac = min(1.0, done / total) if total else 1.0
            bar.progress(frac, text=f"{stage}: {done} of {total}")

        def announce(plan: Any) -> None:
            if threading.current_thread() is owner:
                st.info(esc(plan.describe()))
                st.session_state["_last_plan"] = plan.describe()
                if plan.requests:
                    fetched.append(plan.describe())

        out = fn(progress, announce)
        status.update(label="Citation graph ready", state="complete", expanded=False)
    if not fetched:  # nothing fetched: the status would only push the graph down
        slot.empty()
    st.session_state["_builds"] = st.session_state.get("_builds", 0) + 1
    return out


def add_seeds(eng: Engine, G: nx.DiGraph, keys: list[str], lineage: str | None) -> list[str]:
    """Add graph nodes as seeds (members of ``lineage``) to the session catalogue; returns their aliases."""
    _, cat_hash = current_catalogue()
    papers = [{"key": k, **{f: G.nodes[k].get(f) for f in ("title", "authors", "arxiv_id", "doi", "s2_id", "year")}}
              for k in keys]
    out, aliases = eng.catalogue.with_papers(papers, lineage=lineage, source="added in the app (missing ancestor)")
    set_catalogue(out, hashlib.sha256(repr((cat_hash, lineage, aliases)).encode()).hexdigest()[:16])
    return aliases


# ------------------------------------------------------------------------------------------------
# state


def init_state(cat: Catalogue) -> None:
    """First run of a session: defaults, then the URL query parameters (bad ones -> st.error)."""
    ss = st.session_state
    if ss.get("_init"):
        return
    ss["_init"] = True
    for k, v in DEFAULTS.items():
        ss.setdefault(k, list(v) if isinstance(v, list) else v)
    if DEFAULT_LINEAGE not in cat.lineages:
        ss["lineages"] = list(cat.lineages)[:1]
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    values, errors = state_from_query(query, list(cat.lineages))
    ss.update(values)
    ss["_qp_errors"] = errors


def write_query_params(G: nx.DiGraph, bounds: tuple[int, int]) -> None:
    """Mirror the shareable state into the URL (only when it changed)."""
    ss = st.session_state
    focus = ss.get("focus") or NO_FOCUS
    name = (G.nodes[focus].get("alias") or focus) if focus and focus in G else None
    want = query_from_state(dict(ss), bounds=bounds, focus_name=name)
    have = {k: st.query_params.get_all(k) for k in st.query_params}
    if have != want:
        st.query_params.from_dict(want)


def handle_upload(uploaded: Any) -> None:
    """Load an uploaded seeds file (YAML / BibTeX / text) once per upload; errors -> st.error."""
    if uploaded is None:
        if st.session_state.get("_upload_id"):
            st.session_state["_upload_id"] = None
            set_catalogue(None)
        return
    if st.session_state.get("_upload_id") == uploaded.file_id:
        return
    st.session_state["_upload_id"] = uploaded.file_id
    name = Path(uploaded.name or "seeds.yaml")
    stem = re.sub(r"[^a-z0-9._-]+", "-", name.stem.lower()).strip("-.") or "uploaded"
    suffix = name.suffix.lower() if name.suffix.lower() in {".yaml", ".yml", ".bib", ".txt"} else ".txt"
    with tempfile.TemporaryDirectory(prefix="lineage-upload-") as tmp:
        path = Path(tmp) / f"{stem}{suffix}"
        path.write_bytes(uploaded.getvalue())
        try:
            cat = load_catalogue(path)
        except LineageError as e:
            st.session_state["_upload_error"] = f"Could not load the seeds file '{name.name}': {one_line(e)}"
            return
        except Exception as e:
            st.session_state["_upload_error"] = f"Could not load the seeds file '{name.name}': {one_line(e)}"
            return
    if not cat.seeds:
        st.session_state["_upload_error"] = f"The seeds file '{name.name}' holds no papers."
        return
    st.session_state["_upload_error"] = None
    set_catalogue(cat, hashlib.sha256(uploaded.getvalue()).hexdigest()[:16])
    st.session_state["lineages"] = [DEFAULT_LINEAGE] if DEFAULT_LINEAGE in cat.lineages else list(cat.lineages)[:1]
    st.session_state["sections"] = []



# ------------------------------------------------------------------------------------------------
# page parts


def sidebar_data() -> Catalogue:
    """Controls that change the expansion (these rebuild the graph); returns the catalogue in use."""
    sb = st.sidebar
    sb.header("Seeds and expansion")
    ss = st.session_state
    uploaded = sb.file_uploader("Seeds file (YAML / BibTeX / text)", type=["yaml", "yml", "bib", "txt"],
                                key="upload", help="Replaces the built-in catalogue for this session.")
    handle_upload(uploaded)
    if ss.get("_upload_error"):
        sb.error(esc(ss["_upload_error"]))
    cat, _ = current_catalogue()
    ss["lineages"] = [n for n in ss.get("lineages", []) if n in cat.lineages]
    ss["sections"] = [s for s in ss.get("sections", []) if s in cat.sections]
    sb.multiselect("Lineages", list(cat.lineages), key="lineages",
                   help="Seeds of these lineages are expanded. Empty = every seed of the catalogue.")
    sb.multiselect("Topics (sections)", cat.sections, key="sections",
                   help="Keep seeds listed under these headings and the papers linked to them.")
    c1, c2 = sb.columns(2)
    c1.number_input("Depth", min_value=0, max_value=2, step=1, key="depth", help="Hops from the seeds.")
    c2.selectbox("Direction", DIRECTIONS, key="direction",
                 help="references: what the seeds cite; citations: who cites them.")
    forced = Settings.from_env().offline
    sb.toggle("Use Semantic Scholar (online)", key="online", disabled=forced,
              help="Off: the embedded snapshot + local cache, no network."
              + (" Disabled: LINEAGE_OFFLINE is set." if forced else ""))
    if ss["online"] and not forced:
        sb.text_input("Semantic Scholar API key (optional)", type="password", key="s2_key",
                      help="Kept only in this browser session; never written to disk, logs or caches.")
    return cat


def sidebar_view(G: nx.DiGraph) -> tuple[int, int]:
    """Controls that only change the view; returns the year bounds of the graph."""
    sb = st.sidebar
    ss = st.session_state
    sb.header("View")
    sb.radio("Layout", LAYOUTS, key="layout", format_func=LAYOUT_LABELS.__getitem__,
             help="Lineage view: the declared chain as a readable timeline, its main path bold, the top missing "
                  "ancestors and frontier around it. Full graph: every paper of the expansion.")
    if ss["layout"] == "lineage":
        sb.slider("Papers shown", min_value=10, max_value=400, step=10, key="nodes",
                  help="About this many papers around the chain (seeds are always shown).")
        sb.toggle("All citations (not only the transitive reduction)", key="all_edges")
    years = [int(d["year"]) for _, d in G.nodes(data=True) if d.get("year")]
    bounds = (min(years), max(years)) if years else (2000, 2030)
    if bounds[0] == bounds[1]:
        bounds = (bounds[0] - 1, bounds[1])
    prev = ss.get("_year_bounds")
    cur = ss.get("_qp_years") or ss.get("years")
    ss.pop("_qp_years", None)
    if cur is None or (prev is not None and tuple(cur) == tuple(prev)):
        cur = bounds
    lo, hi = max(bounds[0], int(cur[0])), min(bounds[1], int(cur[1]))
    ss["years"] = (lo, hi) if lo <= hi else bounds
    ss["_year_bounds"] = bounds
    sb.slider("Years", min_value=bounds[0], max_value=bounds[1], key="years",
              help="Papers without a year are always kept.")
    sb.number_input("Minimum citation count", min_value=0, step=10, key="min_citations",
                    help="Non-seed papers with fewer citations are hidden (unknown counts are kept).")
    c1, c2 = sb.columns(2)
    c1.number_input("Top missing ancestors", min_value=0, max_value=100, step=1, key="top_ma")
    c2.number_input("Top frontier", min_value=0, max_value=100, step=1, key="top_fr")
    sb.checkbox("Only seeds + top missing ancestors + frontier", key="only_top")
    sb.radio("Colour by", COLORS, key="color", horizontal=True)
    sb.radio("Node size by", SIZES, key="size", horizontal=True, format_func=SIZE_LABELS.__getitem__)
    sb.text_input("Search title, alias or id", key="search", placeholder="e.g. DPO, 2305.18290, Direct Preference")
    options = [NO_FOCUS, *sorted(G.nodes, key=lambda n: (not G.nodes[n].get("is_seed"), node_label(G, n).lower()))]
    qp_focus = ss.pop("_qp_focus", None)
    if qp_focus:
        try:
            ss["focus"] = current_engine().resolve(qp_focus, G)
        except LineageError as e:
            st.error(esc(f"URL parameter focus: {one_line(e)}"))
    if ss.get("focus") not in G:
        ss["focus"] = NO_FOCUS
    sb.selectbox("Focus on a paper", options, key="focus", format_func=lambda k: node_label(G, k, 70))
    sb.number_input("Neighbourhood radius", min_value=1, max_value=5, step=1, key="radius",
                    disabled=not ss.get("focus"))
    return bounds


def show_details(d: dict[str, Any], why: dict[str, str]) -> None:
    """The details panel of one paper, from :meth:`Engine.details` (all text escaped)."""
    key = d["paper_id"]
    st.markdown(f"#### {esc(d.get('title') or key)}")
    facts = []
    authors = d.get("authors") or []
    if authors:
        facts.append(", ".join(authors[:8]) + (f" and {len(authors) - 8} more" if len(authors) > 8 else ""))
    if d.get("year"):
        facts.append(str(d["year"]))
    if d.get("venue"):
        facts.append(str(d["venue"]))
    if d.get("citation_count") is not None:
        facts.append(f"{d['citation_count']} citations")
    if facts:
        st.markdown(esc(" · ".join(facts)))
    links = d.get("links") or []
    if links:
        st.markdown(" · ".join(md_link(label, url) for label, url in links))
    text = d.get("tldr") or d.get("abstract")
    if text:
        st.markdown(("**TL;DR** " if d.get("tldr") else "") + esc(text))
    role = d.get("role") or "other"
    role_text = {"seed": "a seed of the catalogue", "ancestor": "cited by a seed", "descendant": "cites a seed",
                 "other": "linked to the seeds' neighbourhood"}.get(role, role)
    lines = [f"**Role:** {esc(role)} ({esc(role_text)})"]
    if d.get("alias"):
        lines.append(f"**Alias:** {esc(d['alias'])}")
    if key in why:
        lines.append(f"**Why it is here:** {esc(why[key])}")
    lin = d.get("lineages") or {}
    if lin:
        ranked = sorted(lin.items(), key=lambda kv: -kv[1])
        lines.append("**Lineages:** " + ", ".join(f"{esc(n)} {s:.2f}" for n, s in ranked))
    if d.get("sections"):
        lines.append("**Topics:** " + ", ".join(esc(s) for s in d["sections"]))
    if d.get("is_seed"):
        lines.append(f"**Reference list:** {esc(d.get('references_status') or 'unknown')}")
    st.markdown("  \n".join(lines))
    for title, names in (("Cites (in graph)", d["cites_in_graph"]), ("Cited by (in graph)", d["cited_by_in_graph"])):
        st.markdown(f"**{title}: {len(names)}**")
        if names:
            st.markdown("\n".join(f"- {esc(n)}" for n in names[:25])
                        + (f"\n- … and {len(names) - 25} more" if len(names) > 25 else ""))


def answer_table(ans: Answer, empty: str) -> None:
    """An answer's notes as captions and its rows in the columns every surface shows."""
    for note in ans.notes:
        st.caption(esc(note))
    if not ans.rows:
        st.info(empty)
        return
    st.dataframe([{c: _cell(r.get(c)) for c in ans.columns} for r in ans.rows], hide_index=True, width="stretch")


def _cell(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    if isinstance(v, float):
        return round(v, 3)
    return v


def tab_missing(eng: Engine, v: View) -> None:
    answer_table(v.ancestors, "No missing ancestors: raise 'Top missing ancestors'.")
    if v.ancestors.rows:
        G = v.full if all(k in v.full for k in v.ancestors.paper_keys()) else eng.analysis_graph(
            tuple(st.session_state["lineages"]))
        picked = st.multiselect("Missing ancestors to add", v.ancestors.paper_keys(), key="to_add",
                                format_func=lambda k: node_label(G, k, 80))
        lins = list(st.session_state["lineages"])
        target = st.selectbox("as members of lineage", lins, key="add_lineage") if lins else None
        if st.button("Add to seeds", disabled=not picked, key="add_btn"):
            added = add_seeds(eng, G, [k for k in picked if k in G], target)
            st.session_state["_flash"] = f"Added {len(added)} seed(s): {', '.join(added)}"
            st.session_state.pop("to_add", None)
            st.rerun()
    cat_now, _ = current_catalogue()
    st.download_button("Download seeds YAML (with additions)", cat_now.to_yaml, file_name="seeds.yaml",
                       mime="application/x-yaml", key="dl_seeds", on_click="ignore")


def tab_chains(eng: Engine, names: list[str]) -> None:
    for name in names or list(eng.catalogue.lineages):
        st.markdown(f"##### {esc(name)}")
        with guarded(f"Lineage {name}"):
            lin = eng.catalogue.get_lineage(name)
            if lin.description:
                st.caption(esc(lin.description))
            _, suggested = eng.chain(name)
            if suggested:
                st.markdown("**Suggested chain** (no stages declared: the seeds in main-path order). "
                            "Save it as a lineage:")
                st.code(eng.suggested_yaml(name), language="yaml")
            st.markdown("**Chain check** (declared order vs citations)")
            answer_table(eng.check(name), "No declared arrows between papers in the graph.")
            st.markdown("**Main path** (search path count)")
            answer_table(eng.mainpath(name), "No main path: too few citations among this lineage's papers.")
            st.markdown("**Reading order**")
            answer_table(eng.order(name), "(empty)")


def path_box(eng: Engine, names: tuple[str, ...], key: str, H: nx.DiGraph) -> None:
    """A citation path from the paper in the details panel to another paper in view."""
    others = [NO_FOCUS, *sorted((n for n in H if n != key), key=lambda n: node_label(H, n).lower())]
    target = st.selectbox("Citation path to…", others, key="path_to", format_func=lambda k: node_label(H, k, 80))
    if target:
        with guarded("Citation path"):
            answer_table(eng.path(key, target, lineages=names), "No path.")


def tab_export(v: View, html_options: dict[str, Any]) -> None:
    H = v.graph
    st.caption(f"Exactly the current view: {H.number_of_nodes()} papers, {H.number_of_edges()} citation links.")
    cols = st.columns(len(FORMATS))
    for col, (fmt, spec) in zip(cols, FORMATS.items(), strict=True):

        def make(fmt: str = fmt) -> bytes:
            out = v.export(fmt, title="paper lineage", **html_options) if fmt == "html" else v.export(fmt)
            return out.encode() if isinstance(out, str) else out

        col.download_button(fmt.upper() if fmt != "bibtex" else "BibTeX", data=make,
                            file_name=f"lineage-view.{spec.extension}", mime=spec.mime, key=f"dl_{fmt}",
                            on_click="ignore")


def show_graph(html: str, height: int) -> None:
    iframe: Callable[..., Any] | None = getattr(st, "iframe", None)
    if iframe is not None:
        iframe(html, height=height)
    else:  # older Streamlit
        import streamlit.components.v1 as components

        components.html(html, height=height)


# ------------------------------------------------------------------------------------------------
# the page


@st.cache_data(show_spinner=False, max_entries=64)
def cached_render(token: tuple[Any, ...], color: str, size: str, layout: str,
                  highlight: tuple[tuple[str, str], ...], height: str, _v: View) -> str:
    """``render_html`` of a view, memoised by everything it depends on (``token`` names the view)."""
    return _v.render(color_by=color, size_by=size, layout=layout, highlight=dict(highlight), height=height,
                     view_size=(GRAPH_WIDTH, float(GRAPH_HEIGHT)))


def get_view(eng: Engine, names: tuple[str, ...]) -> tuple[View, tuple[Any, ...], str | None]:
    """The view to draw, a token naming it, and a note when the lineage view fell back."""
    ss = st.session_state
    note = None
    if ss["layout"] == "lineage" and names:
        one = names[0]
        if len(names) > 1:
            note = f"The lineage view draws one lineage: {one}. Pick one lineage, or a full-graph layout."
        if not eng.is_built(eng.analysis_spec([one])):
            with_progress("Expanding the citation graph…",
                          lambda p, a: eng.analysis_graph([one], progress=p, announce=a))
        v = eng.lineage_view(one, nodes=int(ss["nodes"]), all_edges=bool(ss["all_edges"]),
                             top_ancestors=int(ss["top_ma"]), top_frontier=int(ss["top_fr"]))
        return v, ("lineage", one, int(ss["nodes"]), bool(ss["all_edges"]), int(ss["top_ma"]), int(ss["top_fr"])), note
    if ss["layout"] == "lineage":
        note = "The lineage view needs a lineage: showing the full graph of every seed."
    return full_view(eng, names), ("full", names, *full_view_token()), note


def full_view_token() -> tuple[Any, ...]:
    ss = st.session_state
    return (int(ss["depth"]), ss["direction"], tuple(ss["sections"]), tuple(ss.get("years") or ()),
            int(ss["min_citations"]), ss["focus"], int(ss["radius"]), int(ss["top_ma"]), int(ss["top_fr"]),
            bool(ss["only_top"]))


def full_view(eng: Engine, names: tuple[str, ...]) -> View:
    ss = st.session_state
    G = eng.view_graph(names, depth=int(ss["depth"]), direction=ss["direction"])
    bounds = ss.get("_year_bounds")
    years = tuple(ss["years"]) if ss.get("years") and bounds and tuple(ss["years"]) != tuple(bounds) else None
    return eng.view(names, depth=int(ss["depth"]), direction=ss["direction"], sections=tuple(ss["sections"]),
                    years=years, min_citations=int(ss["min_citations"]),  # type: ignore[arg-type]
                    around=ss["focus"] if ss["focus"] in G else None, radius=int(ss["radius"]),
                    top_ancestors=int(ss["top_ma"]), top_frontier=int(ss["top_fr"]), only_top=bool(ss["only_top"]),
                    focus=[ss["focus"]])


def run() -> None:
    t0 = time.perf_counter()
    cat, _ = current_catalogue()
    init_state(cat)
    for msg in st.session_state.pop("_qp_errors", []):
        st.error(esc(msg))
    sidebar_data()
    ss = st.session_state
    ss.setdefault("_builds", 0)
    for k, v in DEFAULTS.items():  # widgets not drawn on the last run lose their state
        ss.setdefault(k, list(v) if isinstance(v, list) else v)
    eng = current_engine()
    names = eng.lineage_names(ss["lineages"])
    depth, direction = int(ss["depth"]), ss["direction"]
    if not eng.is_built(eng.view_spec(names, depth=depth, direction=direction)):
        with_progress("Expanding the citation graph…",
                      lambda p, a: eng.view_graph(names, depth=depth, direction=direction, progress=p, announce=a))
    G = eng.view_graph(names, depth=depth, direction=direction)
    notices = [n for n in eng.notes(G) if n.startswith(("notice:", "warning:"))]
    if notices:
        st.info(esc(" ".join(n.split(":", 1)[1].strip() for n in notices)))
    if G.number_of_nodes() == 0:
        st.warning("The graph is empty: no seed of this selection was found in the snapshot or cache.")
        return
    bounds = sidebar_view(G)
    v, token, note = get_view(eng, names)
    H = v.graph
    match = eng.search(v.full, ss["search"])
    if ss["search"].strip() and match is None:
        st.sidebar.warning(esc(f"No paper matches '{ss['search'].strip()}'."))
    highlight = dict(v.highlight)
    if match and match in H:
        highlight[match] = "focus"

    st.markdown(f"### Paper lineage · {esc(', '.join(names) or 'all lineages')}")
    flash = ss.pop("_flash", None)
    if flash:
        st.success(esc(flash))
    if note:
        st.caption(esc(note))
    layout = "lineage" if v.stages is not None else ("force" if ss["layout"] == "force" else "time")
    if H.number_of_nodes() == 0:
        st.warning("No paper passes the current filters: widen the years or lower the citation minimum.")
    else:
        with guarded("Drawing the graph"):
            html = cached_render((id(eng), *token), ss["color"], ss["size"], layout,
                                 tuple(sorted(highlight.items())), f"{GRAPH_HEIGHT}px", v)
            show_graph(html, GRAPH_HEIGHT + 110)  # the legend above the canvas (measured: 93 px)

    seeds_in = sum(1 for n in H if H.nodes[n].get("is_seed"))
    st.caption(
        f"{H.number_of_nodes()} papers, {H.number_of_edges()} citation links in view "
        f"(of {v.full.number_of_nodes()} expanded; {seeds_in} seeds) · "
        + esc(eng.completeness(v.full, names[0] if len(names) == 1 else None))
        + f" · built from {eng.meta(v.full).built_from}"
        + (f" · {eng.meta(v.full).pruned} least-connected papers pruned" if eng.meta(v.full).pruned else "")
    )
    details_col, tabs_col = st.columns([4, 6], gap="medium")
    with details_col, guarded("Details"):
        st.markdown("#### Details")
        spine = v.stages if v.stages is not None else (eng.chain(names[0])[0] if len(names) == 1 else [])
        chain_first = [k for stage in spine for k in stage]
        seeds_first = sorted(H.nodes, key=lambda n: (n not in chain_first, chain_first.index(n) if n in chain_first
                                                     else 0, not H.nodes[n].get("is_seed"), node_label(H, n).lower()))
        options = list(seeds_first)
        if match and match not in H:
            options.insert(0, match)
        default = match or ss["focus"] or (seeds_first[0] if seeds_first else None)
        marker = (match, ss["focus"], token)
        if options and (ss.get("detail") not in options or ss.get("_detail_marker") != marker):
            ss["detail"] = default if default in options else options[0]
        ss["_detail_marker"] = marker
        if options:
            key = st.selectbox("Paper", options, key="detail", format_func=lambda k: node_label(v.full, k, 90))
            if key not in H:
                st.caption("This paper is outside the current view (filtered out).")
            show_details(eng.details(v.full, key), v.why)
            path_box(eng, names, key, H)

    with tabs_col:
        tabs = st.tabs(["Missing ancestors", "Frontier", "Chain, main path & reading order", "Export"])
        with tabs[0], guarded("Missing ancestors"):
            tab_missing(eng, v)
        with tabs[1], guarded("Frontier"):
            answer_table(v.frontier, "No frontier papers in this graph.")
        with tabs[2], guarded("Chain check"):
            tab_chains(eng, list(names))
        with tabs[3], guarded("Export"):
            tab_export(v, {"color_by": ss["color"], "size_by": ss["size"], "layout": layout, "highlight": highlight})
    write_query_params(v.full, bounds)
    ss["_run_s"] = round(time.perf_counter() - t0, 4)  # measured script time of this rerun


def main() -> None:
    st.set_page_config(page_title="paper-lineage", page_icon="🧬", layout="wide")
    st.markdown("<style>.block-container{padding-top:1.5rem}</style>", unsafe_allow_html=True)
    try:
        run()
    except LineageError as e:
        st.error(esc(one_line(e)))
    except Exception as e:
        log.exception("app failed")
        st.error(esc(f"Something went wrong: {one_line(e)}"))


main()
