"""The ``aicensus`` command line.

Exit codes (also in ``--help`` and the README):
  0  success
  1  the scan failed (no target could be read, the database failed, or a configured output
     could not be written)
  2  usage or configuration error (nothing was scanned)
  3  partial: the scan finished but at least one target failed
  4  a fail-on condition was met (new-shadow-ai, high-risk, api-key)
  5  ``--lock`` was asked for and another scan holds the lock
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
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
from fingerprints.catalog import Catalog, CatalogError, load_catalog
from inventory_db.register import SETTABLE, RegisterError, check_register, write_register
from inventory_db.store import (
    DEFAULT_URL,
    LockedError,
    RequestError,
    Store,
    StoreError,
    SystemRecord,
)
from reports.diff import diff_json, diff_markdown, is_shadow, system_label
from reports.inventory import INVENTORY_SCHEMA, system_json

if TYPE_CHECKING:  # httpx and the payload builders load only when a webhook is notified
    from reports import notify
from scanner import __version__
from scanner import config as scan_config
from scanner import run as scan_run
from scanner.cache import default_cache_dir
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
    "Exit codes: 0 success; 1 scan failed (no target readable, database error, or a configured "
    "output not written); 2 usage or configuration error (nothing scanned); 3 partial (some "
    "targets failed); 4 a fail-on condition was met (new-shadow-ai, high-risk, api-key); "
    "5 another scan holds the --lock."
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
config_app = typer.Typer(
    help="The configuration file of a scan of the whole estate (aicensus.yaml).",
    no_args_is_help=True,
)
app.add_typer(inventory_app, name="inventory")
app.add_typer(fingerprints_app, name="fingerprints")
app.add_typer(register_app, name="register")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
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
    """Files done / total and findings so far, per target; one line per cloud or SaaS source
    (which may run in threads beside the code targets: rich's Progress is thread-safe)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None
        self.findings = 0
        self.sources: dict[str, list[Any]] = {}
        self.lock = threading.Lock()

    def source_started(self, name: str) -> None:
        task = self.progress.add_task(name, total=None, findings=0)
        with self.lock:
            self.sources.setdefault(name, []).append(task)

    def source_finished(self, outcome: scan_run.TargetOutcome) -> None:
        with self.lock:
            tasks = self.sources.get(outcome.target) or [None]
            task = tasks.pop(0)
        if task is not None:
            mark = "[red]✗" if outcome.error else "[yellow]!" if outcome.problems else "[green]✓"
            self.progress.update(
                task,
                description=f"{outcome.target} {mark}[/]",
                total=outcome.files,
                completed=outcome.files,
                findings=outcome.findings,
            )
        self.target_finished(outcome)

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
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Local directories, git URLs, or a cloud or SaaS source: aws, azure, gcp, "
            "github, m365, google-workspace, slack, okta.",
            show_default=False,
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Scan every source an aicensus.yaml names (aicensus init writes one). Only "
            "--db, --lock and --all may be given with it.",
            show_default=False,
        ),
    ] = None,
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
            help="Exit 4 when the condition holds (repeatable): new-shadow-ai (added systems not "
            "in the register), high-risk (a system of this scan whose confirmed or suggested "
            "tier is high-risk or prohibited), api-key (an AI API key committed in this scan).",
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
    concurrency: Annotated[
        int,
        typer.Option(
            help="Sources read at once: the code targets count as one, each cloud or SaaS "
            "source is read in a thread of its own.",
            min=1,
            max=64,
        ),
    ] = 4,
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
    """Scan code, clouds and SaaS tenants, and record the AI systems found in the inventory."""
    if config_file is not None:
        extra = _explicit_options(ctx, allowed={"config_file", "db", "lock", "show_low"})
        if targets:
            extra.insert(0, "TARGETS")
        if extra:
            raise _fail(
                f"--config describes the whole scan: drop {', '.join(extra)} from the command "
                f"line, or put them in {config_file}",
                EXIT_USAGE,
            )
        try:
            loaded = scan_config.load_config(config_file)
        except scan_config.ConfigError as exc:
            _print_issues(exc.lines())
            raise _fail(
                f"{len(exc.issues)} error(s) in {config_file}; nothing was scanned", EXIT_USAGE
            ) from exc
        config = loaded.config
        if _from_command_line(ctx, "db"):
            config = config.model_copy(update={"database": db})

        def locate(kind: str, index: int) -> str:
            return loaded.issue((kind, index), "").render(loaded.file).removesuffix(": ")

        environment = scan_config.environment_issues(loaded)
        _execute(
            config,
            lock=lock,
            show_low=show_low,
            locate=locate,
            problems=[issue.render(loaded.file) for issue in environment],
            skip={issue.path.split(".", 1)[0] for issue in environment},
        )
        return
    if not targets:
        raise _fail(
            "name what to scan (directories, git URLs, aws, azure, gcp, github, m365, "
            "google-workspace, slack, okta), or give --config aicensus.yaml",
            EXIT_USAGE,
        )
    unknown = set(fail_on or ()) - set(scan_config.FAIL_ON)
    if unknown:
        raise _fail(
            f"unknown --fail-on condition(s): {', '.join(sorted(unknown))}; use "
            f"{', '.join(scan_config.FAIL_ON)}",
            EXIT_USAGE,
        )
    from reports.notify import FORMATS as NOTIFY_FORMATS

    if notify_format not in NOTIFY_FORMATS:
        raise _fail(
            f"unknown --notify-format {notify_format!r}: use {', '.join(NOTIFY_FORMATS)}",
            EXIT_USAGE,
        )
    # A cloud keyword among the targets reads that cloud with its options (write ./aws for a
    # directory of that name); everything else is a directory or a git URL.
    chosen = set(targets) & CLOUD_TARGETS
    values: dict[str, Any] = {
        "database": db,
        "cache": not no_cache,
        "cache_dir": str(cache_dir) if cache_dir else None,
        "concurrency": concurrency,
        "code": {
            "targets": [t for t in targets if t not in CLOUD_TARGETS],
            "exclude": list(exclude or ()),
            "default_excludes": not no_default_excludes,
            "gitignore": gitignore,
            "include_docs": include_docs,
            "max_file_size_mb": max_file_size,
            "deep": deep,
            "jobs": jobs,
        },
        "fail_on": sorted(set(fail_on or ())),
        "notify": scan_config.Notify.model_construct(
            webhooks=[
                scan_config.Webhook.model_construct(env=name, format=notify_format)
                for name in notify_webhook_env or ()
            ],
            retries=notify_retries,
        ),
    }
    if "azure" in chosen:
        values["azure"] = [
            {
                "subscriptions": list(_csv(subscriptions)),
                "management_group": management_group,
                "credential": azure_credential,
                "tenant": tenant,
                "client_id": client_id,
                "certificate": str(certificate) if certificate else None,
                "cloud": azure_cloud,
                "arm_endpoint": arm_endpoint,
                "authority_host": authority_host,
                "retries": azure_retries,
            }
        ]
    if "aws" in chosen:
        values["aws"] = [
            {
                "profile": profile,
                "role_arn": role_arn,
                "role_name": role_name,
                "external_id": external_id,
                "org": org,
                "accounts": list(_csv(accounts)),
                "regions": list(_csv(regions)),
                "services": list(_csv(services)),
                "workers": aws_workers,
                "retry_mode": aws_retry_mode,
                "max_attempts": aws_max_attempts,
                "cloudtrail_days": cloudtrail_days,
            }
        ]
    if "gcp" in chosen:
        values["gcp"] = [
            {
                "organization": organization,
                "folder": folder,
                "projects": list(_csv(projects)),
                "api_endpoint": api_endpoint,
                "impersonate_service_account": impersonate_service_account,
                "credentials_file": str(credentials_file) if credentials_file else None,
                "transport": gcp_transport,
            }
        ]
    if "google-workspace" in chosen:
        values["google_workspace"] = [
            {
                "key_file": str(workspace_key_file) if workspace_key_file else None,
                "admin": workspace_admin,
                "customer_id": workspace_customer_id,
                "domain": workspace_domain,
                "days": workspace_days,
                "user_tokens": workspace_user_tokens,
                "api_url": workspace_api_url,
                "licensing_url": workspace_licensing_url,
                "token_uri": workspace_token_uri,
                "include_principals": include_principals,
            }
        ]
    if "m365" in chosen:
        values["m365"] = [
            {
                "tenant": m365_tenant,
                "client_id": m365_client_id,
                "secret_env": m365_secret_env,
                "token_env": m365_token_env,
                "graph_url": graph_url,
                "authority": m365_authority,
                "assignments": m365_assignments,
                "include_principals": include_principals,
            }
        ]
    if "okta" in chosen:
        values["okta"] = [
            {
                "url": okta_url,
                "token_env": okta_token_env,
                "auth": okta_auth,
                "include_principals": include_principals,
            }
        ]
    if "slack" in chosen:
        values["slack"] = [
            {
                "token_env": slack_token_env,
                "url": slack_url,
                "include_principals": include_principals,
            }
        ]
    if "github" in chosen:
        values["github"] = [
            {
                "org": github_org,
                "url": github_url,
                "token_env": github_token_env,
                "repos": list(_csv(repos)),
                "exclude_repos": list(_csv(exclude_repos)),
                "include_archived": include_archived,
                "include_forks": include_forks,
                "clone": clone,
                "include_principals": include_principals,
            }
        ]
    try:
        config = scan_config.ScanConfig.model_validate(values)
    except ValidationError as exc:
        for e in exc.errors(include_input=False, include_url=False):
            loc = [str(p) for p in e["loc"] if not isinstance(p, int)]
            message = e["msg"].removeprefix("Value error, ")
            err.print(f"[red]error:[/] {': '.join(loc)}: {message}", highlight=False)
        raise _fail("invalid options; nothing was scanned", EXIT_USAGE) from exc
    _execute(
        config,
        lock=lock,
        show_low=show_low,
        locate=lambda kind, _index: kind.replace("_", "-"),
        problems=[],
        skip=set(),
    )


