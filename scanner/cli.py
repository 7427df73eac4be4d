"""The ``aicensus`` command line.

Exit codes (also in ``--help`` and the README):
  0  success
  1  the scan failed (no target could be read, or the database failed)
  2  usage or configuration error
  3  partial: the scan finished but at least one target failed
  4  a ``--fail-on`` condition was met (e.g. new shadow AI)
  5  ``--lock`` was asked for and another scan holds the lock
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import sys
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from typer.core import TyperCommand

from connectors.base import CloudConnector, ProgressSink
from connectors.code.local import DEFAULT_EXCLUDES, WalkOptions
from detectors.base import Confidence
from detectors.engine import MB, ScanOptions
from detectors.examples import completeness_errors, run_example
from fingerprints.catalog import CatalogError, load_catalog
from inventory_db.register import SETTABLE, RegisterError, check_register, write_register
from inventory_db.store import (
    DEFAULT_URL,
    LockedError,
    RequestError,
    Store,
    StoreError,
    SystemRecord,
)
from reports import notify
from reports.diff import diff_json, diff_markdown, is_shadow
from reports.inventory import INVENTORY_SCHEMA, system_json
from scanner import __version__
from scanner import run as scan_run
from scanner.cache import default_cache_dir

if TYPE_CHECKING:
    from connectors.saas.github_repos import RepoFilter
from scanner.governance_cli import controls_app, lifecycle_app, risk_app

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_POLICY = 4
EXIT_LOCKED = 5

CLOUD_TARGETS = frozenset(
    {"aws", "azure", "gcp", "google-workspace", "github", "m365", "okta", "slack"}
)
"""Target words that name a cloud or SaaS source rather than a directory."""
WORKSPACE_PANEL = "Google Workspace (target google-workspace)"
GITHUB_REPOS_PANEL = "GitHub repositories (target github)"
GITHUB_PANEL = "GitHub organisation (target github)"
M365_PANEL = "Microsoft 365 / Entra ID (target m365)"
OKTA_PANEL = "Okta (target okta)"
SLACK_PANEL = "Slack (target slack)"
LICENSING_PRODUCT = re.compile(r"\d{6}")
"""A Google Licensing API product id (``101047``) among the catalog's app ids."""
GCP_PANEL = "Google Cloud (target gcp)"
AWS_PANEL = "AWS (target aws)"
AZURE_PANEL = "Azure (target azure)"
ARM_TYPE = re.compile(r"Microsoft\.[A-Za-z]+/[A-Za-z/]+")
"""An ARM resource type (``Microsoft.BotService/botServices``) among the catalog's rules."""
GCP_ASSET_TYPE = re.compile(r"[a-z0-9-]+\.googleapis\.com/[A-Za-z*]")
"""A Cloud Asset type (``aiplatform.googleapis.com/Endpoint``) among the catalog's rules."""

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 scan failed (no target readable, or database error); "
    "2 usage or configuration error; 3 partial (some targets failed); "
    "4 a --fail-on condition was met; 5 another scan holds the --lock."
)

app = typer.Typer(
    help=f"Find the AI an organisation builds, deploys or uses. {EXIT_CODES_HELP}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
inventory_app = typer.Typer(help="Read and govern the AI inventory.", no_args_is_help=True)
fingerprints_app = typer.Typer(help="The fingerprint catalog.", no_args_is_help=True)
register_app = typer.Typer(
    help="Export and import the AI register (YAML or CSV).", no_args_is_help=True
)
db_app = typer.Typer(help="The inventory database schema.", no_args_is_help=True)
app.add_typer(inventory_app, name="inventory")
app.add_typer(fingerprints_app, name="fingerprints")
app.add_typer(register_app, name="register")
app.add_typer(db_app, name="db")
app.add_typer(risk_app, name="risk")
app.add_typer(lifecycle_app, name="lifecycle")
app.add_typer(controls_app, name="controls")

out = Console()
err = Console(stderr=True)

ActorOption = Annotated[
    str,
    typer.Option(
        "--actor",
        envvar="AICENSUS_ACTOR",
        help="Who makes the change, for the audit trail (default: the login name).",
    ),
]


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="AICENSUS_DB",
        help="Database URL: sqlite:///file.db (default) or postgresql+psycopg://...",
        show_default=True,
    ),
]


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _open_store(url: str) -> Store:
    try:
        return Store(url)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if version:
        out.print(f"aicensus {__version__}")
        raise typer.Exit(EXIT_OK)


class _RichProgress(scan_run.Progress):
    """Files done / total and findings so far, per target."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None
        self.findings = 0

    def target_started(self, target: str, total_files: int | None) -> None:
        self.findings = 0
        self.task = self.progress.add_task(target, total=total_files, findings=0)

    def files_found(self, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, total=total)

    def files_done(self, count: int, findings: int) -> None:
        self.findings += findings
        if self.task is not None:
            self.progress.update(self.task, advance=count, findings=self.findings)

    def target_finished(self, outcome: scan_run.TargetOutcome) -> None:
        if outcome.error:
            err.print(f"[red]✗[/] {outcome.error}", highlight=False, soft_wrap=True)

    def cloud(self) -> ProgressSink:
        return _RichSink(self.progress)


class _RichSink:
    """One bar per unit of cloud work (an account and region, a subscription, a project)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def started(self, task: str, total: int | None) -> None:
        self.tasks[task] = self.progress.add_task(task, total=total, findings=0)

    def advanced(self, task: str, steps: int = 1) -> None:
        if task in self.tasks:
            self.progress.update(self.tasks[task], advance=steps)

    def finished(self, task: str, message: str = "") -> None:
        if task in self.tasks:
            done = self.progress.tasks[self.tasks[task]].completed
            self.progress.update(self.tasks[task], total=done)
        if message:
            err.print(f"[yellow]![/] {task}: {message}", highlight=False, soft_wrap=True)


