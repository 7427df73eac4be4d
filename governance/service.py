"""Governance over one inventory: what the CLI and reports call.

It reads the inventory only through :class:`inventory_db.store.Store` (systems with their latest
evidence, the register fields) and writes only the governance tables, so that every view --
suggested tier, assessment, due triggers, stage, control states -- is computed the same way for
``risk list``, ``lifecycle`` and ``controls gaps``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from detectors.base import Confidence
from governance.catalogue import CONTROL_STATUSES, Catalogue, load_catalogue
from governance.controls import (
    ControlState,
    auto_evidence,
    control_state,
    read_soa_csv,
    required_controls,
    soa_rows,
)
from governance.errors import GateRefused, InputError
from governance.facts import Facts, facts_of
from governance.lifecycle import (
    GateContext,
    StageState,
    current_stage,
    illegal_move,
    unmet_gates,
)
from governance.risk import (
    AssessmentInput,
    Basis,
    Due,
    Suggestion,
    basis_of,
    next_review_for,
    suggest,
    triggers,
)
from governance.store import AssessmentRecord, GovernanceStore, NewAssessment, RiskRecord
from inventory_db.store import Store, SystemRecord

RETIRED = "retired"


@dataclass(frozen=True)
class SystemView:
    """One system as governance sees it: suggestion, assessment, stage and controls."""

    system: SystemRecord
    facts: Facts
    suggestion: Suggestion
    basis: Basis
    """The facts an assessment made now would rest on."""
    assessment: AssessmentRecord | None
    due: Due
    stage: StageState
    required: tuple[str, ...]
    states: dict[str, ControlState]

    @property
    def tier(self) -> str:
        """The confirmed tier, else the suggested one."""
        return self.assessment.tier if self.assessment else self.suggestion.tier

    @property
    def tier_status(self) -> str:
        """``confirmed`` once a person assessed the system, else ``suggested``."""
        return "confirmed" if self.assessment else "suggested"


@dataclass(frozen=True)
class Gap:
    """A system in operation and the required controls it is missing."""

    view: SystemView
    missing: tuple[ControlState, ...]


class Governance:
    """Governance operations over one inventory database."""

    def __init__(self, store: Store, catalogue: Catalogue | None = None) -> None:
        """Use an open inventory and the shipped catalogues (or the given ones)."""
        self.store = store
        self.catalogue = catalogue or load_catalogue()
        self.records = GovernanceStore(store)

    # -- views -----------------------------------------------------------------------------

    def views(self, include_low: bool = False, today: date | None = None) -> list[SystemView]:
        """Every system (medium confidence and up unless ``include_low``), fully evaluated."""
        today = today or date.today()
        cat = self.catalogue
        systems = self.store.systems(Confidence.LOW, with_evidence=True)
        facts = {s.id: facts_of(s) for s in systems}
        confident = [s for s in systems if Confidence[s.confidence.upper()] >= Confidence.MEDIUM]
        scope_vendors: dict[str, set[str]] = defaultdict(set)
        for s in confident:
            if not s.instance:
                scope_vendors[facts[s.id].scope].add(s.vendor)
        assessments = self.records.latest_assessments()
        stages = self.records.current_stages()
        recorded = self.records.control_status()
        soa = self.records.soa()
        auto = auto_evidence(systems, facts, cat)
        views = []
        for s in systems if include_low else confident:
            f = facts[s.id]
            suggestion = suggest(f, cat)
            vendors = {s.vendor} if s.instance else scope_vendors[f.scope] | {s.vendor}
            basis = basis_of(f, suggestion, vendors)
            a = assessments.get(s.id)
            if a is None:
                due = Due(("never assessed",), False)
            else:
                due = triggers(a.basis, basis, a.tier, a.next_review, today, cat)
            tier = a.tier if a else suggestion.tier
            views.append(
                SystemView(
                    system=s,
                    facts=f,
                    suggestion=suggestion,
                    basis=basis,
                    assessment=a,
                    due=due,
                    stage=current_stage(f, stages, cat),
                    required=tuple(required_controls(tier, cat, soa)),
                    states={
                        cid: control_state(cid, recorded.get((s.id, cid)), auto.get(s.id, ()))
                        for cid in cat.controls
                    },
                )
            )
        return views

    def view(self, system_id: int, today: date | None = None) -> SystemView:
        """One system, fully evaluated; :class:`InputError` when there is no such system."""
        for v in self.views(include_low=True, today=today):
            if v.system.id == system_id:
                return v
        raise InputError([f"no AI system with id {system_id}"])

    # -- assessments -----------------------------------------------------------------------

    def record_assessments(
        self, inputs: Sequence[AssessmentInput], actor: str, source: str, origin: str = ""
    ) -> list[int]:
        """Record validated assessments, all or none; unknown systems are reported with their
        rows (``origin`` names the file)."""
        ids = self.records.resolve(i.system for i in inputs)
        missing = [(i.row, f"no AI system {i.system!r}") for i in inputs if i.system not in ids]
        if missing:
            raise InputError.of_rows(origin, missing)
        seen: dict[int, int] = {}
        clashes = []
        for i in inputs:
            sid = ids[i.system]
            if sid in seen:
                clashes.append((i.row, f"system {sid} is already assessed in row {seen[sid]}"))
            seen[sid] = i.row
        if clashes:
            raise InputError.of_rows(origin, clashes)
        views = {v.system.id: v for v in self.views(include_low=True)}
        items = []
        for i in inputs:
            v = views[ids[i.system]]
            items.append(
                NewAssessment(
                    system_id=v.system.id,
                    intended_purpose=i.intended_purpose,
                    affected_groups=i.affected_groups,
                    questionnaire_version=self.catalogue.questionnaire_version,
                    answers=i.answers,
                    suggested_tier=v.suggestion.tier,
                    rationale=tuple(v.suggestion.rationale()),
                    tier=i.tier,
                    role=i.role or v.suggestion.role,
                    gpai=v.suggestion.gpai if i.gpai is None else i.gpai,
                    assessor=i.assessor,
                    assessed_on=i.assessed_on,
                    next_review=i.next_review
                    or next_review_for(i.tier, i.assessed_on, self.catalogue),
                    basis=v.basis,
                    source=source,
                    note=i.note,
                    risks=tuple(
                        RiskRecord(
                            r.risk,
                            r.likelihood,
                            r.impact,
                            r.score,
                            r.treatment,
                            r.owner,
                            r.due,
                            r.controls,
                        )
                        for r in i.risks
                    ),
                )
            )
        return self.records.add_assessments(items, actor)

    # -- lifecycle -------------------------------------------------------------------------

    def advance(self, system_id: int, target: str, actor: str, note: str = "") -> StageState:
        """Move a system to ``target`` through its gates; :class:`InputError` for a move the
        catalogue does not allow, :class:`GateRefused` listing every unmet gate."""
        v = self.view(system_id)
        illegal = illegal_move(v.stage.stage, target, self.catalogue)
        if illegal:
            raise InputError([f"system {system_id}: {illegal}"])
        ctx = GateContext(v.system, v.assessment, v.due, v.states, v.required, note)
        unmet = unmet_gates(target, ctx, self.catalogue)
        if unmet:
            raise GateRefused(
                f"system {system_id} cannot move from {v.stage.stage} to {target}: "
                f"{len(unmet)} gate(s) not passed",
                unmet,
            )
        self.records.add_stage_event(
            system_id, v.stage.stage, v.stage.inferred, target, actor, note
        )
        if target == "retirement" and v.system.status != RETIRED:
            # The register says so too; every assessment, status and event stays.
            self.store.update_system(system_id, {"status": RETIRED}, actor, note)
        return StageState(target, False, "set by a person")

    # -- controls --------------------------------------------------------------------------

    def set_control(
        self,
        system_id: int,
        control_id: str,
        status: str,
        evidence: Sequence[str],
        reviewer: str,
        actor: str,
        note: str = "",
    ) -> None:
        """Record one control's status for one system (appended; the latest counts)."""
        problems = []
        if control_id not in self.catalogue.controls:
            problems.append(f"unknown control id {control_id!r}")
        if status not in CONTROL_STATUSES:
            problems.append(f"status must be one of {', '.join(CONTROL_STATUSES)}, not {status!r}")
        if not self.records.resolve([system_id]):
            problems.append(f"no AI system with id {system_id}")
        if problems:
            raise InputError(problems)
        self.records.add_control_status(
            system_id, control_id, status, evidence, reviewer, actor, note
        )

    def gaps(self, include_low: bool = False) -> list[Gap]:
        """Systems in operation that miss controls their tier requires."""
        operating = "operation-monitoring"
        found = []
        for v in self.views(include_low):
            if v.stage.stage != operating:
                continue
            missing = tuple(v.states[c] for c in v.required if not v.states[c].done)
            if missing:
                found.append(Gap(v, missing))
        return found

    def soa(self) -> list[dict[str, str]]:
        """The Statement of Applicability rows, every control."""
        return soa_rows(self.catalogue, self.records.soa())

    def import_soa(self, text: str, source: str, actor: str) -> int:
        """Apply an SoA CSV, all rows or none; returns how many rows changed."""
        return self.records.save_soa(read_soa_csv(text, self.catalogue, source), actor)