def _explicit_options(ctx: typer.Context, allowed: set[str]) -> list[str]:
    """The options given on the command line (not defaults, not environment) outside
    ``allowed``, as their flags: what ``--config`` cannot be combined with."""
    given = []
    for param in ctx.command.params:
        name = param.name or ""
        if name in allowed or name == "targets":
            continue
        if _from_command_line(ctx, name):
            opts = getattr(param, "opts", None) or [name]
            given.append(max(opts, key=len))
    return given


def _from_command_line(ctx: typer.Context, name: str) -> bool:
    """Was option ``name`` given on the command line (not a default, not the environment)?"""
    source = ctx.get_parameter_source(name)  # click's ParameterSource, vendored or not
    return source is not None and source.name == "COMMANDLINE"


def _print_issues(lines: list[str]) -> None:
    for line in lines:
        err.print(f"[red]error:[/] {line}", highlight=False, soft_wrap=True)


def _execute(
    config: scan_config.ScanConfig,
    *,
    lock: bool,
    show_low: bool,
    locate: Callable[[str, int], str],
    problems: list[str],
    skip: set[str],
) -> None:
    """Build every source, scan them into one scan row, then report, notify and apply the
    fail-on policy. Every problem that stops the scan is printed before anything runs."""
    clouds, repo_sources = _build_sources(config, locate, problems, skip)
    if problems:
        _print_issues(problems)
        raise _fail(f"{len(problems)} error(s); nothing was scanned", EXIT_USAGE)
    hooks: list[notify.Webhook] = []
    unusable: list[notify.Delivery] = []
    if config.notify.webhooks:
        from reports import notify
    for fmt in dict.fromkeys(h.format for h in config.notify.webhooks):
        env_names = [h.env for h in config.notify.webhooks if h.format == fmt]
        found, bad = notify.webhooks_from_env(env_names, fmt)
        hooks += found
        unusable += bad
    for problem in unusable:
        err.print(f"[yellow]![/] notify: {problem.error}", highlight=False, soft_wrap=True)
    code = config.code
    request = scan_run.ScanRequest(
        targets=tuple(code.targets),
        walk=WalkOptions(
            excludes=DEFAULT_EXCLUDES if code.default_excludes else (),
            exclude_patterns=tuple(code.exclude),
            respect_gitignore=code.gitignore,
        ),
        options=ScanOptions(
            max_file_size=int(code.max_file_size_mb * MB), include_docs=code.include_docs
        ),
        jobs=code.jobs,
        deep=code.deep,
        clouds=tuple(clouds),
        repo_sources=tuple(repo_sources),
        cache_dir=(Path(config.cache_dir) if config.cache_dir else default_cache_dir())
        if config.cache
        else None,
        concurrency=config.concurrency,
    )
    try:
        load_catalog()
    except CatalogError as exc:
        raise _fail(f"fingerprint catalog: {exc}", EXIT_USAGE) from exc
    store = _open_store(config.database)
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
    _print_sources(result.targets)
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
    written = _write_outputs(store, config.outputs)
    policies = set(config.fail_on)
    met: list[str] = []
    if "new-shadow-ai" in policies or hooks or unusable:
        latest = store.diff(to_scan=scan_id)
        shadow = [c for c in latest.changes if is_shadow(c)]
        if hooks or unusable:
            from reports import notify

            notice = notify.shadow_notice(shadow, scan_id, latest.from_scan)
            if notice is not None:
                _notify(hooks, unusable, notice, config.notify.retries)
        if shadow and "new-shadow-ai" in policies:
            names = ", ".join(f"{system_label(c.system)} in {c.system.scope_name}" for c in shadow)
            met.append(f"new shadow AI ({len(shadow)}): {names}")
    met += _policy_hits(store, policies, scan_id)
    for line in met:
        err.print(f"fail-on: {line}", highlight=False, soft_wrap=True)
    if not written:
        raise typer.Exit(EXIT_FAILED)
    if met:
        raise typer.Exit(EXIT_POLICY)
    if result.scan.status == "partial":
        raise typer.Exit(EXIT_PARTIAL)


