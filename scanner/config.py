"""``aicensus.yaml``: every source of one scan, its database, outputs, notifications and policy.

The file is the outside input of a scheduled scan, so it is validated strictly (pydantic, unknown
keys refused) and every problem is reported at once with its line in the file before anything
runs. The per-source models here are also what the command line fills from its flags: a source
is built from one options object whichever way it was described.

Credentials are never in the file, only references to them: environment variable names
(``token_env``, ``secret_env``, webhook ``env``), AWS profiles, key and certificate file paths.
A value that looks like a credential (a GitHub or Slack token, an AWS access key, a private key,
a URL with a password, a webhook URL, a long random string), or a field named like a credential
(``token``, ``secret``, ``password``, ``api_key``) holding a value rather than a variable name, is
refused without ever being echoed. ``${NAME}`` in a value is replaced by that environment
variable (unset is an error naming it; ``$${`` writes a literal ``${``).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

DEFAULT_PATH = Path("aicensus.yaml")
DEFAULT_DATABASE = "sqlite:///aicensus.db"
FAIL_ON = ("new-shadow-ai", "high-risk", "api-key")
"""Fail-on conditions: exit 4 when the scan meets one."""
REPORT_FORMATS = ("json", "csv", "xlsx", "cyclonedx", "sarif", "html", "markdown")
"""The formats of ``reports.render`` (repeated here so validation imports no report code)."""
REPORT_TABLES = ("systems", "evidence", "vendors")
NOTIFY_FORMATS = ("slack", "teams", "json")

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTERPOLATION = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_UPPER_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_SECRET_NAME = re.compile(r"token|secret|passw(or)?d|pwd|(^|_)(api_?)?key($|_)|apikey", re.I)
"""Keys named like a credential; they may only name one (``*_env``, ``*_file``, ``*_path``) or
be an endpoint (``token_uri``: a URL, whose value is still checked for embedded credentials)."""
_REFERENCE_SUFFIXES = ("_env", "_file", "_path", "_uri", "_url")
_SECRET_VALUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")),
    ("a Slack token", re.compile(r"\bxox[abpores]-[A-Za-z0-9-]{10,}")),
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")),
    ("an API key", re.compile(r"\b(sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{30,})")),
    ("an Okta API token", re.compile(r"\b00[A-Za-z0-9_-]{40}\b")),
    (
        "a webhook URL (a secret: name its environment variable instead)",
        re.compile(
            r"hooks\.slack\.com/|\.webhook\.office\.com/|logic\.azure\.com.*[?&]sig=|"
            r"discord(app)?\.com/api/webhooks/",
            re.I,
        ),
    ),
    ("a URL with a password", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:(?!\$\{)[^/\s@]+@", re.I)),
)
_KEY = "<key>"
"""Marks of a mapping key are stored under its path plus this (values under the path itself)."""
_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


class ConfigIssue(Exception):  # noqa: N818 - one problem, raised singly or listed in ConfigError
    """One problem in a configuration file, located by its line and its path in the YAML."""

    def __init__(self, message: str, path: str = "", line: int | None = None, column: int = 0):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def render(self, file: str) -> str:
        """``file:line:column: path: message`` (what an editor jumps to)."""
        where = file
        if self.line is not None:
            where += f":{self.line}:{self.column}" if self.column else f":{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; ``issues`` lists every problem found, in file order."""

    def __init__(self, file: str, issues: Sequence[ConfigIssue]) -> None:
        super().__init__(f"{file}: {len(issues)} error(s)")
        self.file = file
        self.issues = list(issues)

    def lines(self) -> list[str]:
        """One rendered line per problem."""
        return [issue.render(self.file) for issue in self.issues]


