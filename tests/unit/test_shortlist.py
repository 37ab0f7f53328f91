"""The semantic shortlist (real offline MiniLM embeddings) offers the right tool for odd phrasings."""

from __future__ import annotations

import pytest

from agent.router import routable
from agent.shortlist import CHAT, shortlist_for
from agent.tools.base import load_tools


@pytest.fixture(scope="module")
def shortlist():
    return shortlist_for(routable(load_tools()))


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("could you turn eighty kilos into pounds for me", "convert_units"),
        ("I box southpaw these days", "update_profile"),
        ("just finished a big bowl of greek yogurt with honey", "log_food"),
        ("knocked out five sets of five on overhead press with 60 kilos", "train_log_sets"),
        ("my knee has been hurting since last month, keep that in mind", "remember_note"),
        ("what's the capital of France?", CHAT),
    ],
)
def test_expected_tool_is_offered(shortlist, text, tool):
    names = [c.name for c in shortlist.top(text, k=5)]
    assert tool in names
    assert names[-1] == CHAT or CHAT in names  # chat is always an option


def test_button_only_tools_are_never_offered(shortlist):
    offered = {c.name for c in shortlist.top("save it", k=60)}
    hidden = {n for n, t in load_tools().items() if not t.examples}
    assert hidden and not (offered & hidden)