HIGH_RISK_TIERS = ("high-risk", "prohibited")
"""Tiers the ``high-risk`` fail-on condition stops at (confirmed, else suggested)."""


def _policy_hits(store: Store, policies: set[str], scan_id: int) -> list[str]:
    """The ``high-risk`` and ``api-key`` conditions this scan meets, one line each."""
    met: list[str] = []
    if "high-risk" in policies:
        from governance.errors import GovernanceError
        from governance.service import Governance

        try:
            views = Governance(store).views(include_low=False)
        except GovernanceError as exc:
            raise _fail(f"high-risk: governance catalogue: {exc}", EXIT_FAILED) from exc
        risky = [v for v in views if v.system.last_scan_id == scan_id and v.tier in HIGH_RISK_TIERS]
        if risky:
            names = ", ".join(
                f"{system_label(v.system)} in {v.system.scope_name or v.system.scope_id} "
                f"({v.tier}, {v.tier_status})"
                for v in risky
            )
            met.append(f"high-risk AI ({len(risky)}): {names}")
    if "api-key" in policies:
        # Any confidence: a real key committed under tests/ is as leaked as one in app code.
        keys = [
            s
            for s in store.systems(Confidence.LOW)
            if s.last_scan_id == scan_id and s.category == "api-key"
        ]
        if keys:
            names = ", ".join(f"{system_label(s)} in {s.scope_name or s.scope_id}" for s in keys)
            met.append(f"committed AI API keys ({len(keys)}): {names}")
    return met


