"""Turn a `TurnResult` into Chainlit elements: markdown, inline images and videos, files, buttons."""

from __future__ import annotations

from pathlib import Path

import chainlit as cl

from agent.runner import TurnResult
from agent.tools.base import Action

ACTION_NAME = "pf_tool"


def elements_for(result: TurnResult) -> list[cl.Element]:
    elements: list[cl.Element] = []
    for out in result.outputs:
        for p in out.images:
            elements.append(cl.Image(path=p, name=Path(p).name, display="inline", size="large"))
        for p in out.videos:
            elements.append(cl.Video(path=p, name=Path(p).name, display="inline", mime="video/mp4"))
        for p in out.files:
            elements.append(cl.File(path=p, name=Path(p).name, display="inline"))
    return [e for e in elements if Path(e.path or "").is_file()]


def actions_for(result: TurnResult) -> list[cl.Action]:
    return [to_cl_action(a) for out in result.outputs for a in out.actions]


def to_cl_action(a: Action) -> cl.Action:
    return cl.Action(
        name=ACTION_NAME,
        label=a.label,
        tooltip=a.tooltip or a.label,
        payload={"tool": a.tool, "args": a.args},
    )
