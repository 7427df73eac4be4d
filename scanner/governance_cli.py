"""The ``aicensus risk``, ``aicensus lifecycle`` and ``aicensus controls`` command groups.

Kept beside ``scanner/cli.py`` (which mounts them) so governance commands evolve without
touching the scan commands. Exit codes are the CLI's: 0 success, 1 database error, 2 bad input
or a refused request (an unknown id, an invalid file, a lifecycle gate not passed).
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.prompt import Confirm, IntPrompt, Prompt
from rich.table import Table

from governance.catalogue import CONTROL_STATUSES, load_catalogue
from governance.controls import soa_csv, soa_html, soa_markdown
from governance.errors import CatalogueError, GateRefused, GovernanceError, InputError
from governance.risk import check_assessment, read_assessments
from governance.service import Governance, SystemView
from inventory_db.store import DEFAULT_URL, RequestError, Store, StoreError

EXIT_FAILED = 1
EXIT_USAGE = 2

risk_app = typer.Typer(
    help="EU AI Act tiers (suggested and confirmed) and impact assessments.", no_args_is_help=True
)
lifecycle_app = typer.Typer(
    help="Life cycle stages (ISO/IEC 22989) and gated transitions.", no_args_is_help=True
)
controls_app = typer.Typer(
    help="ISO/IEC 42001 Annex A controls, evidence and the Statement of Applicability.",
    no_args_is_help=True,
)

out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="AICENSUS_DB",
        help="Database URL: sqlite:///file.db (default) or postgresql+psycopg://...",
        show_default=True,
    ),
]
ActorOption = Annotated[
    str,
    typer.Option(
        "--actor",
        envvar="AICENSUS_ACTOR",
        help="Who makes the change, for the audit trail (default: the login name).",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
AllOption = Annotated[
    bool, typer.Option("--all", help="Include low-confidence systems (tests, docs, vendored).")
]


def _actor(given: str) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _governance(db: str) -> Governance:
    try:
        return Governance(Store(db))
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    except CatalogueError as exc:
        raise _fail(f"governance catalogue: {exc}", EXIT_FAILED) from exc


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise _fail(f"unknown format {fmt!r}: use {', '.join(allowed)}", EXIT_USAGE)


def _emit(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=_json_default) + "\n")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class _Errors:
    """Map governance and store exceptions to exit codes and messages."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, GateRefused):
            for gate in exc.unmet:
                err.print(f"[red]gate:[/] {gate}", highlight=False, soft_wrap=True)
            raise _fail(exc.message, EXIT_USAGE) from exc
        if isinstance(exc, InputError):
            for line in exc.errors:
                err.print(f"[red]{line}[/]", highlight=False, soft_wrap=True)
            raise _fail(f"{len(exc.errors)} problem(s); nothing was changed", EXIT_USAGE) from exc
        if isinstance(exc, RequestError):
            raise _fail(str(exc), EXIT_USAGE) from exc
        if isinstance(exc, StoreError | GovernanceError):
            raise _fail(str(exc), EXIT_FAILED) from exc


def _name(v: SystemView) -> str:
    s = v.system
    where = s.instance_name or s.scope_name or s.scope_id
    return f"{s.product_name} · {where}"


# -- risk -------------------------------------------------------------------------------------


def risk_json(v: SystemView) -> dict[str, Any]:
    """One system's risk position in the ``aicensus.risk/1`` shape."""
    a = v.assessment
    return {
        "id": v.system.id,
        "identity_key": v.system.identity_key,
        "name": _name(v),
        "tier": v.tier,
        "tier_status": v.tier_status,
        "suggestion": {
            "tier": v.suggestion.tier,
            "status": "suggested",
            "role": v.suggestion.role,
            "gpai": v.suggestion.gpai,
            "customer_facing": v.suggestion.customer_facing,
            "rationale": v.suggestion.rationale(),
            "reasons": [
                {"rule": r.rule, "tier": r.tier, "source": r.source, "matched": r.matched}
                for r in v.suggestion.reasons
            ],
        },
        "assessment": None
        if a is None
        else {
            "id": a.id,
            "tier": a.tier,
            "suggested_tier": a.suggested_tier,
            "overrides_suggestion": a.tier != a.suggested_tier,
            "role": a.role,
            "gpai": a.gpai,
            "intended_purpose": a.intended_purpose,
            "affected_groups": list(a.affected_groups),
            "questionnaire_version": a.questionnaire_version,
            "answers": a.answers,
            "assessor": a.assessor,
            "assessed_on": a.assessed_on,
            "next_review": a.next_review,
            "source": a.source,
            "recorded_by": a.recorded_by,
            "risks": [
                {
                    "risk": r.risk,
                    "likelihood": r.likelihood,
                    "impact": r.impact,
                    "score": r.score,
                    "rating": load_catalogue().risk.rating(r.score),
                    "treatment": r.treatment,
                    "owner": r.owner,
                    "due": r.due,
                    "controls": list(r.controls),
                }
                for r in a.risks
            ],
        },
        "due": bool(v.due.reasons),
        "due_reasons": list(v.due.reasons),
        "overdue": v.due.overdue,
        "stage": v.stage.stage,
    }