class _ScanCommand(TyperCommand):
    """``scan`` with one argument rewrite: ``--org NAME`` next to the ``github`` target is the
    GitHub organisation (``--github-org NAME``), while a bare ``--org`` stays AWS's switch."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored Context
        """Rewrite ``--org NAME`` to ``--github-org NAME`` when ``github`` is a target."""
        if "github" in args:
            rewritten: list[str] = []
            i = 0
            while i < len(args):
                nxt = args[i + 1] if i + 1 < len(args) else ""
                named = nxt and not nxt.startswith("-") and nxt not in CLOUD_TARGETS
                if args[i] == "--org" and named:
                    rewritten += ["--github-org", nxt]
                    i += 2
                    continue
                if args[i].startswith("--org="):
                    rewritten.append("--github-org=" + args[i].removeprefix("--org="))
                else:
                    rewritten.append(args[i])
                i += 1
            args = rewritten
        return super().parse_args(ctx, args)


@app.command(epilog=EXIT_CODES_HELP, cls=_ScanCommand)
def scan(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="Local directories, git URLs, or a cloud: aws, azure, gcp.", show_default=False
        ),
    ],
    db: DbOption = DEFAULT_URL,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", "-x", help="Extra gitignore-style pattern to skip (repeatable)."),
    ] = None,
    no_default_excludes: Annotated[
        bool,
        typer.Option(
            "--no-default-excludes",
            help=f"Also walk {', '.join(DEFAULT_EXCLUDES[:6])}, ... directories.",
        ),
    ] = False,
    gitignore: Annotated[bool, typer.Option(help="Skip what .gitignore files ignore.")] = False,
    max_file_size: Annotated[
        float, typer.Option(help="Skip files larger than this many MB (recorded).", min=0.001)
    ] = 5.0,
    include_docs: Annotated[
        bool, typer.Option(help="Also read Markdown and other prose (low confidence).")
    ] = False,
    jobs: Annotated[int, typer.Option(help="Worker processes (0 = one per CPU).", min=0)] = 0,
    deep: Annotated[
        bool,
        typer.Option(help="Also read the own files of packages that are AI SDKs (low confidence)."),
    ] = False,
    show_low: Annotated[
        bool, typer.Option("--all", help="Show low-confidence systems (tests, docs, vendored).")
    ] = False,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 4 when the condition holds: new-shadow-ai (added systems not in the "
            "register).",
        ),
    ] = None,
    notify_webhook_env: Annotated[
        list[str] | None,
        typer.Option(
            "--notify-webhook-env",
            help="Name of an environment variable holding a webhook URL to notify when the scan "
            "finds new shadow AI (repeatable). The URL itself is a secret and never printed.",
            metavar="VAR",
            rich_help_panel="Notifications",
        ),
    ] = None,
    notify_format: Annotated[
        str,
        typer.Option(
            help="Webhook payload: slack, teams (Adaptive Card) or json.",
            rich_help_panel="Notifications",
        ),
    ] = "slack",
    notify_retries: Annotated[
        int,
        typer.Option(
            help="Retries per webhook on transient failures (back-off 0.5s, 1s, 2s, ...).",
            min=0,
            max=10,
            rich_help_panel="Notifications",
        ),
    ] = 3,
    lock: Annotated[
        bool, typer.Option("--lock", help="Refuse to run while another scan holds the lock.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            help="Remember per-file results here, keyed by content hash, so rescans of unchanged "
            "files skip parsing [default: $AICENSUS_CACHE_DIR or ~/.cache/aicensus].",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    organization: Annotated[
        str | None, typer.Option(help="gcp: organization id to scan.", rich_help_panel=GCP_PANEL)
    ] = None,
    folder: Annotated[
        str | None, typer.Option(help="gcp: folder id to scan.", rich_help_panel=GCP_PANEL)
    ] = None,
    projects: Annotated[
        list[str] | None,
        typer.Option(
            help="gcp: project ids to scan (repeatable, or comma-separated).",
            rich_help_panel=GCP_PANEL,
        ),
    ] = None,
    api_endpoint: Annotated[
        str | None,
        typer.Option(
            help="gcp: API endpoint override (Private Service Connect); {service} is replaced "
            "by cloudasset, cloudresourcemanager, serviceusage or iamcredentials.",
            rich_help_panel=GCP_PANEL,
        ),
    ] = None,
    impersonate_service_account: Annotated[
        str | None,
        typer.Option(help="gcp: service account to impersonate.", rich_help_panel=GCP_PANEL),
    ] = None,
    credentials_file: Annotated[
        Path | None,
        typer.Option(
            help="gcp: credentials JSON (service-account key, workload identity federation) "
            "instead of Application Default Credentials.",
            rich_help_panel=GCP_PANEL,
        ),
    ] = None,
    gcp_transport: Annotated[
        str, typer.Option(help="gcp: grpc or rest.", rich_help_panel=GCP_PANEL)
    ] = "grpc",
    subscriptions: Annotated[
        list[str] | None,
        typer.Option(
            help="azure: subscription ids to scan (repeatable, or comma-separated) "
            "[default: every subscription the credential can read].",
            rich_help_panel=AZURE_PANEL,
            show_default=False,
        ),
    ] = None,
    management_group: Annotated[
        str | None,
        typer.Option(
            help="azure: scan the subscriptions under this management group.",
            rich_help_panel=AZURE_PANEL,
        ),
    ] = None,
    azure_credential: Annotated[
        str,
        typer.Option(
            help="azure: default (DefaultAzureCredential), secret (service principal; the "
            "secret is read from AZURE_CLIENT_SECRET), certificate, managed-identity or cli.",
            rich_help_panel=AZURE_PANEL,
        ),
    ] = "default",
    tenant: Annotated[
        str | None,
        typer.Option(help="azure: Entra ID tenant id.", rich_help_panel=AZURE_PANEL),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(
            help="azure: service principal client id (or a user-assigned managed identity's).",
            rich_help_panel=AZURE_PANEL,
        ),
    ] = None,
    certificate: Annotated[
        Path | None,
        typer.Option(
            help="azure: PEM/PKCS12 certificate of the service principal (--azure-credential "
            "certificate).",
            rich_help_panel=AZURE_PANEL,
        ),
    ] = None,
    azure_cloud: Annotated[
        str,
        typer.Option(help="azure: public, usgov or china.", rich_help_panel=AZURE_PANEL),
    ] = "public",
    arm_endpoint: Annotated[
        str | None,
        typer.Option(
            help="azure: Resource Manager endpoint override (private link, sovereign cloud).",
            rich_help_panel=AZURE_PANEL,
        ),
    ] = None,
    authority_host: Annotated[
        str | None,
        typer.Option(help="azure: Entra ID authority host override.", rich_help_panel=AZURE_PANEL),
    ] = None,
    azure_retries: Annotated[
        int,
        typer.Option(
            help="azure: retries per request on throttling and transient errors.",
            min=0,
            max=10,
            rich_help_panel=AZURE_PANEL,
        ),
    ] = 3,
    profile: Annotated[
        str | None,
        typer.Option(
            help="aws: named profile [default: boto3's chain].", rich_help_panel=AWS_PANEL
        ),
    ] = None,
    role_arn: Annotated[
        str | None,
        typer.Option(help="aws: role to assume first (single account).", rich_help_panel=AWS_PANEL),
    ] = None,
    role_name: Annotated[
        str,
        typer.Option(
            help="aws: role assumed in every other account (--org, --accounts).",
            rich_help_panel=AWS_PANEL,
        ),
    ] = "OrganizationAccountAccessRole",
    external_id: Annotated[
        str | None,
        typer.Option(help="aws: external id for the role assumptions.", rich_help_panel=AWS_PANEL),
    ] = None,
    org: Annotated[
        bool,
        typer.Option(
            "--org",
            help="aws: scan every active account of the organisation (management or "
            "delegated-admin credentials).",
            rich_help_panel=AWS_PANEL,
        ),
    ] = False,
    accounts: Annotated[
        list[str] | None,
        typer.Option(
            help="aws: account ids to scan (repeatable, or comma-separated; with --org a filter).",
            rich_help_panel=AWS_PANEL,
        ),
    ] = None,
    regions: Annotated[
        list[str] | None,
        typer.Option(
            help="aws: regions (repeatable, or comma-separated) [default: every enabled region].",
            rich_help_panel=AWS_PANEL,
            show_default=False,
        ),
    ] = None,
    services: Annotated[
        list[str] | None,
        typer.Option(
            help="aws: services to read (repeatable, or comma-separated) [default: all].",
            rich_help_panel=AWS_PANEL,
            show_default=False,
        ),
    ] = None,
    aws_workers: Annotated[
        int,
        typer.Option(
            help="aws: concurrent (account, region, service) reads.",
            min=1,
            max=128,
            rich_help_panel=AWS_PANEL,
        ),
    ] = 16,
    aws_retry_mode: Annotated[
        str,
        typer.Option(
            help="aws: botocore retry mode, adaptive or standard.", rich_help_panel=AWS_PANEL
        ),
    ] = "adaptive",
    aws_max_attempts: Annotated[
        int,
        typer.Option(
            help="aws: attempts per call (throttling backs off).",
            min=1,
            max=20,
            rich_help_panel=AWS_PANEL,
        ),
    ] = 8,
    cloudtrail_days: Annotated[
        int,
        typer.Option(
            help="aws: days of CloudTrail Bedrock events to read.",
            min=1,
            max=90,
            rich_help_panel=AWS_PANEL,
        ),
    ] = 7,
    include_principals: Annotated[
        bool,
        typer.Option(
            "--include-principals",
            help="SaaS: keep who granted or holds each app or licence (e-mail addresses); "
            "counts only by default.",
        ),
    ] = False,
    workspace_key_file: Annotated[
        Path | None,
        typer.Option(
            envvar="AICENSUS_WORKSPACE_KEY_FILE",
            help="google-workspace: service-account key (JSON) with domain-wide delegation.",
            rich_help_panel=WORKSPACE_PANEL,
        ),
    ] = None,
    workspace_admin: Annotated[
        str | None,
        typer.Option(
            envvar="AICENSUS_WORKSPACE_ADMIN",
            help="google-workspace: the admin's e-mail the service account acts as.",
            rich_help_panel=WORKSPACE_PANEL,
        ),
    ] = None,
    workspace_customer_id: Annotated[
        str | None,
        typer.Option(
            help="google-workspace: customer id (C0...), the tenant's scope id.",
            rich_help_panel=WORKSPACE_PANEL,
        ),
    ] = None,
    workspace_domain: Annotated[
        str | None,
        typer.Option(
            help="google-workspace: primary domain (the scope id when no customer id is given).",
            rich_help_panel=WORKSPACE_PANEL,
        ),
    ] = None,
    workspace_days: Annotated[
        int,
        typer.Option(
            help="google-workspace: days of token activity to read.",
            min=1,
            max=180,
            rich_help_panel=WORKSPACE_PANEL,
        ),
    ] = 180,
    workspace_user_tokens: Annotated[
        bool,
        typer.Option(
            "--workspace-user-tokens",
            help="google-workspace: also read every user's current OAuth tokens (Directory API, "
            "one call per user).",
            rich_help_panel=WORKSPACE_PANEL,
        ),
    ] = False,
    workspace_api_url: Annotated[
        str,
        typer.Option(help="google-workspace: Admin SDK base URL.", rich_help_panel=WORKSPACE_PANEL),
    ] = "https://admin.googleapis.com",
    workspace_licensing_url: Annotated[
        str,
        typer.Option(
            help="google-workspace: Licensing API base URL.", rich_help_panel=WORKSPACE_PANEL
        ),
    ] = "https://licensing.googleapis.com",
    workspace_token_uri: Annotated[
        str | None,
        typer.Option(
            help="google-workspace: token endpoint override [default: the key file's].",
            rich_help_panel=WORKSPACE_PANEL,
            show_default=False,
        ),
    ] = None,
    github_org: Annotated[
        str | None,
        typer.Option(
            help="github: the organisation to read (--org NAME works too next to the github "
            "target; a bare --org is the AWS organisation flag).",
            rich_help_panel=GITHUB_PANEL,
        ),
    ] = None,
    github_url: Annotated[
        str,
        typer.Option(
            help="github: REST API base URL (GitHub Enterprise Server: https://HOST/api/v3).",
            rich_help_panel=GITHUB_PANEL,
        ),
    ] = "https://api.github.com",
    github_token_env: Annotated[
        str,
        typer.Option(
            help="github: name of the environment variable holding the token (never the token).",
            rich_help_panel=GITHUB_PANEL,
        ),
    ] = "GITHUB_TOKEN",
    repos: Annotated[
        list[str] | None,
        typer.Option(
            help="github: only repositories whose name (or owner/name) matches one of these "
            "globs (repeatable, or comma-separated).",
            rich_help_panel=GITHUB_REPOS_PANEL,
        ),
    ] = None,
    exclude_repos: Annotated[
        list[str] | None,
        typer.Option(
            help="github: skip repositories matching these globs (repeatable, or comma-separated).",
            rich_help_panel=GITHUB_REPOS_PANEL,
        ),
    ] = None,
    include_archived: Annotated[
        bool,
        typer.Option(
            "--include-archived",
            help="github: also scan archived repositories.",
            rich_help_panel=GITHUB_REPOS_PANEL,
        ),
    ] = False,
    include_forks: Annotated[
        bool,
        typer.Option(
            "--include-forks", help="github: also scan forks.", rich_help_panel=GITHUB_REPOS_PANEL
        ),
    ] = False,
    clone: Annotated[
        bool,
        typer.Option(
            "--clone",
            help="github: shallow-clone each default branch (git) instead of downloading its "
            "tarball.",
            rich_help_panel=GITHUB_REPOS_PANEL,
        ),
    ] = False,
    m365_tenant: Annotated[
        str | None,
        typer.Option(
            help="m365: Entra ID tenant id (required).",
            rich_help_panel=M365_PANEL,
            envvar="AICENSUS_M365_TENANT",
        ),
    ] = None,
    m365_client_id: Annotated[
        str | None,
        typer.Option(
            help="m365: app registration's client id; its secret is read from --m365-secret-env "
            "[default: DefaultAzureCredential].",
            rich_help_panel=M365_PANEL,
            show_default=False,
        ),
    ] = None,
    m365_secret_env: Annotated[
        str,
        typer.Option(
            help="m365: environment variable holding the client secret of --m365-client-id.",
            rich_help_panel=M365_PANEL,
        ),
    ] = "AZURE_CLIENT_SECRET",
    m365_token_env: Annotated[
        str | None,
        typer.Option(
            help="m365: environment variable holding a ready Graph access token (instead of "
            "azure-identity).",
            rich_help_panel=M365_PANEL,
        ),
    ] = None,
    graph_url: Annotated[
        str,
        typer.Option(
            help="m365: Microsoft Graph base URL (national clouds: https://graph.microsoft.us, "
            "https://microsoftgraph.chinacloudapi.cn).",
            rich_help_panel=M365_PANEL,
        ),
    ] = "https://graph.microsoft.com",
    m365_authority: Annotated[
        str | None,
        typer.Option(
            help="m365: Entra ID authority host (login.microsoftonline.us, "
            "login.chinacloudapi.cn) [default: global].",
            rich_help_panel=M365_PANEL,
            show_default=False,
        ),
    ] = None,
    m365_assignments: Annotated[
        bool,
        typer.Option(
            help="m365: read each third-party app's application permissions and assignments "
            "(2 calls per app).",
            rich_help_panel=M365_PANEL,
        ),
    ] = True,
    okta_url: Annotated[
        str | None,
        typer.Option(
            help="okta: the org URL, e.g. https://acme.okta.com (required).",
            rich_help_panel=OKTA_PANEL,
        ),
    ] = None,
    okta_token_env: Annotated[
        str,
        typer.Option(
            help="okta: environment variable holding the API token (or OAuth access token).",
            rich_help_panel=OKTA_PANEL,
        ),
    ] = "OKTA_API_TOKEN",
    okta_auth: Annotated[
        str,
        typer.Option(
            help="okta: ssws (API token) or bearer (OAuth service-app token, scope "
            "okta.apps.read).",
            rich_help_panel=OKTA_PANEL,
        ),
    ] = "ssws",
    slack_token_env: Annotated[
        str,
        typer.Option(
            help="slack: environment variable holding the token (admin.apps:read on Enterprise "
            "Grid, else admin for team.integrationLogs).",
            rich_help_panel=SLACK_PANEL,
        ),
    ] = "SLACK_TOKEN",
    slack_url: Annotated[
        str,
        typer.Option(help="slack: Web API base URL.", rich_help_panel=SLACK_PANEL),
    ] = "https://slack.com/api",
) -> None:
    """Scan code and record the AI systems found in the inventory."""
    policies = set(fail_on or ())
    unknown = policies - {"new-shadow-ai"}
    if unknown:
        raise _fail(f"unknown --fail-on condition(s): {', '.join(sorted(unknown))}", EXIT_USAGE)
    if notify_format not in notify.FORMATS:
        raise _fail(
            f"unknown --notify-format {notify_format!r}: use {', '.join(notify.FORMATS)}",
            EXIT_USAGE,
        )
    webhooks, unusable = notify.webhooks_from_env(notify_webhook_env or (), notify_format)
    for problem in unusable:
        err.print(f"[yellow]![/] notify: {problem.error}", highlight=False, soft_wrap=True)
    # A cloud keyword among the targets reads that cloud with its options (write ./aws for a
    # directory of that name); everything else is a directory or a git URL.
    code_targets = tuple(t for t in targets if t not in CLOUD_TARGETS)
    clouds: list[CloudConnector] = []
    if "azure" in targets:
        clouds.append(
            _azure_source(
                [s for value in subscriptions or () for s in value.split(",") if s.strip()],
                management_group,
                azure_credential,
                tenant,
                client_id,
                certificate,
                azure_cloud,
                arm_endpoint,
                authority_host,
                azure_retries,
            )
        )
    if "aws" in targets:
        clouds.append(
            _aws_source(
                profile=profile,
                role_arn=role_arn,
                role_name=role_name,
                external_id=external_id,
                org=org,
                accounts=_csv(accounts),
                regions=_csv(regions),
                services=_csv(services),
                workers=aws_workers,
                retry_mode=aws_retry_mode,
                max_attempts=aws_max_attempts,
                cloudtrail_days=cloudtrail_days,
            )
        )
    if "gcp" in targets:
        clouds.append(
            _gcp_source(
                organization,
                folder,
                [p for value in projects or () for p in value.split(",") if p.strip()],
                api_endpoint,
                impersonate_service_account,
                credentials_file,
                gcp_transport,
            )
        )
    if "google-workspace" in targets:
        clouds.append(
            _workspace_source(
                key_file=workspace_key_file,
                admin=workspace_admin,
                customer_id=workspace_customer_id,
                domain=workspace_domain,
                days=workspace_days,
                user_tokens=workspace_user_tokens,
                api_url=workspace_api_url,
                licensing_url=workspace_licensing_url,
                token_uri=workspace_token_uri,
                include_principals=include_principals,
            )
        )
    repo_sources: list[scan_run.RepoSource] = []
    if "m365" in targets:
        clouds.append(
            _m365_source(
                tenant=m365_tenant,
                client_id=m365_client_id,
                secret_env=m365_secret_env,
                token_env=m365_token_env,
                graph_url=graph_url,
                authority=m365_authority,
                assignments=m365_assignments,
                include_principals=include_principals,
            )
        )
    if "okta" in targets:
        clouds.append(_okta_source(okta_url, okta_token_env, okta_auth, include_principals))
    if "slack" in targets:
        clouds.append(_slack_source(slack_url, slack_token_env, include_principals))
    if "github" in targets:
        if not github_org:
            raise _fail("github: name the organisation with --org (or --github-org)", EXIT_USAGE)
        _require_env(github_token_env, "github")
        clouds.append(_github_source(github_org, github_url, github_token_env, include_principals))
        repo_filter = _repo_filter(repos, exclude_repos, include_archived, include_forks)
        repo_sources.append(
            _github_repos_source(github_org, github_url, github_token_env, repo_filter, clone)
        )
    request = scan_run.ScanRequest(
        targets=code_targets,
        walk=WalkOptions(
            excludes=() if no_default_excludes else DEFAULT_EXCLUDES,
            exclude_patterns=tuple(exclude or ()),
            respect_gitignore=gitignore,
        ),
        options=ScanOptions(max_file_size=int(max_file_size * MB), include_docs=include_docs),
        jobs=jobs,
        deep=deep,
        clouds=tuple(clouds),
        repo_sources=tuple(repo_sources),
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
    )
    try:
        load_catalog()
    except CatalogError as exc:
        raise _fail(f"fingerprint catalog: {exc}", EXIT_USAGE) from exc
    store = _open_store(db)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[findings]} findings"),
        TimeElapsedColumn(),
    )
    try:
        with ExitStack() as stack:
            if lock:
                stack.enter_context(store.scan_lock())
            with Progress(*columns, console=err, transient=False) as bar:
                result = scan_run.run_scan(store, request, _RichProgress(bar))
    except LockedError as exc:
        raise _fail(str(exc), EXIT_LOCKED) from exc
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    except KeyboardInterrupt as exc:
        raise _fail("interrupted; the inventory is unchanged", EXIT_FAILED) from exc

    min_conf = Confidence.LOW if show_low else Confidence.MEDIUM
    scan_id = result.scan.id
    systems = [s for s in store.systems(min_conf) if s.last_scan_id == scan_id]
    _print_systems(systems, title=f"Scan {scan_id}: {len(systems)} AI systems")
    skips = len(result.coverage.skips)
    err.print(
        f"scan {scan_id} {result.scan.status}: {result.scan.files_scanned} files, "
        f"{result.scan.findings_count} findings, {skips} files skipped or noted, "
        f"{result.reused} results reused from the cache "
        f"(details: aicensus scans --show {scan_id})",
        highlight=False,
    )
    if result.scan.status == "failed":
        raise typer.Exit(EXIT_FAILED)
    if "new-shadow-ai" in policies or webhooks or unusable:
        latest = store.diff(to_scan=scan_id)
        shadow = [c for c in latest.changes if is_shadow(c)]
        notice = notify.shadow_notice(shadow, scan_id, latest.from_scan)
        if notice is not None and (webhooks or unusable):
            _notify(webhooks, unusable, notice, notify_retries)
        if shadow and "new-shadow-ai" in policies:
            names = ", ".join(f"{c.system.product_name} in {c.system.scope_name}" for c in shadow)
            err.print(f"new shadow AI ({len(shadow)}): {names}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_POLICY)
    if result.scan.status == "partial":
        raise typer.Exit(EXIT_PARTIAL)


def _notify(
    webhooks: list[notify.Webhook],
    unusable: list[notify.Delivery],
    notice: notify.Notice,
    retries: int,
) -> list[notify.Delivery]:
    """Send the notice; print one line per webhook. Never fails the scan (its exit code stands)."""
    outcomes = [*unusable, *notify.notify(webhooks, notice, retries=retries)]
    for d in outcomes:
        if d.ok:
            err.print(f"notified {d.webhook} (attempts: {d.attempts})", highlight=False)
        else:
            err.print(
                f"[yellow]![/] notification to {d.webhook} failed after {d.attempts} "
                f"attempt(s): {d.error}",
                highlight=False,
                soft_wrap=True,
            )
    return outcomes


def _azure_source(
    subscriptions: list[str],
    management_group: str | None,
    credential: str,
    tenant: str | None,
    client_id: str | None,
    certificate: Path | None,
    cloud: str,
    arm_endpoint: str | None,
    authority_host: str | None,
    retries: int,
) -> CloudConnector:
    """The Azure connector for the ``azure`` target.

    Besides the ARM types the connector always reads, it asks Resource Graph for every ARM type
    a fingerprint's ``resources`` rules name, so a new AI resource type is one line of YAML. The
    client secret is read from ``AZURE_CLIENT_SECRET`` only (a command-line value would show in
    ``ps``); TLS trust follows ``REQUESTS_CA_BUNDLE``. The Azure SDK is imported only when an
    Azure scan is asked for.
    """
    from connectors.azure import AzureConfigError, AzureConnector, AzureOptions

    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise _fail(f"fingerprint catalog: {exc}", EXIT_USAGE) from exc
    extra = sorted(
        {
            rule.type
            for fp in catalog.files
            for product in fp.products
            for rule in product.signals.resources
            if ARM_TYPE.fullmatch(rule.type)
        }
    )
    try:
        options = AzureOptions(
            cloud=cloud,
            arm_endpoint=arm_endpoint,
            authority_host=authority_host,
            credential=credential,  # type: ignore[arg-type]  # validated by AzureOptions
            tenant_id=tenant,
            client_id=client_id,
            client_secret=os.environ.get("AZURE_CLIENT_SECRET") or None,
            certificate_path=str(certificate) if certificate else None,
            subscriptions=tuple(subscriptions),
            management_group=management_group,
            retries=retries,
            extra_types=tuple(extra),
        )
    except AzureConfigError as exc:
        raise _fail(f"azure: {exc}", EXIT_USAGE) from exc
    return AzureConnector(options)


def _csv(values: list[str] | None) -> tuple[str, ...]:
    """Repeatable, comma-separated option values as one tuple."""
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def _aws_source(
    *,
    profile: str | None,
    role_arn: str | None,
    role_name: str,
    external_id: str | None,
    org: bool,
    accounts: tuple[str, ...],
    regions: tuple[str, ...],
    services: tuple[str, ...],
    workers: int,
    retry_mode: str,
    max_attempts: int,
    cloudtrail_days: int,
) -> CloudConnector:
    """The AWS connector for the ``aws`` target; boto3 is imported only when AWS is scanned.

    Endpoints follow boto3's own settings (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``,
    profiles), so VPC endpoints and local stand-ins need no option here.
    """
    from connectors.aws import SERVICES, AwsConnector, AwsOptions

    unknown = sorted(set(services) - set(SERVICES))
    if unknown:
        raise _fail(
            f"aws: unknown service(s) {', '.join(unknown)}; choose from {', '.join(SERVICES)}",
            EXIT_USAGE,
        )
    if retry_mode not in ("adaptive", "standard"):
        raise _fail(f"aws: unknown retry mode {retry_mode!r}: adaptive or standard", EXIT_USAGE)
    options = AwsOptions(
        profile=profile,
        role_arn=role_arn,
        role_name=role_name,
        external_id=external_id,
        org=org,
        accounts=accounts,
        regions=regions,
        services=services or SERVICES,
        max_workers=workers,
        retry_mode=retry_mode,
        max_attempts=max_attempts,
        cloudtrail_days=cloudtrail_days,
    )
    return AwsConnector(options)


def _gcp_source(
    organization: str | None,
    folder: str | None,
    projects: list[str],
    api_endpoint: str | None,
    impersonate: str | None,
    credentials_file: Path | None,
    transport: str,
) -> CloudConnector:
    """The GCP connector for the ``gcp`` target, searching the catalog's Cloud Asset types.

    The asset types come from the fingerprints (``resources`` and ``iac`` rules naming a
    ``*.googleapis.com/`` type; a trailing ``*`` becomes ``.*``), so a new AI asset type is one
    line of YAML. The Google SDK is imported only when a GCP scan is asked for.
    """
    from connectors.gcp import GcpAccess, GcpConnector

    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise _fail(f"fingerprint catalog: {exc}", EXIT_USAGE) from exc
    names = [
        rule.type
        for fp in catalog.files
        for product in fp.products
        for rules in (product.signals.resources, product.signals.iac)
        for rule in rules
    ]
    types = [
        name[:-1] + ".*" if name.endswith("*") else name
        for name in names
        if GCP_ASSET_TYPE.match(name)
    ]
    try:
        access = GcpAccess(
            credentials_file=credentials_file,
            impersonate=impersonate,
            api_endpoint=api_endpoint,
            transport=transport,
        )
        return GcpConnector(
            types, organization=organization, folder=folder, projects=projects, access=access
        )
    except ValueError as exc:
        raise _fail(f"gcp: {exc} (--organization, --folder, --projects)", EXIT_USAGE) from exc


def _workspace_source(
    *,
    key_file: Path | None,
    admin: str | None,
    customer_id: str | None,
    domain: str | None,
    days: int,
    user_tokens: bool,
    api_url: str,
    licensing_url: str,
    token_uri: str | None,
    include_principals: bool,
) -> CloudConnector:
    """The Google Workspace connector for the ``google-workspace`` target.

    The Licensing API products counted are the catalog's app ids that are Licensing product
    ids (six digits, ``101047``), so a new AI add-on is one line of YAML.
    """
    from connectors.saas.google_workspace import (
        GoogleWorkspaceConnector,
        WorkspaceConfigError,
        WorkspaceOptions,
    )

    if key_file is None or not admin:
        raise _fail(
            "google-workspace: --workspace-key-file and --workspace-admin are needed",
            EXIT_USAGE,
        )
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise _fail(f"fingerprint catalog: {exc}", EXIT_USAGE) from exc
    products = sorted(
        {
            app_id
            for fp in catalog.files
            for product in fp.products
            for rule in product.signals.apps
            for app_id in rule.ids
            if LICENSING_PRODUCT.fullmatch(app_id)
        }
    )
    try:
        options = WorkspaceOptions(
            key_file=key_file,
            subject=admin,
            customer_id=customer_id or "",
            domain=domain or "",
            days=days,
            user_tokens=user_tokens,
            licence_products=tuple(products),
            include_principals=include_principals,
            admin_api=api_url,
            licensing_api=licensing_url,
            token_uri=token_uri,
        )
        return GoogleWorkspaceConnector(options)
    except WorkspaceConfigError as exc:
        raise _fail(f"google-workspace: {exc}", EXIT_USAGE) from exc


def _repo_filter(
    repos: list[str] | None,
    exclude_repos: list[str] | None,
    include_archived: bool,
    include_forks: bool,
) -> RepoFilter:
    """Which repositories of a GitHub organisation the ``github`` target scans."""
    from connectors.saas.github_repos import RepoFilter

    return RepoFilter(
        include=_csv(repos),
        exclude=_csv(exclude_repos),
        include_archived=include_archived,
        include_forks=include_forks,
    )


def _require_env(variable: str, source: str) -> None:
    """Fail early, naming the variable, when a SaaS token's environment variable is unset."""
    if not os.environ.get(variable, "").strip():
        raise _fail(f"{source}: environment variable {variable} (the token) is not set", EXIT_USAGE)


