"""``aicensus.yaml``: strict validation with every error located by line and YAML path, all at
once; credentials only by reference; ``init`` and ``config check``; what ``--config`` may be
combined with; ``--lock`` and the code-only configured scan's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from inventory_db.store import Store
from scanner.cli import app
from scanner.config import EXAMPLE, ConfigError, load_config, parse_config

runner = CliRunner()
GITHUB_TOKEN = "ghp_" + "Q7vX2mR9kL4pT8wZ3nB6cY1dF5hJ0sA2eG7u"


def errors(text: str) -> list[str]:
    """Every rendered problem of a configuration text."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "a.yaml")
    return caught.value.lines()


def check(path: Path) -> Result:
    return runner.invoke(app, ["config", "check", str(path)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "code:\n  targets: [src]\n  colour: blue\n",
            "a.yaml:3:3: code.colour: unknown key (allowed here: targets, exclude,",
            id="unknown-key",
        ),
        pytest.param(
            "code: {targets: [src]}\nconcurrency: many\n",
            "a.yaml:2:14: concurrency: Input should be a valid integer",
            id="wrong-type",
        ),
        pytest.param(
            "code: {targets: [src]}\nslack: {token_env: SLACK_TOKEN}\n",
            "a.yaml:2:1: slack: Input should be a valid list",
            id="mapping-for-list",
        ),
        pytest.param(
            "code: {targets: [src]}\naws:\n  - retry_mode: fast\n",
            "a.yaml:3:17: aws[0].retry_mode: 'fast' is not one of adaptive, standard",
            id="bad-choice",
        ),
        pytest.param(
            "code: {targets: [src]}\naws:\n  - services: [bedrock, sagemkr]\n",
            "a.yaml:3:25: aws[0].services[1]: unknown service 'sagemkr'; choose from bedrock,",
            id="unknown-aws-service",
        ),
        pytest.param(
            "code: {targets: [src]}\nnotify:\n  webhooks:\n    - format: slack\n",
            "a.yaml:4:7: notify.webhooks[0].env: required key missing",
            id="missing-key",
        ),
        pytest.param(
            "code: {targets: [src]}\nfail_on: [new-shadow-ai, everything]\n",
            "a.yaml:2:26: fail_on[1]: 'everything' is not one of new-shadow-ai, high-risk, api-key",
            id="unknown-fail-on",
        ),
        pytest.param(
            "code: {targets: [src]}\ngithub:\n  - org: acme\n    token: " + GITHUB_TOKEN + "\n",
            "a.yaml:4:5: github[0].token: literal secret refused: credentials are never written "
            "here",
            id="secret-named-key",
        ),
        pytest.param(
            "code: {targets: [src]}\nokta:\n  - url: https://acme.okta.com\n"
            "    password: hunter2\n",
            "a.yaml:4:5: okta[0].password: literal secret refused",
            id="password-key",
        ),
        pytest.param(
            "code: {targets: [src]}\ngithub:\n  - org: acme\n    token_env: " + GITHUB_TOKEN + "\n",
            "a.yaml:4:16: github[0].token_env: literal secret refused: the value looks like a "
            "GitHub token",
            id="token-in-env-name",
        ),
        pytest.param(
            "database: postgresql+psycopg://scan:hunter2@db.internal/aicensus\n"
            "code: {targets: [src]}\n",
            "a.yaml:1:11: database: literal secret refused: the value looks like a URL with a "
            "password",
            id="password-in-url",
        ),
        pytest.param(
            "code: {targets: [src]}\nnotify:\n  webhooks:\n"
            "    - env: https://hooks.slack.com/services/T0/B0/XyZ\n",
            "a.yaml:4:12: notify.webhooks[0].env: literal secret refused: the value looks like a "
            "webhook URL",
            id="webhook-url",
        ),
        pytest.param(
            "code: {targets: [src]}\naws:\n  - external_id: Zk3vQ9pL2mX7rT4wY8nB1cF6hJ5sD0gA3eK\n",
            "a.yaml:3:18: aws[0].external_id: literal secret refused: the value looks like a "
            "key or password",
            id="random-string",
        ),
        pytest.param(
            "code: {targets: [src]}\naws:\n  - profile: ${AICENSUS_TEST_UNSET_PROFILE}\n",
            "a.yaml:3:14: aws[0].profile: environment variable AICENSUS_TEST_UNSET_PROFILE is not "
            "set (used as ${AICENSUS_TEST_UNSET_PROFILE})",
            id="missing-env-var",
        ),
        pytest.param(
            "code: {targets: [src]}\ncode: {targets: [lib]}\n",
            "a.yaml:2:1: code: duplicate key",
            id="duplicate-key",
        ),
        pytest.param(
            "code:\n  targets: [src\n",
            "a.yaml:3:1: invalid YAML:",
            id="bad-yaml",
        ),
        pytest.param("", "a.yaml:1: the file is empty", id="empty-file"),
        pytest.param("# only a comment\n", "a.yaml:1: the file is empty", id="comments-only"),
        pytest.param("- src\n", "a.yaml:1:1: the top level must be a mapping", id="not-mapping"),
        pytest.param(
            "database: sqlite:///x.db\n",
            "a.yaml:1:1: no sources: add code.targets or a cloud/SaaS source",
            id="no-sources",
        ),
        pytest.param(
            "code: {targets: [src]}\noutputs:\n  - {format: pdf, path: r.pdf}\n",
            "a.yaml:3:14: outputs[0].format: 'pdf' is not one of json, csv, xlsx, cyclonedx, "
            "sarif, html, markdown",
            id="unknown-output-format",
        ),
    ],
)
def test_each_problem_is_reported_at_its_line_and_path(text: str, expected: str) -> None:
    # Arrange: nothing else is wrong in the text
    # Act
    found = errors(text)
    # Assert
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_every_problem_is_reported_at_once_in_file_order_and_no_secret_is_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Arrange
    monkeypatch.delenv("AICENSUS_TEST_UNSET", raising=False)
    text = (
        "concurrency: 0\n"
        "code:\n"
        "  targets: [src]\n"
        "  colour: blue\n"
        "github:\n"
        f"  - token_env: {GITHUB_TOKEN}\n"
        "azure:\n"
        "  - cloud: moon\n"
        "    tenant: ${AICENSUS_TEST_UNSET}\n"
    )

    # Act
    found = errors(text)

    # Assert
    assert [line.split(": ", 2)[:2] for line in found] == [
        ["a.yaml:1:14", "concurrency"],
        ["a.yaml:4:3", "code.colour"],
        ["a.yaml:6:16", "github[0].token_env"],
        ["a.yaml:8:12", "azure[0].cloud"],
        ["a.yaml:9:13", "azure[0].tenant"],
    ]
    assert all(GITHUB_TOKEN not in line for line in found)


