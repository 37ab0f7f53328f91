"""A single target the person states is set as stated; only computed targets need the profile."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.tools.base import ToolContext, load_tools
from agent.tools.nutrition.targets import _match_targets
from nutrition.nutrient_text import parse_stated_targets
from storage import nutrition as repo


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("set my protein target to 180 g", {"protein_g": 180}),
        ("make my daily calorie goal 2650", {"kcal": 2650}),
        ("targets: 2300 kcal, 170 g protein", {"kcal": 2300, "protein_g": 170}),
        ("fibre target 35g please", {"fiber_g": 35}),
        ("what are my targets", {}),
    ],
)
def test_stated_numbers_are_read(text, stated):
    assert parse_stated_targets(text) == stated
    if stated:
        assert _match_targets(text, []).mode == "stated"


def test_a_stated_protein_target_needs_no_profile_and_keeps_the_rest(settings, engine, account):
    tools = load_tools()
    t = tools["nutrition_targets"]
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, now=datetime.now(UTC))
    out = t.run(ctx, t.args_model(mode="stated", protein_g=180))  # a fresh account: no sex, age, height
    assert out.ok and "180" in out.summary and "sex" not in out.markdown.lower()
    row = repo.active_target(account.id, engine)
    assert (row.protein_g, row.kcal, row.source) == (180, None, "stated")
    t.run(ctx, t.args_model(mode="stated", kcal=2500))
    row = repo.active_target(account.id, engine)
    assert (row.kcal, row.protein_g) == (2500, 180)  # the earlier stated protein is kept
    shown = t.run(ctx, t.args_model(mode="show"))
    assert "2,500" in shown.markdown and "180.0" in shown.markdown
