"""The governance catalogues (``governance/data/*.yaml``), loaded, validated and cross-checked.

Tiers, Annex III areas, the questionnaire, lifecycle stages and gates, the ISO/IEC 42001 Annex A
controls with their crosswalk, and the scan-evidence mappings are data: changing one is a YAML
edit, and a broken reference (a gate naming an unknown control, a crosswalk target that does not
exist) stops the load with the file and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from governance.errors import CatalogueError
from inventory_db.register import EDITABLE

DATA_DIR = Path(__file__).with_name("data")
FILES = ("tiers.yaml", "questionnaire.yaml", "annex_a.yaml", "evidence.yaml", "lifecycle.yaml")
QUESTION_TYPES = ("bool", "choice", "text")
GATE_KINDS = (
    "field",
    "assessment",
    "assessment_current",
    "tier_not",
    "controls",
    "required_controls",
    "note",
)
CONTROL_STATUSES = ("not-started", "in-progress", "implemented", "not-applicable")
"""Per-system and SoA implementation status of a control."""
DONE = frozenset({"implemented", "not-applicable"})
SIGNALS = ("cloud_resource", "saas_app", "code_import", "code_call", "package", "iac", "key")


@dataclass(frozen=True, slots=True)
class Tier:
    """An EU AI Act risk tier."""

    id: str
    name: str
    rank: int
    reference: str
    review_months: int


@dataclass(frozen=True, slots=True)
class Role:
    """An AI Act operator role (provider, deployer, importer, distributor)."""

    id: str
    name: str
    reference: str


@dataclass(frozen=True, slots=True)
class TierRule:
    """Words, resource types or model ids that suggest a tier, and what they stand for."""

    id: str
    tier: str
    title: str
    reference: str
    keywords: tuple[str, ...] = ()
    with_keywords: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    area: bool = False
    """An Annex III area (offered as an answer to the questionnaire)."""
    customer_facing: bool = False


@dataclass(frozen=True, slots=True)
class Consideration:
    """A fact to weigh that does not set a tier by itself (autonomy, sensitive data)."""

    id: str
    title: str
    note: str
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoleRule:
    """Categories that suggest an operator role."""

    categories: tuple[str, ...]
    role: str
    because: str


@dataclass(frozen=True, slots=True)
class Question:
    """One questionnaire question."""

    id: str
    type: str
    text: str
    choices: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True, slots=True)
class RiskScale:
    """Likelihood and impact bounds, treatments and score ratings of the risk register."""

    likelihood: tuple[int, int]
    impact: tuple[int, int]
    treatments: tuple[str, ...]
    ratings: tuple[tuple[str, int], ...]

    def rating(self, score: int) -> str:
        """The rating band of a score."""
        for name, top in self.ratings:
            if score <= top:
                return name
        return self.ratings[-1][0]


@dataclass(frozen=True, slots=True)
class Control:
    """One ISO/IEC 42001 Annex A control with its crosswalk."""

    id: str
    objective: str
    title: str
    nist: tuple[str, ...] = ()
    eu_ai_act: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Objective:
    """An Annex A control objective and its controls."""

    id: str
    title: str
    controls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceMapping:
    """A scan fact that proves (or disproves) a control."""

    id: str
    control: str
    outcome: str
    says: str
    attribute: str = ""
    equals: str | None = None
    present: bool = False
    field: str = ""
    same_scope: bool = False


@dataclass(frozen=True, slots=True)
class Stage:
    """A life cycle stage (ISO/IEC 22989)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Gate:
    """A condition to enter a stage."""

    id: str
    kind: str
    says: str
    field: str = ""
    controls: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InferenceRule:
    """Evidence that suggests the stage a system is in."""

    stage: str
    because: str
    signals: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """Every governance catalogue, cross-checked."""

    tiers: dict[str, Tier]
    roles: dict[str, Role]
    rules: tuple[TierRule, ...]
    considerations: tuple[Consideration, ...]
    gpai_categories: tuple[str, ...]
    gpai_models: tuple[str, ...]
    role_rules: tuple[RoleRule, ...]
    questionnaire_version: str
    questions: tuple[Question, ...]
    risk: RiskScale
    objectives: tuple[Objective, ...]
    controls: dict[str, Control]
    required_by_tier: dict[str, tuple[str, ...]]
    nist_functions: dict[str, str]
    nist_categories: dict[str, str]
    nist_function_of: dict[str, str]
    """NIST AI RMF category id -> its function id."""
    articles: dict[str, str]
    mappings: tuple[EvidenceMapping, ...]
    stages: dict[str, Stage]
    transitions: dict[str, tuple[str, ...]]
    gates: dict[str, tuple[Gate, ...]]
    inference: tuple[InferenceRule, ...]

    @property
    def areas(self) -> tuple[TierRule, ...]:
        """The Annex III area rules."""
        return tuple(r for r in self.rules if r.area)

    def tiers_by_rank(self) -> list[Tier]:
        """Tiers, most severe first."""
        return sorted(self.tiers.values(), key=lambda t: -t.rank)

    def problems(self) -> list[str]:
        """Every broken reference between the catalogues (empty when they agree)."""
        found: list[str] = []
        found += _duplicates("tiers.yaml: rule", [r.id for r in self.rules])
        for rule in self.rules:
            if rule.tier not in self.tiers:
                found.append(f"tiers.yaml: rule {rule.id}: unknown tier {rule.tier!r}")
            if not (rule.keywords or rule.resource_types or rule.models):
                found.append(f"tiers.yaml: rule {rule.id}: no keywords, resource_types or models")
        for rr in self.role_rules:
            if rr.role not in self.roles:
                found.append(f"tiers.yaml: role_rules: unknown role {rr.role!r}")
        found += _duplicates("questionnaire.yaml: question", [q.id for q in self.questions])
        found += _duplicates(
            "annex_a.yaml: control", [c for o in self.objectives for c in o.controls]
        )
        found += _duplicates("annex_a.yaml: objective", [o.id for o in self.objectives])
        for control in self.controls.values():
            if not control.id.startswith(control.objective + "."):
                found.append(
                    f"annex_a.yaml: control {control.id} is not under objective {control.objective}"
                )
            found += [
                f"annex_a.yaml: control {control.id}: unknown NIST AI RMF category {n!r}"
                for n in control.nist
                if n not in self.nist_categories
            ]
            found += [
                f"annex_a.yaml: control {control.id}: unknown EU AI Act article {a!r}"
                for a in control.eu_ai_act
                if a not in self.articles
            ]
        for cat_id, function in self.nist_function_of.items():
            if function not in self.nist_functions:
                found.append(f"annex_a.yaml: NIST category {cat_id}: unknown function {function!r}")
        for tier, controls in self.required_by_tier.items():
            if tier not in self.tiers:
                found.append(f"annex_a.yaml: required_by_tier: unknown tier {tier!r}")
            found += [
                f"annex_a.yaml: required_by_tier {tier}: unknown control {c!r}"
                for c in controls
                if c not in self.controls
            ]
        found += [
            f"annex_a.yaml: required_by_tier has no entry for tier {t!r}"
            for t in self.tiers
            if t not in self.required_by_tier
        ]
        found += _duplicates("evidence.yaml: mapping", [m.id for m in self.mappings])
        for m in self.mappings:
            if m.control not in self.controls:
                found.append(f"evidence.yaml: mapping {m.id}: unknown control {m.control!r}")
            if m.field and m.field not in EDITABLE:
                found.append(f"evidence.yaml: mapping {m.id}: unknown register field {m.field!r}")
        for stage, targets in self.transitions.items():
            if stage not in self.stages:
                found.append(f"lifecycle.yaml: transitions: unknown stage {stage!r}")
            found += [
                f"lifecycle.yaml: transitions {stage}: unknown stage {t!r}"
                for t in targets
                if t not in self.stages
            ]
        found += [
            f"lifecycle.yaml: transitions: no entry for stage {s!r}"
            for s in self.stages
            if s not in self.transitions
        ]
        for stage, gates in self.gates.items():
            if stage not in self.stages:
                found.append(f"lifecycle.yaml: gates: unknown stage {stage!r}")
            for gate in gates:
                where = f"lifecycle.yaml: gate {stage}/{gate.id}"
                if gate.kind == "field" and gate.field not in EDITABLE:
                    found.append(f"{where}: unknown register field {gate.field!r}")
                found += [
                    f"{where}: unknown control {c!r}"
                    for c in gate.controls
                    if c not in self.controls
                ]
                found += [f"{where}: unknown tier {t!r}" for t in gate.tiers if t not in self.tiers]
        found += [
            f"lifecycle.yaml: inference: unknown stage {i.stage!r}"
            for i in self.inference
            if i.stage not in self.stages
        ]
        return found