def test_interpolation_references_and_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange
    monkeypatch.setenv("AICENSUS_TEST_DB", "postgresql+psycopg://scan:s3cr3t-Pw@db/aicensus")
    monkeypatch.setenv("AICENSUS_TEST_ORG", "acme")
    (tmp_path / "aicensus.yaml").write_text(
        "database: ${AICENSUS_TEST_DB}\n"
        "cache_dir: cache\n"
        "code: {targets: [src, 'https://github.com/acme/web.git']}\n"
        "github: [{org: '${AICENSUS_TEST_ORG}-$${literal}'}]\n"
        "gcp: [{projects: [p1], credentials_file: keys/gcp.json}]\n"
        "outputs: [{format: html, path: out/r.html}]\n",
        encoding="utf-8",
    )

    # Act
    config = load_config(tmp_path / "aicensus.yaml").config

    # Assert: a secret given by reference is used; relative paths hang off the file's folder
    assert config.database == "postgresql+psycopg://scan:s3cr3t-Pw@db/aicensus"
    assert config.github[0].org == "acme-${literal}"
    assert config.code.targets == [str(tmp_path / "src"), "https://github.com/acme/web.git"]
    assert config.cache_dir == str(tmp_path / "cache")
    assert config.gcp[0].credentials_file == str(tmp_path / "keys" / "gcp.json")
    assert config.outputs[0].path == str(tmp_path / "out" / "r.html")


def test_init_then_check_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange
    path = tmp_path / "aicensus.yaml"
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)

    # Act
    written = runner.invoke(app, ["init", str(path)])
    again = runner.invoke(app, ["init", str(path)])
    forced = runner.invoke(app, ["init", str(path), "--force"])
    checked = check(path)

    # Assert
    assert written.exit_code == 0, written.output
    assert path.read_text(encoding="utf-8") == EXAMPLE
    assert again.exit_code == 2 and "--force" in again.output
    assert forced.exit_code == 0
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip().endswith(
        "1 code target, 1 GitHub organisation, 1 AWS source, 1 Azure source, 1 GCP source; "
        "2 outputs; 1 webhook; fail-on: new-shadow-ai"
    )
    # an unset token variable is a warning here (the check may run where secrets are not)
    assert "warning:" in checked.stderr and "GITHUB_TOKEN" in checked.stderr


def test_check_prints_every_error_and_exits_2(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "aicensus.yaml"
    path.write_text(EXAMPLE.replace("concurrency: 4", "concurrency: -1") + "colour: blue\n")

    # Act
    result = check(path)

    # Assert
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert lines[0].startswith(
        f"error: {path}:12:14: concurrency: Input should be greater than or equal to 1"
    )
    last = EXAMPLE.count("\n") + 1
    assert lines[1].startswith(f"error: {path}:{last}:1: colour: unknown key")
    assert lines[-1] == f"error: 2 error(s) in {path}"


def test_check_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = check(tmp_path / "nope.yaml")

    assert result.exit_code == 2
    assert "cannot read the file" in result.stderr


def code_config(tmp_path: Path, extra: str = "") -> Path:
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "bot.py").write_text("import anthropic\n", encoding="utf-8")
    path = tmp_path / "aicensus.yaml"
    path.write_text(
        f"database: sqlite:///inv.db\ncache: false\ncode: {{targets: [repo]}}\n{extra}",
        encoding="utf-8",
    )
    return path


