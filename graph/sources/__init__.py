"""Upstream metadata sources: Semantic Scholar (:mod:`graph.sources.s2`) and arXiv (``graph.sources.arxiv``)."""

from __future__ import annotations

from graph.sources.s2 import S2Source

__all__ = ["S2Source"]