def _saas_url(url: str, source: str, option: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise _fail(f"{source}: {option} must be an http(s) URL, not {url!r}", EXIT_USAGE)
    return url


def _m365_source(
    *,
    tenant: str | None,
    client_id: str | None,
    secret_env: str,
    token_env: str | None,
    graph_url: str,
    authority: str | None,
    assignments: bool,
    include_principals: bool,
) -> CloudConnector:
    """The Microsoft 365 / Entra ID connector for the ``m365`` target.

    The Graph token comes from azure-identity for ``{graph_url}/.default``: a client secret
    (read from the environment variable named by ``secret_env``, never from the command line)
    when a client id is given, else ``DefaultAzureCredential``; or a ready token from
    ``token_env``. azure-identity is imported only when an m365 scan is asked for.
    """
    from connectors.saas.http import env_token
    from connectors.saas.m365 import M365Connector, M365Options, graph_token

    if not tenant:
        raise _fail("m365: --m365-tenant (the Entra ID tenant id) is required", EXIT_USAGE)
    graph_url = _saas_url(graph_url, "m365", "--graph-url")
    if token_env:
        _require_env(token_env, "m365")
        token = env_token(token_env)
    else:
        from azure.identity import ClientSecretCredential, DefaultAzureCredential

        kwargs: dict[str, Any] = {"authority": authority} if authority else {}
        secret = os.environ.get(secret_env, "") if client_id else ""
        if client_id and not secret:
            raise _fail(
                f"m365: environment variable {secret_env} (the client secret) is not set",
                EXIT_USAGE,
            )
        try:
            credential: Any = (
                ClientSecretCredential(tenant, client_id, secret, **kwargs)
                if client_id
                else DefaultAzureCredential(**kwargs)
            )
        except ValueError as exc:  # a malformed tenant id or authority
            raise _fail(f"m365: {exc}", EXIT_USAGE) from exc
        token = graph_token(credential, graph_url)
    return M365Connector(
        M365Options(
            tenant_id=tenant,
            token=token,
            graph_url=graph_url,
            include_principals=include_principals,
            read_assignments=assignments,
        )
    )


def _okta_source(
    org_url: str | None, token_env: str, auth: str, include_principals: bool
) -> CloudConnector:
    """The Okta connector for the ``okta`` target; the token is read from ``token_env``."""
    from connectors.saas.http import env_token
    from connectors.saas.okta import OktaConnector, OktaOptions

    if not org_url:
        raise _fail("okta: --okta-url (e.g. https://acme.okta.com) is required", EXIT_USAGE)
    _require_env(token_env, "okta")
    try:
        options = OktaOptions(
            org_url=_saas_url(org_url, "okta", "--okta-url"),
            token=env_token(token_env),
            auth=auth,
            include_principals=include_principals,
        )
    except ValueError as exc:
        raise _fail(f"okta: {exc}", EXIT_USAGE) from exc
    return OktaConnector(options)


def _slack_source(api_url: str, token_env: str, include_principals: bool) -> CloudConnector:
    """The Slack connector for the ``slack`` target; the token is read from ``token_env``."""
    from connectors.saas.http import env_token
    from connectors.saas.slack import SlackConnector, SlackOptions

    _require_env(token_env, "slack")
    return SlackConnector(
        SlackOptions(
            token=env_token(token_env),
            api_url=_saas_url(api_url, "slack", "--slack-url"),
            include_principals=include_principals,
        )
    )


def _github_source(
    org: str, api_url: str, token_env: str, include_principals: bool
) -> CloudConnector:
    """The organisation's Copilot seats and installed GitHub Apps for the ``github`` target."""
    from connectors.saas.github_admin import GitHubAdminConnector, GitHubAdminOptions
    from connectors.saas.http import env_token

    return GitHubAdminConnector(
        GitHubAdminOptions(
            org=org,
            token=env_token(token_env),
            api_url=_saas_url(api_url, "github", "--github-url"),
            include_principals=include_principals,
        )
    )


def _github_repos_source(
    org: str, api_url: str, token_env: str, filters: RepoFilter, clone: bool
) -> scan_run.RepoSource:
    """The organisation's repositories as a code source; the token is read from ``token_env``
    at request time (by name on the command line, never by value)."""
    from connectors.saas.github_repos import GitHubRepositories
    from connectors.saas.http import env_token

    return GitHubRepositories(
        org, api_url=api_url, token=env_token(token_env), filters=filters, clone=clone
    )


def _print_systems(systems: list[SystemRecord], title: str) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("ID", justify="right")
    table.add_column("System", overflow="fold")
    table.add_column("Category", no_wrap=True)
    table.add_column("Scope", overflow="fold")
    table.add_column("Evidence", justify="right")
    table.add_column("Models", overflow="fold")
    for s in systems:
        table.add_row(
            str(s.id),
            f"{s.product_name} · {s.instance_name or s.instance}" if s.instance else s.product_name,
            s.category,
            s.scope_name or s.scope_id,
            str(s.evidence_count),
            ", ".join(s.models) or "-",
        )
    out.print(table)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _details(attributes: dict[str, str]) -> str:
    """Evidence attributes for people: a key's mask and hash, an MCP server's command, a model
    file's format (``matched`` repeats the snippet and is left out)."""
    return " ".join(f"{k}={v}" for k, v in attributes.items() if k != "matched")


@inventory_app.command("list")
def inventory_list(
    db: DbOption = DEFAULT_URL,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    show_low: Annotated[
        bool, typer.Option("--all", help="Include low-confidence systems (tests, docs, vendored).")
    ] = False,
) -> None:
    """List the AI systems in the inventory."""
    if fmt not in ("table", "json"):
        raise _fail(f"unknown format {fmt!r}: use table or json", EXIT_USAGE)
    store = _open_store(db)
    min_conf = Confidence.LOW if show_low else Confidence.MEDIUM
    try:
        systems = store.systems(min_conf, with_evidence=fmt == "json")
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    if fmt == "json":
        doc = {"schema": INVENTORY_SCHEMA, "systems": [system_json(s) for s in systems]}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    _print_systems(systems, title=f"{len(systems)} AI systems")


@inventory_app.command("show")
def inventory_show(
    system_id: Annotated[int, typer.Argument(help="System id (from inventory list).")],
    db: DbOption = DEFAULT_URL,
    scan_id: Annotated[
        int | None, typer.Option("--scan", help="Evidence as seen by this scan.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Show one AI system with its evidence."""
    if fmt not in ("table", "json"):
        raise _fail(f"unknown format {fmt!r}: use table or json", EXIT_USAGE)
    store = _open_store(db)
    try:
        system = store.system(system_id, scan_id)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    if system is None:
        raise _fail(f"no AI system with id {system_id}", EXIT_USAGE)
    if fmt == "json":
        sys.stdout.write(json.dumps(system_json(system), indent=2) + "\n")
        return
    out.print(f"[bold]{system.product_name}[/] ({system.vendor_name}) — {system.category}")
    out.print(f"scope: {system.scope_kind}:{system.scope_id}", highlight=False)
    out.print(f"status: {system.status} · confidence: {system.confidence}")
    out.print(f"models: {', '.join(system.models) or '-'}", highlight=False)
    out.print(f"first seen {_iso(system.first_seen)} · last seen {_iso(system.last_seen)}")
    owner = system.owner or "-"
    if system.owner_email:
        owner += f" <{system.owner_email}>"
    out.print(f"owner: {owner} · team: {system.team or '-'}", highlight=False)
    for hint in system.suggested_owners:
        out.print(f"suggested owner: {hint.owner} ({hint.detail or hint.source})", highlight=False)
    table = Table(title=f"Evidence ({len(system.evidence)})", title_justify="left")
    for col in ("Location", "Signal", "Confidence", "Snippet"):
        table.add_column(col)
    table.add_column("Details", overflow="fold")
    for e in system.evidence:
        table.add_row(e.location, e.signal, e.confidence, e.snippet, _details(e.attributes))
    out.print(table)


@app.command("scans")
def scans(
    db: DbOption = DEFAULT_URL,
    show: Annotated[int | None, typer.Option("--show", help="List what scan N skipped.")] = None,
) -> None:
    """List scans, or what one scan passed over and why."""
    store = _open_store(db)
    if show is not None:
        table = Table(title=f"Skipped or noted in scan {show}", title_justify="left")
        for col in ("Scope", "Path", "Reason"):
            table.add_column(col)
        for scope, locator, reason in store.skips(show):
            table.add_row(scope, locator, reason)
        out.print(table)
        return
    table = Table(title="Scans", title_justify="left")
    for col in ("ID", "Started", "Status", "Files", "Findings", "Targets"):
        table.add_column(col)
    for s in store.scans():
        table.add_row(
            str(s.id),
            _iso(s.started_at) or "",
            s.status,
            str(s.files_scanned),
            str(s.findings_count),
            ", ".join(s.targets),
        )
    out.print(table)


@fingerprints_app.command("list")
def fingerprints_list() -> None:
    """List every product the catalog can recognise."""
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    table = Table(title=f"{len(catalog.products)} products", title_justify="left")
    for col in ("Product", "Name", "Vendor", "Category", "Fingerprint"):
        table.add_column(col)
    for p in sorted(catalog.products.values(), key=lambda p: (p.vendor, p.id)):
        table.add_row(p.id, p.name, p.vendor_name, p.category, p.fingerprint_id)
    out.print(table)


@fingerprints_app.command("check")
def fingerprints_check(
    path: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Extra folders of fingerprint files to validate with the bundled ones."
        ),
    ] = None,
) -> None:
    """Validate every fingerprint file and run every example through the engine."""
    from fingerprints.catalog import compile_catalog, load_files

    try:
        catalog = compile_catalog(load_files(path or ())) if path else load_catalog()
    except CatalogError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    failures = [o for o in (run_example(catalog, c) for c in catalog.examples()) if not o.ok]
    gaps = completeness_errors(catalog)
    for o in failures:
        err.print(f"[red]FAIL[/] {o.case.name}: {o.detail}", highlight=False)
    for gap in gaps:
        err.print(f"[red]INCOMPLETE[/] {gap}", highlight=False)
    total = sum(1 for _ in catalog.examples())
    out.print(
        f"{len(catalog.files)} fingerprint files, {len(catalog.products)} products, "
        f"{total - len(failures)}/{total} examples pass, {len(gaps)} completeness gaps"
    )
    if failures or gaps:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def diff(
    db: DbOption = DEFAULT_URL,
    from_scan: Annotated[int | None, typer.Option("--from", help="Older scan id.")] = None,
    to_scan: Annotated[int | None, typer.Option("--to", help="Newer scan id.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or markdown.")] = "table",
    show_low: Annotated[
        bool, typer.Option("--all", help="Include low-confidence systems.")
    ] = False,
) -> None:
    """What appeared, disappeared or changed between two scans (default: the last two)."""
    if fmt not in ("table", "json", "markdown"):
        raise _fail(f"unknown format {fmt!r}: use table, json or markdown", EXIT_USAGE)
    store = _open_store(db)
    try:
        result = store.diff(from_scan, to_scan, Confidence.LOW if show_low else Confidence.MEDIUM)
    except RequestError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    if fmt == "json":
        sys.stdout.write(json.dumps(diff_json(result), indent=2) + "\n")
        return
    if fmt == "markdown":
        sys.stdout.write(diff_markdown(result))
        return
    base = f"scan {result.from_scan}" if result.from_scan is not None else "an empty inventory"
    table = Table(title=f"Scan {result.to_scan} compared with {base}", title_justify="left")
    for col in ("Change", "ID", "System", "Scope", "Status", "Detail"):
        table.add_column(col, overflow="fold")
    for c in result.changes:
        detail = []
        if c.models_added:
            detail.append("models +" + ",".join(c.models_added))
        if c.models_removed:
            detail.append("models -" + ",".join(c.models_removed))
        if c.locations_added:
            detail.append(f"{len(c.locations_added)} new locations")
        if c.category_from:
            detail.append(f"category {c.category_from} -> {c.system.category}")
        if c.reason:
            detail.append(c.reason)
        if is_shadow(c):
            detail.append("[bold yellow]shadow AI[/]")
        table.add_row(
            c.kind,
            str(c.system.id),
            c.system.product_name,
            c.system.scope_name or c.system.scope_id,
            c.system.status,
            "; ".join(detail),
        )
    out.print(table)


@inventory_app.command("vendors")
def inventory_vendors(
    db: DbOption = DEFAULT_URL,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Where is each vendor and product used? Scopes and evidence counts."""
    if fmt not in ("table", "json"):
        raise _fail(f"unknown format {fmt!r}: use table or json", EXIT_USAGE)
    store = _open_store(db)
    try:
        uses = store.vendors()
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    if fmt == "json":
        doc = {
            "schema": "aicensus.vendors/1",
            "vendors": [
                {
                    "vendor": u.vendor,
                    "vendor_name": u.vendor_name,
                    "product": u.product,
                    "product_name": u.product_name,
                    "category": u.category,
                    "evidence_count": u.evidence_count,
                    "scopes": [
                        {"scope": k, "name": n, "evidence_count": c} for k, n, c in u.scopes
                    ],
                }
                for u in uses
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    table = Table(title="AI vendors and products in use", title_justify="left")
    for col in ("Vendor", "Product", "Category", "Scopes", "Evidence", "Where"):
        table.add_column(col, overflow="fold")
    for u in uses:
        table.add_row(
            u.vendor_name,
            u.product_name,
            u.category,
            str(len(u.scopes)),
            str(u.evidence_count),
            ", ".join(n or k for k, n, _ in u.scopes),
        )
    out.print(table)


@inventory_app.command("set-status")
def inventory_set_status(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    status: Annotated[str, typer.Argument(help=f"One of: {', '.join(sorted(SETTABLE))}.")],
    db: DbOption = DEFAULT_URL,
    owner: Annotated[str | None, typer.Option(help="Owner's name.")] = None,
    owner_email: Annotated[str | None, typer.Option(help="Owner's email.")] = None,
    team: Annotated[str | None, typer.Option(help="Owning team.")] = None,
    purpose: Annotated[str | None, typer.Option(help="Business purpose.")] = None,
    note: Annotated[str, typer.Option(help="Why; kept in the audit trail.")] = "",
    actor: ActorOption = "",
) -> None:
    """Move a system through the register (registered, approved, rejected, retired)."""
    optional = {
        "owner": owner,
        "owner_email": owner_email,
        "team": team,
        "business_purpose": purpose,
    }
    values = {"status": status} | {k: v for k, v in optional.items() if v is not None}
    _update(db, system_id, values, actor or _default_actor(), note)


@inventory_app.command("assign-owner")
def inventory_assign_owner(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    owner: Annotated[str, typer.Argument(help="Owner's name.")],
    db: DbOption = DEFAULT_URL,
    owner_email: Annotated[str | None, typer.Option(help="Owner's email.")] = None,
    team: Annotated[str | None, typer.Option(help="Owning team.")] = None,
    note: Annotated[str, typer.Option(help="Why; kept in the audit trail.")] = "",
    actor: ActorOption = "",
) -> None:
    """Record who owns a system."""
    values = {"owner": owner}
    if owner_email is not None:
        values["owner_email"] = owner_email
    if team is not None:
        values["team"] = team
    _update(db, system_id, values, actor or _default_actor(), note)


def _update(db: str, system_id: int, values: dict[str, str], actor: str, note: str) -> None:
    store = _open_store(db)
    try:
        system = store.update_system(system_id, values, actor, note)
    except RequestError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    out.print(
        f"{system.product_name} in {system.scope_name or system.scope_id}: status "
        f"{system.status}, owner {system.owner or '-'}",
        highlight=False,
    )


@inventory_app.command("history")
def inventory_history(
    system_id: Annotated[int, typer.Argument(help="System id.")],
    db: DbOption = DEFAULT_URL,
) -> None:
    """The audit trail of one system's register changes."""
    store = _open_store(db)
    table = Table(title=f"Register history of system {system_id}", title_justify="left")
    for col in ("When", "Who", "Field", "From", "To", "Note"):
        table.add_column(col, overflow="fold")
    for at, who, field, old, new, note in store.events(system_id):
        table.add_row(_iso(at) or "", who, field, old, new, note)
    out.print(table)


def _register_format(path: Path, fmt: str | None) -> str:
    chosen = fmt or ("csv" if path.suffix.lower() == ".csv" else "yaml")
    if chosen not in ("yaml", "csv"):
        raise _fail(f"unknown format {chosen!r}: use yaml or csv", EXIT_USAGE)
    return chosen


@register_app.command("export")
def register_export(
    output: Annotated[Path, typer.Argument(help="File to write (.yaml/.yml or .csv); - = stdout.")],
    db: DbOption = DEFAULT_URL,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="yaml or csv.")] = None,
) -> None:
    """Write the register (status, owner, purpose per system) for editing and re-import."""
    chosen = _register_format(output, fmt)
    store = _open_store(db)
    text = write_register(store.export_register(), chosen)
    if str(output) == "-":
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", highlight=False)


@register_app.command("import")
def register_import(
    source: Annotated[Path, typer.Argument(help="Register file (.yaml/.yml or .csv).")],
    db: DbOption = DEFAULT_URL,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="yaml or csv.")] = None,
    actor: ActorOption = "",
) -> None:
    """Apply a register file; every row is validated first, and one bad row changes nothing."""
    chosen = _register_format(source, fmt)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{source}: cannot read: {exc}", EXIT_USAGE) from exc
    store = _open_store(db)
    try:
        rows, problems = check_register(text, chosen)
        changed = store.import_register(rows, actor or _default_actor(), problems)
    except RegisterError as exc:
        for line in exc.errors:
            err.print(f"[red]{source}:[/] {line}", highlight=False, soft_wrap=True)
        raise _fail(f"{len(exc.errors)} error(s); nothing was changed", EXIT_USAGE) from exc
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    out.print(f"{len(rows)} rows applied, {changed} field changes recorded")