def test_config_cannot_be_combined_with_targets_or_source_options(tmp_path: Path) -> None:
    # Arrange
    path = code_config(tmp_path)

    # Act
    with_target = runner.invoke(app, ["scan", "--config", str(path), str(tmp_path)])
    with_option = runner.invoke(app, ["scan", "--config", str(path), "--regions", "us-east-1"])

    # Assert: refused before anything runs (no database was created)
    assert with_target.exit_code == 2 and "TARGETS" in with_target.stderr
    assert with_option.exit_code == 2 and "--regions" in with_option.stderr
    assert not (tmp_path / "inv.db").exists()


def test_a_scan_refuses_to_start_on_an_unset_credential_naming_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange
    monkeypatch.delenv("AICENSUS_TEST_SLACK", raising=False)
    monkeypatch.delenv("AICENSUS_TEST_OKTA", raising=False)
    path = code_config(
        tmp_path,
        "slack: [{token_env: AICENSUS_TEST_SLACK}]\n"
        "okta:\n  - url: https://acme.okta.com\n    token_env: AICENSUS_TEST_OKTA\n",
    )

    # Act
    result = runner.invoke(app, ["scan", "--config", str(path)])

    # Assert: both problems at once, nothing scanned
    assert result.exit_code == 2
    assert f"{path}:4:21: slack[0].token_env: environment variable AICENSUS_TEST_SLACK" in (
        result.stderr.replace("\n", "")
    )
    assert f"{path}:7:16: okta[0].token_env: environment variable AICENSUS_TEST_OKTA" in (
        result.stderr.replace("\n", "")
    )
    assert not (tmp_path / "inv.db").exists()


def test_configured_code_scan_exit_codes_and_the_db_override(tmp_path: Path) -> None:
    # Arrange
    path = code_config(tmp_path, "fail_on: [new-shadow-ai]\n")
    other = tmp_path / "other.db"

    # Act
    first = runner.invoke(app, ["scan", "--config", str(path)])
    second = runner.invoke(app, ["scan", "--config", str(path)])
    overridden = runner.invoke(app, ["scan", "--config", str(path), "--db", f"sqlite:///{other}"])

    # Assert: new shadow AI the first time (4), nothing new the second (0)
    assert first.exit_code == 4, first.output
    assert "fail-on: new shadow AI (1): Anthropic API in repo" in first.stderr
    assert second.exit_code == 0, second.output
    assert len(Store(f"sqlite:///{tmp_path / 'inv.db'}").scans()) == 2
    assert overridden.exit_code == 4 and len(Store(f"sqlite:///{other}").scans()) == 1


def test_lock_works_with_config(tmp_path: Path) -> None:
    # Arrange: another scan holds the lock
    path = code_config(tmp_path)
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")

    # Act
    with store.scan_lock():
        locked = runner.invoke(app, ["scan", "--config", str(path), "--lock"])
    free = runner.invoke(app, ["scan", "--config", str(path), "--lock"])

    # Assert
    assert locked.exit_code == 5, locked.output
    assert free.exit_code == 0, free.output


def test_api_key_policy_and_outputs_of_a_code_scan(tmp_path: Path) -> None:
    # Arrange: no key committed, so the api-key condition does not hold
    path = code_config(
        tmp_path,
        "fail_on: [api-key]\noutputs:\n"
        "  - {format: json, path: out/inventory.json}\n"
        "  - {format: markdown, path: out/diff.md}\n",
    )

    # Act
    result = runner.invoke(app, ["scan", "--config", str(path)])

    # Assert
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "inventory.json").read_text(encoding="utf-8"))
    assert [s["product"] for s in doc["systems"]] == ["anthropic"]
    assert "Anthropic" in (tmp_path / "out" / "diff.md").read_text(encoding="utf-8")
    assert "fail-on" not in result.output


def test_an_output_that_cannot_be_written_fails_the_run(tmp_path: Path) -> None:
    # Arrange: the output's folder is a file
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    path = code_config(tmp_path, "outputs: [{format: json, path: out/inventory.json}]\n")

    # Act
    result = runner.invoke(app, ["scan", "--config", str(path)])

    # Assert: the inventory is written, the run is a failure the scheduler sees
    assert result.exit_code == 1
    assert "output json" in result.stderr
    assert len(Store(f"sqlite:///{tmp_path / 'inv.db'}").scans()) == 1
