"""Controls: automatic evidence from scans (seeded and real), per-system status, gaps of
systems in operation, and the Statement of Applicability exported and read back."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gov_estate import SEED, Seeded, agent, cli, ok, record

from governance.service import Governance
from inventory_db.store import Store
from scanner.run import ScanRequest, run_scan


def status(url: str, sid: int) -> dict[str, dict[str, Any]]:
    doc = json.loads(ok("controls", "status", str(sid), "--db", url, "-f", "json").stdout)
    return {c["control"]: c for c in doc["controls"]}


def test_scan_attributes_become_control_evidence(seeded: Seeded) -> None:
    # Act
    bot = status(seeded.url, seeded.ids["agent"])
    aoai = status(seeded.url, seeded.ids["aoai"])
    code = status(seeded.url, seeded.ids["assistant"])

    # Assert: Bedrock invocation logging off fails event logging (A.6.2.8)
    logging = bot["A.6.2.8"]
    assert (logging["status"], logging["source"]) == ("failing", "scan")
    [signal] = logging["automatic_evidence"]
    assert signal["mapping"] == "bedrock-invocation-logging-off"
    assert signal["detail"] == "invocation_logging=off on support-bot"
    # an Azure OpenAI content filter policy and diagnostic logging pass
    assert (aoai["A.9.2"]["status"], aoai["A.9.2"]["source"]) == ("implemented", "scan")
    assert aoai["A.6.2.8"]["status"] == "implemented"
    # a key committed to the repository fails A.6.1.3 for all AI of that repository
    assert code["A.6.1.3"]["status"] == "failing"
    assert code["A.6.1.3"]["automatic_evidence"][0]["detail"].startswith("key_sha256=present")
    assert "A.3.2" in code and code["A.3.2"]["status"] == "not-started"  # no owner yet

    # Act: an owner is recorded, and the next scan sees logging switched on
    ok("inventory", "assign-owner", str(seeded.ids["assistant"]), "Ana", "--db", seeded.url)
    record(seeded.store, [SEED[0], agent(logging="on"), *SEED[2:]])

    # Assert
    assert status(seeded.url, seeded.ids["agent"])["A.6.2.8"]["status"] == "implemented"
    owner = status(seeded.url, seeded.ids["assistant"])["A.3.2"]
    assert (owner["status"], owner["automatic_evidence"][0]["detail"]) == (
        "implemented",
        "owner=Ana",
    )


def test_a_real_scan_of_a_repository_with_a_committed_key(
    db_url: str, make_tree: Callable[[dict[str, str | bytes]], Path]
) -> None:
    # Arrange: random characters in the OpenAI project-key format, made at run time
    noise = base64.urlsafe_b64encode(hashlib.sha512(b"aicensus governance").digest()).decode()
    key = f"sk-proj-{noise[:74]}T3BlbkFJ{noise[10:84]}"
    root = make_tree(
        {
            "app.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
            ".env": f"OPENAI_API_KEY={key}\n",
        }
    )
    store = Store(db_url, upgrade=True)

    # Act
    run_scan(store, ScanRequest(targets=(str(root),), jobs=1))
    gov = Governance(store)
    views = {v.system.product: v for v in gov.views()}

    # Assert
    assert {"openai", "openai-api-key"} <= set(views)
    usage = views["openai"]
    assert usage.states["A.6.1.3"].status == "failing"
    assert usage.states["A.6.1.3"].auto[0].mapping == "committed-api-key"
    assert usage.stage.stage == "design-development" and usage.stage.inferred
    assert usage.suggestion.tier == "minimal"
    assert key not in json.dumps(
        [a.detail for v in views.values() for s in v.states.values() for a in s.auto]
    )
    store.close()


def test_gaps_list_systems_in_operation_missing_required_controls(
    seeded: Seeded, tmp_path: Path
) -> None:
    # Act
    doc = json.loads(ok("controls", "gaps", "--db", seeded.url, "-f", "json").stdout)
    gaps = {g["id"]: g for g in doc["systems"]}

    # Assert: only live systems; code in development has no gap even with a failing control
    assert set(gaps) == {seeded.ids["endpoint"], seeded.ids["agent"], seeded.ids["aoai"]}
    end = gaps[seeded.ids["endpoint"]]
    assert (end["tier"], end["tier_status"], end["stage_inferred"]) == (
        "high-risk",
        "suggested",
        True,
    )
    assert [m["control"] for m in end["missing"]] == [
        "A.3.2",
        "A.9.4",
        "A.5.2",
        "A.5.3",
        "A.5.4",
        "A.6.2.4",
        "A.6.2.6",
        "A.6.2.7",
        "A.6.2.8",
        "A.7.4",
        "A.8.2",
        "A.9.2",
    ]
    assert {m["control"] for m in gaps[seeded.ids["aoai"]]["missing"]} == {"A.3.2", "A.9.4"}

    # Act: the Azure account's controls are done; the agent says it logs, but the scan disagrees
    url = seeded.url
    ok("controls", "set", str(seeded.ids["aoai"]), "A.3.2", "implemented", "--db", url)
    ok("controls", "set", str(seeded.ids["aoai"]), "A.9.4", "not-applicable", "--db", url)
    ok(
        "controls",
        "set",
        str(seeded.ids["agent"]),
        "A.6.2.8",
        "implemented",
        "--db",
        url,
        "--evidence",
        "https://wiki/logging",
        "--reviewer",
        "Sam",
    )
    path = tmp_path / "agent.yaml"
    path.write_text(
        f"assessments:\n- system: {seeded.ids['agent']}\n  intended_purpose: answer customers\n"
        "  affected_groups: [customers]\n  tier: high-risk\n  assessor: Priya\n"
        "  answers: {customer_facing: true, decisions_about_people: decides, "
        "annex_iii_area: annex3-5-essential-services, personal_data: true, "
        "special_category_data: false, autonomy: acts-with-tools, synthetic_content: false, "
        "human_oversight: escalation to staff}\n"
    )
    ok("risk", "import", str(path), "--db", url)
    after = json.loads(ok("controls", "gaps", "--db", url, "-f", "json").stdout)
    gaps = {g["id"]: g for g in after["systems"]}

    # Assert
    assert seeded.ids["aoai"] not in gaps
    bot = gaps[seeded.ids["agent"]]
    assert (bot["tier"], bot["tier_status"]) == ("high-risk", "confirmed")
    [logging] = [m for m in bot["missing"] if m["control"] == "A.6.2.8"]
    assert logging["status"] == "failing"
    assert logging["recorded"]["status"] == "implemented"
    assert logging["recorded"]["evidence"] == ["https://wiki/logging"]


def test_unknown_control_ids_and_statuses_are_refused(seeded: Seeded) -> None:
    sid = str(seeded.ids["aoai"])
    bad = cli("controls", "set", sid, "A.12.1", "done", "--db", seeded.url)
    assert bad.exit_code == 2
    assert "unknown control id 'A.12.1'" in bad.stderr
    assert "status must be one of not-started, in-progress, implemented, not-applicable" in (
        bad.stderr.replace("\n", " ")
    )
    assert Governance(seeded.store).records.control_history(int(sid)) == []


def soa_csv(url: str) -> str:
    return ok("controls", "soa", "--db", url, "-f", "csv").stdout


def test_soa_round_trips_through_csv(seeded: Seeded, tmp_path: Path) -> None:
    # Arrange: the default SoA, every control applicable and not started
    exported = soa_csv(seeded.url)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 38 and {r["applicable"] for r in rows} == {"yes"}
    path = tmp_path / "soa.csv"
    path.write_text(exported)

    # Act / Assert: unchanged in, nothing changes
    assert (
        "0 SoA rows changed" in ok("controls", "soa-import", str(path), "--db", seeded.url).stdout
    )

    # Act: edit two rows as a person would in a spreadsheet
    for r in rows:
        if r["control_id"] == "A.10.4":
            r.update(applicable="no", justification="no customers receive AI systems")
        if r["control_id"] == "A.2.2":
            r.update(implementation="implemented", evidence="https://wiki/ai-policy; POL-7")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())
    result = ok("controls", "soa-import", str(path), "--db", seeded.url, "--actor", "ciso")

    # Assert: applied, and exported again as edited
    assert "2 SoA rows changed" in result.stdout
    again = {r["control_id"]: r for r in csv.DictReader(io.StringIO(soa_csv(seeded.url)))}
    assert (again["A.10.4"]["applicable"], again["A.10.4"]["justification"]) == (
        "no",
        "no customers receive AI systems",
    )
    assert again["A.2.2"]["evidence"] == "https://wiki/ai-policy; POL-7"
    assert again["A.2.2"]["updated_by"] == "ciso"
    assert again["A.3.2"]["updated_by"] == ""
    markdown = ok("controls", "soa", "--db", seeded.url).stdout
    assert "| A.10.4 | Customers | no | no customers receive AI systems | not-started |" in markdown
    html = ok("controls", "soa", "--db", seeded.url, "-f", "html").stdout
    assert '<a href="https://wiki/ai-policy">https://wiki/ai-policy</a>' in html
    doc = json.loads(ok("controls", "soa", "--db", seeded.url, "-f", "json").stdout)
    assert [c["control_id"] for c in doc["controls"]][:3] == ["A.2.2", "A.2.3", "A.2.4"]


def test_a_control_the_soa_excludes_is_no_longer_required(seeded: Seeded, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(soa_csv(seeded.url))))
    path = tmp_path / "soa.csv"
    with path.open("w") as handle:
        writer = csv.DictWriter(handle, fieldnames=["control_id", "applicable", "justification"])
        writer.writeheader()
        writer.writerow({"control_id": "A.9.4", "applicable": "no", "justification": "see A.9.3"})
    ok("controls", "soa-import", str(path), "--db", seeded.url)
    assert len(rows) == 38
    view = Governance(seeded.store).view(seeded.ids["aoai"])
    assert view.required == ("A.3.2",)


def test_a_bad_soa_file_is_refused_whole(seeded: Seeded, tmp_path: Path) -> None:
    path = tmp_path / "soa.csv"
    path.write_text(
        "control_id,applicable,justification,implementation,evidence,owner\n"
        "A.2.2,yes,,implemented,https://wiki/policy,\n"
        "A.99.1,yes,,implemented,,\n"
        "A.3.2,maybe,,,,\n"
        "A.3.3,no,,,,\n"
        "A.4.2,yes,,finished,,\n"
        "A.2.2,yes,,implemented,,\n"
    )
    result = cli("controls", "soa-import", str(path), "--db", seeded.url)
    assert result.exit_code == 2
    errors = result.stderr.replace("\n", " ")
    for expected in (
        f"{path}: row 1: unknown column(s) owner",
        f"{path}: row 3: unknown control id 'A.99.1'",
        f"{path}: row 4: applicable must be yes or no, not 'maybe'",
        f"{path}: row 5: A.3.3 is not applicable: give the justification",
        f"{path}: row 6: implementation must be one of not-started",
        f"{path}: row 7: A.2.2 already appears in row 2",
    ):
        assert expected in errors, expected
    assert Governance(seeded.store).records.soa() == {}