REPORT_FORMATS = ("json", "csv", "xlsx", "cyclonedx", "sarif", "html", "markdown")
"""Formats of `aicensus report` (reports.render.FORMATS; listed here so --help needs no import)."""


@app.command()
def report(
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help=f"One of: {', '.join(REPORT_FORMATS)}."),
    ],
    db: DbOption = DEFAULT_URL,
    scan_id: Annotated[
        int | None,
        typer.Option("--scan", help="Report what scan N saw (default: the current inventory)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write [default: stdout].", show_default=False),
    ] = None,
    show_low: Annotated[
        bool, typer.Option("--all", help="Include low-confidence systems (tests, docs, vendored).")
    ] = False,
    table: Annotated[
        str, typer.Option(help="csv: which table, systems, evidence or vendors.")
    ] = "systems",
) -> None:
    """Write the inventory as JSON, CSV, XLSX, CycloneDX, SARIF, HTML or the Markdown diff."""
    from reports import render

    if fmt not in REPORT_FORMATS:
        raise _fail(f"unknown format {fmt!r}: use {', '.join(REPORT_FORMATS)}", EXIT_USAGE)
    if table not in render.TABLES:
        raise _fail(f"unknown table {table!r}: use {', '.join(render.TABLES)}", EXIT_USAGE)
    if fmt == "xlsx" and output is None:
        raise _fail("xlsx is a binary file: give --output FILE.xlsx", EXIT_USAGE)
    store = _open_store(db)
    min_conf = Confidence.LOW if show_low else Confidence.MEDIUM
    try:
        content = render.render(store, fmt, scan_id, min_conf, table=table)
    except RequestError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    if output is None:
        assert isinstance(content, str)
        sys.stdout.write(content)
        return
    try:
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{output}: cannot write: {exc}", EXIT_USAGE) from exc
    err.print(f"wrote {output}", highlight=False)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = DEFAULT_URL) -> None:
    """Create or upgrade the inventory schema to this version (needed once for PostgreSQL)."""
    try:
        store = Store(db, upgrade=True)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    out.print(f"schema at revision {store.schema_revision()}")


@db_app.command("current")
def db_current(db: DbOption = DEFAULT_URL) -> None:
    """Print the schema revision of the database and the one this version needs."""
    from inventory_db.migrate import head_revision

    try:
        store = Store(db, upgrade=False)
        current = store.schema_revision()
    except StoreError as exc:
        raise _fail(str(exc), EXIT_FAILED) from exc
    out.print(f"database at {current}, aicensus needs {head_revision()}")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
