"""The seeds catalogue: seed papers and the lineages declared between them, read from YAML, BibTeX or text.

Rooms:

- :mod:`graph.catalogue.model`: the records (:class:`Seed`, :class:`Lineage`, :class:`Catalogue`,
  :class:`Appearance`) and their editing;
- :mod:`graph.catalogue.yaml_format`, :mod:`graph.catalogue.bib_format`, :mod:`graph.catalogue.text_format`:
  one parser per file format (``common`` holds what they share);
- :mod:`graph.catalogue.aliases`: readable, deterministic aliases for entries that name none;
- :mod:`graph.catalogue.load`: :func:`load_catalogue`, which picks the parser;
- :mod:`graph.catalogue.resolve`: :func:`resolve_entries`, what each entry is (snapshot, cache, then
  Semantic Scholar) or why it is unresolved.

The catalogue imports only :mod:`graph.core`; the snapshot, cache and source are passed in.
"""

from graph.catalogue.load import load_catalogue
from graph.catalogue.model import KINDS, Appearance, Catalogue, Lineage, Seed
from graph.catalogue.resolve import EntryResolution, realias, resolve_entries, unresolved_warnings

__all__ = [
    "KINDS",
    "Appearance",
    "Catalogue",
    "EntryResolution",
    "Lineage",
    "Seed",
    "load_catalogue",
    "realias",
    "resolve_entries",
    "unresolved_warnings",
]
