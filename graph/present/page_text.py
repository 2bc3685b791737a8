"""Text that becomes part of a page, made safe: script-safe JSON, validated paper links, bundled assets,
and the plain-value helpers the page builder uses for untrusted attributes.

Nothing here produces markup from data: JSON is written so that no string can close a ``<script>``
element, links are rebuilt from ids that validate (never copied from the data), and count / year /
lineage attributes are coerced to plain numbers.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from graph.core.errors import BadIdError, LineageError
from graph.core.ids import normalize_arxiv, normalize_doi

__all__ = ["asset", "count_of", "lineage_pairs", "paper_links", "script_safe_json", "text_of", "year_of"]

_TEMPLATES = Path(__file__).parent / "templates"
_S2_ID = re.compile(r"^[0-9a-f]{40}$")


def script_safe_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: ``< > &`` U+2028 U+2029 become ``\\uXXXX``.

    Examples
    --------
    >>> script_safe_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    >>> json.loads(script_safe_json(["a\\u2028b"])) == ["a\\u2028b"]
    True
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def paper_links(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(label, https URL)`` for the paper's arXiv / DOI / S2 ids and landing page, built only from ids
    that validate; anything else (``javascript:``, quotes, spaces) is dropped.

    Examples
    --------
    >>> paper_links({"arxiv_id": "1706.03762", "doi": "10.1/x y", "url": "javascript:alert(1)"})
    [('arXiv', 'https://arxiv.org/abs/1706.03762'), ('Semantic Scholar', 'https://www.semanticscholar.org/arxiv/1706.03762')]
    >>> paper_links({"doi": "10.1145/3.4", "s2_id": "0" * 40, "url": "https://example.org/p?q=1"})[0]
    ('DOI', 'https://doi.org/10.1145/3.4')
    >>> len(paper_links({"doi": "10.1145/3.4", "s2_id": "0" * 40, "url": "https://example.org/p?q=1"}))
    3
    """
    from urllib.parse import quote, urlsplit

    links: list[tuple[str, str]] = []
    arxiv = data.get("arxiv_id")
    if isinstance(arxiv, str):
        with contextlib.suppress(BadIdError):
            links.append(("arXiv", f"https://arxiv.org/abs/{normalize_arxiv(arxiv)}"))
    doi = data.get("doi")
    if isinstance(doi, str):
        with contextlib.suppress(BadIdError):
            links.append(("DOI", "https://doi.org/" + quote(normalize_doi(doi), safe="/.-_;()")))
    s2 = data.get("s2_id")
    if isinstance(s2, str) and _S2_ID.match(s2):
        links.append(("Semantic Scholar", f"https://www.semanticscholar.org/paper/{s2}"))
    elif links and links[0][0] == "arXiv":  # S2 resolves arXiv ids at this address
        links.append(("Semantic Scholar", links[0][1].replace("https://arxiv.org/abs/",
                                                              "https://www.semanticscholar.org/arxiv/")))
    url = data.get("url")
    if isinstance(url, str) and not any(c.isspace() or c in "\"'<>`\\" for c in url):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and url not in {u for _, u in links}:
            links.append(("Link", url))
    return links


@cache
def asset(name: str) -> str:
    """Text of a bundled asset: ``vis.js`` / ``vis.css`` from pyvis, anything else from graph/templates."""
    if name in ("vis.js", "vis.css"):
        # pyvis is only the carrier of vis-network 9.1.2: find its files without importing it (importing
        # pyvis pulls in IPython and jinja, about 0.6 s of the app's cold start)
        spec = importlib.util.find_spec("pyvis")
        if spec is None or not spec.origin:
            raise LineageError("pyvis is not installed", hint="pip install pyvis==0.3.2")
        lib = Path(spec.origin).parent / "lib" / "vis-9.1.2"
        text = (lib / ("vis-network.min.js" if name == "vis.js" else "vis-network.css")).read_text(encoding="utf-8")
    else:
        text = (_TEMPLATES / name).read_text(encoding="utf-8")
    if re.search(r"</(script|style)", text, re.I):  # would end the inline element early
        raise LineageError(f"bundled asset {name} contains a closing script/style tag")
    return text


def year_of(d: Mapping[str, Any]) -> int | None:
    y = d.get("year")
    return int(y) if isinstance(y, (int, float)) and not isinstance(y, bool) and math.isfinite(y) else None


def text_of(value: Any) -> str:
    return "" if value is None else str(value)


def count_of(value: Any) -> int:
    """A non-negative int from a count attribute (None, bools, NaN and junk count as 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return 0
    return int(value)


def lineage_pairs(value: Any, *, keep_invalid: bool = False) -> list[tuple[str, float]]:
    """``(name, score)`` of a ``lineages`` attribute, strongest first. Non-numeric or non-finite scores
    are dropped, or kept as 0.0 with ``keep_invalid``; anything but a mapping gives ``[]``.

    >>> lineage_pairs({"b": 0.25, "a": 1.0, "c": "x"}), lineage_pairs({"c": float("nan")}, keep_invalid=True)
    ([('a', 1.0), ('b', 0.25)], [('c', 0.0)])
    """
    if not isinstance(value, Mapping):
        return []
    pairs = []
    for name, score in value.items():
        try:
            f = float(score)
        except (TypeError, ValueError):
            f = math.nan
        if math.isfinite(f):
            pairs.append((str(name), f))
        elif keep_invalid:
            pairs.append((str(name), 0.0))
    return sorted(pairs, key=lambda t: (-t[1], t[0]))