@risk_app.command("list")
def risk_list(
    db: DbOption = DEFAULT_URL,
    tier: Annotated[str | None, typer.Option(help="Only systems of this tier.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue reviews.")] = False,
    due: Annotated[
        bool, typer.Option("--due", help="Only systems due for (re-)assessment.")
    ] = False,
    fmt: FormatOption = "table",
    show_low: AllOption = False,
) -> None:
    """Systems by tier (confirmed, else suggested), with reviews due and overdue."""
    _check_format(fmt, ("table", "json"))
    gov = _governance(db)
    if tier is not None and tier not in gov.catalogue.tiers:
        raise _fail(f"tier {tier!r} is not in the catalogue", EXIT_USAGE)
    with _Errors():
        views = gov.views(show_low)
    rank = {t.id: t.rank for t in gov.catalogue.tiers.values()}
    views = [
        v
        for v in views
        if (tier is None or v.tier == tier)
        and (not overdue or v.due.overdue)
        and (not due or v.due.reasons)
    ]
    views.sort(key=lambda v: (-rank[v.tier], v.system.id))
    if fmt == "json":
        _emit({"schema": "aicensus.risk/1", "systems": [risk_json(v) for v in views]})
        return
    table = Table(title=f"{len(views)} AI systems by risk tier", title_justify="left")
    for col in ("ID", "System", "Tier", "", "Assessed", "Next review", "Due"):
        table.add_column(col, overflow="fold")
    for v in views:
        a = v.assessment
        table.add_row(
            str(v.system.id),
            _name(v),
            v.tier,
            v.tier_status,
            a.assessed_on.isoformat() if a else "-",
            a.next_review.isoformat() if a else "-",
            "; ".join(v.due.reasons),
        )
    out.print(table)


@risk_app.command("show")
def risk_show(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    db: DbOption = DEFAULT_URL,
    fmt: FormatOption = "table",
) -> None:
    """The suggested tier with its rationale, and the current assessment."""
    _check_format(fmt, ("table", "json"))
    gov = _governance(db)
    with _Errors():
        v = gov.view(system_id)
    if fmt == "json":
        _emit({"schema": "aicensus.risk/1", "systems": [risk_json(v)]})
        return
    _print_suggestion(v)
    a = v.assessment
    if a is None:
        out.print("not assessed yet: aicensus risk assess", v.system.id)
        return
    override = "" if a.tier == a.suggested_tier else f" (overrides suggested {a.suggested_tier})"
    out.print(f"[bold]confirmed tier:[/] {a.tier}{override}, role {a.role}", highlight=False)
    out.print(f"by {a.assessor} on {a.assessed_on}, next review {a.next_review}", highlight=False)
    out.print(f"purpose: {a.intended_purpose}", highlight=False)
    out.print(f"affected: {', '.join(a.affected_groups)}", highlight=False)
    for r in a.risks:
        out.print(
            f"risk: {r.risk} (L{r.likelihood} x I{r.impact} = {r.score}, {r.treatment}, "
            f"owner {r.owner or '-'}, due {r.due or '-'})",
            highlight=False,
        )
    for reason in v.due.reasons:
        out.print(f"[yellow]due:[/] {reason}", highlight=False)


def _print_suggestion(v: SystemView) -> None:
    out.print(f"[bold]{_name(v)}[/] (system {v.system.id})", highlight=False)
    out.print(f"[bold]suggested tier:[/] {v.suggestion.tier} (suggested, not confirmed)")
    for line in v.suggestion.rationale():
        out.print(f"  - {line}", highlight=False, soft_wrap=True)


