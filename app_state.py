"""The app's shareable state and its URL, as pure functions (no Streamlit here, so they are unit-tested).

``state_from_query`` turns URL query parameters into widget values plus one error line per bad
parameter; ``query_from_state`` turns the widget values back into the parameters worth sharing (only
those that differ from the defaults).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

__all__ = [
    "CHOICES",
    "DEFAULTS",
    "DEFAULT_LINEAGE",
    "NO_FOCUS",
    "RANGES",
    "query_from_state",
    "state_from_query",
]

DEFAULT_LINEAGE = "preference-optimization"
NO_FOCUS = ""

CHOICES: dict[str, tuple[str, ...]] = {
    "layout": ("lineage", "time", "force"),
    "color": ("lineage", "year", "role"),
    "size": ("citations", "degree"),
    "direction": ("both", "references", "citations"),
}
"""Parameters with a fixed set of values (the first is the default)."""

RANGES: dict[str, tuple[int, int]] = {"min_citations": (0, 10**7), "depth": (0, 2), "radius": (1, 5),
                                      "nodes": (10, 400)}
"""Whole-number parameters and their inclusive bounds."""

DEFAULTS: dict[str, Any] = {
    "lineages": [DEFAULT_LINEAGE],
    "sections": [],
    "depth": 1,
    "direction": "both",
    "min_citations": 0,
    "top_ma": 10,
    "top_fr": 10,
    "only_top": False,
    "color": "lineage",
    "layout": "lineage",
    "size": "citations",
    "nodes": 50,
    "all_edges": False,
    "search": "",
    "focus": NO_FOCUS,
    "radius": 1,
    "online": False,
    "s2_key": "",
}
"""Every widget's default value."""


def state_from_query(query: Mapping[str, Sequence[str]],
                     lineages: Collection[str]) -> tuple[dict[str, Any], list[str]]:
    """Widget values named by the URL, and one error line per parameter that cannot be used.

    ``query`` maps a parameter to all its values (``st.query_params.to_dict()`` keeps only the last;
    pass ``{k: qp.get_all(k)}``). ``lineages`` are the catalogue's lineage names.

    Examples
    --------
    >>> s, e = state_from_query({"lineage": ["dpo-line,nope"], "depth": ["7"], "layout": ["time"]}, ["dpo-line"])
    >>> s, e
    ({'lineages': ['dpo-line'], 'layout': 'time'}, ["URL parameter lineage: unknown lineage 'nope'", \
"URL parameter depth: '7' is not a whole number from 0 to 2"])
    >>> state_from_query({"years": ["2015-2020"], "focus": ["dpo"]}, [])[0]
    {'_qp_years': (2015, 2020), '_qp_focus': 'dpo'}
    """
    out: dict[str, Any] = {}
    errors: list[str] = []

    def last(name: str) -> str | None:
        vals = query.get(name) or []
        return vals[-1] if vals else None

    names = [n.strip() for v in query.get("lineage") or [] for n in v.split(",") if n.strip()]
    if names:
        known = {n.casefold(): n for n in lineages}
        good = [known[n.casefold()] for n in names if n.casefold() in known]
        errors += [f"URL parameter lineage: unknown lineage '{n}'" for n in names if n.casefold() not in known]
        if good:
            out["lineages"] = good
    for name, choices in CHOICES.items():
        v = last(name)
        if v is None:
            continue
        if v in choices:
            out[name] = v
        else:
            errors.append(f"URL parameter {name}: unknown value '{v}' (valid: {', '.join(choices)})")
    for name, (lo, hi) in RANGES.items():
        v = last(name)
        if v is None:
            continue
        try:
            iv = int(v)
            if not lo <= iv <= hi:
                raise ValueError
            out[name] = iv
        except ValueError:
            errors.append(f"URL parameter {name}: '{v}' is not a whole number from {lo} to {hi}")
    v = last("years")
    if v:
        m = re.fullmatch(r"\s*(\d{4})\s*[-:,]\s*(\d{4})\s*", v)
        if m and int(m.group(1)) <= int(m.group(2)):
            out["_qp_years"] = (int(m.group(1)), int(m.group(2)))
        else:
            errors.append(f"URL parameter years: '{v}' is not a range like 2015-2024")
    v = last("focus")
    if v:
        out["_qp_focus"] = v
    return out, errors


def query_from_state(state: Mapping[str, Any], *, bounds: tuple[int, int],
                     focus_name: str | None) -> dict[str, list[str]]:
    """The URL parameters of ``state`` (only what differs from :data:`DEFAULTS`).

    ``focus_name`` is the alias (or key) of the focused paper, None when there is no focus.

    Examples
    --------
    >>> st = {**DEFAULTS, "lineages": ["a", "b"], "layout": "time", "years": (2016, 2024)}
    >>> query_from_state(st, bounds=(2010, 2024), focus_name="dpo")
    {'lineage': ['a', 'b'], 'focus': ['dpo'], 'years': ['2016-2024'], 'layout': ['time']}
    >>> query_from_state(DEFAULTS, bounds=(2010, 2024), focus_name=None)
    {'lineage': ['preference-optimization']}
    """
    want: dict[str, list[str]] = {"lineage": list(state.get("lineages") or [])}
    if focus_name:
        want["focus"] = [focus_name]
        if state.get("radius", DEFAULTS["radius"]) != DEFAULTS["radius"]:
            want["radius"] = [str(state["radius"])]
    years = tuple(state.get("years") or bounds)
    if years != tuple(bounds):
        want["years"] = [f"{years[0]}-{years[1]}"]
    for name in ("min_citations", "color", "layout", "size", "depth", "direction", "nodes"):
        if name in state and state[name] != DEFAULTS[name]:
            want[name] = [str(state[name])]
    return want