def _write_outputs(store: Store, outputs: list[scan_config.Output]) -> bool:
    """Write each configured report (atomically: a reader never sees half a file); False when
    one could not be written."""
    if not outputs:
        return True
    from reports import render  # jinja2, openpyxl, cyclonedx: only when a report is written

    ok = True
    for output in outputs:
        path = Path(output.path)
        min_conf = Confidence.LOW if output.include_low else Confidence.MEDIUM
        try:
            content = render.render(store, output.format, None, min_conf, table=output.table)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.partial")
            if isinstance(content, bytes):
                partial.write_bytes(content)
            else:
                partial.write_text(content, encoding="utf-8")
            os.replace(partial, path)
        except (OSError, RequestError, StoreError) as exc:
            err.print(
                f"[red]✗[/] output {output.format} {path}: {exc}", highlight=False, soft_wrap=True
            )
            ok = False
            continue
        err.print(f"wrote {path} ({output.format})", highlight=False)
    return ok


def _print_sources(outcomes: list[scan_run.TargetOutcome]) -> None:
    """The per-source outcome: ok, partial (with what was refused) or failed (with why)."""
    table = Table(title="Sources", title_justify="left")
    for col in ("Source", "Outcome", "Read", "Findings"):
        table.add_column(col, overflow="fold")
    table.add_column("Detail", overflow="fold")
    for o in outcomes:
        state = "failed" if o.error else "partial" if o.problems else "ok"
        unit = "files" if o.kind == "code" else "resources"
        detail = o.error or "; ".join(o.problems[:3])
        if len(o.problems) > 3:
            detail += f"; +{len(o.problems) - 3} more"
        colour = {"ok": "green", "partial": "yellow", "failed": "red"}[state]
        table.add_row(
            o.target, f"[{colour}]{state}[/]", f"{o.files} {unit}", str(o.findings), detail
        )
    out.print(table)


