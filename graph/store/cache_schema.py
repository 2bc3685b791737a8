"""The cache file's format: tables, schema version, and how a damaged file is recognised.

:class:`graph.store.cache.Cache` opens the file; this module knows what is in it.

Tables
------
``papers(key PK, json, source, fetched_at)``
    one :class:`~graph.core.models.Paper` per node key, as ``Paper.to_dict()`` JSON.
``aliases(query_id PK, key)``
    the id a source was asked for (``ARXIV:2305.18290``) → the node key it resolved to.
``missing(query_id PK, fetched_at)``
    ids a source answered "not found" for.
``edges(citing, cited, json, source, fetched_at; PK citing+cited)``
    one :class:`~graph.core.models.Citation` per edge.
``listings(key, direction, fetched_at, n; PK key+direction)``
    marks that the references (or citations) of ``key`` were fetched in full, ``n`` edges. Written in
    the same transaction as its papers and edges, so a listing is either wholly there or absent.

The schema version is ``PRAGMA user_version``. Corrupt or truncated files raise
:class:`~graph.core.errors.CacheCorruptError` (naming the file and suggesting ``lineage cache clear``),
never a raw :mod:`sqlite3` error; :func:`clear_cache` deletes the file even when it is corrupt.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import struct
import time
from datetime import datetime, timezone
from pathlib import Path

from graph.core.errors import CacheCorruptError, LineageError
from graph.core.models import Citation, Paper

__all__ = ["BUSY_TIMEOUT_MS", "DIRECTIONS", "SCHEMA_VERSION", "TABLES", "check_direction", "check_header",
           "citation_json", "clear_cache", "ensure_schema", "is_corruption", "now", "paper_json", "set_wal",
           "sidecars"]

logger = logging.getLogger("graph.store.cache")

SCHEMA_VERSION = 1
"""Stored in ``PRAGMA user_version``; bump it (and add a migration) when the tables change."""

DIRECTIONS = ("references", "citations")
"""Listing directions: ``references`` (edges ``key → x``) and ``citations`` (edges ``x → key``)."""

BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    key TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    source TEXT,
    fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS aliases (
    query_id TEXT PRIMARY KEY,
    key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS missing (
    query_id TEXT PRIMARY KEY,
    fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS edges (
    citing TEXT NOT NULL,
    cited TEXT NOT NULL,
    json TEXT NOT NULL,
    source TEXT,
    fetched_at TEXT,
    PRIMARY KEY (citing, cited)
);
CREATE INDEX IF NOT EXISTS edges_cited ON edges (cited);
CREATE TABLE IF NOT EXISTS listings (
    key TEXT NOT NULL,
    direction TEXT NOT NULL,
    fetched_at TEXT,
    n INTEGER NOT NULL,
    PRIMARY KEY (key, direction)
);
"""
TABLES = ("papers", "aliases", "missing", "edges", "listings")
"""Every table, in creation order."""

# sqlite3 primary result codes that mean "this file is damaged / not a database".
_SQLITE_CORRUPT = 11
_SQLITE_FORMAT = 24
_SQLITE_NOTADB = 26
_CORRUPT_CODES = {_SQLITE_CORRUPT, _SQLITE_FORMAT, _SQLITE_NOTADB}
_CORRUPT_WORDS = ("malformed", "not a database", "file is encrypted", "corrupt")

_SQLITE_MAGIC = b"SQLite format 3\x00"


