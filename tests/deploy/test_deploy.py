"""The scheduled-operation examples in deploy/: they cannot run here (no cron daemon, no
cluster, no GitHub runner, no Docker daemon), so each is parsed with the parser its platform
uses or a faithful one, its required structure is checked, and every ``aicensus`` command it
runs is resolved against the real command line: the subcommand exists and knows each option.
The configuration files they point at are validated by ``aicensus config check``."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from scanner.cli import app
from scanner.config import parse_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
runner = CliRunner()

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|API_?KEY|WEBHOOK|_DB$", re.I)
"""Environment variable names that hold credentials: only ever filled from a secret store."""
CRON_FIELD = re.compile(r"(\*|\d+(-\d+)?)(/\d+)?(,(\d+(-\d+)?)(/\d+)?)*")
CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
DEMO_ENV = {
    "AICENSUS_DB": "postgresql+psycopg://aicensus@db.example/aicensus",
    "GITHUB_TOKEN": "set-by-the-scheduler",
    "AICENSUS_GITHUB_TOKEN": "set-by-the-scheduler",
    "SLACK_TOKEN": "set-by-the-scheduler",
    "AZURE_CLIENT_SECRET": "set-by-the-scheduler",
    "AICENSUS_SLACK_WEBHOOK": "set-by-the-scheduler",
}


# -- helpers ------------------------------------------------------------------------------------


def assert_cron_schedule(expression: str) -> None:
    """Five fields, each valid cron syntax with numbers inside the field's range."""
    fields = expression.split()
    assert len(fields) == 5, expression
    for value, (low, high) in zip(fields, CRON_RANGES, strict=True):
        assert CRON_FIELD.fullmatch(value), f"{value!r} in {expression!r}"
        for number in re.findall(r"\d+", re.sub(r"/\d+", "", value)):
            assert low <= int(number) <= high, f"{value!r} in {expression!r}"


def aicensus_argv(command: str) -> list[str]:
    """The arguments of the ``aicensus`` invocation in a shell command line."""
    for segment in re.split(r"&&|;|\|\|", command):
        words = [w for w in shlex.split(segment) if not re.match(r"^\d?>>?|^>", w)]
        while words and re.match(r"^[A-Za-z_]\w*=", words[0]):  # VAR=value prefixes
            words = words[1:]
        if words and (words[0] == "aicensus" or words[0].endswith("/bin/aicensus")):
            return words[1:]
    raise AssertionError(f"no aicensus command in {command!r}")


def assert_cli_accepts(argv: list[str]) -> Any:
    """The subcommand path exists, ``--help`` works, and every option given is one it has."""
    command: Any = typer.main.get_command(app)
    path: list[str] = []
    rest = list(argv)
    while hasattr(command, "get_command") and rest and not rest[0].startswith("-"):
        sub = command.get_command(typer.Context(command), rest[0])
        assert sub is not None, f"aicensus has no command {' '.join([*path, rest[0]])!r}"
        command, path, rest = sub, [*path, rest[0]], rest[1:]
    options = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    for word in rest:
        if word.startswith("-"):
            assert word.split("=", 1)[0] in options, f"aicensus {' '.join(path)} has no {word}"
    helped = runner.invoke(app, [*path, "--help"])
    assert helped.exit_code == 0, helped.output
    return command