def _notify(
    webhooks: list[notify.Webhook],
    unusable: list[notify.Delivery],
    notice: notify.Notice,
    retries: int,
) -> list[notify.Delivery]:
    """Send the notice; print one line per webhook. Never fails the scan (its exit code stands)."""
    from reports import notify

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


class _SourceError(Exception):
    """A source that cannot be built from its options; the message names what is wrong."""


def _build_sources(
    config: scan_config.ScanConfig,
    locate: Callable[[str, int], str],
    problems: list[str],
    skip: set[str],
) -> tuple[list[CloudConnector], list[scan_run.RepoSource]]:
    """Every cloud and SaaS source of ``config``, built by its factory. A source that cannot be
    built adds a problem (``locate`` says where it is described) and the others are still
    built, so every problem is known before anything runs. ``skip`` holds sources
    (``okta[0]``) already known to be unusable."""
    clouds: list[CloudConnector] = []
    repo_sources: list[scan_run.RepoSource] = []
    for kind, index, entry in config.entries():
        if f"{kind}[{index}]" in skip:
            continue
        try:
            if isinstance(entry, scan_config.GitHubSource):
                clouds.append(_github_source(entry))
                repo_sources.append(_github_repos_source(entry))
            else:
                clouds.append(_SOURCE_FACTORIES[type(entry)](entry))
        except _SourceError as exc:
            problems.append(f"{locate(kind, index)}: {exc}")
    return clouds, repo_sources


def _catalog() -> Catalog:
    try:
        return load_catalog()
    except CatalogError as exc:
        raise _SourceError(f"fingerprint catalog: {exc}") from exc


