"""The text-list catalogue: one arXiv id, DOI, S2 id or title a line (``#`` comments), one lineage.

Each line gets a readable alias (:mod:`graph.catalogue.aliases`): first author + year, or a short title,
looked up in ``index`` (the snapshot) when the line gives only an id.
"""

from __future__ import annotations

import re
from pathlib import Path

from graph.catalogue.aliases import PaperIndex, alias_for, known_metadata
from graph.catalogue.common import S2_SHA, one_lineage
from graph.catalogue.model import Catalogue, Seed
from graph.core.errors import BadIdError, SeedFileError
from graph.core.ids import normalize_title, parse_paper_ref

__all__ = ["load_text"]


def load_text(path: Path, text: str, index: PaperIndex | None = None) -> Catalogue:
    """One seed a line, in file order, as one lineage named after the file; raises ``SeedFileError``."""
    p = str(path)
    seeds: list[Seed] = []
    taken: set[str] = set()
    keys: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        low = line.lower()
        arxiv = doi = s2 = title = None
        idlike = low.startswith(("arxiv:", "doi:", "10.", "http://", "https://", "corpusid:", "s2:")) or bool(
            re.match(r"^\d{4}\.\d", line))
        if idlike:
            if low.startswith(("http://", "https://")) and not re.search(r"arxiv\.org/|doi\.org/", low):
                raise SeedFileError(f"cannot read a paper from the URL '{line}'", path=p, line=n,
                                    hint="give an arXiv id, a DOI or a title per line")
            try:
                ref = parse_paper_ref(line)
            except BadIdError as e:
                raise SeedFileError(e.message, path=p, line=n, hint=e.hint) from None
            arxiv, doi = ref.arxiv_id, ref.doi
            s2 = ref.s2_id or (f"CorpusId:{ref.corpus_id}" if ref.corpus_id else None)
        elif S2_SHA.match(low):
            s2 = low
        else:
            if len(line) > 300:
                raise SeedFileError(f"line is too long for a title ({len(line)} characters): '{line[:60]}…'",
                                    path=p, line=n, hint="give one arXiv id, DOI or title per line")
            if not normalize_title(line):
                raise SeedFileError(f"cannot read a paper from '{line}'", path=p, line=n,
                                    hint="give one arXiv id, DOI or title per line")
            title = line
        known_title, first_author, year = known_metadata(index, arxiv_id=arxiv, doi=doi, title=title)
        alias = alias_for(title=known_title, first_author=first_author, year=year, taken=taken, number=n)
        seed = Seed(alias=alias, title=title, arxiv_id=arxiv, doi=doi, s2_id=s2,
                    doc=path.name, source=f"{path.name} line {n}")
        if seed.key in keys:
            raise SeedFileError(f"'{line}' is listed twice (lines {keys[seed.key]} and {n})", path=p, line=n,
                                hint="list each paper once")
        keys[seed.key] = n
        seeds.append(seed)
    return one_lineage(path, seeds, [None] * len(seeds))
