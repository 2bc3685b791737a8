"""Typed records passed between layers: :class:`Paper` and :class:`Citation`.

Both are frozen dataclasses, built once from an API dict (``from_s2``) or a snapshot dict
(``from_dict``), and serialised with ``to_dict``. API responses are untrusted: unknown fields are
ignored, missing fields become ``None``, and long strings are capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from graph.core.errors import BadIdError
from graph.core.ids import normalize_arxiv, normalize_doi, paper_key

__all__ = ["MAX_ABSTRACT", "MAX_TITLE", "Citation", "Paper"]

MAX_TITLE = 2_000
MAX_ABSTRACT = 20_000
MAX_AUTHORS = 200


def _s(value: Any, cap: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    return value[:cap] if value else None


def _i(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _arxiv_or_none(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return normalize_arxiv(value)
    except BadIdError:
        return None


def _doi_or_none(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return normalize_doi(value)
    except BadIdError:
        return None


@dataclass(frozen=True)
class Paper:
    """One paper (or book / blog post) as a node of the lineage graph."""

    paper_id: str
    """Canonical node key: ``arxiv:…``, ``doi:…``, ``s2:…`` or ``title:…`` (see :func:`graph.core.ids.paper_key`)."""
    title: str | None = None
    """Title as printed by the source."""
    year: int | None = None
    """Publication year (arXiv posting year where that is what the source gives)."""
    authors: tuple[str, ...] = ()
    """Author names in order; may be only the first author for references."""
    venue: str | None = None
    """Venue as printed by the source, or None."""
    abstract: str | None = None
    """Abstract, when the source gives one."""
    tldr: str | None = None
    """Semantic Scholar's one-sentence TLDR, when given."""
    arxiv_id: str | None = None
    """arXiv id without version, e.g. ``2305.18290``."""
    doi: str | None = None
    """DOI, lower-cased."""
    s2_id: str | None = None
    """Semantic Scholar paperId (40 hex chars)."""
    corpus_id: int | None = None
    """Semantic Scholar CorpusId."""
    url: str | None = None
    """A landing page URL (arXiv, DOI or S2)."""
    publication_date: str | None = None
    """ISO date when known."""
    citation_count: int | None = None
    """Citation count from Semantic Scholar (None offline)."""
    reference_count: int | None = None
    """Number of references according to the source."""
    influential_citation_count: int | None = None
    """Semantic Scholar's influential citation count."""
    kind: str = "paper"
    """``paper``, ``book``, ``blog``, ``course`` or ``report``."""
    references_status: str | None = None
    """How much of the bibliography is known: ``complete`` / ``partial`` / ``none_found`` / None (unknown)."""
    source: str | None = None
    """Where the metadata came from (URL or ``s2:`` / ``snapshot:`` marker)."""
    fetched_at: str | None = None
    """ISO timestamp (or date) when the metadata was gathered."""

    @property
    def key(self) -> str:
        """Alias of :attr:`paper_id`."""
        return self.paper_id

    @property
    def first_author(self) -> str | None:
        """The first author's name, if any."""
        return self.authors[0] if self.authors else None

    def links(self) -> dict[str, str]:
        """Links to arXiv, DOI and Semantic Scholar, as far as ids are known."""
        out: dict[str, str] = {}
        if self.arxiv_id:
            out["arXiv"] = f"https://arxiv.org/abs/{self.arxiv_id}"
        if self.doi:
            out["DOI"] = f"https://doi.org/{self.doi}"
        if self.s2_id:
            out["Semantic Scholar"] = f"https://www.semanticscholar.org/paper/{self.s2_id}"
        elif self.url and self.url.startswith("https://"):
            out["Link"] = self.url
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (authors as a list). Shallow and fast: every field is a plain value."""
        d = {name: getattr(self, name) for name in _PAPER_NAMES}
        d["authors"] = list(self.authors)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Paper:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        kw = {k: v for k, v in d.items() if k in _PAPER_NAMES}
        kw["authors"] = tuple(kw.get("authors") or ())
        return cls(**kw)

    @classmethod
    def from_s2(cls, d: dict[str, Any], *, fetched_at: str | None = None) -> Paper:
        """Build from a Semantic Scholar Graph API paper object (untrusted).

        Examples
        --------
        >>> p = Paper.from_s2({"paperId": "a" * 40, "title": "T", "year": 2020,
        ...                    "externalIds": {"ArXiv": "2001.00001", "DOI": "10.1000/X"}})
        >>> p.paper_id, p.doi
        ('arxiv:2001.00001', '10.1000/x')
        """
        if not isinstance(d, dict):
            raise ValueError("a Semantic Scholar paper must be a JSON object")
        ext = d.get("externalIds") if isinstance(d.get("externalIds"), dict) else {}
        arxiv_id = _arxiv_or_none(ext.get("ArXiv"))
        doi = _doi_or_none(ext.get("DOI"))
        s2_id = _s(d.get("paperId"), 64)
        title = _s(d.get("title"), MAX_TITLE)
        authors_raw = d.get("authors") if isinstance(d.get("authors"), list) else []
        authors = tuple(
            name for a in authors_raw[:MAX_AUTHORS]
            if isinstance(a, dict) and (name := _s(a.get("name"), 300))
        )
        tldr = d.get("tldr")
        tldr_text = _s(tldr.get("text"), MAX_ABSTRACT) if isinstance(tldr, dict) else None
        pubtypes = d.get("publicationTypes") if isinstance(d.get("publicationTypes"), list) else []
        kind = "book" if "Book" in pubtypes else "paper"
        if not (arxiv_id or doi or s2_id or title):
            raise ValueError("a Semantic Scholar paper without paperId, externalIds and title")
        return cls(
            paper_id=paper_key(arxiv_id=arxiv_id, doi=doi, s2_id=s2_id, title=title),
            title=title,
            year=_i(d.get("year")),
            authors=authors,
            venue=_s(d.get("venue"), 500),
            abstract=_s(d.get("abstract"), MAX_ABSTRACT),
            tldr=tldr_text,
            arxiv_id=arxiv_id,
            doi=doi,
            s2_id=s2_id,
            corpus_id=_i(d.get("corpusId") if d.get("corpusId") is not None else ext.get("CorpusId")),
            url=_s(d.get("url"), 500),
            publication_date=_s(d.get("publicationDate"), 20),
            citation_count=_i(d.get("citationCount")),
            reference_count=_i(d.get("referenceCount")),
            influential_citation_count=_i(d.get("influentialCitationCount")),
            kind=kind,
            source="semanticscholar",
            fetched_at=fetched_at,
        )


@dataclass(frozen=True)
class Citation:
    """One citation edge: ``citing`` cites ``cited`` (both canonical paper keys)."""

    citing: str
    """Key of the citing paper."""
    cited: str
    """Key of the cited paper."""
    is_influential: bool | None = None
    """Semantic Scholar's influential-citation flag (None when unknown, e.g. offline)."""
    source: str | None = None
    """Where the edge was read (a URL, ``github:…`` copy, or ``semanticscholar``)."""
    fetched_at: str | None = None
    """When it was gathered."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Optional context (e.g. how a reference was matched: ``arxiv`` / ``doi`` / ``title`` / ``author-year``)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = {name: getattr(self, name) for name in _CITATION_NAMES}
        d["extra"] = dict(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        kw = {k: v for k, v in d.items() if k in _CITATION_NAMES}
        kw["extra"] = dict(kw.get("extra") or {})
        return cls(**kw)


_PAPER_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Paper))
_CITATION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Citation))
