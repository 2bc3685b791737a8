"""paper-lineage explorer: a thin Streamlit shell over ``graph/``.

Run ``streamlit run app.py --server.address 127.0.0.1``: it opens on the embedded offline snapshot,
lineage ``preference-optimization``. Every graph algorithm lives in ``graph/``; this file only holds
widgets, layout, caching wrappers and the translation of errors into one readable line.

Caching: the expanded graph is keyed by (catalogue content hash, lineages, depth, direction, online
flag, hash of the API key) and kept in a small process-wide LRU, so a change of a *view* control
(years, citations, colour, layout, size, focus, search) only reruns ``view`` + ``render_html``
(themselves memoised with ``st.cache_data``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import streamlit as st

from graph.analyse.analysis import check_chain, frontier, missing_ancestors, reading_order
from graph.analyse.select import ViewSpec, find_node, search, view
from graph.build.enrich import enrich_from_arxiv
from graph.build.expand import build_graph
from graph.catalogue.load import Catalogue, load_catalogue
from graph.core.errors import LineageError, UnknownLineageError
from graph.core.settings import Settings
from graph.present.render import paper_links, render_html

log = logging.getLogger("paper_lineage.app")

DEFAULT_LINEAGE = "preference-optimization"
DIRECTIONS = ("both", "references", "citations")
COLORS = ("lineage", "year", "role")
LAYOUTS = ("time", "force")
LAYOUT_LABELS = {"time": "time axis", "force": "force"}
SIZES = ("citations", "degree")
SIZE_LABELS = {"citations": "citations", "degree": "local degree"}
EXPORTS: dict[str, tuple[str, str]] = {  # fmt -> (file extension, MIME type)
    "html": ("html", "text/html"),
    "graphml": ("graphml", "application/xml"),
    "gexf": ("gexf", "application/xml"),
    "json": ("json", "application/json"),
    "bibtex": ("bib", "application/x-bibtex"),
    "ris": ("ris", "application/x-research-info-systems"),
    "csv": ("csv", "text/csv"),
}
MAX_NODES = 4000
GRAPH_HEIGHT = 680
NO_FOCUS = ""
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")

# Widget state keys and their defaults (widgets are created with ``key=`` only, values live here).
DEFAULTS: dict[str, Any] = {
    "lineages": [DEFAULT_LINEAGE],
    "sections": [],
    "depth": 1,
    "direction": "both",
    "min_citations": 0,
    "top_ma": 10,
    "top_fr": 10,
    "only_top": False,
    "color": "lineage",
    "layout": "time",
    "size": "citations",
    "search": "",
    "focus": NO_FOCUS,
    "radius": 1,
    "online": False,
    "s2_key": "",
}


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
# caches


class GraphStore:
    """A small thread-safe LRU of expanded graphs, keyed by a hash of the expansion inputs."""

    def __init__(self, size: int = 6) -> None:
        self._items: OrderedDict[str, nx.DiGraph] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> nx.DiGraph | None:
        with self._lock:
            G = self._items.get(key)
            if G is not None:
                self._items.move_to_end(key)
            return G

    def put(self, key: str, G: nx.DiGraph) -> None:
        with self._lock:
            self._items[key] = G
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def graph_store() -> GraphStore:
    """The process-wide store of expanded graphs (shared by sessions; graphs are never mutated)."""
    return GraphStore()


@st.cache_resource(show_spinner=False)
def default_catalogue(path: str, stamp: str) -> tuple[Catalogue, str]:
    """The catalogue at ``path`` (LINEAGE_SEEDS or the built-in ``seeds/``) and its content hash ``stamp``."""
    return load_catalogue(path), stamp


def files_hash(path: Path) -> str:
    """A content hash of a seeds file or folder (cheap: the files' bytes, not the parsed catalogue)."""
    h = hashlib.sha256(str(path).encode())
    files = sorted(p for p in path.rglob("*") if p.is_file() and "snapshot" not in p.parts) if path.is_dir() else [path]
    for p in files:
        if p.exists():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def expansion_key(cat_hash: str, lineages: tuple[str, ...], depth: int, direction: str, online: bool,
                  api_key: str) -> str:
    """The cache key of one expansion; the API key only enters as a hash."""
    key_hash = hashlib.sha256(api_key.encode()).hexdigest()[:12] if api_key else ""
    raw = repr((cat_hash, tuple(sorted(lineages)), depth, direction, online, key_hash, MAX_NODES))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def get_graph(cat: Catalogue, cat_hash: str, lineages: tuple[str, ...], depth: int, direction: str,
              online: bool, api_key: str) -> tuple[str, nx.DiGraph]:
    """The expanded graph (cached); a cache miss shows an ``st.status`` with progress counts."""
    gkey = expansion_key(cat_hash, lineages, depth, direction, online, api_key)
    store = graph_store()
    G = store.get(gkey)
    if G is not None:
        return gkey, G
    settings = Settings.from_env()
    if online and api_key:
        settings = settings.with_(s2_api_key=api_key)
    owner = threading.current_thread()
    with st.status("Expanding the citation graph…", expanded=True) as status:
        bar = st.progress(0.0, text="resolving seeds")

        def progress(stage: str, done: int, total: int) -> None:
            if threading.current_thread() is not owner:
                return  # widgets may only be updated from the script thread
            frac = min(1.0, done / total) if total else 1.0
            bar.progress(frac, text=f"{stage}: {done} of {total}")

        G = build_graph(cat, lineages=list(lineages) or None, depth=depth, direction=direction,  # type: ignore[arg-type]
                        max_nodes=MAX_NODES, offline=not online, settings=settings, progress=progress)
        status.update(label=f"Expanded: {G.number_of_nodes()} papers, {G.number_of_edges()} citation links",
                      state="complete", expanded=False)
    store.put(gkey, G)
    st.session_state["_builds"] = st.session_state.get("_builds", 0) + 1
    return gkey, G


@st.cache_data(show_spinner=False, max_entries=64)
def cached_view(gkey: str, spec: ViewSpec, _G: nx.DiGraph) -> nx.DiGraph:
    """``view(G, spec)`` memoised by (graph key, spec)."""
    return view(_G, spec)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_render(gkey: str, spec: ViewSpec, color: str, size: str, layout: str,
                  highlight: tuple[tuple[str, str], ...], height: str, title: str, _H: nx.DiGraph) -> str:
    """``render_html`` memoised by everything it depends on."""
    return render_html(_H, color_by=color, size_by=size, layout=layout, highlight=dict(highlight),
                       height=height, title=title or None)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_analysis(gkey: str, lineage: str | None, top_ma: int, top_fr: int,
                    _G: nx.DiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Missing ancestors and frontier (as dicts) of the expanded graph."""
    ma = [r.to_dict() for r in missing_ancestors(_G, lineage=lineage, top=top_ma)] if top_ma else []
    fr = [r.to_dict() for r in frontier(_G, lineage=lineage, top=top_fr)] if top_fr else []
    return ma, fr


# ------------------------------------------------------------------------------------------------
# state: defaults, query parameters, seeds catalogue


def init_state(cat: Catalogue) -> None:
    """First run of a session: defaults, then the URL query parameters (bad ones -> st.error)."""
    if st.session_state.get("_init"):
        return
    st.session_state["_init"] = True
    for k, v in DEFAULTS.items():
        st.session_state.setdefault(k, list(v) if isinstance(v, list) else v)
    if DEFAULT_LINEAGE not in cat.lineages:
        st.session_state["lineages"] = list(cat.lineages)[:1]
    qp = st.query_params
    errors: list[str] = []
    names = [n for v in qp.get_all("lineage") for n in v.split(",") if n.strip()]
    if names:
        good = []
        for n in names:
            try:
                cat.get_lineage(n.strip())
                good.append(n.strip())
            except UnknownLineageError as e:
                errors.append(f"URL parameter lineage: {one_line(e)}")
        if good:
            st.session_state["lineages"] = good
    for name, choices in (("color", COLORS), ("layout", LAYOUTS), ("size", SIZES), ("direction", DIRECTIONS)):
        v = qp.get(name)
        if v is not None:
            if v in choices:
                st.session_state[name] = v
            else:
                errors.append(f"URL parameter {name}: unknown value '{v}' (valid: {', '.join(choices)})")
    for name, lo, hi in (("min_citations", 0, 10**7), ("depth", 0, 2), ("radius", 1, 5)):
        v = qp.get(name)
        if v is not None:
            try:
                iv = int(v)
                if not lo <= iv <= hi:
                    raise ValueError
                st.session_state[name] = iv
            except ValueError:
                errors.append(f"URL parameter {name}: '{v}' is not a whole number from {lo} to {hi}")
    v = qp.get("years")
    if v:
        m = re.fullmatch(r"\s*(\d{4})\s*[-:,]\s*(\d{4})\s*", v)
        if m and int(m.group(1)) <= int(m.group(2)):
            st.session_state["_qp_years"] = (int(m.group(1)), int(m.group(2)))
        else:
            errors.append(f"URL parameter years: '{v}' is not a range like 2015-2024")
    if qp.get("focus"):
        st.session_state["_qp_focus"] = qp.get("focus")
    st.session_state["_qp_errors"] = errors


def write_query_params(G: nx.DiGraph, bounds: tuple[int, int]) -> None:
    """Mirror the shareable state into the URL (only when it changed)."""
    ss = st.session_state
    want: dict[str, list[str]] = {"lineage": list(ss["lineages"])}
    focus = ss.get("focus") or NO_FOCUS
    if focus and focus in G:
        want["focus"] = [G.nodes[focus].get("alias") or focus]
        if ss["radius"] != DEFAULTS["radius"]:
            want["radius"] = [str(ss["radius"])]
    years = tuple(ss.get("years") or bounds)
    if years != tuple(bounds):
        want["years"] = [f"{years[0]}-{years[1]}"]
    for name in ("min_citations", "color", "layout", "size", "depth", "direction"):
        if ss[name] != DEFAULTS[name]:
            want[name] = [str(ss[name])]
    have = {k: st.query_params.get_all(k) for k in st.query_params}
    if have != want:
        st.query_params.from_dict(want)


def current_catalogue() -> tuple[Catalogue, str]:
    """The catalogue in use: uploaded or extended in this session, else the default one."""
    if st.session_state.get("catalogue") is not None:
        return st.session_state["catalogue"], st.session_state["cat_hash"]
    path = Path(Settings.from_env().seeds_path)
    return default_catalogue(str(path), files_hash(path))


def set_catalogue(cat: Catalogue | None, content_hash: str | None = None) -> None:
    """Use ``cat`` (None: back to the default catalogue) in this session, under ``content_hash``."""
    st.session_state["catalogue"] = cat
    st.session_state["cat_hash"] = content_hash


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


def add_seeds(cat: Catalogue, cat_hash: str, G: nx.DiGraph, keys: list[str], lineage: str | None) -> list[str]:
    """Add graph nodes as seeds (members of ``lineage``) to the session catalogue; returns their aliases."""
    papers = [{"key": k, **{f: G.nodes[k].get(f) for f in ("title", "arxiv_id", "doi", "s2_id", "year")}}
              for k in keys]
    out, aliases = cat.with_papers(papers, lineage=lineage, source="added in the app (missing ancestor)")
    set_catalogue(out, hashlib.sha256(repr((cat_hash, lineage, aliases)).encode()).hexdigest()[:16])
    return aliases


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
    sb.radio("Layout", LAYOUTS, key="layout", horizontal=True, format_func=LAYOUT_LABELS.__getitem__)
    sb.radio("Node size by", SIZES, key="size", horizontal=True, format_func=SIZE_LABELS.__getitem__)
    sb.text_input("Search title, alias or id", key="search", placeholder="e.g. DPO, 2305.18290, Direct Preference")
    options = [NO_FOCUS, *sorted(G.nodes, key=lambda n: (not G.nodes[n].get("is_seed"), node_label(G, n).lower()))]
    qp_focus = ss.pop("_qp_focus", None)
    if qp_focus:
        try:
            ss["focus"] = find_node(G, qp_focus)
        except LineageError as e:
            st.error(esc(f"URL parameter focus: {one_line(e)}"))
    if ss.get("focus") not in G:
        ss["focus"] = NO_FOCUS
    sb.selectbox("Focus on a paper", options, key="focus", format_func=lambda k: node_label(G, k, 70))
    sb.number_input("Neighbourhood radius", min_value=1, max_value=5, step=1, key="radius",
                    disabled=not ss.get("focus"))
    return bounds


def completeness_text(G: nx.DiGraph, H: nx.DiGraph) -> str:
    comp: dict[str, str | None] = G.graph.get("completeness") or {}
    seeds = [k for k in comp if k in H]
    done = sum(1 for k in seeds if comp[k] == "complete")
    partial = sum(1 for k in seeds if comp[k] == "partial")
    unknown = sum(1 for k in seeds if comp[k] in (None, "none_found"))
    extra = []
    if partial:
        extra.append(f"{partial} partial")
    if unknown:
        extra.append(f"{unknown} unknown or none found")
    return f"reference lists: {done} of {len(seeds)} seeds complete" + (f" ({', '.join(extra)})" if extra else "")


def show_details(G: nx.DiGraph, key: str, why: dict[str, str]) -> None:
    """The details panel of one paper (all text escaped)."""
    d = G.nodes[key]
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
    links = paper_links(d)
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
    for title, nbrs in (("Cites (in graph)", G.successors(key)), ("Cited by (in graph)", G.predecessors(key))):
        nodes = sorted(nbrs, key=lambda n: (-(G.nodes[n].get("year") or 0), n))
        st.markdown(f"**{title}: {len(nodes)}**")
        if nodes:
            st.markdown("\n".join(f"- {esc(node_label(G, n, 80))}" for n in nodes[:25])
                        + (f"\n- … and {len(nodes) - 25} more" if len(nodes) > 25 else ""))


def tab_missing(G: nx.DiGraph, cat: Catalogue, cat_hash: str, ma: list[dict[str, Any]]) -> None:
    if not ma:
        st.info("No missing ancestors: raise 'Top missing ancestors' or expand along references.")
    else:
        st.dataframe(
            [{"title": r["title"], "year": r["year"], "score": round(r["score"], 3), "why": r["explanation"],
              "cited by": ", ".join(r["cited_by"]), "key": r["paper_id"]} for r in ma],
            hide_index=True, width="stretch")
        picked = st.multiselect("Missing ancestors to add", [r["paper_id"] for r in ma], key="to_add",
                                format_func=lambda k: node_label(G, k, 80))
        lins = list(st.session_state["lineages"])
        target = st.selectbox("as members of lineage", lins, key="add_lineage") if lins else None
        if st.button("Add to seeds", disabled=not picked, key="add_btn"):
            added = add_seeds(cat, cat_hash, G, [k for k in picked if k in G], target)
            st.session_state["_flash"] = f"Added {len(added)} seed(s): {', '.join(added)}"
            st.session_state.pop("to_add", None)
            st.rerun()
    cat_now, _ = current_catalogue()
    st.download_button("Download seeds YAML (with additions)", cat_now.to_yaml, file_name="seeds.yaml",
                       mime="application/x-yaml", key="dl_seeds", on_click="ignore")


def tab_frontier(fr: list[dict[str, Any]]) -> None:
    if not fr:
        st.info("No frontier papers (papers citing two or more seeds) in this graph.")
        return
    st.dataframe([{"title": r["title"], "year": r["year"], "seeds cited": int(r["score"]), "why": r["explanation"],
                   "cites": ", ".join(r["cites"]), "key": r["paper_id"]} for r in fr], hide_index=True,
                 width="stretch")


def tab_chains(G: nx.DiGraph, cat: Catalogue) -> None:
    names = list(st.session_state["lineages"]) or list(G.graph.get("lineages") or {})
    for name in names:
        st.markdown(f"##### {esc(name)}")
        with guarded(f"Lineage {name}"):
            lin = cat.get_lineage(name)
            if lin.description:
                st.caption(esc(lin.description))
            arrows = [(a, b) for a, b in lin.arrows()
                      if _in_graph(G, a) and _in_graph(G, b)]
            if arrows:
                st.markdown("**Chain check** (declared order vs citations)")
                st.dataframe([{**v.to_dict(), "via": ", ".join(v.to_dict()["via"])} for v in check_chain(G, arrows)],
                             hide_index=True, width="stretch")
            order = reading_order(G, name)
            st.markdown("**Reading order**")
            st.markdown("\n".join(f"{i}. {esc(node_label(G, k, 100))}" + ("" if G.nodes[k].get("is_seed")
                                                                         else " — *missing ancestor*")
                                  for i, k in enumerate(order, 1)) or "(empty)")


def _in_graph(G: nx.DiGraph, ref: str) -> bool:
    try:
        find_node(G, ref)
        return True
    except LineageError:
        return False


def tab_export(H: nx.DiGraph, html_options: dict[str, Any]) -> None:
    from graph.present.export import export_graph  # imported here: the page draws even while export is unavailable

    st.caption(f"Exactly the current view: {H.number_of_nodes()} papers, {H.number_of_edges()} citation links.")
    cols = st.columns(len(EXPORTS))
    for col, (fmt, (ext, mime)) in zip(cols, EXPORTS.items(), strict=True):

        def make(fmt: str = fmt) -> bytes:
            out = export_graph(H, fmt, title="paper lineage", **html_options) if fmt == "html" else export_graph(H, fmt)
            return out.encode() if isinstance(out, str) else out

        col.download_button(fmt.upper() if fmt != "bibtex" else "BibTeX", data=make, file_name=f"lineage-view.{ext}",
                            mime=mime, key=f"dl_{fmt}", on_click="ignore")


def show_graph(html: str, height: int) -> None:
    iframe: Callable[..., Any] | None = getattr(st, "iframe", None)
    if iframe is not None:
        iframe(html, height=height)
    else:  # older Streamlit
        import streamlit.components.v1 as components

        components.html(html, height=height)


# ------------------------------------------------------------------------------------------------
# the page


def run() -> None:
    t0 = time.perf_counter()
    cat, cat_hash = current_catalogue()
    init_state(cat)
    for msg in st.session_state.pop("_qp_errors", []):
        st.error(esc(msg))
    sidebar_data()
    cat, cat_hash = current_catalogue()
    ss = st.session_state
    ss.setdefault("_builds", 0)
    for k, v in DEFAULTS.items():  # widgets not drawn on the last run lose their state
        ss.setdefault(k, list(v) if isinstance(v, list) else v)
    lineages = tuple(ss["lineages"])
    online = bool(ss["online"]) and not Settings.from_env().offline
    gkey, G = get_graph(cat, cat_hash, lineages, int(ss["depth"]), ss["direction"], online,
                        (ss.get("s2_key") or "") if online else "")
    notices = G.graph.get("notices") or []
    if notices:
        st.info(esc(" ".join(dict.fromkeys(notices))))
    if G.number_of_nodes() == 0:
        st.warning("The graph is empty: no seed of this selection was found in the snapshot or cache.")
        return
    bounds = sidebar_view(G)
    lin1 = lineages[0] if len(lineages) == 1 else None
    ma, fr = cached_analysis(gkey, lin1, int(ss["top_ma"]), int(ss["top_fr"]), G)
    spec = ViewSpec(
        lineages=lineages,
        sections=tuple(ss["sections"]),
        years=tuple(ss["years"]) if tuple(ss["years"]) != bounds else None,  # type: ignore[arg-type]
        min_citations=int(ss["min_citations"]),
        around=ss["focus"] or None,
        radius=int(ss["radius"]),
        ancestors=int(ss["top_ma"]) if ss["only_top"] else None,
        frontier=int(ss["top_fr"]) if ss["only_top"] else None,
    )
    H = cached_view(gkey, spec, G)
    match = search(G, ss["search"])
    if ss["search"].strip() and match is None:
        st.sidebar.warning(esc(f"No paper matches '{ss['search'].strip()}'."))
    highlight: dict[str, str] = {}
    highlight.update({r["paper_id"]: "missing-ancestor" for r in ma if r["paper_id"] in H})
    highlight.update({r["paper_id"]: "frontier" for r in fr if r["paper_id"] in H})
    for k in (ss["focus"], match):
        if k and k in H:
            highlight[k] = "focus"
    why = {r["paper_id"]: f"missing ancestor — {r['explanation']}" for r in ma}
    why.update({r["paper_id"]: f"frontier — {r['explanation']}" for r in fr})

    st.markdown(f"### Paper lineage · {esc(', '.join(lineages) or 'all lineages')}")
    flash = ss.pop("_flash", None)
    if flash:
        st.success(esc(flash))
    seeds_in = sum(1 for n in H if H.nodes[n].get("is_seed"))
    st.caption(
        f"{H.number_of_nodes()} papers, {H.number_of_edges()} citation links in view "
        f"(of {G.number_of_nodes()} expanded; {seeds_in} seeds) · {completeness_text(G, H)} · "
        f"built from {G.graph.get('built_from', 'snapshot')}"
        + (f" · {G.graph['pruned']} least-connected papers pruned" if G.graph.get("pruned") else "")
    )
    graph_col, details_col = st.columns([7, 3], gap="medium")
    with graph_col:
        if H.number_of_nodes() == 0:
            st.warning("No paper passes the current filters: widen the years or lower the citation minimum.")
        else:
            with guarded("Drawing the graph"):
                html = cached_render(gkey, spec, ss["color"], ss["size"], ss["layout"],
                                     tuple(sorted(highlight.items())), f"{GRAPH_HEIGHT}px", "", H)
                show_graph(html, GRAPH_HEIGHT + 90)

    with details_col, st.container(height=GRAPH_HEIGHT + 90, border=False), guarded("Details"):
        st.markdown("#### Details")
        seeds_first = sorted(H.nodes, key=lambda n: (not H.nodes[n].get("is_seed"), node_label(H, n).lower()))
        options = list(seeds_first)
        if match and match not in H:
            options.insert(0, match)
        default = match or ss["focus"] or (seeds_first[0] if seeds_first else None)
        marker = (match, ss["focus"], gkey)
        if options and (ss.get("detail") not in options or ss.get("_detail_marker") != marker):
            ss["detail"] = default if default in options else options[0]
        ss["_detail_marker"] = marker
        if options:
            key = st.selectbox("Paper", options, key="detail", format_func=lambda k: node_label(G, k, 90))
            if key not in H:
                st.caption("This paper is outside the current view (filtered out).")
            # abstract & authors from arXiv: the cache first; the network only when online
            enrich_from_arxiv(G, [key], settings=Settings.from_env(offline=True if not online else None))
            show_details(G, key, why)

    tabs = st.tabs(["Missing ancestors", "Frontier", "Chain check & reading order", "Export"])
    with tabs[0], guarded("Missing ancestors"):
        tab_missing(G, cat, cat_hash, ma)
    with tabs[1], guarded("Frontier"):
        tab_frontier(fr)
    with tabs[2], guarded("Chain check"):
        tab_chains(G, cat)
    with tabs[3], guarded("Export"):
        tab_export(H, {"color_by": ss["color"], "size_by": ss["size"], "layout": ss["layout"], "highlight": highlight})
    write_query_params(G, bounds)
    ss["_run_s"] = round(time.perf_counter() - t0, 4)  # measured script time of this rerun


def main() -> None:
    st.set_page_config(page_title="paper-lineage", page_icon="🧬", layout="wide")
    try:
        run()
    except LineageError as e:
        st.error(esc(one_line(e)))
    except Exception as e:
        log.exception("app failed")
        st.error(esc(f"Something went wrong: {one_line(e)}"))


main()
