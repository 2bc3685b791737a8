"""The seeds catalogue: seed papers and the lineages declared between them, read from YAML, BibTeX or text.

Rooms:

- :mod:`graph.catalogue.model`: the records (:class:`Seed`, :class:`Lineage`, :class:`Catalogue`,
  :class:`Appearance`) and their editing;
- :mod:`graph.catalogue.yaml_format`, :mod:`graph.catalogue.bib_format`, :mod:`graph.catalogue.text_format`:
  one parser per file format (``common`` holds what they share);
- :mod:`graph.catalogue.load`: :func:`load_catalogue`, which picks the parser.
"""

from graph.catalogue.load import load_catalogue
from graph.catalogue.model import KINDS, Appearance, Catalogue, Lineage, Seed

__all__ = ["KINDS", "Appearance", "Catalogue", "Lineage", "Seed", "load_catalogue"]
