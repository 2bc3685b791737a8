"""app_state: the URL <-> view-state mapping, as pure functions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app_state import CHOICES, DEFAULTS, RANGES, query_from_state, state_from_query

LINEAGES = ["preference-optimization", "user-sequence-modeling", "attention"]


def test_defaults_give_only_the_lineage() -> None:
    assert query_from_state(DEFAULTS, bounds=(2000, 2025), focus_name=None) == {"lineage": ["preference-optimization"]}


def test_every_bad_parameter_is_one_error_and_good_ones_still_apply() -> None:
    state, errors = state_from_query(
        {"lineage": ["attention,nope"], "color": ["purple"], "layout": ["force"], "depth": ["x"], "radius": ["9"],
         "years": ["soon"]}, LINEAGES)
    assert state == {"lineages": ["attention"], "layout": "force"}
    assert len(errors) == 5
    assert any("'nope'" in e for e in errors) and any("purple" in e and "lineage, year, role" in e for e in errors)
    assert any("radius" in e and "1 to 5" in e for e in errors)


def test_lineage_names_are_matched_case_insensitively_and_split_on_commas() -> None:
    state, errors = state_from_query({"lineage": ["Attention, user-sequence-modeling"]}, LINEAGES)
    assert state["lineages"] == ["attention", "user-sequence-modeling"] and errors == []


def test_focus_and_radius_only_with_a_focus() -> None:
    s = {**DEFAULTS, "radius": 3}
    assert "radius" not in query_from_state(s, bounds=(2000, 2025), focus_name=None)
    assert query_from_state(s, bounds=(2000, 2025), focus_name="dpo")["radius"] == ["3"]


@given(
    layout=st.sampled_from(CHOICES["layout"]),
    color=st.sampled_from(CHOICES["color"]),
    size=st.sampled_from(CHOICES["size"]),
    direction=st.sampled_from(CHOICES["direction"]),
    depth=st.integers(*RANGES["depth"]),
    nodes=st.integers(*RANGES["nodes"]),
    min_citations=st.integers(0, 10**6),
    years=st.tuples(st.integers(1990, 2010), st.integers(2011, 2026)),
    lineages=st.lists(st.sampled_from(LINEAGES), min_size=1, max_size=3, unique=True),
)
def test_round_trip(layout: str, color: str, size: str, direction: str, depth: int, nodes: int,
                    min_citations: int, years: tuple[int, int], lineages: list[str]) -> None:
    """state -> URL -> state gives the same values back."""
    state = {**DEFAULTS, "layout": layout, "color": color, "size": size, "direction": direction, "depth": depth,
             "nodes": nodes, "min_citations": min_citations, "years": years, "lineages": lineages}
    query = query_from_state(state, bounds=(1980, 2026), focus_name="dpo")
    back, errors = state_from_query(query, LINEAGES)
    assert errors == []
    assert back.pop("_qp_years", (1980, 2026)) == years
    assert back.pop("_qp_focus") == "dpo"
    for k, v in back.items():
        assert state[k if k != "lineages" else "lineages"] == v, k
    for k in ("layout", "color", "size", "direction", "depth", "nodes", "min_citations"):
        assert back.get(k, DEFAULTS[k]) == state[k], k
