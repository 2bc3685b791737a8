"""The BibTeX catalogue: every entry of a ``.bib`` file is a seed, one lineage ordered by year.

Text fields (title, authors, venue, notes) are decoded from LaTeX by bibtexparser's own
``LatexDecodingMiddleware`` (pylatexenc): ``{\\"u}ber`` -> über, ``{KTO}`` -> KTO, ``--`` -> –. Id fields
(``eprint``, ``doi``, ``url``) are read raw: LaTeX decoding would cut a URL at its ``%`` (a LaTeX comment).

An entry's alias is its citation key when that key is readable (``rafailov2023direct``); an id-like key
(``DBLP:journals/corr/abs-2305-18290``, ``2305.18290``) is replaced by a derived alias
(:mod:`graph.catalogue.aliases`: first author + year, or a short title).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from graph.catalogue.aliases import PaperIndex, alias_for, known_metadata
from graph.catalogue.common import one_lineage, parse_id, slug
from graph.catalogue.model import ALIAS_RE, Catalogue, Seed
from graph.core.errors import BadIdError, SeedFileError
from graph.core.ids import normalize_arxiv, normalize_doi, normalize_title, parse_paper_ref

__all__ = ["load_bib"]


_TEXT_FIELDS = frozenset({"title", "author", "journal", "booktitle", "note", "howpublished", "publisher", "editor"})
"""Fields decoded from LaTeX; every other field (ids, URLs, years) is read raw."""
_IDLIKE_KEY = re.compile(
    r"\d{4}\.\d{4,5}|\d{4}-\d{4,5}|10\.\d{4,}|/|(^|[^a-z])(doi|arxiv|dblp|corr|abs)([^a-z]|$)", re.I)
_ARXIV_IN_TEXT = re.compile(r"arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+|\s*abs/)(\d{4}\.\d{4,5}(?:v\d+)?)", re.I)
_DOI_URL = re.compile(r"doi\.org/(10\.\d{4,9}/[^\s}]+)", re.I)


def _bib_clean(v: str) -> str:
    return re.sub(r"\s+", " ", v.replace("{", "").replace("}", "")).strip()


def _readable_key(key: str) -> str | None:
    """The citation key as an alias when it reads as a name, else None.

    >>> _readable_key("rafailov2023direct"), _readable_key("DBLP:journals/corr/abs-2305-18290")
    ('rafailov2023direct', None)
    >>> _readable_key("2305.18290"), _readable_key("arxiv-2305.18290")
    (None, None)
    """
    if not key or _IDLIKE_KEY.search(key) or len(key) > 40:
        return None
    alias = slug(key)
    if not re.match(r"^[a-z]", alias) or not ALIAS_RE.match(alias):
        return None
    try:
        return alias if parse_paper_ref(alias).alias else None
    except BadIdError:
        return None


def _decoded_fields(lib: Any) -> dict[tuple[str, int], dict[str, str]]:
    """(key, start line) -> the LaTeX-decoded text fields of each entry that decodes cleanly."""
    from bibtexparser.middlewares import LatexDecodingMiddleware

    decoded = LatexDecodingMiddleware(allow_inplace_modification=False).transform(lib)
    out: dict[tuple[str, int], dict[str, str]] = {}
    for e in decoded.entries:
        out[(e.key, e.start_line)] = {k.lower(): re.sub(r"\s+", " ", str(v.value)).strip()
                                      for k, v in e.fields_dict.items() if k.lower() in _TEXT_FIELDS}
    return out


def _first_author(authors: str | None) -> str | None:
    if not authors:
        return None
    first = re.split(r"\s+and\s+", authors.strip())[0].strip()
    return first or None


def load_bib(path: Path, text: str, index: PaperIndex | None = None) -> Catalogue:
    """Every entry a seed, one lineage named after the file, ordered by year; raises ``SeedFileError``.

    ``index`` (the snapshot) supplies author and year for the alias of an entry with an id-like key that
    gives neither.
    """
    import bibtexparser

    p = str(path)
    lib = bibtexparser.parse_string(text)
    if lib.failed_blocks:
        fb = lib.failed_blocks[0]
        line = fb.start_line + 1
        snippet = text.splitlines()[fb.start_line].strip() if fb.start_line < len(text.splitlines()) else ""
        reason = str(getattr(getattr(fb, "error", None), "abort_reason", "") or "").strip()
        raise SeedFileError(f"malformed BibTeX entry: '{snippet[:80]}'" + (f" ({reason})" if reason else ""),
                            path=p, line=line,
                            hint="check braces and the comma after each field")
    decoded = _decoded_fields(lib)
    seeds: list[Seed] = []
    years: list[int | None] = []
    taken: set[str] = set()
    keys: dict[str, int] = {}
    pending: list[tuple[int, int, str | None, str | None, int | None]] = []  # (index, number, title, author, year)
    for number, e in enumerate(lib.entries, 1):
        line = e.start_line + 1
        raw = {k.lower(): _bib_clean(str(v.value)) for k, v in e.fields_dict.items()}
        f = {**raw, **decoded.get((e.key, e.start_line), {})}
        arxiv = None
        cand = raw.get("eprint") if raw.get("archiveprefix", "arxiv").lower() == "arxiv" else None
        cand = cand or raw.get("arxiv") or raw.get("arxivid")
        if not cand:
            for k in ("journal", "url", "note", "howpublished", "volume"):
                m = _ARXIV_IN_TEXT.search(raw.get(k, ""))
                if m:
                    cand = m.group(1)
                    break
            if not cand and re.fullmatch(r"(arxiv|corr)", raw.get("journal", ""), re.I):
                m = re.fullmatch(r"abs/(\d{4}\.\d{4,5})", raw.get("volume", ""))
                cand = m.group(1) if m else None
        if cand:
            arxiv = parse_id(normalize_arxiv, cand, p, line)
        doi_text = raw.get("doi")
        if not doi_text:
            m = _DOI_URL.search(raw.get("url", ""))
            doi_text = m.group(1) if m else None
        doi = parse_id(normalize_doi, doi_text, p, line) if doi_text else None
        year = int(raw["year"][:4]) if re.match(r"^\d{4}", raw.get("year", "")) else None
        title = f.get("title") or None
        if not (arxiv or doi or normalize_title(title)):
            raise SeedFileError(f"BibTeX entry '{e.key}' has no title, eprint or doi", path=p, line=line,
                                hint="add a title = {...} field")
        authors = f.get("author")
        first = _first_author(authors)
        alias = _readable_key(e.key)
        if alias is not None:
            alias = alias if alias not in taken else None
        if alias is None:
            pending.append((len(seeds), number, title, first, year))
            alias = ""
        else:
            taken.add(alias)
        seed = Seed(alias=alias, title=title, arxiv_id=arxiv, doi=doi, year=year,
                    date=str(year) if year else None,
                    org=first + (" et al." if authors and authors.strip() != first else "") if first else None,
                    url=raw.get("url") or None, doc=path.name,
                    source=f"{path.name} line {line} (@{e.entry_type}{{{e.key}}})")
        if seed.key in keys:
            raise SeedFileError(f"BibTeX entry '{e.key}' is the same paper as the entry on line {keys[seed.key]}",
                                path=p, line=line, hint="list each paper once")
        keys[seed.key] = line
        seeds.append(seed)
        years.append(year)
    # derived aliases after the readable keys, so that a key is never renamed because of another entry
    for i, number, title, first, year in pending:
        s = seeds[i]
        known_title, known_first, known_year = known_metadata(index, arxiv_id=s.arxiv_id, doi=s.doi, title=title)
        if not (first and year):
            first, year = first or known_first, year or known_year
        seeds[i] = replace(s, alias=alias_for(title=title or known_title, first_author=first, year=year, taken=taken,
                                              number=number))
    return one_lineage(path, seeds, years)