@risk_app.command("assess")
def risk_assess(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    db: DbOption = DEFAULT_URL,
    assessor: Annotated[
        str | None, typer.Option(help="Assessor's name (asked when not given).")
    ] = None,
    actor: ActorOption = "",
) -> None:
    """Assess one system interactively: purpose, affected groups, the questionnaire, the tier
    (confirm or override the suggestion) and the risk register."""
    gov = _governance(db)
    cat = gov.catalogue
    with _Errors():
        v = gov.view(system_id)
    _print_suggestion(v)
    raw: dict[str, Any] = {"system": system_id}
    previous = v.assessment
    raw["intended_purpose"] = _ask(
        "Intended purpose",
        previous.intended_purpose if previous else v.system.business_purpose,
    )
    raw["affected_groups"] = _ask(
        "Affected groups (separated by ;)",
        "; ".join(previous.affected_groups) if previous else "",
    )
    answers: dict[str, Any] = {}
    out.print(f"Questionnaire {cat.questionnaire_version}")
    for q in cat.questions:
        if q.type == "bool":
            answers[q.id] = Confirm.ask(q.text, default=False, console=out)
        elif q.type == "choice":
            answers[q.id] = Prompt.ask(
                q.text, choices=list(q.choices), default=q.choices[0], console=out
            )
        else:
            answers[q.id] = _ask(q.text, "", required=q.required)
    raw["answers"] = answers
    raw["tier"] = Prompt.ask(
        "Tier (confirm the suggestion or override it)",
        choices=list(cat.tiers),
        default=v.suggestion.tier,
        console=out,
    )
    raw["role"] = Prompt.ask(
        "Role", choices=list(cat.roles), default=v.suggestion.role, console=out
    )
    raw["gpai"] = Confirm.ask(
        "Uses a general-purpose AI model?", default=v.suggestion.gpai, console=out
    )
    risks = []
    while Confirm.ask("Add a risk to the register?", default=False, console=out):
        risk: dict[str, Any] = {"risk": _ask("  Risk", "")}
        risk["likelihood"] = _ask_int("  Likelihood", *cat.risk.likelihood)
        risk["impact"] = _ask_int("  Impact", *cat.risk.impact)
        risk["treatment"] = Prompt.ask(
            "  Treatment", choices=list(cat.risk.treatments), default="mitigate", console=out
        )
        risk["owner"] = _ask("  Risk owner", v.system.owner, required=False)
        risk["due"] = _ask("  Due date (YYYY-MM-DD, empty for none)", "", required=False)
        risk["controls"] = _ask("  Treating controls (ids separated by ;)", "", required=False)
        risks.append(risk)
    raw["risks"] = risks
    raw["assessor"] = assessor or _ask("Assessor", _actor(actor))
    raw["next_review"] = _ask(
        "Next review (YYYY-MM-DD, empty: the tier's interval)", "", required=False
    )
    raw["note"] = _ask("Note", "", required=False)
    parsed, problems = check_assessment(raw, cat, 1)
    with _Errors():
        if parsed is None:
            raise InputError([why for _, why in problems])
        [assessment_id] = gov.record_assessments([parsed], _actor(actor), "cli")
    override = "" if parsed.tier == v.suggestion.tier else f", overriding {v.suggestion.tier}"
    out.print(
        f"assessment {assessment_id} recorded: system {system_id} confirmed {parsed.tier}"
        f"{override}",
        highlight=False,
    )


def _ask(text: str, default: str, required: bool = True) -> str:
    """Ask for text; a required answer is asked again until it is given."""
    while True:
        answer = Prompt.ask(text, default=default, console=out, show_default=bool(default))
        if answer.strip() or not required:
            return answer.strip()
        out.print("  an answer is required")


def _ask_int(text: str, low: int, high: int) -> int:
    """Ask for a whole number in a range, again until it is one."""
    while True:
        answer = IntPrompt.ask(f"{text} {low}-{high}", console=out)
        if low <= answer <= high:
            return answer
        out.print(f"  between {low} and {high}, please")