def now() -> str:
    """The current UTC time, ISO 8601 to the second (the ``fetched_at`` stamps)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sidecars(path: Path) -> list[Path]:
    """The database file and its ``-wal``, ``-shm`` and ``-journal`` companions, in that order.

    Examples
    --------
    >>> [p.name for p in sidecars(Path("c.sqlite"))]
    ['c.sqlite', 'c.sqlite-wal', 'c.sqlite-shm', 'c.sqlite-journal']
    """
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def clear_cache(path: str | os.PathLike[str]) -> bool:
    """Delete the cache file and its ``-wal`` / ``-shm`` / ``-journal`` companions.

    Works on corrupt files too (it never opens them). Returns True when something was deleted.
    """
    p = Path(path)
    removed = False
    for f in sidecars(p):
        try:
            f.unlink()
            removed = True
        except FileNotFoundError:
            pass
        except OSError as e:
            raise LineageError(f"cannot delete the cache file '{f}' ({e.strerror or e})",
                               hint="check the file's permissions, or delete it by hand") from None
    if removed:
        logger.info("cleared cache %s", p)
    return removed


def is_corruption(err: sqlite3.DatabaseError) -> bool:
    """True when SQLite's error means the file is damaged or not a database."""
    code = getattr(err, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _CORRUPT_CODES:
        return True
    msg = str(err).lower()
    return any(w in msg for w in _CORRUPT_WORDS)


def check_header(path: Path) -> None:
    """Cheap structural check of a database file before SQLite touches it.

    Catches garbage files and files truncated below the size the header promises (SQLite itself only
    notices the latter when it reads a missing page, maybe much later).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return  # SQLite treats an empty file as a new, empty database
    with path.open("rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
        raise CacheCorruptError(str(path), "file is not a database")
    (page_size,) = struct.unpack(">H", head[16:18])
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise CacheCorruptError(str(path), f"bad page size {page_size} in the header")
    (change_counter,) = struct.unpack(">I", head[24:28])
    (n_pages,) = struct.unpack(">I", head[28:32])
    (valid_for,) = struct.unpack(">I", head[92:96])
    # The in-header page count is only authoritative when "version-valid-for" matches the change
    # counter (see https://www.sqlite.org/fileformat.html#in_header_database_size).
    if n_pages and valid_for == change_counter and size < n_pages * page_size:
        raise CacheCorruptError(
            str(path), f"file is truncated: {size} bytes, the header says {n_pages * page_size}")
    if size % page_size:
        raise CacheCorruptError(str(path), f"file size {size} is not a multiple of the page size {page_size}")


def set_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch ``conn`` to WAL mode, retrying while another process holds the file (busy timeout)."""
    # Switching to WAL needs a moment of exclusive access; another process may be opening too.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as e:
            if "locked" not in str(e).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    if str(mode).lower() != "wal":
        logger.warning("cache %s: could not enable WAL (journal_mode=%s)", path, mode)


def ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Create the tables of :data:`SCHEMA_VERSION` in one transaction, unless they are there already.

    A newer schema raises :class:`~graph.core.errors.CacheCorruptError`; an unknown older one is dropped
    and rebuilt (a cache can always be re-fetched).
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise CacheCorruptError(
            str(path),
            f"schema version {version} was written by a newer paper-lineage (this one reads {SCHEMA_VERSION})")
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # re-read under the write lock
        if version not in (0, SCHEMA_VERSION):
            # No earlier schema was ever released; anything else is a cache we cannot read, and
            # a cache can always be re-fetched: start over rather than fail.
            logger.warning("cache %s: unknown schema version %s, rebuilding", path, version)
            for t in TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {t}")
        for stmt in _SCHEMA.split(";"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def paper_json(p: Paper) -> str:
    """The ``papers.json`` column of ``p``: compact ``Paper.to_dict()`` JSON."""
    return json.dumps(p.to_dict(), ensure_ascii=False, separators=(",", ":"))


def citation_json(c: Citation) -> str:
    """The ``edges.json`` column of ``c``: compact ``Citation.to_dict()`` JSON."""
    return json.dumps(c.to_dict(), ensure_ascii=False, separators=(",", ":"), default=str)


def check_direction(direction: str) -> None:
    """Raise ValueError unless ``direction`` is one of :data:`DIRECTIONS`.

    Examples
    --------
    >>> check_direction("references")
    >>> check_direction("up")
    Traceback (most recent call last):
    ValueError: direction must be one of ('references', 'citations'), got 'up'
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