def _one_of(*choices: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value

    return check


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not an environment variable name")
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]
"""The *name* of an environment variable holding a credential (never the credential)."""
HttpUrl = Annotated[str, AfterValidator(_http_url)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CodeSource(_Model):
    """Local directories and git URLs, and how their files are read."""

    targets: list[NonEmpty] = []
    exclude: list[str] = []
    """Extra gitignore-style patterns to skip."""
    default_excludes: bool = True
    gitignore: bool = False
    include_docs: bool = False
    max_file_size_mb: float = Field(default=5.0, gt=0)
    deep: bool = False
    jobs: int = Field(default=0, ge=0)
    """Worker processes; 0 means one per CPU."""


class GitHubSource(_Model):
    """A GitHub organisation: Copilot seats, installed apps, and its repositories as code."""

    org: str | None = None
    url: HttpUrl = "https://api.github.com"
    token_env: EnvName = "GITHUB_TOKEN"
    repos: list[str] = []
    exclude_repos: list[str] = []
    include_archived: bool = False
    include_forks: bool = False
    clone: bool = False
    include_principals: bool = False


def _aws_service(value: str) -> str:
    from connectors.aws.session import SERVICES  # boto3 only when AWS is configured

    if value not in SERVICES:
        raise ValueError(f"unknown service {value!r}; choose from {', '.join(SERVICES)}")
    return value


class AwsSource(_Model):
    """One AWS account or organisation."""

    profile: str | None = None
    role_arn: str | None = None
    role_name: NonEmpty = "OrganizationAccountAccessRole"
    external_id: str | None = None
    org: bool = False
    accounts: list[str] = []
    regions: list[str] = []
    services: list[Annotated[str, AfterValidator(_aws_service)]] = []
    workers: int = Field(default=16, ge=1, le=128)
    retry_mode: Annotated[str, AfterValidator(_one_of("adaptive", "standard"))] = "adaptive"
    max_attempts: int = Field(default=8, ge=1, le=20)
    cloudtrail_days: int = Field(default=7, ge=1, le=90)


class AzureSource(_Model):
    """Azure subscriptions (all readable ones, a list, or a management group's)."""

    subscriptions: list[str] = []
    management_group: str | None = None
    credential: Annotated[
        str, AfterValidator(_one_of("default", "secret", "certificate", "managed-identity", "cli"))
    ] = "default"
    tenant: str | None = None
    client_id: str | None = None
    secret_env: EnvName = "AZURE_CLIENT_SECRET"
    certificate: str | None = None
    """Path of the service principal's PEM/PKCS12 certificate."""
    cloud: Annotated[str, AfterValidator(_one_of("public", "usgov", "china"))] = "public"
    arm_endpoint: str | None = None
    authority_host: str | None = None
    retries: int = Field(default=3, ge=0, le=10)


class GcpSource(_Model):
    """A Google Cloud organization, folder or list of projects."""

    organization: str | None = None
    folder: str | None = None
    projects: list[str] = []
    api_endpoint: str | None = None
    impersonate_service_account: str | None = None
    credentials_file: str | None = None
    transport: Annotated[str, AfterValidator(_one_of("grpc", "rest"))] = "grpc"


class M365Source(_Model):
    """A Microsoft 365 / Entra ID tenant."""

    tenant: str | None = None
    client_id: str | None = None
    secret_env: EnvName = "AZURE_CLIENT_SECRET"
    token_env: EnvName | None = None
    graph_url: HttpUrl = "https://graph.microsoft.com"
    authority: str | None = None
    assignments: bool = True
    include_principals: bool = False


class WorkspaceSource(_Model):
    """A Google Workspace tenant, read with a delegated service account."""

    key_file: str | None = None
    admin: str | None = None
    customer_id: str | None = None
    domain: str | None = None
    days: int = Field(default=180, ge=1, le=180)
    user_tokens: bool = False
    api_url: HttpUrl = "https://admin.googleapis.com"
    licensing_url: HttpUrl = "https://licensing.googleapis.com"
    token_uri: str | None = None
    include_principals: bool = False


class SlackSource(_Model):
    """A Slack workspace or Enterprise Grid organisation."""

    token_env: EnvName = "SLACK_TOKEN"
    url: HttpUrl = "https://slack.com/api"
    include_principals: bool = False


class OktaSource(_Model):
    """An Okta org."""

    url: str | None = None
    token_env: EnvName = "OKTA_API_TOKEN"
    auth: Annotated[str, AfterValidator(_one_of("ssws", "bearer"))] = "ssws"
    include_principals: bool = False


class Output(_Model):
    """A report written after the scan (``reports.render``)."""

    format: Annotated[str, AfterValidator(_one_of(*REPORT_FORMATS))]
    path: NonEmpty
    table: Annotated[str, AfterValidator(_one_of(*REPORT_TABLES))] = "systems"
    """csv: which table."""
    include_low: bool = False
    """Also low-confidence systems (tests, docs, vendored code)."""


class Webhook(_Model):
    """A webhook, by the environment variable that holds its URL (a secret)."""

    env: EnvName
    format: Annotated[str, AfterValidator(_one_of(*NOTIFY_FORMATS))] = "slack"


class Notify(_Model):
    """Who is told when the scan finds new shadow AI."""

    webhooks: list[Webhook] = []
    retries: int = Field(default=3, ge=0, le=10)


SOURCE_KINDS = ("github", "aws", "azure", "gcp", "m365", "google_workspace", "slack", "okta")
"""The list-valued cloud and SaaS source keys, in the order they are built."""
SOURCE_TITLES = {
    "github": ("GitHub organisation", "GitHub organisations"),
    "aws": ("AWS source", "AWS sources"),
    "azure": ("Azure source", "Azure sources"),
    "gcp": ("GCP source", "GCP sources"),
    "m365": ("Microsoft 365 tenant", "Microsoft 365 tenants"),
    "google_workspace": ("Google Workspace tenant", "Google Workspace tenants"),
    "slack": ("Slack workspace", "Slack workspaces"),
    "okta": ("Okta org", "Okta orgs"),
}


class ScanConfig(_Model):
    """One scan of the whole estate: what ``aicensus.yaml`` holds (and the scan flags build)."""

    version: Literal[1] = 1
    database: NonEmpty = DEFAULT_DATABASE
    cache: bool = True
    """Remember per-file results between scans."""
    cache_dir: str | None = None
    """Where [default: $AICENSUS_CACHE_DIR or ~/.cache/aicensus]."""
    concurrency: int = Field(default=4, ge=1, le=64)
    """How many sources are read at once (code targets count as one)."""
    code: CodeSource = CodeSource()
    github: list[GitHubSource] = []
    aws: list[AwsSource] = []
    azure: list[AzureSource] = []
    gcp: list[GcpSource] = []
    m365: list[M365Source] = []
    google_workspace: list[WorkspaceSource] = []
    slack: list[SlackSource] = []
    okta: list[OktaSource] = []
    outputs: list[Output] = []
    notify: Notify = Notify()
    fail_on: list[Annotated[str, AfterValidator(_one_of(*FAIL_ON))]] = []

    def entries(self) -> Iterator[tuple[str, int, BaseModel]]:
        """Every cloud and SaaS source entry: (key, index, options), in build order."""
        for kind in SOURCE_KINDS:
            for index, entry in enumerate(getattr(self, kind)):
                yield kind, index, entry

    def summary(self) -> str:
        """One line naming how many of each source the scan reads."""
        parts = []
        if self.code.targets:
            n = len(self.code.targets)
            parts.append(f"{n} code target{'s' if n != 1 else ''}")
        counts = Counter(kind for kind, _, _ in self.entries())
        for kind in SOURCE_KINDS:
            if counts[kind]:
                one, many = SOURCE_TITLES[kind]
                parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
        tail = [f"{len(self.outputs)} output{'s' if len(self.outputs) != 1 else ''}"]
        hooks = len(self.notify.webhooks)
        tail.append(f"{hooks} webhook{'s' if hooks != 1 else ''}")
        tail.append(f"fail-on: {', '.join(self.fail_on) or 'none'}")
        return f"{', '.join(parts) or 'no sources'}; {'; '.join(tail)}"


@dataclass
class LoadedConfig:
    """A validated configuration and where each of its values stands in the file."""

    file: str
    config: ScanConfig
    marks: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict)
    """YAML path -> (line, column) of its value (of its key for mappings and lists), 1-based."""

    def issue(self, loc: Sequence[str | int], message: str) -> ConfigIssue:
        """A problem about the value at ``loc``, located at it (or its nearest parent)."""
        return _issue(self.marks, tuple(loc), message)