def _file_format(path: Path, fmt: str | None) -> str:
    chosen = fmt or ("csv" if path.suffix.lower() == ".csv" else "yaml")
    if chosen not in ("yaml", "csv"):
        raise _fail(f"unknown format {chosen!r}: use yaml or csv", EXIT_USAGE)
    return chosen


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{path}: cannot read: {exc}", EXIT_USAGE) from exc


@risk_app.command("import")
def risk_import(
    source: Annotated[Path, typer.Argument(help="Assessments file (.yaml/.yml or .csv).")],
    db: DbOption = DEFAULT_URL,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="yaml or csv.")] = None,
    actor: ActorOption = "",
) -> None:
    """Record assessments from a file; every row is checked first, one bad row records none."""
    chosen = _file_format(source, fmt)
    text = _read_text(source)
    gov = _governance(db)
    with _Errors():
        inputs = read_assessments(text, chosen, gov.catalogue, str(source))
        ids = gov.record_assessments(inputs, _actor(actor), "import", str(source))
    latest = gov.records.latest_assessments().values()
    overrides = sum(1 for a in latest if a.id in ids and a.tier != a.suggested_tier)
    out.print(f"{len(ids)} assessments recorded ({overrides} override the suggested tier)")


@risk_app.command("export")
def risk_export(
    output: Annotated[Path, typer.Argument(help="File to write (.yaml); - = stdout.")],
    db: DbOption = DEFAULT_URL,
    show_low: AllOption = False,
) -> None:
    """Write an assessments file to fill in: the current assessment of each system, or its
    suggestion (tier, role) with the questionnaire left blank."""
    gov = _governance(db)
    with _Errors():
        views = gov.views(show_low)
    items = []
    for v in views:
        a = v.assessment
        items.append(
            {
                "system": v.system.identity_key,
                "intended_purpose": a.intended_purpose if a else v.system.business_purpose,
                "affected_groups": list(a.affected_groups) if a else [],
                "questionnaire_version": gov.catalogue.questionnaire_version,
                "answers": a.answers if a else {q.id: None for q in gov.catalogue.questions},
                "tier": a.tier if a else v.suggestion.tier,
                "role": a.role if a else v.suggestion.role,
                "gpai": a.gpai if a else v.suggestion.gpai,
                "assessor": a.assessor if a else "",
                "risks": [
                    {
                        "risk": r.risk,
                        "likelihood": r.likelihood,
                        "impact": r.impact,
                        "treatment": r.treatment,
                        "owner": r.owner,
                        "due": r.due,
                        "controls": list(r.controls),
                    }
                    for r in (a.risks if a else ())
                ],
                "note": "; ".join(v.suggestion.rationale()) if a is None else a.note,
            }
        )
    text = yaml.safe_dump(
        {"schema": "aicensus.assessments/1", "assessments": items},
        sort_keys=False,
        allow_unicode=True,
    )
    if str(output) == "-":
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", highlight=False)


# -- lifecycle -------------------------------------------------------------------------------


def _stage_json(v: SystemView) -> dict[str, Any]:
    return {
        "id": v.system.id,
        "name": _name(v),
        "stage": v.stage.stage,
        "inferred": v.stage.inferred,
        "because": v.stage.because,
        "status": v.system.status,
    }


@lifecycle_app.command("list")
def lifecycle_list(
    db: DbOption = DEFAULT_URL, fmt: FormatOption = "table", show_low: AllOption = False
) -> None:
    """Every system's stage (inferred until a person moves it)."""
    _check_format(fmt, ("table", "json"))
    gov = _governance(db)
    with _Errors():
        views = gov.views(show_low)
    if fmt == "json":
        _emit({"schema": "aicensus.lifecycle/1", "systems": [_stage_json(v) for v in views]})
        return
    table = Table(title="Life cycle stages", title_justify="left")
    for col in ("ID", "System", "Stage", "Why"):
        table.add_column(col, overflow="fold")
    for v in views:
        label = v.stage.stage + (" (inferred)" if v.stage.inferred else "")
        table.add_row(str(v.system.id), _name(v), label, v.stage.because)
    out.print(table)


