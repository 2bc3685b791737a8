"""The BibTeX catalogue: every entry of a ``.bib`` file is a seed, one lineage ordered by year."""

from __future__ import annotations

import re
from pathlib import Path

from graph.catalogue.common import one_lineage, parse_id, slug, unique_alias
from graph.catalogue.model import Catalogue, Seed
from graph.core.errors import SeedFileError
from graph.core.ids import normalize_arxiv, normalize_doi, normalize_title

__all__ = ["load_bib"]


def _bib_clean(v: str) -> str:
    return re.sub(r"\s+", " ", v.replace("{", "").replace("}", "")).strip()


def load_bib(path: Path, text: str) -> Catalogue:
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
    seeds: list[Seed] = []
    years: list[int | None] = []
    taken: set[str] = set()
    keys: dict[str, int] = {}
    for e in lib.entries:
        line = e.start_line + 1
        f = {k.lower(): _bib_clean(str(v.value)) for k, v in e.fields_dict.items()}
        arxiv = None
        cand = f.get("eprint") if f.get("archiveprefix", "arxiv").lower() == "arxiv" else None
        cand = cand or f.get("arxiv") or f.get("arxivid")
        if not cand:
            for k in ("journal", "url", "note", "howpublished"):
                m = re.search(r"arxiv(?:\.org/abs/|:|\s+)(\d{4}\.\d{4,5}(?:v\d+)?)", f.get(k, ""), re.I)
                if m:
                    cand = m.group(1)
                    break
        if cand:
            arxiv = parse_id(normalize_arxiv, cand, p, line)
        doi = parse_id(normalize_doi, f["doi"], p, line) if f.get("doi") else None
        year = int(f["year"][:4]) if re.match(r"^\d{4}", f.get("year", "")) else None
        title = f.get("title") or None
        if not (arxiv or doi or normalize_title(title)):
            raise SeedFileError(f"BibTeX entry '{e.key}' has no title, eprint or doi", path=p, line=line,
                                hint="add a title = {...} field")
        authors = f.get("author")
        seed = Seed(alias=unique_alias(slug(e.key), taken), title=title, arxiv_id=arxiv, doi=doi, year=year,
                    date=str(year) if year else None,
                    org=authors.split(" and ")[0] + (" et al." if " and " in authors else "") if authors else None,
                    url=f.get("url") or None, doc=path.name,
                    source=f"{path.name} line {line} (@{e.entry_type}{{{e.key}}})")
        if seed.key in keys:
            raise SeedFileError(f"BibTeX entry '{e.key}' is the same paper as the entry on line {keys[seed.key]}",
                                path=p, line=line, hint="list each paper once")
        keys[seed.key] = line
        seeds.append(seed)
        years.append(year)
    return one_lineage(path, seeds, years)
