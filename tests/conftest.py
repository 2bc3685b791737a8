"""Shared fixtures: the fake Semantic Scholar server, settings pointing at it, and a tiny real dataset."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from graph.core.models import Citation, Paper
from graph.core.settings import Settings
from tests.fakes.s2_server import FakeS2

DATA = Path(__file__).parent / "data"
S2_DATA = DATA / "s2"


class Dataset(NamedTuple):
    """Papers and citation edges (``citing`` cites ``cited``)."""

    papers: list[Paper]
    edges: list[Citation]


def load_tiny_dataset() -> Dataset:
    """16 real papers and the 48 edges among them (``tests/data/s2/tiny_dataset.json``, see its README)."""
    raw = json.loads((S2_DATA / "tiny_dataset.json").read_text(encoding="utf-8"))
    return Dataset([Paper.from_dict(p) for p in raw["papers"]], [Citation.from_dict(e) for e in raw["edges"]])


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Each test is a new process as far as the once-per-process network check goes."""
    from graph.store.stores import forget_pings

    forget_pings()
    yield
    forget_pings()


@pytest.fixture(autouse=True)
def _restore_graph_logger() -> Iterator[None]:
    """Undo what a test (e.g. the CLI callback, which installs its own handler and sets
    ``propagate = False``) did to the ``graph`` logger, so that later tests' caplog sees records."""
    log = logging.getLogger("graph")
    saved = (list(log.handlers), log.level, log.propagate)
    yield
    log.handlers[:], log.level, log.propagate = saved[0], saved[1], saved[2]


@pytest.fixture(scope="session")
def _fake_s2_server() -> Iterator[FakeS2]:
    with FakeS2() as fake:
        yield fake


@pytest.fixture
def fake_s2(_fake_s2_server: FakeS2) -> Iterator[FakeS2]:
    """A running fake Semantic Scholar server, empty and fault-free at the start of each test."""
    _fake_s2_server.reset()
    yield _fake_s2_server
    _fake_s2_server.reset()


@pytest.fixture
def s2_settings(fake_s2: FakeS2, tmp_path: Path) -> Settings:
    """Settings pointing at ``fake_s2``: fast rate and short back-off, a fresh cache folder."""
    return Settings(s2_api_url=fake_s2.url, cache_dir=tmp_path / "cache", rate_per_s=1000,
                    backoff_base_s=0.01, backoff_max_s=0.2, timeout_s=5)


@pytest.fixture
def tiny_dataset() -> Dataset:
    """16 real papers (DPO, KTO, ORPO, IPO, InstructGPT, LLaMA, …) and the citations among them."""
    return load_tiny_dataset()
