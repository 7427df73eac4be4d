"""Tier suggestions with rationale, assessments confirmed or overridden (terminal and files),
bad answers files refused whole, and re-assessment triggers; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from gov_estate import SEED, Seeded, agent, azure_openai, cli, endpoint, ok, record

from governance.risk import add_months
from governance.service import Governance


def risk_list(url: str, *extra: str) -> dict[int, dict[str, Any]]:
    doc = json.loads(ok("risk", "list", "--db", url, "--format", "json", *extra).stdout)
    assert doc["schema"] == "aicensus.risk/1"
    return {s["id"]: s for s in doc["systems"]}


def test_suggested_tiers_explain_themselves_and_stay_suggested(seeded: Seeded) -> None:
    # Act
    systems = risk_list(seeded.url)

    # Assert: a recruiting-tagged SageMaker endpoint suggests high-risk, Annex III employment
    end = systems[seeded.ids["endpoint"]]
    assert (end["tier"], end["tier_status"], end["assessment"]) == ("high-risk", "suggested", None)
    [reason] = end["suggestion"]["reasons"]
    assert reason == {
        "rule": "annex3-4-employment",
        "tier": "high-risk",
        "source": "tag team=recruiting",
        "matched": "recruiting",
    }
    assert end["suggestion"]["rationale"][0] == (
        "tag team=recruiting: 'recruiting' -> Annex III 4: employment, workers management "
        "(Annex III point 4): high-risk"
    )
    assert end["suggestion"]["role"] == "provider"
    # an internal code assistant suggests minimal, saying why
    code = systems[seeded.ids["assistant"]]
    assert code["tier"] == "minimal"
    assert any(
        line.startswith("no sign of a prohibited practice")
        for line in code["suggestion"]["rationale"]
    )
    assert code["suggestion"]["gpai"] is True
    # a customer-facing Bedrock agent: transparency, and its autonomy is a consideration
    bot = systems[seeded.ids["agent"]]
    assert bot["tier"] == "limited"
    assert bot["suggestion"]["customer_facing"] is True
    assert any("acts autonomously with tools" in line for line in bot["suggestion"]["rationale"])
    # ordered most severe first, filterable by tier
    assert next(iter(systems)) == seeded.ids["endpoint"]
    assert set(risk_list(seeded.url, "--tier", "limited")) == {seeded.ids["agent"]}
    refused = cli("risk", "list", "--db", seeded.url, "--tier", "severe")
    assert refused.exit_code == 2
    assert "tier 'severe' is not in the catalogue" in refused.stderr


def test_hr_is_a_word_not_a_substring(seeded: Seeded) -> None:
    # Arrange: a resource tagged with a word that merely contains "hr"
    record(seeded.store, [endpoint({"team": "chrome-extensions"}), *SEED[1:]])

    # Act
    end = risk_list(seeded.url)[seeded.ids["endpoint"]]

    # Assert
    assert end["suggestion"]["tier"] == "minimal"


ASSIST_INPUT = "\n".join(
    [
        "Internal code completion for engineers",  # intended purpose
        "engineers; reviewers",  # affected groups
        "n",  # customer_facing
        "none",  # decisions_about_people
        "none",  # annex_iii_area
        "n",  # personal_data
        "n",  # special_category_data
        "recommends",  # autonomy
        "n",  # synthetic_content
        "engineers review every suggestion",  # human_oversight
        "",  # tier: confirm the suggestion
        "",  # role: the suggested one
        "",  # gpai: the suggested answer
        "y",  # add a risk
        "proprietary code sent to the vendor",
        "3",
        "4",
        "",  # treatment: mitigate
        "Ana",
        "2027-01-31",
        "A.10.3; A.7.5",
        "n",  # no more risks
        "",  # next review: the tier's interval
        "",  # note
        "",
    ]
)


def test_interactive_assessment_confirms_the_suggestion(seeded: Seeded) -> None:
    # Act
    sid = seeded.ids["assistant"]
    result = ok(
        "risk",
        "assess",
        str(sid),
        "--db",
        seeded.url,
        "--assessor",
        "Dana",
        "--actor",
        "dana",
        input=ASSIST_INPUT,
    )

    # Assert
    assert f"system {sid} confirmed minimal" in result.stdout
    shown = json.loads(ok("risk", "show", str(sid), "--db", seeded.url, "-f", "json").stdout)
    a = shown["systems"][0]["assessment"]
    assert shown["systems"][0]["tier_status"] == "confirmed"
    assert (a["tier"], a["overrides_suggestion"], a["role"], a["gpai"]) == (
        "minimal",
        False,
        "provider",
        True,
    )
    assert a["affected_groups"] == ["engineers", "reviewers"]
    assert a["answers"]["autonomy"] == "recommends"
    assert a["answers"]["customer_facing"] is False
    assert a["questionnaire_version"] == "2026.1"
    assert (a["assessor"], a["recorded_by"], a["source"]) == ("Dana", "dana", "cli")
    assert a["next_review"] == add_months(date.today(), 24).isoformat()  # minimal: two years
    assert a["risks"] == [
        {
            "risk": "proprietary code sent to the vendor",
            "likelihood": 3,
            "impact": 4,
            "score": 12,
            "rating": "high",
            "treatment": "mitigate",
            "owner": "Ana",
            "due": "2027-01-31",
            "controls": ["A.10.3", "A.7.5"],
        }
    ]


ASSESSMENTS_YAML = """
schema: aicensus.assessments/1
assessments:
  - system: {endpoint}
    intended_purpose: Rank applicants for recruiter review
    affected_groups: [job applicants, recruiters]
    answers: &high
      customer_facing: false
      decisions_about_people: informs
      annex_iii_area: annex3-4-employment
      personal_data: true
      special_category_data: false
      autonomy: recommends
      synthetic_content: false
      human_oversight: a recruiter reads every ranking
    tier: high-risk
    role: provider
    assessor: Priya
    assessed_on: 2026-01-10
    risks:
      - {{risk: biased ranking of applicants, likelihood: 3, impact: 5, treatment: mitigate,
         owner: Priya, due: 2026-03-01, controls: [A.5.4, A.7.4]}}
  - system: "{agent_key}"
    intended_purpose: Answer customer questions about orders
    affected_groups: [customers]
    answers:
      <<: *high
      customer_facing: true
      annex_iii_area: annex3-5-essential-services
    tier: high-risk
    assessor: Priya
    assessed_on: 2026-01-10
    next_review: 2026-04-10
    note: the agent also decides on refunds, which is credit-like
