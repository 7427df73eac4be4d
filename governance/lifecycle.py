"""AI system life cycle (ISO/IEC 22989): an inferred first stage, and gated transitions.

A system nobody has moved is in the stage its evidence suggests, shown as *inferred*. A move is
allowed only along ``lifecycle.yaml``'s transitions and only when every gate of the target stage
passes; a refusal lists every unmet gate, not just the first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from governance.catalogue import Catalogue, Gate
from governance.controls import ControlState
from governance.facts import Facts
from governance.risk import Due
from governance.store import AssessmentRecord
from inventory_db.store import SystemRecord


@dataclass(frozen=True, slots=True)
class StageState:
    """Where a system is in its life cycle, and whether a person put it there."""

    stage: str
    inferred: bool
    because: str


def infer_stage(facts: Facts, catalogue: Catalogue) -> StageState:
    """The stage the evidence suggests (first matching inference rule)."""
    for rule in catalogue.inference:
        signals = sorted(facts.signals & set(rule.signals))
        if rule.signals and not signals:
            continue
        if rule.categories and facts.category not in rule.categories:
            continue
        detail = f" (signal {signals[0]})" if signals else ""
        if rule.categories:
            detail = f" (category {facts.category})"
        return StageState(rule.stage, True, rule.because + detail)
    first = next(iter(catalogue.stages))
    return StageState(first, True, "no inference rule matched")


def current_stage(facts: Facts, recorded: Mapping[int, str], catalogue: Catalogue) -> StageState:
    """The stage a person last moved the system to, else the inferred one."""
    if facts.system_id in recorded:
        return StageState(recorded[facts.system_id], False, "set by a person")
    return infer_stage(facts, catalogue)


@dataclass(frozen=True, slots=True)
class GateContext:
    """Everything the gates of a move look at."""

    system: SystemRecord
    assessment: AssessmentRecord | None
    due: Due | None
    states: Mapping[str, ControlState]
    """Effective status per control id (every catalogue control)."""
    required: Sequence[str]
    """Controls the confirmed tier requires (after the SoA)."""
    note: str


def _controls_unmet(controls: Sequence[str], states: Mapping[str, ControlState]) -> list[str]:
    unmet = []
    for cid in controls:
        state = states[cid]
        if state.done:
            continue
        why = state.status
        failing = [a for a in state.auto if a.outcome == "fail"]
        if failing:
            why += f": {failing[0].says} ({failing[0].detail})"
        unmet.append(f"{cid} is {why}")
    return unmet


def _check(gate: Gate, ctx: GateContext) -> str | None:
    """Why a gate does not pass, or None."""
    a = ctx.assessment
    if gate.kind == "field":
        return None if getattr(ctx.system, gate.field, "") else f"{gate.field} is empty"
    if gate.kind == "assessment":
        return None if a is not None else "no impact assessment is recorded"
    if gate.kind == "assessment_current":
        if a is None:
            return "no impact assessment is recorded"
        if ctx.due is not None and ctx.due.reasons:
            return "re-assessment due: " + "; ".join(ctx.due.reasons)
        return None
    if gate.kind == "tier_not":
        if a is not None and a.tier in gate.tiers:
            return f"the confirmed tier is {a.tier}"
        return None
    if gate.kind == "controls":
        unmet = _controls_unmet(gate.controls, ctx.states)
        return "; ".join(unmet) if unmet else None
    if gate.kind == "required_controls":
        if a is None:
            return "no confirmed tier, so the required controls are unknown"
        unmet = _controls_unmet(ctx.required, ctx.states)
        return f"{a.tier} requires: " + "; ".join(unmet) if unmet else None
    if gate.kind == "note":
        return None if ctx.note.strip() else "no note was given (--note)"
    raise AssertionError(f"unknown gate kind {gate.kind}")  # the catalogue validates kinds


def unmet_gates(target: str, ctx: GateContext, catalogue: Catalogue) -> list[str]:
    """Every gate of ``target`` the system does not pass, as ``id: condition (why not)``."""
    found = []
    for gate in catalogue.gates.get(target, ()):
        why = _check(gate, ctx)
        if why is not None:
            found.append(f"{gate.id}: {gate.says} ({why})")
    return found


def illegal_move(current: str, target: str, catalogue: Catalogue) -> str | None:
    """Why a move is not a transition of the catalogue, or None."""
    if target not in catalogue.stages:
        return f"unknown stage {target!r} (stages: {', '.join(catalogue.stages)})"
    allowed = catalogue.transitions.get(current, ())
    if target not in allowed:
        onward = ", ".join(allowed) or "none: it is final"
        return f"cannot move from {current} to {target} (allowed from {current}: {onward})"
    return None
