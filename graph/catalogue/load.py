"""Load and validate the seeds catalogue: seed papers and the lineages declared between them.

A catalogue is read from one of:

* a folder (the built-in ``seeds/``) holding ``papers.yaml`` and ``lineages.yaml``;
* one YAML file holding both ``papers:`` and ``lineages:``;
* a BibTeX file (``.bib``): its entries become one lineage named after the file;
* a text file (``.txt`` or any other): one arXiv id, DOI or title a line (``#`` comments), also one
  lineage named after the file.

Every problem is raised as :class:`graph.core.errors.SeedFileError` naming the file, the line, the bad
value and the fix. See ``seeds/README.md`` for the format.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.yaml"
>>> _ = p.write_text('''
... papers:
...   - {alias: dpo, arxiv: "2305.18290"}
...   - {alias: kto, arxiv: "2402.01306"}
... lineages:
...   my-chain: [[dpo], [kto]]
... ''')
>>> cat = load_catalogue(p)
>>> cat.get_lineage("my-chain").arrows()
[('dpo', 'kto')]
>>> cat.resolve("arXiv:2305.18290v2").alias
'dpo'
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml

from graph.catalogue.aliases import PaperIndex
from graph.catalogue.bib_format import load_bib
from graph.catalogue.common import LOCATION_HINT, read_text
from graph.catalogue.model import KINDS, Appearance, Catalogue, Lineage, Seed
from graph.catalogue.text_format import load_text
from graph.catalogue.yaml_format import compose, load_yaml_roots
from graph.core.errors import SeedFileError
from graph.core.settings import default_seeds_path

__all__ = [
    "KINDS",
    "Appearance",
    "Catalogue",
    "Lineage",
    "Seed",
    "load_catalogue",
]

log = logging.getLogger(__name__)


def load_catalogue(path: str | Path | None = None, *, snapshot: PaperIndex | None = None) -> Catalogue:
    """Load and validate a catalogue: a folder of YAML, one YAML file, a ``.bib`` or a text list.

    ``None`` loads the built-in ``seeds/`` folder. Raises :class:`SeedFileError` with file, line,
    bad value and fix.

    ``snapshot`` (a :class:`graph.store.snapshot.Snapshot`, or any :class:`graph.catalogue.aliases.PaperIndex`)
    gives the author, year and title behind an id-only entry of a text list or BibTeX file, from which its
    alias is derived deterministically (:mod:`graph.catalogue.aliases`); without it such an entry is
    called ``paper-<line>``. YAML catalogues name their aliases themselves.
    """
    p = Path(path) if path is not None else default_seeds_path()
    p = p.expanduser()
    if p.is_dir():
        papers = p / "papers.yaml"
        if not papers.exists():
            alt = p / "papers.yml"
            if alt.exists():
                papers = alt
            else:
                raise SeedFileError("the seeds folder has no papers.yaml", path=str(p), hint=LOCATION_HINT)
        files = [papers]
        for name in ("lineages.yaml", "lineages.yml"):
            if (p / name).exists():
                files.append(p / name)
                break
        log.debug("loading seeds folder %s", p)
        return load_yaml_roots(((f, compose(f)) for f in files), str(p), single=False)
    if not p.exists():
        raise SeedFileError("seeds file not found", path=str(p), hint=LOCATION_HINT)
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return load_yaml_roots([(p, compose(p))], str(p), single=True)
    text = read_text(p)
    stripped = text.lstrip()
    if suffix == ".bib" or re.match(r"^(%.*\n\s*)*@\w+\s*[{(]", stripped):
        return load_bib(p, text, snapshot)
    if suffix == ".json" or stripped.startswith(("{", "[")) or re.match(r"^(papers|lineages)\s*:", stripped):
        root = compose(p)
        if root is not None and not isinstance(root, yaml.ScalarNode):
            return load_yaml_roots([(p, root)], str(p), single=True)
    return load_text(p, text, snapshot)