def _duplicates(what: str, ids: list[str]) -> list[str]:
    seen: set[str] = set()
    found = []
    for i in ids:
        if i in seen:
            found.append(f"{what} {i} appears more than once")
        seen.add(i)
    return found


class _Reader:
    """Typed access to one YAML document; problems name the file and the path."""

    def __init__(self, name: str, doc: object) -> None:
        self.name = name
        if not isinstance(doc, dict):
            raise CatalogueError([f"{name}: expected a mapping at the top"])
        self.doc: dict[str, Any] = doc

    def fail(self, where: str, why: str) -> CatalogueError:
        return CatalogueError([f"{self.name}: {where}: {why}"])

    def mapping(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping")
        return value

    def items(self, value: object, where: str) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise self.fail(where, "expected a list")
        return [self.mapping(v, f"{where}[{i}]") for i, v in enumerate(value)]

    def text(self, d: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = d.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(f"{where}.{key}", "expected text")
        return value

    def words(self, d: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = d.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "expected a list of text")
        return tuple(value)

    def integer(self, d: dict[str, Any], key: str, where: str) -> int:
        value = d.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "expected a whole number")
        return value

    def flag(self, d: dict[str, Any], key: str, where: str) -> bool:
        value = d.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "expected true or false")
        return value


def _read(directory: Path, name: str) -> _Reader:
    path = directory / name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise CatalogueError([f"{name}: cannot read: {err}"]) from err
    return _Reader(name, doc)


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load and cross-check the catalogues (the shipped ones by default, read once)."""
    if directory is None:
        return _shipped()
    return _load(directory)


@cache
def _shipped() -> Catalogue:
    return _load(DATA_DIR)


def _load(directory: Path) -> Catalogue:
    t = _read(directory, "tiers.yaml")
    tiers = {}
    for i, d in enumerate(t.items(t.doc.get("tiers"), "tiers")):
        w = f"tiers[{i}]"
        tier = Tier(
            t.text(d, "id", w),
            t.text(d, "name", w),
            t.integer(d, "rank", w),
            t.text(d, "reference", w),
            t.integer(d, "review_months", w),
        )
        if tier.id in tiers:
            raise t.fail(w, f"tier {tier.id} appears more than once")
        tiers[tier.id] = tier
    roles = {
        d["id"]: Role(t.text(d, "id", w), t.text(d, "name", w), t.text(d, "reference", w))
        for i, d in enumerate(t.items(t.doc.get("roles"), "roles"))
        for w in [f"roles[{i}]"]
    }
    rules = tuple(
        TierRule(
            id=t.text(d, "id", w),
            tier=t.text(d, "tier", w),
            title=t.text(d, "title", w),
            reference=t.text(d, "reference", w),
            keywords=t.words(d, "keywords", w),
            with_keywords=t.words(d, "with_keywords", w),
            resource_types=t.words(d, "resource_types", w),
            models=t.words(d, "models", w),
            area=t.flag(d, "area", w),
            customer_facing=t.flag(d, "customer_facing", w),
        )
        for i, d in enumerate(t.items(t.doc.get("rules"), "rules"))
        for w in [f"rules[{i}]"]
    )
    considerations = tuple(
        Consideration(
            id=t.text(d, "id", w),
            title=t.text(d, "title", w),
            note=t.text(d, "note", w),
            keywords=t.words(d, "keywords", w),
            categories=t.words(d, "categories", w),
            resource_types=t.words(d, "resource_types", w),
        )
        for i, d in enumerate(t.items(t.doc.get("considerations", []), "considerations"))
        for w in [f"considerations[{i}]"]
    )
    gpai = t.mapping(t.doc.get("gpai", {}), "gpai")
    role_rules = tuple(
        RoleRule(t.words(d, "categories", w), t.text(d, "role", w), t.text(d, "because", w))
        for i, d in enumerate(t.items(t.doc.get("role_rules", []), "role_rules"))
        for w in [f"role_rules[{i}]"]
    )

    q = _read(directory, "questionnaire.yaml")
    version = q.doc.get("version")
    if not isinstance(version, str) or not version:
        raise q.fail("version", "expected text (quote numbers)")
    areas = tuple(r.id for r in rules if r.area)
    questions = []
    for i, d in enumerate(q.items(q.doc.get("questions"), "questions")):
        w = f"questions[{i}]"
        kind = q.text(d, "type", w)
        if kind not in QUESTION_TYPES:
            raise q.fail(f"{w}.type", f"{kind!r} is not one of {', '.join(QUESTION_TYPES)}")
        choices = q.words(d, "choices", w)
        if d.get("choices_from") == "annex_iii":
            choices = ("none", *areas)
        elif "choices_from" in d:
            raise q.fail(f"{w}.choices_from", "only annex_iii is known")
        if kind == "choice" and not choices:
            raise q.fail(w, "a choice question needs choices")
        questions.append(
            Question(
                q.text(d, "id", w),
                kind,
                q.text(d, "text", w),
                choices,
                bool(d.get("required", True)),
            )
        )
    r = q.mapping(q.doc.get("risk"), "risk")
    scale = RiskScale(
        likelihood=(
            q.integer(q.mapping(r.get("likelihood"), "risk.likelihood"), "min", "risk.likelihood"),
            q.integer(r["likelihood"], "max", "risk.likelihood"),
        ),
        impact=(
            q.integer(q.mapping(r.get("impact"), "risk.impact"), "min", "risk.impact"),
            q.integer(r["impact"], "max", "risk.impact"),
        ),
        treatments=q.words(r, "treatments", "risk"),
        ratings=tuple(
            (q.text(d, "id", "risk.ratings"), q.integer(d, "max_score", "risk.ratings"))
            for d in q.items(r.get("ratings"), "risk.ratings")
        ),
    )

    a = _read(directory, "annex_a.yaml")
    objectives = []
    controls: dict[str, Control] = {}
    for i, d in enumerate(a.items(a.doc.get("objectives"), "objectives")):
        w = f"objectives[{i}]"
        oid = a.text(d, "id", w)
        ids = []
        for j, c in enumerate(a.items(d.get("controls"), f"{w}.controls")):
            cw = f"{w}.controls[{j}]"
            control = Control(
                a.text(c, "id", cw),
                oid,
                a.text(c, "title", cw),
                a.words(c, "nist", cw),
                a.words(c, "eu_ai_act", cw),
            )
            ids.append(control.id)
            controls.setdefault(control.id, control)
        objectives.append(Objective(oid, a.text(d, "title", w), tuple(ids)))
    required = {
        str(k): a.words(a.doc["required_by_tier"], k, "required_by_tier")
        for k in a.mapping(a.doc.get("required_by_tier"), "required_by_tier")
    }
    nist = a.mapping(a.doc.get("nist_ai_rmf"), "nist_ai_rmf")
    functions = {
        a.text(d, "id", "nist_ai_rmf.functions"): a.text(d, "title", "nist_ai_rmf.functions")
        for d in a.items(nist.get("functions"), "nist_ai_rmf.functions")
    }
    categories: dict[str, str] = {}
    function_of: dict[str, str] = {}
    for d in a.items(nist.get("categories"), "nist_ai_rmf.categories"):
        cid = a.text(d, "id", "nist_ai_rmf.categories")
        categories[cid] = a.text(d, "title", "nist_ai_rmf.categories")
        function_of[cid] = a.text(d, "function", "nist_ai_rmf.categories")
    articles = {
        a.text(d, "id", "eu_ai_act_articles"): a.text(d, "title", "eu_ai_act_articles")
        for d in a.items(a.doc.get("eu_ai_act_articles"), "eu_ai_act_articles")
    }

    e = _read(directory, "evidence.yaml")
    mappings = []
    for i, d in enumerate(e.items(e.doc.get("mappings"), "mappings")):
        w = f"mappings[{i}]"
        outcome = e.text(d, "outcome", w)
        if outcome not in ("pass", "fail"):
            raise e.fail(f"{w}.outcome", "expected pass or fail")
        attribute = e.text(d, "attribute", w, "")
        field = e.text(d, "field", w, "")
        if bool(attribute) == bool(field):
            raise e.fail(w, "name exactly one of attribute or field")
        equals = d.get("equals")
        if equals is not None and not isinstance(equals, str):
            raise e.fail(f"{w}.equals", "expected text (quote on/off)")
        present = e.flag(d, "present", w)
        if attribute and (equals is None) == (not present):
            raise e.fail(w, "an attribute mapping needs exactly one of equals or present: true")
        scope = d.get("scope", "system")
        if scope not in ("system", "same-scope"):
            raise e.fail(f"{w}.scope", "expected system or same-scope")
        mappings.append(
            EvidenceMapping(
                id=e.text(d, "id", w),
                control=e.text(d, "control", w),
                outcome=outcome,
                says=e.text(d, "says", w),
                attribute=attribute,
                equals=equals,
                present=present,
                field=field,
                same_scope=scope == "same-scope",
            )
        )

    lc = _read(directory, "lifecycle.yaml")
    stages = {
        d["id"]: Stage(lc.text(d, "id", w), lc.text(d, "name", w))
        for i, d in enumerate(lc.items(lc.doc.get("stages"), "stages"))
        for w in [f"stages[{i}]"]
    }
    transitions = {
        str(k): lc.words(lc.doc["transitions"], k, "transitions")
        for k in lc.mapping(lc.doc.get("transitions"), "transitions")
    }
    gates: dict[str, tuple[Gate, ...]] = {}
    for stage, items in lc.mapping(lc.doc.get("gates", {}), "gates").items():
        parsed = []
        for i, d in enumerate(lc.items(items, f"gates.{stage}")):
            w = f"gates.{stage}[{i}]"
            kind = lc.text(d, "kind", w)
            if kind not in GATE_KINDS:
                raise lc.fail(f"{w}.kind", f"{kind!r} is not one of {', '.join(GATE_KINDS)}")
            parsed.append(
                Gate(
                    id=lc.text(d, "id", w),
                    kind=kind,
                    says=lc.text(d, "says", w),
                    field=lc.text(d, "field", w, ""),
                    controls=lc.words(d, "controls", w),
                    tiers=lc.words(d, "tiers", w),
                )
            )
        gates[str(stage)] = tuple(parsed)
    inference = tuple(
        InferenceRule(
            stage=lc.text(d, "stage", w),
            because=lc.text(d, "because", w),
            signals=lc.words(d, "signals", w),
            categories=lc.words(d, "categories", w),
        )
        for i, d in enumerate(lc.items(lc.doc.get("inference"), "inference"))
        for w in [f"inference[{i}]"]
    )

    catalogue = Catalogue(
        tiers=tiers,
        roles=roles,
        rules=rules,
        considerations=considerations,
        gpai_categories=t.words(gpai, "categories", "gpai"),
        gpai_models=t.words(gpai, "models", "gpai"),
        role_rules=role_rules,
        questionnaire_version=version,
        questions=tuple(questions),
        risk=scale,
        objectives=tuple(objectives),
        controls=controls,
        required_by_tier=required,
        nist_functions=functions,
        nist_categories=categories,
        nist_function_of=function_of,
        articles=articles,
        mappings=tuple(mappings),
        stages=stages,
        transitions=transitions,
        gates=gates,
        inference=inference,
    )
    problems = catalogue.problems()
    if problems:
        raise CatalogueError(problems)
    return catalogue