"""


def test_a_yaml_file_confirms_and_overrides_suggestions(seeded: Seeded, tmp_path: Path) -> None:
    # Arrange
    agent_key = seeded.store.system(seeded.ids["agent"]).identity_key  # type: ignore[union-attr]
    path = tmp_path / "assessments.yaml"
    path.write_text(
        ASSESSMENTS_YAML.format(endpoint=seeded.ids["endpoint"], agent_key=agent_key), "utf-8"
    )

    # Act
    result = ok("risk", "import", str(path), "--db", seeded.url, "--actor", "importer")

    # Assert
    assert "2 assessments recorded (1 override the suggested tier)" in result.stdout
    systems = risk_list(seeded.url)
    end = systems[seeded.ids["endpoint"]]["assessment"]
    assert (end["tier"], end["overrides_suggestion"], end["next_review"]) == (
        "high-risk",
        False,
        "2026-07-10",  # six months for high-risk
    )
    assert end["risks"][0]["score"] == 15 and end["risks"][0]["rating"] == "high"
    bot = systems[seeded.ids["agent"]]
    assert (bot["tier"], bot["tier_status"]) == ("high-risk", "confirmed")
    assert bot["assessment"]["suggested_tier"] == "limited"
    assert bot["assessment"]["overrides_suggestion"] is True
    assert bot["assessment"]["role"] == "deployer"  # not given: the suggested role
    assert bot["assessment"]["source"] == "import"


ASSESSMENTS_CSV = (
    "system,intended_purpose,affected_groups,tier,assessor,assessed_on,q.customer_facing,"
    "q.decisions_about_people,q.annex_iii_area,q.personal_data,q.special_category_data,"
    "q.autonomy,q.synthetic_content,q.human_oversight,risk,likelihood,impact,treatment,"
    "risk_owner,risk_due,risk_controls\n"
    "{aoai},Summarise support tickets,agents;customers,limited,Li,2026-02-01,no,none,none,"
    "yes,no,none,yes,agents approve each summary,prompt injection via tickets,4,3,mitigate,"
    "Li,2026-05-01,A.6.2.4\n"
    "{aoai},,,,,,,,,,,,,,personal data in prompts kept by the vendor,2,4,transfer,Li,,A.10.3\n"
)


def test_a_csv_file_with_one_row_per_risk(seeded: Seeded, tmp_path: Path) -> None:
    path = tmp_path / "assessments.csv"
    path.write_text(ASSESSMENTS_CSV.format(aoai=seeded.ids["aoai"]), "utf-8")

    ok("risk", "import", str(path), "--db", seeded.url)

    a = risk_list(seeded.url)[seeded.ids["aoai"]]["assessment"]
    assert a["tier"] == "limited" and a["overrides_suggestion"] is True
    assert a["affected_groups"] == ["agents", "customers"]
    assert a["answers"]["personal_data"] is True and a["answers"]["synthetic_content"] is True
    assert [(r["risk"], r["score"], r["treatment"], r["controls"]) for r in a["risks"]] == [
        ("prompt injection via tickets", 12, "mitigate", ["A.6.2.4"]),
        ("personal data in prompts kept by the vendor", 8, "transfer", ["A.10.3"]),
    ]


BAD_YAML = """
assessments:
  - system: {endpoint}
    intended_purpose: Rank applicants
    affected_groups: [job applicants]
    answers:
      customer_facing: maybe
      decisions_about_people: informs
      annex_iii_area: annex3-4-employment
      personal_data: true
      special_category_data: false
      autonomy: recommends
      synthetic_content: false
      colour: blue
    tier: high-risk
    assessor: Priya
  - system: {agent}
    intended_purpose: Answer customers
    affected_groups: [customers]
    answers: {{customer_facing: true, decisions_about_people: none, annex_iii_area: none,
      personal_data: false, special_category_data: false, autonomy: acts-with-tools,
      synthetic_content: false, human_oversight: none}}
    tier: very-high
    assessor: Priya
    risks:
      - {{risk: wrong refunds, likelihood: 9, impact: 2, treatment: ignore, controls: [A.99.1]}}
