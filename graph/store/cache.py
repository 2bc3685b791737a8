"""SQLite store of papers, citation edges, listings and id aliases (see docs/architecture.md).

One file, WAL mode, ``synchronous=NORMAL`` and a 10 s busy timeout, so that two processes (the CLI
and the app) can use it at the same time without losing writes. Every write method is one
``BEGIN IMMEDIATE … COMMIT`` transaction: a crash, even SIGKILL, leaves either the whole batch or
none of it, and never touches batches committed earlier (in WAL mode a committed transaction is in
the ``-wal`` file before ``COMMIT`` returns; ``synchronous=NORMAL`` only risks the last commits on a
power cut, not on a process crash).

The tables, the schema version and the checks that recognise a damaged file are in
:mod:`graph.store.cache_schema`. Corrupt or truncated files raise
:class:`~graph.core.errors.CacheCorruptError` (naming the file and suggesting ``lineage cache clear``),
never a raw :mod:`sqlite3` error; :func:`clear_cache` deletes the file even when it is corrupt.

The store never sees settings or secrets: it is built from a path only.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType

from graph.core.errors import CacheCorruptError, LineageError
from graph.core.merge import merge_citations, merge_papers
from graph.core.models import Citation, Paper
from graph.store.cache_schema import (
    BUSY_TIMEOUT_MS,
    DIRECTIONS,
    SCHEMA_VERSION,
    TABLES,
    check_direction,
    check_header,
    citation_json,
    clear_cache,
    ensure_schema,
    is_corruption,
    now,
    paper_json,
    set_wal,
    sidecars,
)

__all__ = ["DIRECTIONS", "SCHEMA_VERSION", "Cache", "clear_cache"]

logger = logging.getLogger(__name__)

_citation_json = citation_json  # the old private name, still imported by bench/analysis.py


class Cache:
    """The SQLite store (see the module docstring). Use as a context manager, or call :meth:`close`.

    Thread safety: one connection shared by all threads (``check_same_thread=False``) behind an
    ``RLock``. Streamlit runs each session in its own thread; SQLite serialises writers anyway, every
    call here is short, and a single connection means :meth:`close` and :meth:`clear` reliably
    release the file (per-thread connections would leak handles of finished script threads).
    Other *processes* get their own connection and coordinate through WAL + the busy timeout.

    Parameters
    ----------
    path:
        The database file; parent folders are created. Raises :class:`~graph.core.errors.CacheCorruptError`
        when the file is not a readable cache.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._open()

    # ------------------------------------------------------------------ plumbing

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise LineageError(f"cannot create the cache folder '{self.path.parent}' ({e.strerror or e})",
                               hint="set LINEAGE_CACHE_DIR to a writable folder") from None
        check_header(self.path)
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            set_wal(conn, self.path)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = OFF")
            self._conn = conn
            ensure_schema(conn, self.path)
            # Touch every table's root page so that damage near the start shows up now, not later.
            for t in TABLES:
                conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchall()
        except sqlite3.DatabaseError as e:
            self._conn = None
            if conn is not None:
                conn.close()
            raise self._translate(e) from None
        except BaseException:
            self._conn = None
            if conn is not None:
                conn.close()
            raise
        logger.debug("opened cache %s", self.path)

    def _translate(self, e: sqlite3.Error) -> LineageError:
        if isinstance(e, sqlite3.DatabaseError) and is_corruption(e):
            logger.info("cache %s is corrupt: %s", self.path, e)
            return CacheCorruptError(str(self.path), str(e))
        if isinstance(e, LineageError):
            return e
        msg = str(e)
        hint = ("another process held the cache longer than 10 s; try again"
                if "locked" in msg.lower() or "busy" in msg.lower()
                else "check free disk space and permissions, or run 'lineage cache clear'")
        return LineageError(f"cache '{self.path}' failed: {msg}", hint=hint)

    def _c(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LineageError(f"the cache '{self.path}' is closed")
        return self._conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._c()
            except sqlite3.Error as e:
                raise self._translate(e) from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken up front, so two writers
        never deadlock upgrading a read lock, and the busy timeout applies."""
        with self._lock:
            conn = self._c()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self._translate(e) from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as e:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.Error):
                    raise self._translate(e) from None
                raise

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None
                    logger.debug("closed cache %s", self.path)

    def clear(self) -> None:
        """Delete the cache file (and ``-wal`` / ``-shm``) and start a fresh, empty one."""
        with self._lock:
            self.close()
            clear_cache(self.path)
            self._open()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Cache({str(self.path)!r})"

    # ------------------------------------------------------------------ papers

    @staticmethod
    def _upsert_papers(conn: sqlite3.Connection, papers: Iterable[Paper]) -> int:
        pending: dict[str, Paper] = {}
        for p in papers:
            if not isinstance(p, Paper):
                raise TypeError(f"put_papers expects Paper objects, got {type(p).__name__}")
            pending[p.paper_id] = merge_papers(pending[p.paper_id], p) if p.paper_id in pending else p
        if not pending:
            return 0
        keys = list(pending)
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = conn.execute(
                f"SELECT key, json FROM papers WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            for key, js in rows:
                old = Paper.from_dict(json.loads(js))
                pending[key] = merge_papers(old, pending[key])
        conn.executemany(
            "INSERT INTO papers (key, json, source, fetched_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET json=excluded.json, source=excluded.source, "
            "fetched_at=excluded.fetched_at",
            [(k, paper_json(p), p.source, p.fetched_at) for k, p in pending.items()],
        )
        return len(pending)

    def put_papers(self, papers: Iterable[Paper], *, aliases: Mapping[str, str] | None = None) -> None:
        """Store (merge) papers and, optionally, aliases ``query id → key``, in one transaction.

        A stored alias also clears any "missing" mark of that query id.
        """
        papers = list(papers)
        alias_rows = [(str(q), str(k)) for q, k in (aliases or {}).items()]
        with self._write() as conn:
            n = self._upsert_papers(conn, papers)
            if alias_rows:
                conn.executemany("INSERT OR REPLACE INTO aliases (query_id, key) VALUES (?, ?)", alias_rows)
                conn.executemany("DELETE FROM missing WHERE query_id = ?", [(q,) for q, _ in alias_rows])
        logger.debug("cache: stored %d papers, %d aliases", n, len(alias_rows))

    def get_paper(self, key: str) -> Paper | None:
        """The stored paper with this node key, or None."""
        with self._read() as conn:
            row = conn.execute("SELECT json FROM papers WHERE key = ?", (key,)).fetchone()
        return Paper.from_dict(json.loads(row[0])) if row else None

    def get_papers(self, keys: Iterable[str]) -> dict[str, Paper]:
        """The stored papers among ``keys`` (absent keys are left out)."""
        ks = list(dict.fromkeys(keys))
        out: dict[str, Paper] = {}
        with self._read() as conn:
            for i in range(0, len(ks), 500):
                chunk = ks[i:i + 500]
                for key, js in conn.execute(
                        f"SELECT key, json FROM papers WHERE key IN ({','.join('?' * len(chunk))})", chunk):
                    out[key] = Paper.from_dict(json.loads(js))
        return {k: out[k] for k in ks if k in out}

    def lookup(self, query_id: str) -> str | None:
        """The node key a query id resolved to earlier (``'ARXIV:2305.18290'`` → ``'arxiv:2305.18290'``)."""
        with self._read() as conn:
            row = conn.execute("SELECT key FROM aliases WHERE query_id = ?", (query_id,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ missing

    def put_missing(self, query_ids: Iterable[str]) -> None:
        """Remember that a source answered "not found" for these query ids (one transaction)."""
        stamp = now()
        rows = [(str(q), stamp) for q in dict.fromkeys(query_ids)]
        if not rows:
            return
        with self._write() as conn:
            conn.executemany("INSERT OR REPLACE INTO missing (query_id, fetched_at) VALUES (?, ?)", rows)

    def is_missing(self, query_id: str) -> bool:
        """True when ``query_id`` was recorded as not found."""
        with self._read() as conn:
            row = conn.execute("SELECT 1 FROM missing WHERE query_id = ?", (query_id,)).fetchone()
        return row is not None

    # ------------------------------------------------------------------ edges and listings

    @staticmethod
    def _upsert_edges(conn: sqlite3.Connection, edges: Iterable[Citation]) -> int:
        pending: dict[tuple[str, str], Citation] = {}
        for c in edges:
            if not isinstance(c, Citation):
                raise TypeError(f"expected Citation objects, got {type(c).__name__}")
            k = (c.citing, c.cited)
            pending[k] = merge_citations(pending[k], c) if k in pending else c
        for (citing, cited), c in list(pending.items()):
            row = conn.execute("SELECT json FROM edges WHERE citing = ? AND cited = ?", (citing, cited)).fetchone()
            if row:
                pending[(citing, cited)] = merge_citations(Citation.from_dict(json.loads(row[0])), c)
        conn.executemany(
            "INSERT INTO edges (citing, cited, json, source, fetched_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(citing, cited) DO UPDATE SET json=excluded.json, source=excluded.source, "
            "fetched_at=excluded.fetched_at",
            [(a, b, citation_json(c), c.source, c.fetched_at) for (a, b), c in pending.items()],
        )
        return len(pending)

    def put_edges(self, edges: Iterable[Citation]) -> None:
        """Store (merge) citation edges in one transaction, without a listing marker."""
        edges = list(edges)
        with self._write() as conn:
            self._upsert_edges(conn, edges)

    def put_listing(self, key: str, direction: str, papers: Iterable[Paper], edges: Iterable[Citation]) -> None:
        """Store the full references (``direction='references'``) or citations of ``key``.

        Papers, edges and the listing marker go in ONE transaction, so a listing is either wholly
        there or absent. An empty listing (no edges) is recorded too: "fetched, none found".
        """
        check_direction(direction)
        papers, edges = list(papers), list(edges)
        for c in edges:
            if (direction == "references" and c.citing != key) or (direction == "citations" and c.cited != key):
                raise ValueError(f"edge {c.citing} -> {c.cited} does not belong to the {direction} of {key}")
        with self._write() as conn:
            self._upsert_papers(conn, papers)
            n = self._upsert_edges(conn, edges)
            conn.execute("INSERT OR REPLACE INTO listings (key, direction, fetched_at, n) VALUES (?, ?, ?, ?)",
                         (key, direction, now(), n))
        logger.debug("cache: stored %s of %s: %d papers, %d edges", direction, key, len(papers), n)

    def listing_fetched_at(self, key: str, direction: str) -> str | None:
        """When the references / citations of ``key`` were fetched (ISO time), or None if never."""
        check_direction(direction)
        with self._read() as conn:
            row = conn.execute("SELECT fetched_at FROM listings WHERE key = ? AND direction = ?",
                               (key, direction)).fetchone()
        return row[0] if row else None

    def get_listing(self, key: str, direction: str) -> tuple[list[Paper], list[Citation]] | None:
        """The stored references / citations of ``key``: ``(papers, edges)``, or None if never fetched.

        ``([], [])`` means fetched and empty. Edges are every stored edge of that direction (a
        listing of another paper may have added more), with the papers at their other ends.
        """
        check_direction(direction)
        col, other = ("citing", "cited") if direction == "references" else ("cited", "citing")
        with self._read() as conn:
            if conn.execute("SELECT 1 FROM listings WHERE key = ? AND direction = ?", (key, direction)).fetchone() \
                    is None:
                return None
            edge_rows = conn.execute(f"SELECT json FROM edges WHERE {col} = ? ORDER BY rowid", (key,)).fetchall()
            paper_rows = conn.execute(
                f"SELECT p.json FROM edges e JOIN papers p ON p.key = e.{other} WHERE e.{col} = ? ORDER BY e.rowid",
                (key,)).fetchall()
        edges = [Citation.from_dict(json.loads(r[0])) for r in edge_rows]
        papers = [Paper.from_dict(json.loads(r[0])) for r in paper_rows]
        return papers, edges

    def get_edges(self, key: str, direction: str) -> list[Citation]:
        """Every stored edge of ``key`` in ``direction``, listing or not."""
        check_direction(direction)
        col = "citing" if direction == "references" else "cited"
        with self._read() as conn:
            rows = conn.execute(f"SELECT json FROM edges WHERE {col} = ? ORDER BY rowid", (key,)).fetchall()
        return [Citation.from_dict(json.loads(r[0])) for r in rows]

    # ------------------------------------------------------------------ stats

    def stats(self) -> dict[str, int]:
        """Row counts (``papers``, ``edges``, ``listings``, ``aliases``, ``missing``) and ``size_bytes``
        (database plus its ``-wal`` file)."""
        with self._read() as conn:
            out = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}
        size = 0
        for f in sidecars(self.path)[:2]:
            with suppress(FileNotFoundError):
                size += f.stat().st_size
        out["size_bytes"] = size
        return out

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: ``'ok'`` or SQLite's description of the damage."""
        with self._read() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)

