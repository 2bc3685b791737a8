"""A fake arXiv query API: a real HTTP server on 127.0.0.1 (random port) for tests.

It answers ``GET /api/query?search_query=&id_list=a,b&start=S&max_results=M`` with an Atom feed in the
shape of the real responses recorded by the ``arxiv`` client's own test suite (public repository
``lukasschwab/arxiv.py``, MIT; copies in ``tests/data/arxiv/``): ``opensearch:totalResults`` /
``itemsPerPage`` / ``startIndex``, then one ``<entry>`` per found id with ``id``
(``http://arxiv.org/abs/<id>v1``), ``title``, ``updated``, ``published``, ``summary``, links,
categories, ``arxiv:journal_ref``, ``arxiv:doi`` and authors. Unknown ids are simply absent (as on
arXiv); a malformed id gets the real API's HTTP 400 error feed.

Recorded responses can be served verbatim for a given set of ids (:meth:`FakeArxiv.add_recording`).

Fault modes (thread-safe, switchable while running): ``fail(k, status)`` answers the next ``k``
requests with that status, ``slow(seconds, k)`` sleeps before answering, ``garbage(k)`` answers
200 with an HTML page. The server counts requests (:attr:`FakeArxiv.requests`) and logs each
query (:attr:`FakeArxiv.log`).

Examples
--------
>>> import requests
>>> from graph.core.models import Paper
>>> p = Paper(paper_id="arxiv:1706.03762", title="Attention Is All You Need", arxiv_id="1706.03762", year=2017)
>>> with FakeArxiv.from_models([p]) as fake:
...     r = requests.get(fake.url, params={"id_list": "1706.03762,0000.00000"}, timeout=5)
...     (r.status_code, r.text.count("<entry>"), "Attention Is All You Need" in r.text, fake.requests)
(200, 1, True, 1)
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from graph.core.models import Paper

__all__ = ["FakeArxiv", "paper_to_entry_fields"]

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ET.register_namespace("", ATOM)
ET.register_namespace("arxiv", ARXIV)
ET.register_namespace("opensearch", OPENSEARCH)

_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_OLD = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")


def _base_id(raw: str) -> str | None:
    """``2104.12255v1`` → ``2104.12255``; None for a malformed id (the real API answers 400)."""
    m = _NEW.match(raw) or _OLD.match(raw)
    return m.group(1) if m else None


def _iso(date: str | None, year: int | None) -> str:
    if date and re.match(r"^\d{4}-\d{2}-\d{2}", date):
        return date[:10] + "T00:00:00Z"
    return f"{year or 2000:04d}-01-01T00:00:00Z"


def paper_to_entry_fields(p: Paper) -> dict[str, Any]:
    """The values the fake puts in an ``<entry>`` for a Paper (it needs ``arxiv_id``)."""
    if not p.arxiv_id:
        raise ValueError(f"the fake arXiv serves papers with an arxiv_id only, not {p.paper_id}")
    published = _iso(p.publication_date, p.year)
    return {
        "id": f"http://arxiv.org/abs/{p.arxiv_id}v1",
        "title": p.title or "",
        "updated": published,
        "published": published,
        "summary": p.abstract or "",
        "authors": list(p.authors),
        "journal_ref": p.venue,
        "doi": p.doi,
        "pdf": f"https://arxiv.org/pdf/{p.arxiv_id}v1",
        "abs": f"https://arxiv.org/abs/{p.arxiv_id}v1",
    }


def _sub(parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _feed(entries: list[dict[str, Any]], *, total: int, start: int, per_page: int, query: str) -> bytes:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, ATOM, "id", "https://arxiv.org/api/fake")
    _sub(feed, ATOM, "title", f"arXiv Query: {query}")
    _sub(feed, ATOM, "updated", now)
    _sub(feed, ATOM, "link", href=f"https://arxiv.org/api/query?{query}", type="application/atom+xml")
    _sub(feed, OPENSEARCH, "itemsPerPage", str(per_page))
    _sub(feed, OPENSEARCH, "totalResults", str(total))
    _sub(feed, OPENSEARCH, "startIndex", str(start))
    for f in entries:
        e = _sub(feed, ATOM, "entry")
        _sub(e, ATOM, "id", f["id"])
        _sub(e, ATOM, "title", f["title"])
        _sub(e, ATOM, "updated", f["updated"])
        _sub(e, ATOM, "link", href=f["abs"], rel="alternate", type="text/html")
        _sub(e, ATOM, "link", href=f["pdf"], rel="related", type="application/pdf", title="pdf")
        _sub(e, ATOM, "summary", f["summary"])
        _sub(e, ATOM, "category", term="cs.LG", scheme="http://arxiv.org/schemas/atom")
        _sub(e, ATOM, "published", f["published"])
        _sub(e, ARXIV, "primary_category", term="cs.LG")
        if f.get("journal_ref"):
            _sub(e, ARXIV, "journal_ref", f["journal_ref"])
        if f.get("doi"):
            _sub(e, ARXIV, "doi", f["doi"])
        for name in f["authors"]:
            a = _sub(e, ATOM, "author")
            _sub(a, ATOM, "name", name)
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + ET.tostring(feed, encoding="utf-8", xml_declaration=False)


def _error_feed(bad: str) -> bytes:
    """The real API's answer (HTTP 400) to a malformed id, as recorded in ``id_abc_*.json``."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, ATOM, "id", "https://arxiv.org/")
    _sub(feed, ATOM, "title", "arXiv Search Results")
    _sub(feed, ATOM, "updated", now)
    _sub(feed, OPENSEARCH, "itemsPerPage", "1")
    _sub(feed, OPENSEARCH, "totalResults", "1")
    _sub(feed, OPENSEARCH, "startIndex", "0")
    e = _sub(feed, ATOM, "entry")
    _sub(e, ATOM, "id", f"https://arxiv.org/api/errors#incorrect_id_format_for_{bad}")
    _sub(e, ATOM, "title", "Error")
    _sub(e, ATOM, "updated", now)
    _sub(e, ATOM, "summary", f"incorrect id format for {bad}")
    a = _sub(e, ATOM, "author")
    _sub(a, ATOM, "name", "arXiv api core")
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + ET.tostring(feed, encoding="utf-8")