# -- loading ----------------------------------------------------------------------------------


def load_config(path: Path) -> LoadedConfig:
    """Read, interpolate and validate ``path``; raise :class:`ConfigError` listing every problem.

    Relative paths in the file (code targets, key and certificate files, the cache folder,
    outputs, a SQLite database) are relative to the file's folder, so a scheduled run does not
    depend on its working directory.
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(file, [ConfigIssue(f"cannot read the file: {err}")]) from err
    loaded = parse_config(text, file)
    return LoadedConfig(loaded.file, _resolve_paths(loaded.config, path.parent), loaded.marks)


def parse_config(text: str, file: str = "aicensus.yaml") -> LoadedConfig:
    """Validate configuration text (paths left as written); raise :class:`ConfigError`."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else 0
        problem = " ".join(p for p in (err.context, err.problem) if p)
        raise ConfigError(
            file, [ConfigIssue(f"invalid YAML: {problem}", "", line, column)]
        ) from err
    except yaml.YAMLError as err:
        raise ConfigError(file, [ConfigIssue(f"invalid YAML: {err}")]) from err
    if root is None or (isinstance(root, ScalarNode) and root.value == ""):
        raise ConfigError(
            file,
            [ConfigIssue("the file is empty: `aicensus init` writes a commented example", "", 1)],
        )
    marks: dict[tuple[str | int, ...], tuple[int, int]] = {}
    issues: list[ConfigIssue] = []
    data = _to_python(root, (), marks, issues)
    if not isinstance(data, dict):
        if not issues:
            issues.append(_issue(marks, (), "the top level must be a mapping of settings"))
        raise ConfigError(file, issues)
    reported = {issue.path for issue in issues}
    try:
        config = ScanConfig.model_validate(data)
    except ValidationError as err:
        # A value refused while reading (a literal secret, an unset variable) is not refused again.
        issues.extend(i for i in _validation_issues(err, marks) if i.path not in reported)
        config = None
    if config is not None:
        issues.extend(_semantic_issues(config, marks))
    if issues:
        issues.sort(key=lambda i: (i.line or 0, i.column))
        raise ConfigError(file, issues)
    assert config is not None
    return LoadedConfig(file, config, marks)


