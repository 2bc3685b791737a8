"""Helpers shared by the catalogue's file formats: reading text, ids, aliases, the one-lineage catalogue."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from graph.catalogue.model import Catalogue, Lineage, Seed
from graph.core.errors import BadIdError, SeedFileError
from graph.core.ids import normalize_title

__all__ = ["LOCATION_HINT", "S2_SHA", "one_lineage", "parse_id", "parse_s2", "read_text", "slug", "unique_alias"]

S2_SHA = re.compile(r"^[0-9a-f]{40}$")
LOCATION_HINT = "give a seeds folder, a .yaml, a .bib or a .txt file with --seeds or the LINEAGE_SEEDS variable"


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SeedFileError("seeds file not found", path=str(path), hint=LOCATION_HINT) from None
    except IsADirectoryError:
        raise SeedFileError("expected a file, found a folder", path=str(path), hint=LOCATION_HINT) from None
    except OSError as e:
        raise SeedFileError(f"cannot read the seeds file ({e.strerror})", path=str(path), hint=LOCATION_HINT) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SeedFileError(f"not a text file (byte {e.start} is not UTF-8)", path=str(path),
                            hint="a seeds file is YAML, BibTeX (.bib) or a text list (.txt) in UTF-8") from None



def parse_id(fn: Any, v: str, path: str, line: int) -> str:
    try:
        return str(fn(v))
    except BadIdError as e:
        raise SeedFileError(e.message, path=path, line=line, hint=e.hint) from None


def parse_s2(v: str, path: str, line: int) -> str:
    low = v.lower()
    if low.startswith("s2:"):
        low = low[3:]
    if S2_SHA.match(low):
        return low
    m = re.fullmatch(r"corpusid:(\d+)", low)
    if m:
        return f"CorpusId:{m.group(1)}"
    raise SeedFileError(f"malformed S2 id '{v}'", path=path, line=line,
                        hint="a Semantic Scholar id is 40 hex digits or CorpusId:<number>")


def slug(text: str, maxlen: int = 40) -> str:
    s = re.sub(r"[^a-z0-9.]+", "-", normalize_title(text).replace(" ", "-") or text.lower()).strip("-.")
    s = s[:maxlen].strip("-.")
    return s or "paper"



def one_lineage(path: Path, seeds: list[Seed], years: list[int | None]) -> Catalogue:
    name = slug(path.stem) if path.stem else "seeds"
    if not seeds:
        raise SeedFileError("the catalogue has no papers", path=str(path),
                            hint="give one arXiv id, DOI or title a line" if path.suffix != ".bib"
                            else "the file holds no BibTeX entries")
    order = sorted(range(len(seeds)), key=lambda i: (years[i] is None, years[i] or 0, i))
    stages = tuple((seeds[i].alias,) for i in order)
    lin = Lineage(name, stages, (), f"from {path.name}", declared=False)
    out = {s.alias: replace(s, lineages=(name,)) for s in seeds}
    return Catalogue(out, {name: lin}, str(path))


def unique_alias(alias: str, taken: set[str]) -> str:
    a, n = alias, 2
    while a in taken:
        a = f"{alias}-{n}"
        n += 1
    taken.add(a)
    return a

