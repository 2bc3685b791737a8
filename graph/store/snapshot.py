"""The embedded offline snapshot in ``seeds/snapshot/``: load it, query it, write it.

Format (see ``docs/architecture.md`` and ``docs/snapshot.md``):

- ``papers.jsonl``: one :meth:`Paper.to_dict` a line, sorted by key (seeds, citing papers and every
  referenced work that could be named);
- ``edges.jsonl``: one :meth:`Citation.to_dict` a line (``citing`` cites ``cited``), sorted by
  ``(citing, cited)``; ``extra.match`` says how the reference was tied to its node
  (``arxiv`` / ``doi`` / ``title`` / ``author-year``);
- ``meta.json``: ``built_at``, ``sources``, ``counts``, per-seed ``completeness``, ``unmatched``
  counts, ``author_year`` counts and ``aliases`` (an extra id of a merged node -> its key).

The snapshot is immutable once loaded: :func:`load_snapshot` caches one :class:`Snapshot` per folder
(and per file modification time, so a rewritten snapshot is read again). Do not mutate it.

Examples
--------
>>> from graph.core.models import Citation, Paper
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> a = Paper("arxiv:2305.18290", title="Direct Preference Optimization", source="x", fetched_at="2026")
>>> b = Paper("arxiv:2203.02155", title="Training language models to follow instructions with human feedback")
>>> e = Citation(a.key, b.key, source="x", fetched_at="2026", extra={"match": "title"})
>>> write_snapshot([a, b], [e], {"built_at": "2026"}, d)
>>> s = load_snapshot(d)
>>> s.find(title="training language models to follow instructions with human feedback")
'arxiv:2203.02155'
>>> [c.citing for c in s.citations("arxiv:2203.02155")]
['arxiv:2305.18290']
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from graph.core.errors import BadIdError, LineageError
from graph.core.gcpause import gc_paused
from graph.core.identity import find_duplicates, surname
from graph.core.ids import normalize_arxiv, normalize_doi, normalize_title
from graph.core.models import Citation, Paper

__all__ = [
    "EDGES_FILE",
    "META_FILE",
    "PAPERS_FILE",
    "Snapshot",
    "SnapshotError",
    "default_snapshot_path",
    "load_snapshot",
    "suspected_duplicates",
    "write_snapshot",
]

log = logging.getLogger(__name__)

PAPERS_FILE = "papers.jsonl"
EDGES_FILE = "edges.jsonl"
META_FILE = "meta.json"

_PAPER_FIELDS = frozenset(f.name for f in fields(Paper))
_CITATION_FIELDS = frozenset(f.name for f in fields(Citation))
# field defaults used to fill the compact lines (every field but the keys has a plain default)
_PAPER_INIT: dict[str, Any] = {f.name: f.default for f in fields(Paper) if f.name != "paper_id"}
_CITATION_INIT: dict[str, Any] = {f.name: f.default for f in fields(Citation) if f.name not in ("citing", "cited")}
_CITATION_INIT["extra"] = {}


class SnapshotError(LineageError):
    """The snapshot folder is missing or one of its files is malformed (carries path and line)."""

    def __init__(self, message: str, *, path: str, line: int | None = None, hint: str | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(
            f"{where}: {message}",
            hint=hint or "rebuild it with 'python scripts/build_snapshot.py --src ../shared/data --out seeds/snapshot'"
            " or restore it with 'git checkout -- seeds/snapshot'",
        )
        self.path = path
        self.line = line


def default_snapshot_path() -> Path:
    """The built-in snapshot folder ``<repo>/seeds/snapshot``."""
    from graph.core.settings import repo_root

    return repo_root() / "seeds" / "snapshot"


@dataclass
class Snapshot:
    """The loaded snapshot: papers by key, citation edges, and the build's ``meta``.

    Adjacency and id indexes are computed once at load time; treat the object as read-only (it is
    shared by every caller of :func:`load_snapshot` for the same folder).
    """

    papers: dict[str, Paper]
    """Node key -> paper."""
    edges: list[Citation]
    """Every citation edge (``citing`` cites ``cited``), sorted by (citing, cited)."""
    meta: dict[str, Any]
    """The build's ``meta.json`` (counts, completeness, unmatched counts, aliases...)."""
    _refs: dict[str, list[Citation]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _cites: dict[str, list[Citation]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_id: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_title: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        refs: dict[str, list[Citation]] = {}
        cites: dict[str, list[Citation]] = {}
        for e in self.edges:
            refs.setdefault(e.citing, []).append(e)
            cites.setdefault(e.cited, []).append(e)
        by_id: dict[str, str] = {}
        for key, p in self.papers.items():
            if p.arxiv_id:
                by_id.setdefault(f"arxiv:{p.arxiv_id}", key)
            if p.doi:
                by_id.setdefault(f"doi:{p.doi}", key)
        for alias, key in (self.meta.get("aliases") or {}).items():
            if key in self.papers:
                by_id.setdefault(alias, key)
        self._refs, self._cites, self._by_id = refs, cites, by_id

    def _title_index(self) -> dict[str, str]:
        """Normalised title -> key, built on first use (normalising every title costs ~0.1 s)."""
        if not self._by_title:
            by_title: dict[str, str] = {}
            for key, p in self.papers.items():
                if p.title:
                    by_title.setdefault(normalize_title(p.title), key)
            self._by_title = by_title
        return self._by_title

    def find(self, *, arxiv_id: str | None = None, doi: str | None = None, title: str | None = None) -> str | None:
        """The key of the paper with this arXiv id, DOI or (normalised) title; None if absent.

        Ids are tried first (arXiv, then DOI), then the title. Malformed ids find nothing.
        """
        if arxiv_id:
            try:
                key = self._by_id.get(f"arxiv:{normalize_arxiv(arxiv_id)}")
            except BadIdError:
                key = None
            if key:
                return key
        if doi:
            try:
                key = self._by_id.get(f"doi:{normalize_doi(doi)}")
            except BadIdError:
                key = None
            if key:
                return key
        if title:
            nt = normalize_title(title)
            if nt:
                return self._title_index().get(nt)
        return None

    def references(self, key: str) -> list[Citation]:
        """Edges out of ``key`` (what it cites), as recorded; empty if none or unknown."""
        return list(self._refs.get(key, ()))

    def citations(self, key: str) -> list[Citation]:
        """Edges into ``key`` (who cites it) within the snapshot; empty if none or unknown."""
        return list(self._cites.get(key, ()))

    def completeness(self, key: str) -> str | None:
        """``complete`` / ``partial`` / ``none_found`` for seeds and citing papers; None otherwise."""
        p = self.papers.get(key)
        return p.references_status if p is not None else None

    def __len__(self) -> int:
        return len(self.papers)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Parse a JSON-lines file; raise :class:`SnapshotError` with the line number of a bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError("missing snapshot file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"unreadable snapshot file ({exc})", path=str(path)) from None
    lines = text.splitlines()
    # Fast path: one json.loads over the whole file as an array; fall back line by line on error.
    try:
        rows = json.loads("[" + ",".join(ln for ln in lines if ln.strip()) + "]")
        if all(isinstance(r, dict) for r in rows):
            return rows
    except json.JSONDecodeError:
        pass
    out: list[dict[str, Any]] = []
    for no, ln in enumerate(lines, 1):
        if not ln.strip():
            continue
        try:
            row = json.loads(ln)
        except json.JSONDecodeError as exc:
            raise SnapshotError(f"malformed JSON ({exc.msg})", path=str(path), line=no) from None
        if not isinstance(row, dict):
            raise SnapshotError("a line must be a JSON object", path=str(path), line=no)
        out.append(row)
    return out


def _paper(row: dict[str, Any], path: Path, no: int) -> Paper:
    """Build a Paper without the dataclass ``__init__`` (21 frozen ``__setattr__`` calls a record).

    The file was written by :func:`write_snapshot` from real ``Paper`` objects, so the row only needs
    its defaults filled in; unknown keys are dropped and ``paper_id`` is required.
    """
    if not row.keys() <= _PAPER_FIELDS:
        row = {k: v for k, v in row.items() if k in _PAPER_FIELDS}
    if not isinstance(row.get("paper_id"), str):
        raise SnapshotError("a paper record needs a string 'paper_id'", path=str(path), line=no)
    d = _PAPER_INIT.copy()
    d.update(row)
    authors = d["authors"]
    d["authors"] = tuple(authors) if authors else ()
    p = object.__new__(Paper)
    object.__setattr__(p, "__dict__", d)
    return p


def _citation(row: dict[str, Any], path: Path, no: int) -> Citation:
    """Build a Citation the same way (``citing`` and ``cited`` required)."""
    if not row.keys() <= _CITATION_FIELDS:
        row = {k: v for k, v in row.items() if k in _CITATION_FIELDS}
    if not isinstance(row.get("citing"), str) or not isinstance(row.get("cited"), str):
        raise SnapshotError("an edge record needs string 'citing' and 'cited'", path=str(path), line=no)
    d = _CITATION_INIT.copy()
    d.update(row)
    d["extra"] = dict(d["extra"] or {})
    c = object.__new__(Citation)
    object.__setattr__(c, "__dict__", d)
    return c


@functools.lru_cache(maxsize=8)
def _load_cached(folder: str, _stamp: tuple[int, ...]) -> Snapshot:
    # ~100k small containers are allocated: pausing the cyclic GC saves ~40 % (bench/gc_pauses.py)
    pause = gc_paused()
    pause.__enter__()  # not a with-block: measured ~30 ms faster here (bench/gc_pauses.py)
    try:
        return _load(Path(folder))
    finally:
        pause.__exit__()


def _load(path: Path) -> Snapshot:
    folder = str(path)
    papers: dict[str, Paper] = {}
    ppath = path / PAPERS_FILE
    for no, row in enumerate(_read_jsonl(ppath), 1):
        p = _paper(row, ppath, no)
        papers[p.paper_id] = p
    epath = path / EDGES_FILE
    edges = [_citation(row, epath, no) for no, row in enumerate(_read_jsonl(epath), 1)]
    mpath = path / META_FILE
    try:
        meta = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError("missing snapshot file", path=str(mpath)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"malformed meta.json ({exc})", path=str(mpath)) from None
    if not isinstance(meta, dict):
        raise SnapshotError("meta.json must hold a JSON object", path=str(mpath))
    log.debug("snapshot %s: %d papers, %d edges", folder, len(papers), len(edges))
    return Snapshot(papers=papers, edges=edges, meta=meta)


def load_snapshot(path: str | os.PathLike[str] | None = None) -> Snapshot:
    """Load the snapshot folder (default ``seeds/snapshot`` in the checkout); cached per folder.

    Raises
    ------
    SnapshotError
        The folder or a file is missing, or a line is malformed (the message names path and line).
    """
    folder = Path(path) if path is not None else default_snapshot_path()
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise SnapshotError("snapshot folder not found", path=str(folder))
    stamp: list[int] = []
    for name in (PAPERS_FILE, EDGES_FILE, META_FILE):
        try:
            st = (folder / name).stat()
        except FileNotFoundError:
            raise SnapshotError("missing snapshot file", path=str(folder / name)) from None
        stamp += [st.st_mtime_ns, st.st_size]
    return _load_cached(str(folder), tuple(stamp))


_PAPER_DEFAULTS = {f.name: f.default for f in fields(Paper)}
_CITATION_DEFAULTS = {f.name: f.default for f in fields(Citation)}


def _dumps(d: dict[str, Any], defaults: dict[str, Any]) -> str:
    """One compact JSON line; fields that are null, empty or at their default are left out."""
    d = {k: v for k, v in d.items() if v is not None and v != [] and v != {} and not (
        k in defaults and defaults[k] == v)}
    return json.dumps(d, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def write_snapshot(papers: Iterable[Paper], edges: Iterable[Citation], meta: dict[str, Any],
                   path: str | os.PathLike[str]) -> None:
    """Write ``papers.jsonl``, ``edges.jsonl`` and ``meta.json`` into ``path`` (created if needed).

    Output is deterministic and diff-friendly: one JSON object a line with sorted keys, papers sorted
    by key, edges by (citing, cited); ``meta.json`` indented with sorted keys. A line is
    ``to_dict()`` minus the fields that are null, empty or at their default (about a third of the
    bytes, and as much parse time); ``Paper.from_dict`` / ``Citation.from_dict`` read it back as is.
    Each file is written to a temporary name and renamed, so a reader never sees half a file.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    plines = [_dumps(p.to_dict(), _PAPER_DEFAULTS) for p in sorted(papers, key=lambda p: p.paper_id)]
    elines = [_dumps(e.to_dict(), _CITATION_DEFAULTS) for e in sorted(edges, key=lambda e: (e.citing, e.cited))]
    files = {
        PAPERS_FILE: "".join(ln + "\n" for ln in plines),
        EDGES_FILE: "".join(ln + "\n" for ln in elines),
        META_FILE: json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=2) + "\n",
    }
    for name, text in files.items():
        tmp = folder / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / name)
    _load_cached.cache_clear()
    log.info("wrote snapshot %s: %d papers, %d edges", folder, len(plines), len(elines))


def suspected_duplicates(snap: Snapshot, *, threshold: float = 92.0) -> list[tuple[str, str, float]]:
    """Pairs of nodes that look like one work: ``(key_a, key_b, title score)``, sorted.

    Runs :func:`graph.core.ids.find_duplicates` over every node's normalised title, year and
    first-author surname (about 10 s on the shipped snapshot). ``lineage snapshot info`` reports the
    figure the build stored in ``meta.identity``; the test suite recomputes it.

    Examples
    --------
    >>> a = Paper("title:learning to summarize from human feedback", title="Learning to summarize from human feedback",
    ...           year=2020, authors=("Nisan Stiennon",))
    >>> b = Paper("title:learning to summarize with human feedback", title="Learning to summarize with human feedback",
    ...           year=2020, authors=("Stiennon",))
    >>> suspected_duplicates(Snapshot(papers={a.key: a, b.key: b}, edges=[], meta={}))
    [('title:learning to summarize from human feedback', 'title:learning to summarize with human feedback', 95.0)]
    """
    works = [(k, normalize_title(p.title), p.year, surname(p.authors[0]) if p.authors else "")
             for k, p in snap.papers.items()]
    return find_duplicates(works, threshold=threshold)
