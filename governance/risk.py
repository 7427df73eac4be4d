"""Risk classification and impact assessment (EU AI Act tiers; ISO/IEC 42001 6.1.4, A.5).

A *suggested* tier comes from what the scans saw, always with its rationale; an assessment is a
person's record (purpose, affected groups, questionnaire answers, the confirmed tier, the risk
register) and is the only place a tier is confirmed. Assessment files (YAML or CSV) are checked
whole, and every problem is reported with its row before anything is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from governance.catalogue import Catalogue
from governance.errors import InputError
from governance.facts import Facts

SUGGESTED = "suggested"
CONFIRMED = "confirmed"
FILE_FIELDS = (
    "system",
    "intended_purpose",
    "affected_groups",
    "questionnaire_version",
    "answers",
    "tier",
    "role",
    "gpai",
    "assessor",
    "assessed_on",
    "next_review",
    "risks",
    "note",
)
RISK_FIELDS = ("risk", "likelihood", "impact", "treatment", "owner", "due", "controls")
CSV_RISK_COLUMNS = {
    "risk": "risk",
    "likelihood": "likelihood",
    "impact": "impact",
    "treatment": "treatment",
    "risk_owner": "owner",
    "risk_due": "due",
    "risk_controls": "controls",
}
"""CSV column -> risk field; the other columns are the assessment's (``q.<id>`` are answers)."""
_TRUE = {"yes", "true", "y", "1"}
_FALSE = {"no", "false", "n", "0"}


@dataclass(frozen=True, slots=True)
class Reason:
    """One signal behind a suggestion: where it was seen and what it stands for."""

    rule: str
    tier: str
    title: str
    reference: str
    source: str
    matched: str

    def __str__(self) -> str:
        return f"{self.source}: '{self.matched}' -> {self.title} ({self.reference}): {self.tier}"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested tier, role and GPAI use, with every reason; never a decision."""

    tier: str
    reasons: tuple[Reason, ...]
    considerations: tuple[str, ...]
    role: str
    role_because: str
    gpai: bool
    gpai_because: str
    customer_facing: bool

    @property
    def areas(self) -> tuple[str, ...]:
        """Rule ids of the Annex III areas and Annex I products among the reasons."""
        return tuple(dict.fromkeys(r.rule for r in self.reasons if r.tier == "high-risk"))

    def rationale(self) -> list[str]:
        """The suggestion explained, one line per reason."""
        lines = [str(r) for r in self.reasons]
        if not any(r.tier != "minimal" for r in self.reasons):
            lines.append(
                "no sign of a prohibited practice, a high-risk area or a transparency obligation "
                "in names, tags, resource types or model ids: minimal"
            )
        lines += [f"consider: {c}" for c in self.considerations]
        lines.append(f"role {self.role}: {self.role_because}")
        if self.gpai:
            lines.append(f"general-purpose AI model use: {self.gpai_because}")
        return lines


def suggest(facts: Facts, catalogue: Catalogue) -> Suggestion:
    """Suggest a tier from a system's facts: the most severe tier any rule reaches."""
    reasons: list[Reason] = []
    for rule in catalogue.rules:
        hit = facts.find(rule.keywords) if rule.keywords else None
        if hit and rule.with_keywords:
            context = facts.find(rule.with_keywords)
            hit = (f"{hit[0]}; {context[0]}", f"{hit[1]} + {context[1]}") if context else None
        if hit is None:
            types = sorted(facts.resource_types & set(rule.resource_types))
            if types:
                hit = (f"resource type {types[0]}", types[0])
        if hit is None and rule.models:
            hit = next(
                (
                    (f"model {m}", pattern)
                    for m in sorted(facts.models)
                    for pattern in rule.models
                    if pattern in m.lower()
                ),
                None,
            )
        if hit is not None:
            reasons.append(Reason(rule.id, rule.tier, rule.title, rule.reference, *hit))
    rank = {t.id: t.rank for t in catalogue.tiers.values()}
    lowest = min(catalogue.tiers.values(), key=lambda t: t.rank).id
    tier = max((r.tier for r in reasons), key=lambda t: rank[t], default=lowest)
    reasons.sort(key=lambda r: -rank[r.tier])
    considerations = []
    for c in catalogue.considerations:
        hit = facts.find(c.keywords) if c.keywords else None
        why = f"{hit[0]}: '{hit[1]}'" if hit else ""
        if not why and facts.category in c.categories:
            why = f"category {facts.category}"
        if not why and facts.resource_types & set(c.resource_types):
            why = f"resource type {sorted(facts.resource_types & set(c.resource_types))[0]}"
        if why:
            considerations.append(f"{c.title} ({why}): {c.note}")
    role, role_because = "deployer", "no rule matched the category"
    for rr in catalogue.role_rules:
        if facts.category in rr.categories:
            role, role_because = rr.role, f"category {facts.category}: {rr.because}"
            break
    gpai_because = ""
    if facts.category in catalogue.gpai_categories:
        gpai_because = f"category {facts.category} (a hosted model API)"
    else:
        model = next(
            (m for m in sorted(facts.models) for p in catalogue.gpai_models if p in m.lower()), ""
        )
        if model:
            gpai_because = f"model {model}"
    customer = {r.id for r in catalogue.rules if r.customer_facing}
    return Suggestion(
        tier=tier,
        reasons=tuple(reasons),
        considerations=tuple(considerations),
        role=role,
        role_because=role_because,
        gpai=bool(gpai_because),
        gpai_because=gpai_because,
        customer_facing=any(r.rule in customer for r in reasons),
    )