def _to_python(
    node: Node,
    loc: tuple[str | int, ...],
    marks: dict[tuple[str | int, ...], tuple[int, int]],
    issues: list[ConfigIssue],
) -> Any:
    """The node as plain Python, recording each value's line; secrets and ``${...}`` checked."""
    marks.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, str) or key_node.tag == "tag:yaml.org,2002:merge":
                issues.append(ConfigIssue("keys must be plain names", _dotted(loc), *where))
                continue
            child = (*loc, key)
            if key in result:
                issues.append(ConfigIssue("duplicate key", _dotted(child), *where))
                continue
            marks[(*child, _KEY)] = where
            if not isinstance(value_node, ScalarNode):
                marks[child] = where  # a block's problems are shown at its key
            if _secret_named(key) and isinstance(value_node, ScalarNode):
                value = value_node.value
                if value and not _is_reference(value):
                    issues.append(
                        ConfigIssue(
                            "literal secret refused: credentials are never written here; put it "
                            "in an environment variable and name the variable in the source's "
                            "*_env setting (e.g. token_env: GITHUB_TOKEN)",
                            _dotted(child),
                            *where,
                        )
                    )
                    continue
            result[key] = _to_python(value_node, child, marks, issues)
        return result
    if isinstance(node, SequenceNode):
        return [_to_python(item, (*loc, i), marks, issues) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    line, column = marks[loc]
    if node.tag == "tag:yaml.org,2002:str":
        what = _looks_secret(node.value)
        if what is not None:
            issues.append(
                ConfigIssue(
                    f"literal secret refused: the value looks like {what}; keep credentials in "
                    "environment variables, profiles or key files and refer to them by name",
                    _dotted(loc),
                    line,
                    column,
                )
            )
            return None
        return _interpolate(node.value, loc, line, column, issues)
    try:
        return SafeConstructor().construct_object(node)
    except ConstructorError as err:
        issues.append(ConfigIssue(f"invalid value: {err.problem}", _dotted(loc), line, column))
        return None


def _secret_named(key: str) -> bool:
    return bool(_SECRET_NAME.search(key)) and not key.endswith(_REFERENCE_SUFFIXES)


def _is_reference(value: str) -> bool:
    """An environment variable name (``GITHUB_TOKEN``) or one interpolation (``${X}``)."""
    return bool(_UPPER_ENV_NAME.fullmatch(value)) or bool(
        re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", value)
    )


def _looks_secret(value: str) -> str | None:
    """What kind of credential ``value`` looks like, or None."""
    for what, pattern in _SECRET_VALUES:
        if pattern.search(value):
            return what
    for word in re.split(r"[\s,;]+", value):
        if _random_looking(word):
            return "a key or password (a long random string)"
    return None


def _random_looking(word: str) -> bool:
    """A long, high-entropy token of mixed case and digits that is not a path, URL or GUID."""
    if len(word) < 32 or _GUID.fullmatch(word) or re.search(r"[/.:@${}]", word):
        return False
    classes = sum(bool(re.search(p, word)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    if classes < 3:
        return False
    counts = Counter(word)
    entropy = -sum(c / len(word) * math.log2(c / len(word)) for c in counts.values())
    return entropy >= 4.0


def _interpolate(
    value: str, loc: tuple[str | int, ...], line: int, column: int, issues: list[ConfigIssue]
) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name = match.group(1)
        if not _ENV_NAME.fullmatch(name):
            issues.append(
                ConfigIssue(
                    f"${{{name}}} is not an environment variable", _dotted(loc), line, column
                )
            )
            return ""
        if name not in os.environ:
            issues.append(
                ConfigIssue(
                    f"environment variable {name} is not set (used as ${{{name}}})",
                    _dotted(loc),
                    line,
                    column,
                )
            )
            return ""
        return os.environ[name]

    return _INTERPOLATION.sub(replace, value)


def _dotted(loc: Sequence[str | int]) -> str:
    """``aws[0].regions`` for ``("aws", 0, "regions")``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _issue(
    marks: dict[tuple[str | int, ...], tuple[int, int]],
    loc: tuple[str | int, ...],
    message: str,
) -> ConfigIssue:
    for end in range(len(loc), -1, -1):
        if loc[:end] in marks:
            line, column = marks[loc[:end]]
            return ConfigIssue(message, _dotted(loc), line, column)
    return ConfigIssue(message, _dotted(loc))


def _validation_issues(
    err: ValidationError, marks: dict[tuple[str | int, ...], tuple[int, int]]
) -> Iterator[ConfigIssue]:
    """pydantic's errors as located problems; values are never echoed (they may be secrets)."""
    for e in err.errors(include_input=False, include_url=False):
        loc = tuple(p for p in e["loc"] if isinstance(p, str | int))
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            allowed = ", ".join(parent.model_fields) if parent is not None else ""
            message = f"unknown key (allowed here: {allowed})" if allowed else "unknown key"
            if (*loc, _KEY) in marks:
                line, column = marks[(*loc, _KEY)]
                yield ConfigIssue(message, _dotted(loc), line, column)
                continue
        elif e["type"] == "missing":
            message = "required key missing"
        yield _issue(marks, loc, message)


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc``."""
    model: type[BaseModel] = ScanConfig
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return model


def _semantic_issues(
    config: ScanConfig, marks: dict[tuple[str | int, ...], tuple[int, int]]
) -> Iterator[ConfigIssue]:
    """What the types cannot say: a scan needs a source; one path per output."""
    if not config.code.targets and not any(True for _ in config.entries()):
        yield _issue(
            marks,
            (),
            "no sources: add code.targets or a cloud/SaaS source (github, aws, azure, gcp, "
            "m365, google_workspace, slack, okta)",
        )
    seen: dict[str, int] = {}
    for i, output in enumerate(config.outputs):
        if output.path in seen:
            yield _issue(
                marks, ("outputs", i, "path"), f"also written by outputs[{seen[output.path]}]"
            )
        seen.setdefault(output.path, i)


def _resolve_paths(config: ScanConfig, base: Path) -> ScanConfig:
    """File paths made absolute against the configuration file's folder."""

    def resolve(value: str | None) -> str | None:
        if value is None or value.startswith(("http://", "https://", "file://")):
            return value
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else (base / path).resolve())

    from connectors.code.git import is_git_url

    targets = [t if is_git_url(t) else str(resolve(t)) for t in config.code.targets]
    database = config.database
    if database.startswith("sqlite:///") and not database.startswith("sqlite:////"):
        rel = database.removeprefix("sqlite:///")
        if rel and not rel.startswith(":memory:"):
            database = "sqlite:///" + str(resolve(rel))
    return config.model_copy(
        update={
            "database": database,
            "cache_dir": resolve(config.cache_dir),
            "code": config.code.model_copy(update={"targets": targets}),
            "gcp": [
                g.model_copy(update={"credentials_file": resolve(g.credentials_file)})
                for g in config.gcp
            ],
            "azure": [
                a.model_copy(update={"certificate": resolve(a.certificate)}) for a in config.azure
            ],
            "google_workspace": [
                w.model_copy(update={"key_file": resolve(w.key_file)})
                for w in config.google_workspace
            ],
            "outputs": [o.model_copy(update={"path": resolve(o.path)}) for o in config.outputs],
        }
    )


# -- what the environment must provide --------------------------------------------------------


def environment_issues(loaded: LoadedConfig) -> list[ConfigIssue]:
    """Credentials the sources refer to that this environment lacks: an unset token variable, a
    missing key file. ``config check`` reports them as warnings (it may run where the secrets
    are not); a scan refuses to start with any of them."""
    config = loaded.config
    issues: list[ConfigIssue] = []

    def need_env(loc: tuple[str | int, ...], name: str | None, what: str) -> None:
        if name and not os.environ.get(name, "").strip():
            issues.append(loaded.issue(loc, f"environment variable {name} ({what}) is not set"))

    def need_file(loc: tuple[str | int, ...], path: str | None, what: str) -> None:
        if path and not Path(path).is_file():
            issues.append(loaded.issue(loc, f"{what} {path} does not exist"))

    for kind, i, entry in config.entries():
        if isinstance(entry, GitHubSource | SlackSource | OktaSource):
            need_env((kind, i, "token_env"), entry.token_env, "the token")
        elif isinstance(entry, M365Source):
            if entry.token_env:
                need_env((kind, i, "token_env"), entry.token_env, "a Graph token")
            elif entry.client_id:
                need_env((kind, i, "secret_env"), entry.secret_env, "the client secret")
        elif isinstance(entry, AzureSource):
            if entry.credential == "secret":
                need_env((kind, i, "secret_env"), entry.secret_env, "the client secret")
            need_file((kind, i, "certificate"), entry.certificate, "certificate")
        elif isinstance(entry, GcpSource):
            need_file((kind, i, "credentials_file"), entry.credentials_file, "credentials file")
        elif isinstance(entry, WorkspaceSource):
            need_file((kind, i, "key_file"), entry.key_file, "key file")
    for i, hook in enumerate(config.notify.webhooks):
        need_env(("notify", "webhooks", i, "env"), hook.env, "a webhook URL")
    return issues


# -- the example ------------------------------------------------------------------------------

EXAMPLE = """\
# aicensus.yaml: one scan of the whole estate.   Check it: aicensus config check aicensus.yaml
# Run it: aicensus scan --config aicensus.yaml [--lock]
#
# Credentials are never written here, only referred to: environment variable names (*_env),
# AWS profiles, key and certificate files. ${NAME} is replaced by that environment variable.
# Relative paths are relative to this file's folder. Remove the sources you do not have.
version: 1

database: sqlite:///aicensus.db      # or ${AICENSUS_DB} (postgresql+psycopg://...)
cache: true                          # remember per-file results between scans
# cache_dir: /var/cache/aicensus     # default: $AICENSUS_CACHE_DIR or ~/.cache/aicensus
concurrency: 4                       # sources read at once (all code targets count as one)

code:
  targets:                           # local directories and git URLs
    - ./src
    # - https://github.com/acme/web-assistant.git
  exclude: []                        # extra gitignore-style patterns
  gitignore: false                   # also honour .gitignore files
  max_file_size_mb: 5
  jobs: 0                            # worker processes; 0 = one per CPU

github:                              # organisations: Copilot seats, apps, every repository
  - org: acme
    token_env: GITHUB_TOKEN          # read-only token: Metadata + Contents (+ Copilot, admin:read)
    repos: []                        # globs on name or owner/name; empty = all
    exclude_repos: [legacy-*]
    include_archived: false
    include_forks: false
    # url: https://ghe.acme.example/api/v3     # GitHub Enterprise Server

aws:
  - profile: audit                   # or omit for boto3's default chain
    org: true                        # every active account of the organisation
    role_name: AicensusReadOnly      # assumed in each member account
    # external_id: 7f3c
    regions: [us-east-1, eu-west-1]  # empty = every enabled region
    services: []                     # empty = all (bedrock, sagemaker, lambda, ...)

azure:
  - subscriptions: []                # empty = every subscription the credential can read
    # management_group: contoso-root
    credential: default              # default, secret, certificate, managed-identity, cli
    # tenant: 00000000-0000-0000-0000-000000000000
    # client_id: 00000000-0000-0000-0000-000000000000
    # secret_env: AZURE_CLIENT_SECRET    # credential: secret reads the secret from here
    cloud: public                    # public, usgov, china

gcp:
  - organization: "123456789012"     # or folder: "456", or projects: [acme-ml]
    # credentials_file: reader-key.json          # default: Application Default Credentials
    # impersonate_service_account: scanner@acme-sec.iam.gserviceaccount.com

# m365:
#   - tenant: 00000000-0000-0000-0000-000000000000
#     client_id: 00000000-0000-0000-0000-000000000000
#     secret_env: AZURE_CLIENT_SECRET
# google_workspace:
#   - key_file: workspace-reader.json
#     admin: it-admin@acme.example
#     customer_id: C03az79cb
# slack:
#   - token_env: SLACK_TOKEN
# okta:
#   - url: https://acme.okta.com
#     token_env: OKTA_API_TOKEN

outputs:                             # written after every scan
  - format: html                     # json, csv, xlsx, cyclonedx, sarif, html, markdown
    path: reports/inventory.html
  - format: sarif
    path: reports/aicensus.sarif

notify:                              # told when the scan finds new shadow AI
  webhooks:
    - env: AICENSUS_SLACK_WEBHOOK    # the variable holding the URL (the URL is a secret)
      format: slack                  # slack, teams, json
  retries: 3

fail_on: [new-shadow-ai]             # also: high-risk, api-key  (exit code 4)
"""
