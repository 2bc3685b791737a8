"""Readable, stable aliases for entries that carry none (text-list lines, BibTeX entries with an id-like key).

Aliases are derived deterministically from what is known of the paper, in this order:

1. **first author's surname + year**, e.g. ``rafailov2023``; a second paper with the same pair becomes
   ``rafailov2023b``, a third ``rafailov2023c`` (the first keeps the plain form, so adding an entry later
   in the file never renames an earlier one);
2. else a **short title**: the part before a colon when it is one to three words (``KTO: Model
   Alignment…`` gives ``kto``), otherwise the first three significant words
   (``emerging-properties-self-supervised`` is never cut mid-word);
3. else (an id nobody knows offline) ``paper-<line>``, the line or entry number in the file.

An alias is never an id (``arxiv-2010.11929``, ``doi-10.1109-…``) nor a truncated title. When the
entry gives only an id, the title, authors and year come from a paper index: the embedded snapshot
(:class:`graph.store.snapshot.Snapshot`, passed in by the caller, since the catalogue does not import
the store), so the same file with the same snapshot always gives the same aliases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from graph.core.ids import normalize_title, parse_paper_ref

__all__ = ["PaperIndex", "alias_for", "author_year_alias", "known_metadata", "surname", "title_alias"]


class PaperIndex(Protocol):
    """What alias building needs from an index of papers (the snapshot has this shape)."""

    papers: Mapping[str, Any]
    """key -> a record with ``title``, ``authors`` (sequence of names) and ``year``."""

    def find(self, *, arxiv_id: str | None = None, doi: str | None = None, title: str | None = None) -> str | None:
        """The key of the paper with this arXiv id, DOI or title, or None."""
        ...


_STOP = frozenset((
    "a", "an", "the", "of", "on", "in", "for", "to", "and", "or", "with", "via", "by", "from", "at", "as", "is",
    "are", "be", "its", "it", "into", "towards", "toward", "using", "we", "our", "your", "you", "do", "does",
    "what", "when", "how", "why", "can",
))
_PARTICLES = frozenset(("van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "du", "le", "la",
                        "ter", "ten"))


def _ascii_words(text: str) -> list[str]:
    """Words of ``text`` lower-cased, accents removed, hyphenated words joined (``self-supervised`` ->
    ``selfsupervised``)."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"(?<=[a-z0-9])[-‐‑’'](?=[a-z0-9])", "", t)
    return re.findall(r"[a-z0-9]+", t)


def surname(name: str) -> str:
    """The surname of an author name, as lower-case ASCII letters.

    >>> surname("Rafael Rafailov"), surname("Ethayarajh, Kawin"), surname("Aäron van den Oord")
    ('rafailov', 'ethayarajh', 'vandenoord')
    """
    name = name.strip()
    if "," in name:
        words = _ascii_words(name.split(",", 1)[0])
    else:
        words = _ascii_words(name)
        # keep particles that precede the last word ("van den Oord")
        i = len(words) - 1
        while i > 0 and words[i - 1] in _PARTICLES:
            i -= 1
        words = words[i:] if words else []
    return "".join(w for w in words if not w.isdigit())


def author_year_alias(first_author: str | None, year: int | None) -> str | None:
    """``<surname><year>``, or None when either is unknown.

    >>> author_year_alias("Alexey Dosovitskiy", 2020), author_year_alias("Dosovitskiy", None)
    ('dosovitskiy2020', None)
    """
    if not first_author or not year:
        return None
    s = surname(first_author)
    return f"{s}{year}" if s else None


def title_alias(title: str | None) -> str | None:
    """A short alias from a title: the part before a colon when it is 1-3 words, else the first three
    significant words; None for an empty title.

    >>> title_alias("KTO: Model Alignment as Prospect Theoretic Optimization")
    'kto'
    >>> title_alias("Emerging Properties in Self-Supervised Vision Transformers")
    'emerging-properties-selfsupervised'
    >>> title_alias("Attention is All you Need")
    'attention-all-need'
    """
    if not title or not normalize_title(title):
        return None
    head, sep, _ = title.partition(":")
    if sep:
        words = _ascii_words(head)
        if 1 <= len(words) <= 3:
            return "-".join(words)
    words = _ascii_words(title)
    keep = [w for w in words if w not in _STOP] or words
    return "-".join(keep[:3]) or None


def known_metadata(index: PaperIndex | None, *, arxiv_id: str | None = None, doi: str | None = None,
                   title: str | None = None) -> tuple[str | None, str | None, int | None]:
    """(title, first author, year) of a paper from ``index``; what is not found is None."""
    if index is None:
        return title, None, None
    key = index.find(arxiv_id=arxiv_id, doi=doi, title=title)
    paper = index.papers.get(key) if key else None
    if paper is None:
        return title, None, None
    authors: Sequence[str] = getattr(paper, "authors", ()) or ()
    return (getattr(paper, "title", None) or title, authors[0] if authors else None,
            getattr(paper, "year", None))


def _usable(alias: str) -> bool:
    try:
        return parse_paper_ref(alias).alias is not None
    except Exception:  # a malformed id-like string is not usable either
        return False


def alias_for(*, title: str | None, first_author: str | None, year: int | None, taken: set[str],
              number: int) -> str:
    """A unique alias by the rules of the module docstring; adds it to ``taken``.

    ``number`` is the entry's line (text) or position (BibTeX), used only when nothing else is known.

    Examples
    --------
    >>> taken: set[str] = set()
    >>> [alias_for(title=t, first_author=a, year=y, taken=taken, number=n) for t, a, y, n in [
    ...     ("Attention is all you need", "Ashish Vaswani", 2017, 1),
    ...     ("Another one", "A. Vaswani", 2017, 2),
    ...     ("LoRA: Low-Rank Adaptation of Large Language Models", None, None, 3),
    ...     (None, None, None, 4)]]
    ['vaswani2017', 'vaswani2017b', 'lora', 'paper-4']
    """
    base = author_year_alias(first_author, year) or title_alias(title)
    if not base or not _usable(base):
        base = f"paper-{number}"
    if base not in taken:
        taken.add(base)
        return base
    sep = "" if base[-1].isdigit() else "-"
    for i in range(1, 10_000):
        suffix = _letters(i) if sep == "" else str(i + 1)
        cand = f"{base}{sep}{suffix}"
        if cand not in taken:
            taken.add(cand)
            return cand
    raise ValueError("too many papers with the same alias")  # pragma: no cover


def _letters(i: int) -> str:
    """1 -> 'b', 2 -> 'c', …, 25 -> 'z', 26 -> 'ba' (the plain alias plays the role of 'a').

    >>> _letters(1), _letters(25), _letters(26)
    ('b', 'z', 'ba')
    """
    out = ""
    while True:
        out = chr(ord("a") + i % 26) + out
        i //= 26
        if i == 0:
            return out