@dataclass
class _Fault:
    kind: str            # "status" | "slow" | "garbage"
    count: int | None    # next K requests; None = every request
    status: int = 500
    sleep_s: float = 0.0


class FakeArxiv:
    """The fake server. Use as a context manager, or :meth:`start` / :meth:`stop`; :attr:`url` is
    the query endpoint to put in ``Settings(arxiv_url=...)``."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._recordings: dict[frozenset[str], tuple[int, bytes]] = {}
        self._faults: list[_Fault] = []
        self._stop = threading.Event()
        self.requests = 0
        """Requests received (every attempt, faults included)."""
        self.log: list[dict[str, str]] = []
        """The query parameters of each request."""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ data
    @classmethod
    def from_models(cls, papers: Iterable[Paper]) -> FakeArxiv:
        fake = cls()
        fake.add_models(papers)
        return fake

    def add_models(self, papers: Iterable[Paper]) -> None:
        """Serve these papers (each needs ``arxiv_id``)."""
        with self._lock:
            for p in papers:
                self._entries[str(p.arxiv_id)] = paper_to_entry_fields(p)

    def add_recording(self, ids: Iterable[str], body: str | bytes, status: int = 200) -> None:
        """Answer a query whose id_list is exactly ``ids`` (versions ignored) with a recorded body."""
        key = frozenset(_base_id(i) or i for i in ids)
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self._recordings[key] = (status, data)

    # ------------------------------------------------------------------ faults
    def fail(self, count: int | None = 1, status: int = 500) -> None:
        """Answer the next ``count`` requests (all when None) with HTTP ``status``."""
        with self._lock:
            self._faults.append(_Fault("status", count, status=status))

    def slow(self, seconds: float, count: int | None = None) -> None:
        """Sleep ``seconds`` before answering the next ``count`` requests (all when None)."""
        with self._lock:
            self._faults.append(_Fault("slow", count, sleep_s=seconds))

    def garbage(self, count: int | None = 1) -> None:
        """Answer 200 with an HTML page instead of a feed."""
        with self._lock:
            self._faults.append(_Fault("garbage", count))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_faults(self) -> list[_Fault]:
        out: list[_Fault] = []
        with self._lock:
            for f in self._faults:
                if f.count is None:
                    out.append(f)
                elif f.count > 0:
                    f.count -= 1
                    out.append(f)
            self._faults = [f for f in self._faults if f.count is None or f.count > 0]
        return out

    # ------------------------------------------------------------------ serving
    def _answer(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if path.rstrip("/") != "/api/query":
            return 404, "text/plain", b"not found"
        raw_ids = [i.strip() for i in query.get("id_list", "").split(",") if i.strip()]
        start = int(query.get("start", "0") or 0)
        per_page = int(query.get("max_results", "10") or 10)
        bases: list[str] = []
        for i in raw_ids:
            b = _base_id(i)
            if b is None:
                return 400, "application/atom+xml", _error_feed(i)
            bases.append(b)
        with self._lock:
            rec = self._recordings.get(frozenset(bases))
            if rec is not None:
                return rec[0], "application/atom+xml; charset=utf-8", rec[1]
            found = [self._entries[b] for b in dict.fromkeys(bases) if b in self._entries]
        page = found[start:start + per_page]
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        return 200, "application/atom+xml; charset=utf-8", _feed(
            page, total=len(found), start=start, per_page=per_page, query=qs)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with fake._lock:
                    fake.requests += 1
                    fake.log.append(query)
                status, ctype, body = None, "", b""
                for f in fake._take_faults():
                    if f.kind == "slow":
                        if fake._stop.wait(f.sleep_s):
                            return
                    elif f.kind == "status" and status is None:
                        status, ctype, body = f.status, "text/plain", f"HTTP {f.status}".encode()
                    elif f.kind == "garbage" and status is None:
                        status, ctype, body = 200, "text/html", b"<html><body>Service down</body></html>"
                if status is None:
                    status, ctype, body = fake._answer(parts.path, query)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

        return Handler

    @property
    def url(self) -> str:
        """The query endpoint, e.g. ``http://127.0.0.1:PORT/api/query``."""
        if self._server is None:
            raise RuntimeError("the fake arXiv server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/query"

    def start(self) -> FakeArxiv:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeArxiv:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