# -- assessments ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskInput:
    """One validated risk register entry."""

    risk: str
    likelihood: int
    impact: int
    treatment: str
    owner: str = ""
    due: date | None = None
    controls: tuple[str, ...] = ()

    @property
    def score(self) -> int:
        """Likelihood times impact."""
        return self.likelihood * self.impact


@dataclass(frozen=True, slots=True)
class AssessmentInput:
    """One validated assessment, before it is bound to a system of the inventory."""

    row: int
    system: int | str
    """A system id or identity key, resolved by the store."""
    intended_purpose: str
    affected_groups: tuple[str, ...]
    answers: dict[str, Any]
    tier: str
    assessor: str
    assessed_on: date
    role: str | None = None
    """None: the suggested role."""
    gpai: bool | None = None
    """None: the suggested answer."""
    next_review: date | None = None
    """None: ``assessed_on`` plus the tier's review interval."""
    risks: tuple[RiskInput, ...] = ()
    note: str = ""


def next_review_for(tier: str, assessed_on: date, catalogue: Catalogue) -> date:
    """The default review date: the tier's review interval after the assessment."""
    return add_months(assessed_on, catalogue.tiers[tier].review_months)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def check_answers(answers: object, catalogue: Catalogue) -> tuple[dict[str, Any], list[str]]:
    """Validate questionnaire answers: every required question answered with the right type,
    no unknown question. Returns the clean answers and the problems."""
    if not isinstance(answers, Mapping):
        return {}, ["answers must be a mapping of question id to answer"]
    problems: list[str] = []
    known = {q.id for q in catalogue.questions}
    problems += [
        f"answers: unknown question {k!r} (questionnaire {catalogue.questionnaire_version})"
        for k in sorted(map(str, answers))
        if k not in known
    ]
    clean: dict[str, Any] = {}
    for q in catalogue.questions:
        value = answers.get(q.id)
        if value is None or value == "":
            if q.required:
                problems.append(f"answers: question {q.id!r} is not answered")
            continue
        if q.type == "bool":
            if not isinstance(value, bool):
                problems.append(
                    f"answers: {q.id} must be yes/no (true/false), not {type(value).__name__}"
                )
                continue
        elif q.type == "choice":
            if not isinstance(value, str) or value not in q.choices:
                problems.append(
                    f"answers: {q.id} must be one of {', '.join(q.choices)}, not {value!r}"
                )
                continue
        elif not isinstance(value, str):
            problems.append(f"answers: {q.id} must be text, not {type(value).__name__}")
            continue
        clean[q.id] = value.strip() if isinstance(value, str) else value
    return clean, problems