def _azure_source(opts: scan_config.AzureSource) -> CloudConnector:
    """The Azure connector for the ``azure`` target.

    Besides the ARM types the connector always reads, it asks Resource Graph for every ARM type
    a fingerprint's ``resources`` rules name, so a new AI resource type is one line of YAML. The
    client secret is read from the environment variable ``secret_env`` names only (a
    command-line value would show in ``ps``); TLS trust follows ``REQUESTS_CA_BUNDLE``. The
    Azure SDK is imported only when an Azure scan is asked for.
    """
    from connectors.azure import AzureConfigError, AzureConnector, AzureOptions

    catalog = _catalog()
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
            cloud=opts.cloud,
            arm_endpoint=opts.arm_endpoint,
            authority_host=opts.authority_host,
            credential=opts.credential,  # type: ignore[arg-type]  # validated by AzureOptions
            tenant_id=opts.tenant,
            client_id=opts.client_id,
            client_secret=os.environ.get(opts.secret_env) or None,
            certificate_path=opts.certificate,
            subscriptions=tuple(opts.subscriptions),
            management_group=opts.management_group,
            retries=opts.retries,
            extra_types=tuple(extra),
        )
    except AzureConfigError as exc:
        raise _SourceError(str(exc)) from exc
    return AzureConnector(options)


def _csv(values: list[str] | None) -> tuple[str, ...]:
    """Repeatable, comma-separated option values as one tuple."""
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def _aws_source(opts: scan_config.AwsSource) -> CloudConnector:
    """The AWS connector for the ``aws`` target; boto3 is imported only when AWS is scanned.

    Endpoints follow boto3's own settings (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``,
    profiles), so VPC endpoints and local stand-ins need no option here.
    """
    from connectors.aws import SERVICES, AwsConnector, AwsOptions

    unknown = sorted(set(opts.services) - set(SERVICES))
    if unknown:
        raise _SourceError(
            f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(SERVICES)}"
        )
    options = AwsOptions(
        profile=opts.profile,
        role_arn=opts.role_arn,
        role_name=opts.role_name,
        external_id=opts.external_id,
        org=opts.org,
        accounts=tuple(opts.accounts),
        regions=tuple(opts.regions),
        services=tuple(opts.services) or SERVICES,
        max_workers=opts.workers,
        retry_mode=opts.retry_mode,
        max_attempts=opts.max_attempts,
        cloudtrail_days=opts.cloudtrail_days,
    )
    return AwsConnector(options)


def _gcp_source(opts: scan_config.GcpSource) -> CloudConnector:
    """The GCP connector for the ``gcp`` target, searching the catalog's Cloud Asset types.

    The asset types come from the fingerprints (``resources`` and ``iac`` rules naming a
    ``*.googleapis.com/`` type; a trailing ``*`` becomes ``.*``), so a new AI asset type is one
    line of YAML. The Google SDK is imported only when a GCP scan is asked for.
    """
    from connectors.gcp import GcpAccess, GcpConnector

    catalog = _catalog()
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
            credentials_file=Path(opts.credentials_file) if opts.credentials_file else None,
            impersonate=opts.impersonate_service_account,
            api_endpoint=opts.api_endpoint,
            transport=opts.transport,
        )
        return GcpConnector(
            types,
            organization=opts.organization,
            folder=opts.folder,
            projects=list(opts.projects),
            access=access,
        )
    except ValueError as exc:
        raise _SourceError(
            f"{exc} (organization, folder, projects; --organization, --folder, --projects)"
        ) from exc


def _workspace_source(opts: scan_config.WorkspaceSource) -> CloudConnector:
    """The Google Workspace connector for the ``google-workspace`` target.

    The Licensing API products counted are the catalog's app ids that are Licensing product
    ids (six digits, ``101047``), so a new AI add-on is one line of YAML.
    """
    from connectors.saas.google_workspace import (
        GoogleWorkspaceConnector,
        WorkspaceConfigError,
        WorkspaceOptions,
    )

    if not opts.key_file or not opts.admin:
        raise _SourceError(
            "key_file and admin (--workspace-key-file, --workspace-admin) are needed"
        )
    catalog = _catalog()
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
            key_file=Path(opts.key_file),
            subject=opts.admin,
            customer_id=opts.customer_id or "",
            domain=opts.domain or "",
            days=opts.days,
            user_tokens=opts.user_tokens,
            licence_products=tuple(products),
            include_principals=opts.include_principals,
            admin_api=opts.api_url,
            licensing_api=opts.licensing_url,
            token_uri=opts.token_uri,
        )
        return GoogleWorkspaceConnector(options)
    except WorkspaceConfigError as exc:
        raise _SourceError(str(exc)) from exc


