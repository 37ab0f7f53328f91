"""Daily energy and macro targets: show them, set what the athlete stated, propose computed ones (from the
profile or from logged intake and the weight trend) for approval, and estimate maintenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Engine

from nutrition import body
from nutrition.body import MIN_CHANGE_KCAL, STATED_FIELDS
from nutrition.energy import EnergyError
from powerforge.units import Mass
from services.uow import unit_of_work
from storage import nutrition as repo
from storage.accounts import update_profile
from storage.tables.nutrition import NutritionTarget

__all__ = [
    "MIN_CHANGE_KCAL",
    "STATED_FIELDS",
    "CurrentTargets",
    "ProfileExpenditure",
    "ProfileFacts",
    "StatedTargets",
    "TargetsProposal",
    "TargetsRequest",
    "decide_targets",
    "expenditure",
    "propose_targets",
    "targets",
]


@dataclass(frozen=True)
class ProfileFacts:
    """Profile facts said with a request for targets (all optional; what is said is saved first)."""

    sex: str | None = None
    age: int | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    activity_level: str | None = None
    goal: str | None = None


@dataclass(frozen=True)
class TargetsProposal:
    """New targets computed from the profile or the logged data; `proposed` is the row awaiting approval, or
    None when the new estimate is too close to the current target to be worth changing."""

    targets: Any  # nutrition.energy.Targets
    why: dict[str, Any]
    source: str  # profile | adaptive
    current: Any  # the active NutritionTarget, if any
    proposed: Any = None  # the proposed NutritionTarget row
    estimate: Any = None  # the adaptive expenditure estimate (adaptive only)


def propose_targets(
    account_id: int, facts: ProfileFacts, *, adaptive: bool, today: date, engine: Engine | None = None
) -> TargetsProposal:
    """Save the facts said, compute targets (Mifflin-St Jeor from the profile, or adaptive from intake and
    the weight trend) and propose them unless they barely differ. One unit of work: a fact that fails a
    check (an impossible weight) saves nothing. Raises EnergyError/AccountError for what is missing or wrong."""
    said = {"sex": facts.sex, "height_cm": facts.height_cm, "activity_level": facts.activity_level, "goal": facts.goal}
    changes: dict[str, Any] = {k: v for k, v in said.items() if v}
    if facts.age:
        changes["birth_year"] = today.year - facts.age
    with unit_of_work(engine) as uow:
        if changes:
            update_profile(account_id, changes, uow)
        if facts.weight_kg:
            body.log_weight(account_id, Mass.kgs(facts.weight_kg), today, engine=uow)
        est = None
        if adaptive:
            targets, why, est = body.adaptive_targets(account_id, today, uow)
        else:
            targets, why = body.profile_targets(account_id, today, uow)
        source = "adaptive" if adaptive else "profile"
        current = repo.active_target(account_id, uow)
        proposed = (
            body.propose(account_id, targets, source, why, uow) if body.worth_proposing(current, targets) else None
        )
    return TargetsProposal(targets, why, source, current, proposed, est)


@dataclass(frozen=True)
class TargetsRequest:
    """What the athlete asked of their targets: to see them, to set numbers they stated, or to work them out
    from the profile or from their logs (`facts`: profile facts said with it)."""

    mode: Literal["show", "stated", "profile", "adaptive"] = "show"
    stated: dict[str, float] | None = None  # kcal, protein_g, carbs_g, fat_g, fiber_g as said
    facts: ProfileFacts = ProfileFacts()


@dataclass(frozen=True)
class CurrentTargets:
    """The active targets; `row` None when none are set yet."""

    row: NutritionTarget | None


@dataclass(frozen=True)
class StatedTargets:
    """Targets set as the athlete stated them (active at once); `stated` is what they said."""

    row: NutritionTarget
    stated: dict[str, float]


def targets(
    account_id: int, req: TargetsRequest, *, today: date, engine: Engine | None = None
) -> CurrentTargets | StatedTargets | TargetsProposal:
    """One request about targets. Numbers the athlete states win over working them out (they are set as said,
    no approval); computed targets are proposed. Raises EnergyError/AccountError for what is missing or wrong."""
    if req.mode == "show":
        return CurrentTargets(repo.active_target(account_id, engine))
    stated = {f: v for f, v in (req.stated or {}).items() if v is not None}
    if req.mode == "stated" or (stated and req.mode == "profile"):
        return StatedTargets(body.set_stated(account_id, stated, engine), stated)
    return propose_targets(account_id, req.facts, adaptive=req.mode == "adaptive", today=today, engine=engine)


def decide_targets(account_id: int, target_id: int, approve: bool, engine: Engine | None = None) -> NutritionTarget:
    """Approve (make active) or decline a proposal. Raises EnergyError for a proposal not found or decided."""
    return body.decide(account_id, target_id, approve, engine)


@dataclass(frozen=True)
class ProfileExpenditure:
    """Maintenance from the profile (Mifflin-St Jeor x activity), when the logs can't estimate it yet."""

    why_not_adaptive: str  # what the logs still lack
    tdee_kcal: float
    activity_factor: float


def expenditure(account_id: int, *, today: date, engine: Engine | None = None) -> TargetsProposal | ProfileExpenditure:
    """Maintenance estimated from logged intake and the weight trend, with targets proposed from it; until the
    logs allow that, the profile's estimate. Raises EnergyError when neither can be made (says what is missing)."""
    try:
        return propose_targets(account_id, ProfileFacts(), adaptive=True, today=today, engine=engine)
    except EnergyError as e:
        try:
            _t, why = body.profile_targets(account_id, today, engine)
        except EnergyError as e2:
            raise EnergyError(f"{e} {e2}") from e2
        return ProfileExpenditure(str(e), why["tdee_kcal"], why["activity_factor"])