def check_risk(raw: object, catalogue: Catalogue) -> tuple[RiskInput | None, list[str]]:
    """Validate one risk register entry."""
    if not isinstance(raw, Mapping):
        return None, ["a risk must be a mapping"]
    problems = [f"risk: unknown field {k!r}" for k in sorted(map(str, raw)) if k not in RISK_FIELDS]
    text = raw.get("risk")
    if not isinstance(text, str) or not text.strip():
        problems.append("risk: the risk is not described")
    scores = {}
    for name, (low, high) in (
        ("likelihood", catalogue.risk.likelihood),
        ("impact", catalogue.risk.impact),
    ):
        value = _as_int(raw.get(name))
        if value is None or not low <= value <= high:
            problems.append(
                f"risk: {name} must be a whole number {low}-{high}, not {raw.get(name)!r}"
            )
        else:
            scores[name] = value
    treatment = raw.get("treatment")
    if treatment not in catalogue.risk.treatments:
        problems.append(
            f"risk: treatment must be one of {', '.join(catalogue.risk.treatments)}, "
            f"not {treatment!r}"
        )
    owner = raw.get("owner") or ""
    if not isinstance(owner, str):
        problems.append("risk: owner must be text")
    due = None
    if raw.get("due") not in (None, ""):
        due = _as_date(raw.get("due"))
        if due is None:
            problems.append(f"risk: due must be a date (YYYY-MM-DD), not {raw.get('due')!r}")
    controls = raw.get("controls") or []
    if isinstance(controls, str):
        controls = [c.strip() for c in controls.split(";") if c.strip()]
    if not isinstance(controls, list) or not all(isinstance(c, str) for c in controls):
        problems.append("risk: controls must be a list of Annex A control ids")
        controls = []
    problems += [f"risk: unknown control id {c!r}" for c in controls if c not in catalogue.controls]
    if problems:
        return None, problems
    assert isinstance(text, str) and isinstance(owner, str) and isinstance(treatment, str)
    return (
        RiskInput(
            text.strip(),
            scores["likelihood"],
            scores["impact"],
            treatment,
            owner.strip(),
            due,
            tuple(controls),
        ),
        [],
    )


