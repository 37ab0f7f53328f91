"""Routing by declared precedence: every tool's own examples reach that tool by code (or are listed below as
left to the model, with the reason), no two fast paths tie without a declaration, and neither import order
nor a file's name changes a route."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from agent.router import RoutingConflict, check_precedence, fast_path, precedence, route_by_code, undeclared_ties
from agent.tools.base import Attachment, Tool, load_tools
from training.csvio import HEVY_REQUIRED, STRONG_REQUIRED

# Examples code leaves to the model on purpose (the model fills free-form arguments or picks among tools).
# Keep this short: an example here is one the fast paths cannot place without guessing.
MODEL_DECIDES: dict[tuple[str, str], str] = {
    ("ask", "am I getting stronger on bench?"): "a judgement over the history: metric and period are the model's",
    ("ask", "how consistent is my food logging"): "no metric name in the words; the model maps it to one",
    ("update_profile", "I'm an intermediate lifter trying to lose fat"): "free-form goals; the model fills them",
}
# Examples that only make sense with a file attached: they are routed with one.
VIDEO_TOOLS = {"analyse_lift", "analyse_strikes"}
CSV_TOOLS = {"train_import", "food_import"}


def _attachments(tool: str, example: str, tmp: Path) -> list[Attachment]:
    if tool in VIDEO_TOOLS:
        clip = tmp / "clip.mp4"
        clip.write_bytes(b"\x00" * 64)
        return [Attachment(upload_id="u1", filename=clip.name, mime="video/mp4", path=str(clip), size_bytes=64)]
    if tool in CSV_TOOLS:
        cols = sorted(HEVY_REQUIRED if "hevy" in example.lower() else STRONG_REQUIRED)
        header = ",".join(cols) if tool == "train_import" else "Date,Meal,Calories,Protein (g)"
        csv = tmp / "export.csv"
        csv.write_text(header + "\n")
        return [Attachment(upload_id="u2", filename=csv.name, mime="text/csv", path=str(csv), size_bytes=100)]
    return []


@pytest.fixture(scope="module")
def tools() -> dict[str, Tool]:
    return load_tools()


def _route_example(name: str, example: str, tools: dict[str, Tool], tmp: Path):
    atts = _attachments(name, example, tmp)
    tool = tools[name]
    own = tool.match(example, atts) if tool.match else None
    # a follow-up ("add deadlift" to the chart on screen) is only meaningful right after its own tool
    refine = own is not None and getattr(own, "refine", None) is True
    return route_by_code(example, atts, tools, previous=name if refine else None)


def test_the_registry_has_no_undeclared_tie(tools):
    assert undeclared_ties(tools) == []
    check_precedence(tools)  # what load_tools runs at start-up


def test_every_tool_example_is_routed_to_its_own_tool_or_listed(tools, tmp_path):
    wrong, listed_but_placed, placed, left = [], [], 0, 0
    for name, tool in sorted(tools.items()):
        for example in tool.examples:
            route = _route_example(name, example, tools, tmp_path)
            if (name, example) in MODEL_DECIDES:
                left += 1
                if route is not None and route.tool != "chat":
                    listed_but_placed.append((name, example, route.tool))
            elif route is None or route.tool != name:
                wrong.append((name, example, route and route.tool))
            else:
                placed += 1
    assert wrong == [], wrong
    assert listed_but_placed == [], f"placed by code now: remove from MODEL_DECIDES {listed_but_placed}"
    assert placed > 4 * left  # the list stays small
    assert set(MODEL_DECIDES) <= {(n, e) for n, t in tools.items() for e in t.examples}, "stale MODEL_DECIDES entry"


def test_a_write_is_never_chosen_by_a_pattern_alone(tools, tmp_path):
    for name, tool in tools.items():
        for example in tool.examples:
            route = _route_example(name, example, tools, tmp_path)
            if route is not None and route.tool in tools and tools[route.tool].kind == "write":
                assert route.by == "code" and route.args is not None, (example, route)


def test_import_order_does_not_change_a_route(tools, tmp_path):
    backwards = dict(reversed(list(tools.items())))
    for name, tool in tools.items():
        for example in tool.examples:
            atts = _attachments(name, example, tmp_path)
            assert route_by_code(example, atts, tools) == route_by_code(example, atts, backwards), example


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("delete the last entry", "undo_last"),  # was program_edit
        ("add 3x12 face pulls to Monday", "program_edit"),  # was train_log_sets (a write)
        ("show my weight trend", "body_weight_trend"),  # was ask, by import order
        ("what are my macro targets?", "nutrition_targets"),  # was ask
        ("delete my last set", "train_undo"),
        ("show my program", "program_show"),
    ],
)
def test_the_routes_the_issue_found_wrong(tools, text, tool):
    route = route_by_code(text, [], tools)
    assert route is not None and route.tool == tool, route


class _Args(BaseModel):
    pass


def _tool(name: str, domain: str = "d", **kw) -> Tool:
    return Tool(name=name, description=name, args_model=_Args, run=lambda c, a: None, domain=domain,
                examples=[f"do {name}"], match=lambda t, _a: _Args() if t.startswith("do ") else None,
                **kw)  # fmt: skip


def test_a_tie_no_declaration_breaks_is_an_error_at_load():
    tools = {"a": _tool("a"), "b": _tool("b")}
    with pytest.raises(RoutingConflict, match="a / b"):
        check_precedence(tools)
    assert fast_path("do a", [], tools) is None  # at run time the model decides, never the dict order
    tools["b"] = _tool("b", yields_to=("a",))
    check_precedence(tools)
    assert fast_path("do b", [], tools)[0] == "a"


def test_precedence_is_transitive_and_a_cycle_or_an_unknown_name_is_an_error():
    tools = {"a": _tool("a", outranks=("b",)), "b": _tool("b", outranks=("c",)), "c": _tool("c")}
    assert precedence(tools)["a"] == {"b", "c"}
    assert fast_path("do c", [], tools)[0] == "a"
    tools["c"] = _tool("c", outranks=("a",))
    with pytest.raises(RoutingConflict, match="cycle"):
        precedence(tools)
    with pytest.raises(RoutingConflict, match="unknown"):
        check_precedence({"a": _tool("a", yields_to=("nope",))})


def test_the_previous_turns_domain_comes_before_declarations():
    tools = {"a": _tool("a", "x"), "b": _tool("b", "y", yields_to=("a",))}
    assert fast_path("do it", [], tools)[0] == "a"
    assert fast_path("do it", [], tools, previous="b")[0] == "b"