def assert_config_checks(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``aicensus config check`` accepts the file (credentials set as a scheduler would)."""
    for name, value in DEMO_ENV.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["config", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def config_env_names(text: str) -> set[str]:
    """Every environment variable a configuration refers to: ``${NAME}`` and ``*_env``/``env``."""
    names = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text))
    names |= set(re.findall(r"^\s*(?:-\s*)?\w*env:\s*([A-Za-z_][A-Za-z0-9_]*)", text, re.M))
    return names


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "a continuation line runs off the end of the Dockerfile"
    pairs = []
    for entry in logical:
        keyword, _, args = entry.partition(" ")
        pairs.append((keyword.upper(), args.strip()))
    return pairs


def yaml_documents(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    assert all(isinstance(d, dict) for d in docs)
    return docs


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a YAML tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


# -- configuration files --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["aicensus.yaml", "github/aicensus.yaml"])
def test_example_configuration_passes_config_check(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_config_checks(DEPLOY / name, monkeypatch)


def test_host_configuration_writes_reports_outside_the_read_only_config_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Arrange: systemd's ProtectSystem=strict leaves only /var/lib and /var/cache writable
    monkeypatch.setenv("AICENSUS_DB", DEMO_ENV["AICENSUS_DB"])

    # Act
    config = parse_config((DEPLOY / "aicensus.yaml").read_text(encoding="utf-8")).config

    # Assert
    assert config.outputs
    assert all(o.path.startswith("/var/lib/aicensus/") for o in config.outputs)


# -- cron ---------------------------------------------------------------------------------------


def test_cron_line_is_five_fields_and_a_locked_configured_scan() -> None:
    # Arrange
    lines = [
        line
        for line in (DEPLOY / "cron" / "aicensus.crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not re.match(r"^[A-Z_]+=", line)
    ]

    # Act
    (line,) = lines
    fields = line.split(None, 5)
    argv = aicensus_argv(fields[5])

    # Assert
    assert_cron_schedule(" ".join(fields[:5]))
    assert "%" not in fields[5]  # cron would turn it into a newline
    assert argv[:2] == ["scan", "--config"] and "--lock" in argv
    assert_cli_accepts(argv)
    assert not any(SECRET_NAME.search(w) and "=" in w for w in shlex.split(fields[5]))


# -- systemd ------------------------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def test_systemd_service_runs_a_locked_configured_scan_as_a_system_user() -> None:
    # Arrange
    unit = _unit("aicensus-scan.service")
    service = unit["Service"]

    # Act
    scan = aicensus_argv(service["ExecStart"])
    check = aicensus_argv(service["ExecStartPre"])

    # Assert
    assert service["Type"] == "oneshot"
    assert service["User"] not in ("", "root", "0")
    assert scan[:2] == ["scan", "--config"] and "--lock" in scan
    assert check == ["config", "check", scan[2]]  # the same file is checked first
    assert_cli_accepts(scan)
    assert_cli_accepts(check)
    assert service["EnvironmentFile"].startswith("/etc/")  # secrets from a file, not the unit
    for key, value in service.items():
        if key == "Environment":
            name = value.split("=", 1)[0]
            assert not SECRET_NAME.search(name), f"{name} belongs in the EnvironmentFile"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert "network-online.target" in unit["Unit"]["After"]


def test_systemd_timer_starts_the_service_on_a_valid_calendar() -> None:
    # Arrange
    timer = _unit("aicensus-scan.timer")

    # Act: systemd's own parser normalises the calendar expression, or refuses it
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]],
        capture_output=True,
        text=True,
        check=False,
    )

    # Assert
    assert calendar.returncode == 0, calendar.stderr
    assert "Next elapse" in calendar.stdout
    assert timer["Timer"]["Unit"] == "aicensus-scan.service"
    assert (DEPLOY / "systemd" / timer["Timer"]["Unit"]).is_file()
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


# -- GitHub Actions ---------------------------------------------------------------------------


def _workflow() -> dict[str, Any]:
    doc = yaml.safe_load((DEPLOY / "github" / "aicensus-scan.yml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    # YAML 1.1 (PyYAML) reads the bare key `on` as True; GitHub reads it as "on".
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def test_workflow_is_scheduled_with_code_scanning_permission() -> None:
    # Arrange
    workflow = _workflow()

    # Act
    schedules = workflow["on"]["schedule"]

    # Assert
    assert schedules and all(set(s) == {"cron"} for s in schedules)
    for schedule in schedules:
        assert_cron_schedule(schedule["cron"])
    assert workflow["permissions"]["security-events"] == "write"
    assert workflow["permissions"]["contents"] == "read"
    assert "workflow_dispatch" in workflow["on"]
    assert set(workflow["jobs"]) == {"scan"}


def test_workflow_scans_with_the_config_and_uploads_its_sarif_and_html(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Arrange
    steps = _workflow()["jobs"]["scan"]["steps"]
    monkeypatch.setenv("AICENSUS_DB", "sqlite:///inventory.db")
    config = parse_config((DEPLOY / "github" / "aicensus.yaml").read_text()).config
    outputs = {o.format: o.path for o in config.outputs}

    # Act
    commands = [
        aicensus_argv(line)
        for step in steps
        for line in str(step.get("run", "")).splitlines()
        if re.match(r"\s*aicensus ", line)
    ]
    uses = {str(s["uses"]).split("@")[0]: s for s in steps if "uses" in s}

    # Assert: the scan and the check run, with commands the CLI has
    assert ["config", "check", "aicensus.yaml"] in commands
    assert ["scan", "--config", "aicensus.yaml", "--lock"] in commands
    for argv in commands:
        assert_cli_accepts(argv)
    # the SARIF the configuration writes is what code scanning receives, even after exit 3/4
    sarif = uses["github/codeql-action/upload-sarif"]
    assert sarif["with"]["sarif_file"] == outputs["sarif"]
    assert str(sarif["if"]).startswith("always()")
    artifact = uses["actions/upload-artifact"]
    assert outputs["html"] in artifact["with"]["path"].split()
    assert artifact["if"] == "always()"
    # every action is pinned to a release, never a moving branch
    assert all(re.fullmatch(r"[\w./-]+@v\d+(\.\d+)*", str(s["uses"])) for s in uses.values())


def test_workflow_takes_credentials_only_from_secrets_and_variables() -> None:
    # Arrange
    job = _workflow()["jobs"]["scan"]

    # Act
    secret_env = {k: v for k, v in job["env"].items() if SECRET_NAME.search(k)}

    # Assert
    assert secret_env, "the workflow passes no credentials at all"
    for name, value in secret_env.items():
        assert re.fullmatch(r"\$\{\{ secrets\.\w+( \|\| '[^']*')? \}\}", value), name
    assert config_env_names((DEPLOY / "github" / "aicensus.yaml").read_text()) <= set(job["env"])


# -- Kubernetes ---------------------------------------------------------------------------------


def _manifests() -> dict[str, dict[str, Any]]:
    docs = [
        doc
        for name in ("cronjob.yaml", "configmap.yaml", "secret.example.yaml")
        for doc in yaml_documents(DEPLOY / "kubernetes" / name)
    ]
    return {doc["kind"]: doc for doc in docs}


def test_cronjob_is_a_forbid_concurrency_batch_v1_cronjob_running_non_root() -> None:
    # Arrange
    cronjob = _manifests()["CronJob"]

    # Act
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]

    # Assert
    assert cronjob["apiVersion"] == "batch/v1"
    assert_cron_schedule(cronjob["spec"]["schedule"])
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"]["drop"] == ["ALL"]


def test_cronjob_scans_the_configmap_with_a_lock_and_upgrades_postgresql_first() -> None:
    # Arrange
    manifests = _manifests()
    pod = manifests["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (scanner,) = pod["containers"]
    (upgrade,) = pod["initContainers"]

    # Act: where the ConfigMap is mounted, and which file the scan reads
    (config_volume,) = [v for v in pod["volumes"] if "configMap" in v]
    (mount,) = [m for m in scanner["volumeMounts"] if m["name"] == config_volume["name"]]
    (key,) = manifests["ConfigMap"]["data"]

    # Assert
    assert config_volume["configMap"]["name"] == manifests["ConfigMap"]["metadata"]["name"]
    assert scanner["args"] == ["scan", "--config", f"{mount['mountPath']}/{key}", "--lock"]
    assert mount["readOnly"] is True
    assert upgrade["args"] == ["db", "upgrade"]
    assert upgrade["image"] == scanner["image"]
    assert_cli_accepts(scanner["args"])
    assert_cli_accepts(upgrade["args"])
    for container in (scanner, upgrade):
        (db,) = [e for e in container["env"] if e["name"] == "AICENSUS_DB"]
        assert db["valueFrom"]["secretKeyRef"]["key"] == "AICENSUS_DB"


def test_cronjob_credentials_come_from_the_secret_by_reference_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Arrange
    manifests = _manifests()
    secret = manifests["Secret"]
    pod = manifests["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    text = manifests["ConfigMap"]["data"]["aicensus.yaml"]

    # Act
    env = [e for c in [*pod["initContainers"], *pod["containers"]] for e in c.get("env", [])]
    refs = [e["valueFrom"]["secretKeyRef"] for e in env if "valueFrom" in e]
    (scanner,) = pod["containers"]
    provided = {e["name"] for e in scanner["env"]}

    # Assert: no literal value for anything credential-like, every reference resolvable
    assert all("value" not in e for e in env if SECRET_NAME.search(e["name"]))
    assert {r["name"] for r in refs} == {secret["metadata"]["name"]}
    assert {r["key"] for r in refs} <= set(secret["stringData"])
    # the example Secret holds placeholders, never a credential
    assert set(secret["stringData"].values()) == {"REPLACE_ME"}
    assert "data" not in secret
    # every variable the configuration names is provided to the scanning container
    assert config_env_names(text) <= provided
    # and the configuration itself is valid
    for name, value in DEMO_ENV.items():
        monkeypatch.setenv(name, value)
    config = parse_config(text).config
    assert config.database == DEMO_ENV["AICENSUS_DB"]
    reports = [m["mountPath"] for m in scanner["volumeMounts"] if m["name"] == "reports"]
    assert all(o.path.startswith(reports[0] + "/") for o in config.outputs)


def test_no_deploy_file_holds_a_credential_value() -> None:
    # Arrange: every credential-looking key in the YAML examples
    files = [*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")]

    # Act
    values = [
        (path.name, key, value)
        for path in files
        for doc in yaml_documents(path)
        for key, value in walk(doc)
        if SECRET_NAME.search(key) and isinstance(value, str) and key != "id-token"
    ]  # id-token: the workflow's OIDC permission (write), not a variable

    # Assert: names of variables, secret references or placeholders only
    for name, key, value in values:
        assert (
            value == "REPLACE_ME"
            or re.fullmatch(r"[A-Z][A-Z0-9_]*", value)
            or value.startswith("${{ secrets.")
        ), f"{name}: {key}"


# -- the container image --------------------------------------------------------------------


def test_dockerfile_base_is_pinned_and_the_image_runs_aicensus_as_non_root() -> None:
    # Arrange
    instructions = dockerfile_instructions(DEPLOY / "Dockerfile")

    # Act
    froms = [args.split()[0] for keyword, args in instructions if keyword == "FROM"]
    final = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    users = [args for keyword, args in instructions[final:] if keyword == "USER"]
    (entrypoint,) = [args for keyword, args in instructions if keyword == "ENTRYPOINT"]

    # Assert: an exact Python 3.11 slim-bookworm release (or a digest) in every stage
    assert froms
    for image in froms:
        assert re.fullmatch(
            r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?"
            r"|python:3\.11[\w.-]*@sha256:[0-9a-f]{64}",
            image,
        ), image
    assert users, "the final stage never leaves root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit()  # numeric, so runAsNonRoot can verify it
    assert json.loads(entrypoint) == ["aicensus"]


def test_dockerfile_installs_every_package_with_pip_install_dot() -> None:
    # Arrange
    instructions = dockerfile_instructions(DEPLOY / "Dockerfile")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]

    # Act
    copied = {args.split()[0] for keyword, args in instructions if keyword == "COPY"}
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")

    # Assert: a package added to the wheel but not to the image would be a broken image
    assert set(packages) <= copied
    assert "pyproject.toml" in copied
    assert re.search(r"pip install \.(\s|$)", runs)


def test_dockerfile_bakes_no_secret_into_env_or_arg() -> None:
    # Arrange
    instructions = dockerfile_instructions(DEPLOY / "Dockerfile")

    # Act
    names = [
        re.split(r"[=\s]", pair, maxsplit=1)[0]
        for keyword, args in instructions
        if keyword in ("ENV", "ARG")
        for pair in re.findall(r"[A-Za-z_][A-Za-z0-9_]*=(?:\"[^\"]*\"|\S+)|^[A-Za-z_]\w*$", args)
    ]

    # Assert
    assert names  # the parser found the ENV block
    assert not [n for n in names if SECRET_NAME.search(n)]