def check_assessment(
    raw: object, catalogue: Catalogue, row: int, risk_rows: list[int] | None = None
) -> tuple[AssessmentInput | None, list[tuple[int, str]]]:
    """Validate one assessment (a mapping as in the YAML file); problems as (row, reason).

    ``risk_rows``: the row of each risk when risks come from rows of their own (CSV).
    """
    if not isinstance(raw, Mapping):
        return None, [(row, "expected a mapping of assessment fields")]
    problems: list[tuple[int, str]] = [
        (row, f"unknown field {k!r}") for k in sorted(map(str, raw)) if k not in FILE_FIELDS
    ]

    def text(name: str, required: bool = True) -> str:
        value = raw.get(name)
        if value is None or value == "":
            if required:
                problems.append((row, f"{name} is missing"))
            return ""
        if not isinstance(value, str):
            problems.append((row, f"{name} must be text, not {type(value).__name__}"))
            return ""
        return value.strip()

    system = raw.get("system")
    if isinstance(system, str) and system.strip().isdigit():
        system = int(system.strip())
    if not (isinstance(system, int) and not isinstance(system, bool)) and not (
        isinstance(system, str) and system.strip()
    ):
        problems.append((row, "system (an id or identity key) is missing"))
        system = ""
    purpose = text("intended_purpose")
    groups_raw = raw.get("affected_groups")
    if isinstance(groups_raw, str):
        groups_raw = groups_raw.split(";")
    groups: tuple[str, ...] = ()
    if not isinstance(groups_raw, list) or not all(isinstance(g, str) for g in groups_raw):
        problems.append((row, "affected_groups must be a list of text"))
    else:
        groups = tuple(g.strip() for g in groups_raw if g.strip())
        if not groups:
            problems.append((row, "affected_groups is empty: name who is affected"))
    version = raw.get("questionnaire_version")
    if version not in (None, "") and str(version) != catalogue.questionnaire_version:
        problems.append(
            (
                row,
                f"answers are for questionnaire version {version}, this aicensus asks "
                f"version {catalogue.questionnaire_version}",
            )
        )
    answers, answer_problems = check_answers(raw.get("answers"), catalogue)
    problems += [(row, p) for p in answer_problems]
    tier = text("tier")
    if tier and tier not in catalogue.tiers:
        problems.append(
            (row, f"tier {tier!r} is not in the catalogue ({', '.join(catalogue.tiers)})")
        )
    role = text("role", required=False) or None
    if role is not None and role not in catalogue.roles:
        problems.append((row, f"role {role!r} is not one of {', '.join(catalogue.roles)}"))
    gpai = raw.get("gpai")
    if isinstance(gpai, str) and gpai.strip().lower() in _TRUE | _FALSE:
        gpai = gpai.strip().lower() in _TRUE
    if gpai == "":
        gpai = None
    if gpai is not None and not isinstance(gpai, bool):
        problems.append((row, "gpai must be yes/no"))
    assessor = text("assessor")
    assessed_on = date.today()
    if raw.get("assessed_on") not in (None, ""):
        parsed = _as_date(raw.get("assessed_on"))
        if parsed is None:
            problems.append(
                (row, f"assessed_on must be a date (YYYY-MM-DD): {raw['assessed_on']!r}")
            )
        else:
            assessed_on = parsed
    next_review = None
    if raw.get("next_review") not in (None, ""):
        next_review = _as_date(raw.get("next_review"))
        if next_review is None:
            problems.append(
                (row, f"next_review must be a date (YYYY-MM-DD): {raw['next_review']!r}")
            )
        elif next_review <= assessed_on:
            problems.append((row, "next_review must come after assessed_on"))
    risks_raw = raw.get("risks") or []
    risks: list[RiskInput] = []
    if not isinstance(risks_raw, list):
        problems.append((row, "risks must be a list"))
        risks_raw = []
    for i, item in enumerate(risks_raw):
        where = risk_rows[i] if risk_rows else row
        label = "" if risk_rows else f"risks[{i + 1}]: "
        risk, risk_problems = check_risk(item, catalogue)
        problems += [(where, label + p) for p in risk_problems]
        if risk is not None:
            risks.append(risk)
    note = text("note", required=False)
    if problems:
        return None, problems
    assert isinstance(gpai, bool | None)
    return (
        AssessmentInput(
            row=row,
            system=system.strip() if isinstance(system, str) else system,
            intended_purpose=purpose,
            affected_groups=groups,
            answers=answers,
            tier=tier,
            assessor=assessor,
            assessed_on=assessed_on,
            role=role,
            gpai=gpai,
            next_review=next_review,
            risks=tuple(risks),
            note=note,
        ),
        [],
    )


def read_assessments(
    text: str, fmt: str, catalogue: Catalogue, source: str
) -> list[AssessmentInput]:
    """Parse and validate an assessments file (``yaml`` or ``csv``); raise :class:`InputError`
    naming the file, the row and the reason of every problem."""
    if fmt == "csv":
        raws = _csv_assessments(text, source)
    else:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise InputError.of_rows(source, [(0, f"invalid YAML: {err}")]) from err
        items = doc.get("assessments") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise InputError.of_rows(source, [(0, "expected a mapping with an 'assessments' list")])
        raws = [(i, item, None) for i, item in enumerate(items, start=1)]
    problems: list[tuple[int, str]] = []
    found: list[AssessmentInput] = []
    seen: dict[str, int] = {}
    for row, raw, risk_rows in raws:
        parsed, issues = check_assessment(raw, catalogue, row, risk_rows)
        problems += issues
        if parsed is not None:
            key = str(parsed.system)
            if key in seen:
                problems.append((row, f"system {key} is already assessed in row {seen[key]}"))
            seen[key] = row
            found.append(parsed)
    if problems:
        raise InputError.of_rows(source, problems)
    return found


