"""One :class:`Settings` object: API base URLs, key, cache path, rate and retry policy.

Settings are constructor arguments with API-polite defaults; :meth:`Settings.from_env` reads the
environment. The API key is only ever taken from the environment (or passed in by a front end) and
is never written anywhere: ``repr`` hides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["DEFAULT_ARXIV_URL", "DEFAULT_S2_API_URL", "Settings", "default_seeds_path", "repo_root"]

DEFAULT_S2_API_URL = "https://api.semanticscholar.org/graph/v1"
DEFAULT_ARXIV_URL = "https://export.arxiv.org/api/query"


def repo_root() -> Path:
    """The folder holding ``graph/`` and ``seeds/`` (the checkout)."""
    return Path(__file__).resolve().parents[2]


def default_seeds_path() -> Path:
    """The built-in catalogue folder ``seeds/``."""
    return repo_root() / "seeds"


def _default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("paper-lineage"))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with polite defaults (1 request/s to S2, 3 s between arXiv calls)."""

    s2_api_url: str = DEFAULT_S2_API_URL
    """Base URL of the Semantic Scholar Graph API (``S2_API_URL``)."""
    s2_api_key: str | None = field(default=None, repr=False)
    """API key (``S2_API_KEY``); never logged, cached or exported."""
    arxiv_url: str = DEFAULT_ARXIV_URL
    """arXiv API query endpoint (``ARXIV_API_URL``)."""
    cache_dir: Path = field(default_factory=_default_cache_dir)
    """Folder of the SQLite cache (``LINEAGE_CACHE_DIR``)."""
    seeds_path: Path = field(default_factory=default_seeds_path)
    """Seeds catalogue: a folder or a file (``LINEAGE_SEEDS``)."""
    snapshot_path: Path | None = None
    """The offline snapshot folder (``LINEAGE_SNAPSHOT``; default the embedded ``seeds/snapshot``)."""
    max_age_days: float = 30.0
    """Online, cached citation lists older than this are fetched again (``LINEAGE_MAX_AGE_DAYS``)."""
    rate_per_s: float = 1.0
    """Client-side request rate limit for S2 (``LINEAGE_RATE``)."""
    arxiv_delay_s: float = 3.0
    """Delay between arXiv requests."""
    timeout_s: float = 30.0
    """Per-request timeout."""
    max_retries: int = 6
    """Retries per request on 429 / 5xx / network errors (``LINEAGE_RETRIES``)."""
    backoff_base_s: float = 1.0
    """First back-off delay; doubles each try, with jitter, capped at ``backoff_max_s``."""
    backoff_max_s: float = 60.0
    """Largest back-off delay."""
    offline: bool = False
    """Never touch the network (``LINEAGE_OFFLINE=1``)."""

    @property
    def cache_path(self) -> Path:
        """The SQLite cache file."""
        return self.cache_dir / "cache.sqlite3"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``S2_API_URL``, ``S2_API_KEY``, ``ARXIV_API_URL``, ``LINEAGE_CACHE_DIR``,
        ``LINEAGE_SEEDS``, ``LINEAGE_SNAPSHOT``, ``LINEAGE_MAX_AGE_DAYS``, ``LINEAGE_RATE``,
        ``LINEAGE_RETRIES`` and ``LINEAGE_OFFLINE``."""
        e = os.environ if env is None else env
        kw: dict[str, object] = {}
        if e.get("S2_API_URL"):
            kw["s2_api_url"] = e["S2_API_URL"].rstrip("/")
        if e.get("S2_API_KEY"):
            kw["s2_api_key"] = e["S2_API_KEY"]
        if e.get("ARXIV_API_URL"):
            kw["arxiv_url"] = e["ARXIV_API_URL"]
        if e.get("LINEAGE_CACHE_DIR"):
            kw["cache_dir"] = Path(e["LINEAGE_CACHE_DIR"])
        if e.get("LINEAGE_SEEDS"):
            kw["seeds_path"] = Path(e["LINEAGE_SEEDS"])
        if e.get("LINEAGE_SNAPSHOT"):
            kw["snapshot_path"] = Path(e["LINEAGE_SNAPSHOT"])
        if e.get("LINEAGE_MAX_AGE_DAYS"):
            kw["max_age_days"] = float(e["LINEAGE_MAX_AGE_DAYS"])
        if e.get("LINEAGE_RATE"):
            kw["rate_per_s"] = float(e["LINEAGE_RATE"])
        if e.get("LINEAGE_RETRIES"):
            kw["max_retries"] = int(e["LINEAGE_RETRIES"])
        if e.get("LINEAGE_OFFLINE", "").lower() in {"1", "true", "yes"}:
            kw["offline"] = True
        kw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kw)  # type: ignore[arg-type]