def _require_env(variable: str) -> None:
    """Fail early, naming the variable, when a SaaS token's environment variable is unset."""
    if not os.environ.get(variable, "").strip():
        raise _SourceError(f"environment variable {variable} (the token) is not set")


def _m365_source(opts: scan_config.M365Source) -> CloudConnector:
    """The Microsoft 365 / Entra ID connector for the ``m365`` target.

    The Graph token comes from azure-identity for ``{graph_url}/.default``: a client secret
    (read from the environment variable named by ``secret_env``, never from the command line)
    when a client id is given, else ``DefaultAzureCredential``; or a ready token from
    ``token_env``. azure-identity is imported only when an m365 scan is asked for.
    """
    from connectors.saas.http import env_token
    from connectors.saas.m365 import M365Connector, M365Options, graph_token

    tenant = opts.tenant
    if not tenant:
        raise _SourceError("tenant (--m365-tenant, the Entra ID tenant id) is required")
    if opts.token_env:
        _require_env(opts.token_env)
        token = env_token(opts.token_env)
    else:
        from azure.identity import ClientSecretCredential, DefaultAzureCredential

        kwargs: dict[str, Any] = {"authority": opts.authority} if opts.authority else {}
        secret = os.environ.get(opts.secret_env, "") if opts.client_id else ""
        if opts.client_id and not secret:
            raise _SourceError(
                f"environment variable {opts.secret_env} (the client secret) is not set"
            )
        try:
            credential: Any = (
                ClientSecretCredential(tenant, opts.client_id, secret, **kwargs)
                if opts.client_id
                else DefaultAzureCredential(**kwargs)
            )
        except ValueError as exc:  # a malformed tenant id or authority
            raise _SourceError(str(exc)) from exc
        token = graph_token(credential, opts.graph_url)
    return M365Connector(
        M365Options(
            tenant_id=tenant,
            token=token,
            graph_url=opts.graph_url,
            include_principals=opts.include_principals,
            read_assignments=opts.assignments,
        )
    )


def _okta_source(opts: scan_config.OktaSource) -> CloudConnector:
    """The Okta connector for the ``okta`` target; the token is read from ``token_env``."""
    from connectors.saas.http import env_token
    from connectors.saas.okta import OktaConnector, OktaOptions

    if not opts.url:
        raise _SourceError("url (--okta-url, e.g. https://acme.okta.com) is required")
    if not opts.url.startswith(("https://", "http://")):
        raise _SourceError(f"url (--okta-url) must be an http(s) URL, not {opts.url!r}")
    _require_env(opts.token_env)
    try:
        options = OktaOptions(
            org_url=opts.url,
            token=env_token(opts.token_env),
            auth=opts.auth,
            include_principals=opts.include_principals,
        )
    except ValueError as exc:
        raise _SourceError(str(exc)) from exc
    return OktaConnector(options)


def _slack_source(opts: scan_config.SlackSource) -> CloudConnector:
    """The Slack connector for the ``slack`` target; the token is read from ``token_env``."""
    from connectors.saas.http import env_token
    from connectors.saas.slack import SlackConnector, SlackOptions

    _require_env(opts.token_env)
    return SlackConnector(
        SlackOptions(
            token=env_token(opts.token_env),
            api_url=opts.url,
            include_principals=opts.include_principals,
        )
    )


def _github_org(opts: scan_config.GitHubSource) -> str:
    if not opts.org:
        raise _SourceError("name the organisation: org (--org or --github-org)")
    _require_env(opts.token_env)
    return opts.org


def _github_source(opts: scan_config.GitHubSource) -> CloudConnector:
    """The organisation's Copilot seats and installed GitHub Apps for the ``github`` target."""
    from connectors.saas.github_admin import GitHubAdminConnector, GitHubAdminOptions
    from connectors.saas.http import env_token

    return GitHubAdminConnector(
        GitHubAdminOptions(
            org=_github_org(opts),
            token=env_token(opts.token_env),
            api_url=opts.url,
            include_principals=opts.include_principals,
        )
    )