"""


def test_bad_answers_files_are_refused_whole_with_file_row_and_reason(
    seeded: Seeded, tmp_path: Path
) -> None:
    # Arrange
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML.format(endpoint=seeded.ids["endpoint"], agent=seeded.ids["agent"]))

    # Act
    result = cli("risk", "import", str(path), "--db", seeded.url)

    # Assert: every problem, with file and row, and nothing recorded
    assert result.exit_code == 2
    errors = result.stderr.replace("\n", " ")
    for expected in (
        f"{path}: row 1: answers: unknown question 'colour'",
        f"{path}: row 1: answers: customer_facing must be yes/no (true/false), not str",
        f"{path}: row 1: answers: question 'human_oversight' is not answered",
        f"{path}: row 2: tier 'very-high' is not in the catalogue",
        f"{path}: row 2: risks[1]: risk: likelihood must be a whole number 1-5, not 9",
        f"{path}: row 2: risks[1]: risk: treatment must be one of avoid, mitigate, transfer",
        f"{path}: row 2: risks[1]: risk: unknown control id 'A.99.1'",
        "nothing was changed",
    ):
        assert expected in errors, expected
    assert Governance(seeded.store).records.latest_assessments() == {}


def test_an_unknown_system_or_a_clashing_csv_row_records_nothing(
    seeded: Seeded, tmp_path: Path
) -> None:
    # Arrange: a valid row for aoai, then a row naming no system of the inventory
    good = ASSESSMENTS_CSV.format(aoai=seeded.ids["aoai"]).splitlines()
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(
        "\n".join(
            [
                good[0],
                good[1],
                good[1].replace(str(seeded.ids["aoai"]), "code:github.com/acme/nothing:openai", 1),
            ]
        )
        + "\n"
    )
    clash = tmp_path / "clash.csv"
    clash.write_text("\n".join([good[0], good[1], good[1].replace(",limited,", ",minimal,")]))

    # Act
    missing = cli("risk", "import", str(unknown), "--db", seeded.url)
    clashing = cli("risk", "import", str(clash), "--db", seeded.url)

    # Assert
    assert missing.exit_code == 2
    assert f"{unknown}: row 3: no AI system 'code:github.com/acme/nothing:openai'" in (
        missing.stderr.replace("\n", " ")
    )
    assert clashing.exit_code == 2
    assert f"{clash}: row 3: tier differ from row 2 of the same system" in (
        clashing.stderr.replace("\n", " ")
    )
    assert Governance(seeded.store).records.latest_assessments() == {}


def test_material_changes_since_an_assessment_make_it_due(seeded: Seeded, tmp_path: Path) -> None:
    # Arrange: the endpoint assessed now; the Azure account assessed long ago
    path = tmp_path / "a.yaml"
    path.write_text(
        ASSESSMENTS_YAML.format(endpoint=seeded.ids["endpoint"], agent_key=seeded.ids["agent"])
        .replace("assessed_on: 2026-01-10", f"assessed_on: {date.today().isoformat()}")
        .replace("    next_review: 2026-04-10\n", ""),
        "utf-8",
    )
    ok("risk", "import", str(path), "--db", seeded.url)
    old = tmp_path / "old.csv"
    old.write_text(
        ASSESSMENTS_CSV.format(aoai=seeded.ids["aoai"])
        .replace("Li,2026-02-01", "Li,2024-01-01")
        .replace(",Li,2026-05-01,", ",Li,,")
    )
    ok("risk", "import", str(old), "--db", seeded.url)
    assert set(risk_list(seeded.url, "--due")) == {
        seeded.ids["aoai"],
        seeded.ids["assistant"],
        seeded.ids["key"],
    }

    # Act: the next scan sees a new model on the endpoint, which is now public-facing
    record(
        seeded.store,
        [
            endpoint(
                {"team": "recruiting", "audience": "public-facing"},
                ("meta-llama/Llama-3.1-8B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3"),
            ),
            agent(),
            azure_openai(),
            *SEED[3:],
        ],
    )

    # Assert
    due = risk_list(seeded.url, "--due")
    assert due[seeded.ids["endpoint"]]["due_reasons"] == [
        "new model(s) since the assessment: mistralai/Mistral-7B-Instruct-v0.3",
        "now customer-facing (a transparency signal appeared)",
    ]
    assert seeded.ids["agent"] not in due  # nothing changed for it
    overdue = risk_list(seeded.url, "--overdue")
    assert set(overdue) == {seeded.ids["aoai"]}
    assert overdue[seeded.ids["aoai"]]["due_reasons"] == ["the review was due on 2025-01-01"]
