"""Lifecycle: inferred first stages, gates refusing with every unmet reason, gates passing,
append-only history with who and when, and retirement keeping the records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gov_estate import Seeded, cli, ok

from governance.service import Governance


def stage(url: str, sid: int) -> dict[str, Any]:
    doc = json.loads(ok("lifecycle", "show", str(sid), "--db", url, "-f", "json").stdout)
    assert doc["schema"] == "aicensus.lifecycle/1"
    result: dict[str, Any] = doc["systems"][0]
    return result


def test_first_stages_are_inferred_from_evidence(seeded: Seeded) -> None:
    doc = json.loads(ok("lifecycle", "list", "--db", seeded.url, "-f", "json").stdout)
    stages = {s["id"]: (s["stage"], s["inferred"]) for s in doc["systems"]}
    assert stages[seeded.ids["endpoint"]] == ("operation-monitoring", True)  # a live endpoint
    assert stages[seeded.ids["aoai"]] == ("operation-monitoring", True)
    assert stages[seeded.ids["assistant"]] == ("design-development", True)  # code only


def test_a_refused_move_lists_every_unmet_gate_and_changes_nothing(seeded: Seeded) -> None:
    sid = str(seeded.ids["assistant"])

    # Act: an illegal jump, then a legal move whose two gates both fail
    jump = cli("lifecycle", "advance", sid, "--to", "operation-monitoring", "--db", seeded.url)
    gated = cli("lifecycle", "advance", sid, "--to", "verification-validation", "--db", seeded.url)
    unknown = cli("lifecycle", "advance", sid, "--to", "production", "--db", seeded.url)

    # Assert
    assert jump.exit_code == 2
    assert (
        "cannot move from design-development to operation-monitoring (allowed from "
        "design-development: verification-validation, inception, retirement)"
    ) in jump.stderr.replace("\n", " ")
    assert gated.exit_code == 2
    lines = [line for line in gated.stderr.splitlines() if line.startswith("gate:")]
    assert lines == [
        "gate: purpose-documented: the business purpose is recorded (business_purpose is empty)",
        "gate: requirements-specified: requirements and specification (A.6.2.2) are done "
        "(A.6.2.2 is not-started)",
    ]
    assert unknown.exit_code == 2 and "unknown stage 'production'" in unknown.stderr
    assert stage(seeded.url, int(sid))["history"] == []
    assert stage(seeded.url, int(sid))["inferred"] is True


def test_gates_pass_once_met_and_history_is_append_only(seeded: Seeded, tmp_path: Path) -> None:
    # Arrange: meet the gates into verification and validation
    sid = str(seeded.ids["assistant"])
    url = seeded.url
    ok("inventory", "set-status", sid, "registered", "--purpose", "code completion", "--db", url)
    ok(
        "controls",
        "set",
        sid,
        "A.6.2.2",
        "implemented",
        "--evidence",
        "https://wiki/spec",
        "--reviewer",
        "Sam",
        "--db",
        url,
    )

    # Act
    ok(
        "lifecycle",
        "advance",
        sid,
        "--to",
        "verification-validation",
        "--db",
        url,
        "--actor",
        "lee",
        "--note",
        "spec signed off",
    )
    deploy = cli("lifecycle", "advance", sid, "--to", "deployment", "--db", url)
    ok("lifecycle", "advance", sid, "--to", "design-development", "--db", url, "--actor", "kim")

    # Assert: deployment needs an owner, an assessment, V&V and the tier's controls
    assert deploy.exit_code == 2
    gates = [
        line.split(":")[1].strip()
        for line in deploy.stderr.splitlines()
        if line.startswith("gate:")
    ]
    assert gates == ["owner-set", "assessment-confirmed", "verified", "required-controls"]
    assert "A.6.1.3" not in deploy.stderr  # not a deployment gate, though failing
    shown = stage(url, int(sid))
    assert (shown["stage"], shown["inferred"]) == ("design-development", False)
    history = [
        (h["from"], h["from_inferred"], h["to"], h["actor"], h["note"]) for h in shown["history"]
    ]
    assert history == [
        ("design-development", True, "verification-validation", "lee", "spec signed off"),
        ("verification-validation", False, "design-development", "kim", ""),
    ]
    assert all(h["at"].endswith("Z") for h in shown["history"])


def test_deployment_of_a_high_risk_system_passes_when_every_gate_is_met(
    seeded: Seeded, tmp_path: Path
) -> None:
    # Arrange: the endpoint, moved back from its inferred operation for re-evaluation
    sid = str(seeded.ids["endpoint"])
    url = seeded.url
    ok("lifecycle", "advance", sid, "--to", "re-evaluation", "--note", "new model", "--db", url)
    ok("lifecycle", "advance", sid, "--to", "design-development", "--db", url)
    ok("inventory", "set-status", sid, "registered", "--purpose", "screening", "--db", url)
    ok("controls", "set", sid, "A.6.2.2", "implemented", "--db", url)
    ok("lifecycle", "advance", sid, "--to", "verification-validation", "--db", url)
    path = tmp_path / "a.yaml"
    path.write_text(
        f"assessments:\n- system: {sid}\n  intended_purpose: rank applicants\n"
        "  affected_groups: [applicants]\n  tier: high-risk\n  assessor: Priya\n"
        "  answers: {customer_facing: false, decisions_about_people: informs, "
        "annex_iii_area: annex3-4-employment, personal_data: true, "
        "special_category_data: false, autonomy: recommends, synthetic_content: false, "
        "human_oversight: recruiter review}\n"
    )
    ok("risk", "import", str(path), "--db", url)
    ok("inventory", "assign-owner", sid, "Priya", "--db", url)
    required = Governance(seeded.store).view(int(sid)).required
    for control in ("A.6.2.4", "A.6.2.5", *required):
        ok("controls", "set", sid, control, "implemented", "--db", url)

    # Act
    ok("lifecycle", "advance", sid, "--to", "deployment", "--db", url, "--actor", "ops")

    # Assert
    assert stage(url, int(sid))["stage"] == "deployment"
    # the owner came from the register, A.3.2 from a person: both count
    assert "A.3.2" in required


def test_retirement_needs_a_reason_is_final_and_keeps_the_records(
    seeded: Seeded, tmp_path: Path
) -> None:
    sid = str(seeded.ids["aoai"])
    url = seeded.url
    ok("controls", "set", sid, "A.9.4", "implemented", "--db", url)

    no_reason = cli("lifecycle", "advance", sid, "--to", "retirement", "--db", url)
    ok("lifecycle", "advance", sid, "--to", "retirement", "--note", "replaced", "--db", url)
    after = cli("lifecycle", "advance", sid, "--to", "re-evaluation", "--note", "x", "--db", url)

    assert no_reason.exit_code == 2
    assert "reason-given: the reason for retirement is noted (no note was given" in (
        no_reason.stderr.replace("\n", " ")
    )
    assert after.exit_code == 2 and "none: it is final" in after.stderr.replace("\n", " ")
    system = seeded.store.system(int(sid))
    assert system is not None and system.status == "retired"
    assert [e[2:5] for e in seeded.store.events(int(sid))][-1] == (
        "status",
        "discovered",
        "retired",
    )
    status = json.loads(ok("controls", "status", sid, "--db", url, "-f", "json").stdout)
    assert {c["control"]: c["status"] for c in status["controls"]}["A.9.4"] == "implemented"