def _github_repos_source(opts: scan_config.GitHubSource) -> scan_run.RepoSource:
    """The organisation's repositories as a code source (``repos``/``exclude_repos`` globs,
    archived and forks left out unless asked); the token is read from ``token_env`` at request
    time (by name, never by value)."""
    from connectors.saas.github_repos import GitHubRepositories, RepoFilter
    from connectors.saas.http import env_token

    filters = RepoFilter(
        include=tuple(opts.repos),
        exclude=tuple(opts.exclude_repos),
        include_archived=opts.include_archived,
        include_forks=opts.include_forks,
    )
    return GitHubRepositories(
        _github_org(opts),
        api_url=opts.url,
        token=env_token(opts.token_env),
        filters=filters,
        clone=opts.clone,
    )


_SOURCE_FACTORIES: dict[type[BaseModel], Callable[[Any], CloudConnector]] = {
    scan_config.AwsSource: _aws_source,
    scan_config.AzureSource: _azure_source,
    scan_config.GcpSource: _gcp_source,
    scan_config.M365Source: _m365_source,
    scan_config.WorkspaceSource: _workspace_source,
    scan_config.SlackSource: _slack_source,
    scan_config.OktaSource: _okta_source,
}
"""One factory per source options type (GitHub builds two sources: admin and repositories)."""


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
            system_label(s),
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
            system_label(c.system),
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


ConfigPathArgument = Annotated[
    Path,
    typer.Argument(help="The configuration file.", show_default=True),
]


@app.command()
def init(
    path: ConfigPathArgument = scan_config.DEFAULT_PATH,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example aicensus.yaml to edit (every source, outputs, fail-on)."""
    if path.exists() and not force:
        raise _fail(f"{path} exists; give --force to overwrite it", EXIT_USAGE)
    try:
        path.write_text(scan_config.EXAMPLE, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{path}: cannot write: {exc}", EXIT_USAGE) from exc
    out.print(
        f"wrote {path}: edit it, then `aicensus config check {path}` and "
        f"`aicensus scan --config {path}`",
        highlight=False,
    )


@config_app.command("check")
def config_check(path: ConfigPathArgument = scan_config.DEFAULT_PATH) -> None:
    """Validate a configuration file and print every error with its line (exit 2 on errors).

    Unset credential variables and missing key files are warnings here (the check may run
    where the secrets are not); a scan refuses to start with them.
    """
    try:
        loaded = scan_config.load_config(path)
    except scan_config.ConfigError as exc:
        _print_issues(exc.lines())
        raise _fail(f"{len(exc.issues)} error(s) in {path}", EXIT_USAGE) from exc
    for issue in scan_config.environment_issues(loaded):
        err.print(f"[yellow]warning:[/] {issue.render(loaded.file)}", highlight=False)
    out.print(f"{path}: valid: {loaded.config.summary()}", highlight=False, soft_wrap=True)


@app.command()
def demo(
    workdir: Annotated[
        Path,
        typer.Option(help="Folder for the demo's estate copy, inventory, cache and report."),
    ] = Path("aicensus-demo"),
    cloud: Annotated[
        bool,
        typer.Option(
            "--cloud/--no-cloud",
            help="Also start and scan the local AWS, Azure, Google Cloud and SaaS stand-ins.",
        ),
    ] = True,
) -> None:
    """Scan the bundled demo estate twice, with a change in between, against local stand-ins
    (no cloud account needed); ends with the inventory, the diff and an HTML report."""
    try:
        from examples.demo import run_demo
    except ImportError as exc:
        if not (exc.name or "").startswith("examples"):
            raise
        raise _fail(
            "the demo ships with the source tree, not the installed package: clone the "
            "repository and run `make demo` there",
            EXIT_USAGE,
        ) from exc
    raise typer.Exit(run_demo(workdir, cloud=cloud))


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