@lifecycle_app.command("show")
def lifecycle_show(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    db: DbOption = DEFAULT_URL,
    fmt: FormatOption = "table",
) -> None:
    """One system's stage, the moves allowed from it, and its history (who, when)."""
    _check_format(fmt, ("table", "json"))
    gov = _governance(db)
    with _Errors():
        v = gov.view(system_id)
        history = gov.records.stage_events(system_id)
    allowed = list(gov.catalogue.transitions.get(v.stage.stage, ()))
    if fmt == "json":
        doc = _stage_json(v) | {
            "allowed": allowed,
            "history": [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "from": e.from_stage,
                    "from_inferred": e.from_inferred,
                    "to": e.to_stage,
                    "note": e.note,
                }
                for e in history
            ],
        }
        _emit({"schema": "aicensus.lifecycle/1", "systems": [doc]})
        return
    inferred = " (inferred: " + v.stage.because + ")" if v.stage.inferred else ""
    out.print(f"[bold]{_name(v)}[/]: {v.stage.stage}{inferred}", highlight=False)
    out.print(f"next: {', '.join(allowed) or 'none (final)'}", highlight=False)
    table = Table(title="History", title_justify="left")
    for col in ("When", "Who", "From", "To", "Note"):
        table.add_column(col, overflow="fold")
    for e in history:
        origin = e.from_stage + (" (inferred)" if e.from_inferred else "")
        table.add_row(e.at.isoformat(), e.actor, origin, e.to_stage, e.note)
    out.print(table)


@lifecycle_app.command("advance")
def lifecycle_advance(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    to: Annotated[str, typer.Option("--to", help="Target stage.")],
    db: DbOption = DEFAULT_URL,
    note: Annotated[str, typer.Option(help="Why; kept in the history.")] = "",
    actor: ActorOption = "",
) -> None:
    """Move a system to a stage through its gates; a refusal lists every unmet gate."""
    gov = _governance(db)
    with _Errors():
        before = gov.view(system_id).stage
        gov.advance(system_id, to, _actor(actor), note)
    out.print(f"system {system_id}: {before.stage} -> {to}", highlight=False)


# -- controls --------------------------------------------------------------------------------


@controls_app.command("list")
def controls_list(fmt: FormatOption = "table") -> None:
    """The ISO/IEC 42001 Annex A controls with the NIST AI RMF and EU AI Act crosswalk."""
    _check_format(fmt, ("table", "json"))
    try:
        cat = load_catalogue()
    except CatalogueError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    if fmt == "json":
        _emit(
            {
                "schema": "aicensus.controls/1",
                "objectives": [
                    {
                        "id": o.id,
                        "title": o.title,
                        "controls": [
                            {
                                "id": c,
                                "title": cat.controls[c].title,
                                "nist_ai_rmf": list(cat.controls[c].nist),
                                "eu_ai_act": list(cat.controls[c].eu_ai_act),
                            }
                            for c in o.controls
                        ],
                    }
                    for o in cat.objectives
                ],
            }
        )
        return
    table = Table(title="ISO/IEC 42001:2023 Annex A", title_justify="left")
    for col in ("Control", "Title", "NIST AI RMF", "EU AI Act"):
        table.add_column(col, overflow="fold")
    for c in cat.controls.values():
        table.add_row(c.id, c.title, ", ".join(c.nist), ", ".join(c.eu_ai_act))
    out.print(table)


def _state_json(cid: str, v: SystemView) -> dict[str, Any]:
    s = v.states[cid]
    rec = s.recorded
    return {
        "control": cid,
        "status": s.status,
        "source": s.source,
        "required": cid in v.required,
        "recorded": None
        if rec is None
        else {
            "status": rec.status,
            "evidence": list(rec.evidence),
            "reviewer": rec.reviewer,
            "at": rec.at,
            "actor": rec.actor,
            "note": rec.note,
        },
        "automatic_evidence": [
            {"mapping": a.mapping, "outcome": a.outcome, "says": a.says, "detail": a.detail}
            for a in s.auto
        ],
    }