def _csv_assessments(text: str, source: str) -> list[tuple[int, object, list[int] | None]]:
    """CSV rows grouped by system: the first row of a system holds the assessment, and each
    row may add one risk (a later row of the same system leaves the assessment columns empty
    or equal)."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "system" not in reader.fieldnames:
        raise InputError.of_rows(source, [(1, "the header must name a system column")])
    allowed = set(FILE_FIELDS) - {"answers", "risks"} | set(CSV_RISK_COLUMNS)
    unknown = [c for c in reader.fieldnames if c not in allowed and not c.startswith("q.")]
    if unknown:
        raise InputError.of_rows(source, [(1, f"unknown column(s) {', '.join(unknown)}")])
    grouped: dict[str, tuple[int, dict[str, Any], list[int]]] = {}
    problems: list[tuple[int, str]] = []
    for number, row in enumerate(reader, start=2):
        system = (row.get("system") or "").strip()
        assessment: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        risk: dict[str, Any] = {}
        for column, value in row.items():
            value = (value or "").strip()
            if not value or column is None:
                continue
            if column.startswith("q."):
                lowered = value.lower()
                answers[column[2:]] = (
                    True if lowered in _TRUE else False if lowered in _FALSE else value
                )
            elif column in CSV_RISK_COLUMNS:
                risk[CSV_RISK_COLUMNS[column]] = value
            else:
                assessment[column] = value
        if answers:
            assessment["answers"] = answers
        if system not in grouped:
            assessment.setdefault("system", system)
            grouped[system] = (number, assessment, [])
        else:
            first, existing, _ = grouped[system]
            clash = sorted(
                k for k, v in assessment.items() if k != "system" and existing.get(k) != v
            )
            if clash:
                problems.append(
                    (number, f"{', '.join(clash)} differ from row {first} of the same system")
                )
        if risk:
            grouped[system][1].setdefault("risks", []).append(risk)
            grouped[system][2].append(number)
    if problems:
        raise InputError.of_rows(source, problems)
    return [(row, raw, risk_rows) for row, raw, risk_rows in grouped.values()]


# -- re-assessment triggers --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Basis:
    """The evidence facts an assessment was made on."""

    models: tuple[str, ...]
    vendors: tuple[str, ...]
    customer_facing: bool
    suggested_tier: str

    def as_json(self) -> dict[str, Any]:
        """For the ``basis`` column."""
        return {
            "models": list(self.models),
            "vendors": list(self.vendors),
            "customer_facing": self.customer_facing,
            "suggested_tier": self.suggested_tier,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Basis:
        """From the ``basis`` column."""
        return cls(
            tuple(doc.get("models") or ()),
            tuple(doc.get("vendors") or ()),
            bool(doc.get("customer_facing")),
            str(doc.get("suggested_tier") or ""),
        )


def basis_of(facts: Facts, suggestion: Suggestion, vendors: Iterable[str]) -> Basis:
    """The facts an assessment made now rests on."""
    return Basis(
        tuple(sorted(facts.models)),
        tuple(sorted(set(vendors))),
        suggestion.customer_facing,
        suggestion.tier,
    )


@dataclass(frozen=True, slots=True)
class Due:
    """Why a system needs (re-)assessment; empty ``reasons`` means it does not."""

    reasons: tuple[str, ...] = field(default_factory=tuple)
    overdue: bool = False
    """The review date has passed."""


def triggers(
    then: Basis, now: Basis, confirmed_tier: str, next_review: date, today: date, cat: Catalogue
) -> Due:
    """What changed materially since an assessment: new models, new vendors, now
    customer-facing, a more severe suggested tier, or a passed review date."""
    reasons = []
    new_models = sorted(set(now.models) - set(then.models))
    if new_models:
        reasons.append(f"new model(s) since the assessment: {', '.join(new_models)}")
    new_vendors = sorted(set(now.vendors) - set(then.vendors))
    if new_vendors:
        reasons.append(f"new vendor(s) since the assessment: {', '.join(new_vendors)}")
    if now.customer_facing and not then.customer_facing:
        reasons.append("now customer-facing (a transparency signal appeared)")
    rank = {t.id: t.rank for t in cat.tiers.values()}
    if rank.get(now.suggested_tier, 0) > rank.get(confirmed_tier, 0):
        reasons.append(
            f"the evidence now suggests {now.suggested_tier}, above the confirmed {confirmed_tier}"
        )
    overdue = next_review < today
    if overdue:
        reasons.append(f"the review was due on {next_review.isoformat()}")
    return Due(tuple(reasons), overdue)
