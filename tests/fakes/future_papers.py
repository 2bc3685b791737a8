"""Papers no snapshot holds, for counting online requests (tests/test_online_scope.py, bench/api.py).

Five papers with arXiv ids of a month that has not happened, each citing the same two older papers of
their own and cited by one paper of their own; and one paper far from every seed, known by its DOI.
"""

from __future__ import annotations

from graph.core.models import Citation, Paper

__all__ = ["FIVE_MINIMUM", "NEW", "NEW_CITING", "NEW_EDGES", "NEW_REFS", "OUTSIDE"]

NEW = [Paper(f"arxiv:2612.0000{i}", title=f"A future paper number {i}", year=2026, arxiv_id=f"2612.0000{i}")
       for i in range(1, 6)]
NEW_REFS = [Paper(f"arxiv:2611.0100{i}", title=f"An older future paper {i}", year=2026, arxiv_id=f"2611.0100{i}")
            for i in range(1, 6)]
NEW_CITING = [Paper(f"arxiv:2612.0900{i}", title=f"A citing future paper {i}", year=2026,
                    arxiv_id=f"2612.0900{i}") for i in range(1, 6)]
NEW_EDGES = [Citation(p.key, r.key) for p in NEW for r in NEW_REFS[:2]] + [
    Citation(c.key, p.key) for c, p in zip(NEW_CITING, NEW, strict=True)]
OUTSIDE = Paper("doi:10.9999/outside.2026", title="A paper far from every seed", year=2025,
                doi="10.9999/outside.2026")
FIVE_MINIMUM = 1 + 5 + 5
"""One batch call resolves the five; then one reference list and one citation list each (one page)."""