@controls_app.command("status")
def controls_status(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    db: DbOption = DEFAULT_URL,
    fmt: FormatOption = "table",
    every: Annotated[
        bool, typer.Option("--every", help="Every control, not only required or evidenced ones.")
    ] = False,
) -> None:
    """One system's controls: recorded status, evidence from scans, and what its tier requires."""
    _check_format(fmt, ("table", "json"))
    gov = _governance(db)
    with _Errors():
        v = gov.view(system_id)
    shown = [
        c
        for c in gov.catalogue.controls
        if every or c in v.required or v.states[c].auto or v.states[c].recorded
    ]
    if fmt == "json":
        _emit(
            {
                "schema": "aicensus.control-status/1",
                "system": v.system.id,
                "tier": v.tier,
                "tier_status": v.tier_status,
                "controls": [_state_json(c, v) for c in shown],
            }
        )
        return
    table = Table(title=f"Controls of {_name(v)} ({v.tier}, {v.tier_status})", title_justify="left")
    for col in ("Control", "Required", "Status", "Source", "Evidence"):
        table.add_column(col, overflow="fold")
    for c in shown:
        s = v.states[c]
        evidence = [f"{a.outcome}: {a.says} ({a.detail})" for a in s.auto]
        if s.recorded:
            evidence += list(s.recorded.evidence)
        table.add_row(
            f"{c} {gov.catalogue.controls[c].title}",
            "yes" if c in v.required else "",
            s.status,
            s.source,
            "\n".join(evidence),
        )
    out.print(table)


@controls_app.command("set")
def controls_set(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    control: Annotated[str, typer.Argument(help="Annex A control id, e.g. A.6.2.8.")],
    status: Annotated[str, typer.Argument(help=f"One of: {', '.join(CONTROL_STATUSES)}.")],
    db: DbOption = DEFAULT_URL,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="Evidence link or note (repeatable).")
    ] = None,
    reviewer: Annotated[str, typer.Option(help="Who reviewed the evidence.")] = "",
    note: Annotated[str, typer.Option(help="Why; kept in the history.")] = "",
    actor: ActorOption = "",
) -> None:
    """Record the status of one control for one system."""
    gov = _governance(db)
    with _Errors():
        gov.set_control(system_id, control, status, evidence or [], reviewer, _actor(actor), note)
        state = gov.view(system_id).states[control]
    out.print(
        f"system {system_id} {control}: recorded {status}, effective {state.status}",
        highlight=False,
    )


@controls_app.command("gaps")
def controls_gaps(
    db: DbOption = DEFAULT_URL, fmt: FormatOption = "table", show_low: AllOption = False
) -> None:
    """Systems in operation that miss controls their tier requires (failing evidence counts)."""
    _check_format(fmt, ("table", "json"))
    gov = _governance(db)
    with _Errors():
        gaps = gov.gaps(show_low)
    if fmt == "json":
        _emit(
            {
                "schema": "aicensus.control-gaps/1",
                "systems": [
                    {
                        "id": g.view.system.id,
                        "name": _name(g.view),
                        "tier": g.view.tier,
                        "tier_status": g.view.tier_status,
                        "stage": g.view.stage.stage,
                        "stage_inferred": g.view.stage.inferred,
                        "missing": [_state_json(s.control, g.view) for s in g.missing],
                    }
                    for g in gaps
                ],
            }
        )
        return
    table = Table(title=f"{len(gaps)} systems in operation with control gaps", title_justify="left")
    for col in ("ID", "System", "Tier", "Missing"):
        table.add_column(col, overflow="fold")
    for g in gaps:
        table.add_row(
            str(g.view.system.id),
            _name(g.view),
            f"{g.view.tier} ({g.view.tier_status})",
            ", ".join(f"{s.control} {s.status}" for s in g.missing),
        )
    out.print(table)


@controls_app.command("soa")
def controls_soa(
    db: DbOption = DEFAULT_URL,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, markdown, html or json.")
    ] = "markdown",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """The organisation's Statement of Applicability, every Annex A control."""
    _check_format(fmt, ("csv", "markdown", "html", "json"))
    gov = _governance(db)
    with _Errors():
        rows = gov.soa()
    if fmt == "json":
        text = json.dumps({"schema": "aicensus.soa/1", "controls": rows}, indent=2) + "\n"
    else:
        text = {"csv": soa_csv, "markdown": soa_markdown, "html": soa_html}[fmt](rows)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", highlight=False)


@controls_app.command("soa-import")
def controls_soa_import(
    source: Annotated[Path, typer.Argument(help="SoA CSV (as `controls soa -f csv` writes).")],
    db: DbOption = DEFAULT_URL,
    actor: ActorOption = "",
) -> None:
    """Apply an edited SoA CSV; every row is checked first, one bad row changes nothing."""
    text = _read_text(source)
    gov = _governance(db)
    with _Errors():
        changed = gov.import_soa(text, str(source), _actor(actor))
    out.print(f"{changed} SoA rows changed")
