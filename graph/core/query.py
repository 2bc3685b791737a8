"""The one builder of Semantic Scholar query ids, shared by the catalogue, the S2 source and the stores.

Semantic Scholar's Graph API names a paper by ``<paperId>`` (40 hex), ``CorpusId:<n>``, ``ARXIV:<id>``
or ``DOI:<doi>``. When a paper has several, they are tried in this order (most specific first):

1. the S2 ``paperId``: it names exactly one record;
2. the ``CorpusId``: the same record, by number;
3. the arXiv id: the preprint record, which is where Semantic Scholar keeps most ML papers;
4. the DOI: a published DOI sometimes resolves only through the preprint record (then its answer carries
   no such DOI), so it comes after the arXiv id.

A title is not an id: when given, it adds a last entry ``TITLE:<normalised title>``, the key under which
the cache stores the answer of ``/paper/search/match``. It is never sent to ``/paper/batch``
(:func:`is_title_query` tells it apart).
"""

from __future__ import annotations

import re

from graph.core.ids import normalize_title

__all__ = ["TITLE_PREFIX", "is_title_query", "s2_query_id", "s2_query_ids", "title_query_id"]

TITLE_PREFIX = "TITLE:"
"""Prefix of a title-match cache key."""

_SHA = re.compile(r"^[0-9a-f]{40}$")


def title_query_id(title: str) -> str:
    """The cache key of a title match.

    >>> title_query_id("Attention Is All You Need!")
    'TITLE:attention is all you need'
    """
    return TITLE_PREFIX + normalize_title(title)


def is_title_query(qid: str) -> bool:
    """Whether ``qid`` is a title-match key (not an id Semantic Scholar accepts).

    >>> is_title_query("TITLE:attention is all you need"), is_title_query("ARXIV:1706.03762")
    (True, False)
    """
    return qid.startswith(TITLE_PREFIX)


def s2_query_ids(arxiv_id: str | None = None, doi: str | None = None, s2_id: str | None = None,
                 corpus_id: int | str | None = None, title: str | None = None) -> list[str]:
    """Every query id of a paper, most specific first (see the module docstring).

    ``s2_id`` may be a paperId or ``CorpusId:<n>`` (the catalogue's ``s2`` field accepts both).

    Examples
    --------
    >>> s2_query_ids(arxiv_id="2305.18290", doi="10.5555/x", s2_id="AB" * 20)
    ['abababababababababababababababababababab', 'ARXIV:2305.18290', 'DOI:10.5555/x']
    >>> s2_query_ids(s2_id="CorpusId:258959321", title="Direct Preference Optimization")
    ['CorpusId:258959321', 'TITLE:direct preference optimization']
    >>> s2_query_ids(doi="10.1109/ICCV51070.2023.00387", corpus_id=7)
    ['CorpusId:7', 'DOI:10.1109/iccv51070.2023.00387']
    >>> s2_query_ids()
    []
    """
    out: list[str] = []
    if s2_id:
        sid = s2_id.strip()
        low = sid.lower()
        if low.startswith("corpusid:"):
            corpus_id = corpus_id if corpus_id is not None else sid.split(":", 1)[1].strip()
        elif _SHA.match(low):
            out.append(low)
        else:
            out.append(sid)
    if corpus_id is not None and str(corpus_id).strip():
        out.append(f"CorpusId:{str(corpus_id).strip()}")
    if arxiv_id:
        out.append(f"ARXIV:{arxiv_id.strip()}")
    if doi:
        out.append(f"DOI:{doi.strip().lower()}")
    if title and normalize_title(title):
        out.append(title_query_id(title))
    return list(dict.fromkeys(out))


def s2_query_id(arxiv_id: str | None = None, doi: str | None = None, s2_id: str | None = None,
                corpus_id: int | str | None = None) -> str | None:
    """The most specific id Semantic Scholar accepts, or None (a title alone is not an id).

    >>> s2_query_id(arxiv_id="2305.18290", doi="10.5555/x")
    'ARXIV:2305.18290'
    >>> s2_query_id() is None
    True
    """
    ids = s2_query_ids(arxiv_id=arxiv_id, doi=doi, s2_id=s2_id, corpus_id=corpus_id)
    return ids[0] if ids else None
