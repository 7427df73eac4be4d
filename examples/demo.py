"""The whole product on one laptop, with no cloud account: ``make demo`` / ``aicensus demo``.

It copies the bundled code estate (``examples/estate``) into a work directory, starts the local
stand-ins on 127.0.0.1 (a moto-backed AWS account, Azure Resource Manager over HTTPS, Google
Cloud Asset Inventory, Microsoft Graph, GitHub, Okta and Slack admin APIs, all seeded by
``examples/demo_estate.py``), and runs the real ``aicensus`` command line against all of it:
one scan, a change (a new repository file, a new and a deleted cloud resource, a new model
deployment), a second scan, then the inventory, the diff and an HTML report.

Every step is a separate ``aicensus`` process, exactly as a user would type it; the stand-ins
stay in this process and are pointed at through the same options and environment variables a
real estate uses (``AWS_ENDPOINT_URL``, ``--arm-endpoint``, ``--api-endpoint``, ``--graph-url``,
...). Credentials are dummies, passed by environment variable *name*, never shown.

The stand-ins need the development extras (moto[server], trustme, pytest-httpserver:
``pip install -e '.[dev]'``, which ``make install`` does). A stand-in whose packages are missing
is left out with a message naming them; the code estate is always scanned.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rich.console import Console

from examples import demo_estate

logger = logging.getLogger(__name__)

DEFAULT_WORKDIR = Path("aicensus-demo")
EXIT_OK, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 3

CLEARED_ENV = (
    "AICENSUS_DB",
    "AICENSUS_M365_TENANT",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_AUTHORITY_HOST",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "CLOUDSDK_CONFIG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
"""Variables of the user's own environment that could point a scan at a real account or a
proxy; the demo's scans run without them."""


@dataclass
class Source:
    """A running stand-in and what points ``aicensus scan`` at it."""

    name: str
    args: list[str]
    """Target word and options for ``aicensus scan``."""
    env: dict[str, str]
    """Environment the scan needs (endpoints, dummy credentials, CA bundle)."""
    change: Callable[[], list[str]]
    """Applies the between-scans change; returns one line per change made."""
    stop: Callable[[], None]


@dataclass
class Demo:
    """The work directory's layout and what the run produced."""

    workdir: Path
    sources: list[Source] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """One message per stand-in left out for want of its packages."""
    changes: list[str] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)

    @property
    def estate(self) -> Path:
        return self.workdir / "estate"

    @property
    def db_url(self) -> str:
        """The inventory's URL, relative when it can be (the scans share this directory)."""
        return f"sqlite:///{_rel(self.workdir / 'demo.db')}"

    @property
    def report(self) -> Path:
        return self.workdir / "report.html"


def _no_change() -> list[str]:
    return []


def start_aws(workdir: Path) -> Source:
    """moto's server behind the gap-filling layer, seeded with Acme's account."""
    from examples.standins.aws_moto import MotoStack

    stack = MotoStack().start()
    demo_estate.seed_aws(stack.url)
    regions = ",".join(demo_estate.AWS_REGIONS)
    return Source(
        name="AWS (moto)",
        args=["aws", "--regions", regions],
        env={
            "AWS_ENDPOINT_URL": stack.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(workdir / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-aws-credentials"),
        },
        change=lambda: demo_estate.change_aws(stack.url),
        stop=stack.stop,
    )


def start_azure(workdir: Path) -> Source:
    """The HTTPS Resource Manager / Resource Graph / token stand-in (trustme certificate)."""
    from examples.standins.azure_arm import FakeArm

    secret = secrets.token_urlsafe(24)
    arm = FakeArm(workdir, demo_estate.azure_state(secret))
    return Source(
        name="Azure (ARM over HTTPS)",
        args=[
            "azure",
            "--azure-credential",
            "secret",
            "--tenant",
            demo_estate.AZURE_TENANT,
            "--client-id",
            demo_estate.AZURE_CLIENT_ID,
            "--arm-endpoint",
            arm.base_url,
            "--authority-host",
            arm.base_url,
        ],
        env={"AZURE_CLIENT_SECRET": secret, "REQUESTS_CA_BUNDLE": arm.ca_path},
        change=lambda: demo_estate.change_azure(arm.state),
        stop=arm.close,
    )


def start_gcp(workdir: Path) -> Source:
    """The Cloud Asset / Resource Manager / Service Usage stand-in, read with a throwaway
    service-account key (a fresh RSA key; no Google account exists behind it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from examples.standins.gcp_assets import FakeGcp

    fake = FakeGcp(page_size=100).start()
    demo_estate.seed_gcp(fake)
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    key_file = workdir / "gcp-demo-key.json"
    key_file.touch(mode=0o600)
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "acme-security",
                "private_key_id": secrets.token_hex(8),
                "private_key": pem,
                "client_email": "aicensus-reader@acme-security.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": f"{fake.url}/token",
            }
        ),
        encoding="utf-8",
    )
    return Source(
        name="Google Cloud (Cloud Asset)",
        args=[
            "gcp",
            "--organization",
            demo_estate.GCP_ORGANIZATION,
            "--api-endpoint",
            fake.url,
            "--gcp-transport",
            "rest",
            "--credentials-file",
            str(key_file),
        ],
        env={"NO_GCE_CHECK": "True"},
        change=_no_change,
        stop=fake.stop,
    )


def start_saas(workdir: Path) -> Source:
    """Microsoft Graph, GitHub, Okta and Slack admin APIs, one local server each."""
    from pytest_httpserver import HTTPServer

    from examples.standins.saas_admin import (
        TENANT,
        FakeSaas,
        json_response,
        seed_github,
        seed_graph,
        seed_okta,
        seed_slack,
    )

    tokens = {api: secrets.token_urlsafe(24) for api in ("graph", "github", "okta", "slack")}
    servers: list[HTTPServer] = []

    def serve(auth: str) -> FakeSaas:
        server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        server.start()
        servers.append(server)
        return FakeSaas(server, auth, retry_after="0")

    graph = serve(f"Bearer {tokens['graph']}")
    seed_graph(graph)
    github = serve(f"Bearer {tokens['github']}")
    seed_github(github)
    github.route(f"/orgs/{demo_estate.GITHUB_ORG}/repos", lambda r: json_response([]))
    okta = serve(f"SSWS {tokens['okta']}")
    seed_okta(okta)
    slack = serve(f"Bearer {tokens['slack']}")
    seed_slack(slack)

    def stop() -> None:
        for server in servers:
            server.stop()

    return Source(
        name="SaaS (Graph, GitHub, Okta, Slack)",
        args=[
            "m365",
            "--m365-tenant",
            TENANT,
            "--graph-url",
            graph.base,
            "--m365-token-env",
            "AICENSUS_DEMO_GRAPH_TOKEN",
            "github",
            "--github-org",
            demo_estate.GITHUB_ORG,
            "--github-url",
            github.base,
            "--github-token-env",
            "AICENSUS_DEMO_GITHUB_TOKEN",
            "okta",
            "--okta-url",
            okta.base,
            "--okta-token-env",
            "AICENSUS_DEMO_OKTA_TOKEN",
            "slack",
            "--slack-url",
            f"{slack.base}/api",
            "--slack-token-env",
            "AICENSUS_DEMO_SLACK_TOKEN",
        ],
        env={f"AICENSUS_DEMO_{api.upper()}_TOKEN": token for api, token in tokens.items()},
        change=_no_change,
        stop=stop,
    )


STANDINS: tuple[tuple[str, str, Callable[[Path], Source]], ...] = (
    ("AWS", "moto[server]", start_aws),
    ("Azure", "trustme", start_azure),
    ("Google Cloud", "google-cloud-asset", start_gcp),
    ("SaaS", "pytest-httpserver", start_saas),
)
"""Each stand-in, the package it needs beyond aicensus's own, and how to start it."""


def start_standins(workdir: Path) -> tuple[list[Source], list[str]]:
    """Start every stand-in whose packages are installed; the rest become messages.

    Only a missing package leaves a stand-in out (``ImportError``); any other failure is a
    bug in the demo and is raised, after stopping what already runs.
    """
    sources: list[Source] = []
    missing: list[str] = []
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request lines on screen
    try:
        for name, package, start in STANDINS:
            try:
                sources.append(start(workdir))
            except ImportError as exc:
                missing.append(
                    f"{name} stand-in left out: it needs {package} ({exc.name} is not "
                    "installed); install the development extras: pip install -e '.[dev]'"
                )
    except BaseException:
        for source in sources:
            source.stop()
        raise
    return sources, missing


def scan_env(sources: Sequence[Source]) -> dict[str, str]:
    """The scans' environment: the user's, less anything that could reach a real account,
    plus what points each client at its stand-in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CLEARED_ENV and not k.startswith("AWS_ENDPOINT_URL")
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for source in sources:
        env.update(source.env)
    return env


def _shown(args: Sequence[str]) -> str:
    """A command line as the user would type it, paths relative to the current directory."""
    here = Path.cwd()
    parts = []
    for arg in args:
        path = Path(arg)
        if path.is_absolute() and path.is_relative_to(here):
            arg = str(path.relative_to(here)) or "."
        parts.append(arg)
    return "aicensus " + shlex.join(parts)


class Runner:
    """Runs ``aicensus`` in a child process, the way a user would, and shows each command."""

    def __init__(self, console: Console, env: dict[str, str]) -> None:
        self.console = console
        self.env = env

    def __call__(self, *args: str, stdout_file: Path | None = None) -> int:
        """Run ``aicensus ARGS``; its table output goes to ``stdout_file`` when given."""
        self.console.print(f"[bold cyan]$ {_shown(args)}[/]", highlight=False, soft_wrap=True)
        sys.stdout.flush()
        command = [sys.executable, "-m", "scanner.cli", *args]
        if stdout_file is None:
            return subprocess.run(command, env=self.env, check=False).returncode
        with stdout_file.open("w", encoding="utf-8") as sink:
            return subprocess.run(command, env=self.env, stdout=sink, check=False).returncode


def _copy_estate(target: Path) -> list[Path]:
    """A fresh copy of the bundled estate (the change must not touch the source tree)."""
    if target.exists():
        shutil.rmtree(target)
    with resources.as_file(resources.files("examples") / "estate") as source:
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return sorted(p for p in target.iterdir() if p.is_dir())


def run_demo(workdir: Path = DEFAULT_WORKDIR, *, cloud: bool = True) -> int:
    """Run the demo in ``workdir`` (recreated); returns the exit code for the shell.

    0 when every step worked, 1 when a scan failed outright. A partial scan (exit 3, some
    source unreadable) is shown and the demo carries on: that is a result, not a crash.
    """
    console = Console(highlight=False)
    started = time.monotonic()
    demo = Demo(workdir.resolve())
    demo.workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("demo.db", "demo.db-wal", "demo.db-shm", "report.html"):
        (demo.workdir / stale).unlink(missing_ok=True)
    repos = _copy_estate(demo.estate)
    console.rule("[bold]aicensus demo")
    console.print(
        f"Code estate: {len(repos)} sample repositories copied to {_rel(demo.estate)}/",
    )
    if cloud:
        demo.sources, demo.missing = start_standins(demo.workdir)
    try:
        for source in demo.sources:
            console.print(f"stand-in on 127.0.0.1: {source.name}")
        for message in demo.missing:
            console.print(f"[yellow]![/] {message}", soft_wrap=True)
        env = scan_env(demo.sources)
        env["AICENSUS_CACHE_DIR"] = str(demo.workdir / "cache")
        run = Runner(console, env)
        scan = [
            "scan",
            *(str(r) for r in repos),
            *(a for s in demo.sources for a in s.args),
            "--db",
            demo.db_url,
        ]

        console.rule("[bold]1. First scan of the whole estate")
        code = run(*scan, stdout_file=demo.workdir / "scan-1.txt")
        demo.exit_codes.append(code)
        if code == EXIT_FAILED:
            return EXIT_FAILED

        console.rule("[bold]2. A week passes")
        demo.changes = demo_estate.change_code(demo.estate)
        for source in demo.sources:
            demo.changes.extend(source.change())
        for line in demo.changes:
            console.print(f"  • {line}")

        console.rule("[bold]3. Second scan")
        code = run(*scan, stdout_file=demo.workdir / "scan-2.txt")
        demo.exit_codes.append(code)
        if code == EXIT_FAILED:
            return EXIT_FAILED
    finally:
        for source in demo.sources:
            source.stop()

    console.rule("[bold]4. The inventory")
    run("inventory", "list", "--db", demo.db_url)
    console.rule("[bold]5. What changed between the two scans")
    run("diff", "--db", demo.db_url)
    console.rule("[bold]6. The HTML report")
    code = run("report", "--format", "html", "--output", str(demo.report), "--db", demo.db_url)
    if code != EXIT_OK:
        return EXIT_FAILED
    partial = [c for c in demo.exit_codes if c == EXIT_PARTIAL]
    if partial:
        console.print("[yellow]![/] a scan was partial: see aicensus scans --show N")
    console.print(f"\nHTML report: [bold]{demo.report}[/]")
    console.print(
        f"Explore: aicensus inventory show ID --db {demo.db_url}  ·  "
        f"aicensus scans --db {demo.db_url}  ·  "
        f"aicensus report --format sarif --db {demo.db_url}",
        soft_wrap=True,
    )
    console.print(f"Demo finished in {time.monotonic() - started:.1f} s.")
    return EXIT_OK


def _rel(path: Path) -> str:
    here = Path.cwd()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m examples.demo [--workdir DIR] [--no-cloud]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m examples.demo", description=__doc__)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--no-cloud", action="store_true", help="scan the code estate only")
    options = parser.parse_args(argv)
    return run_demo(options.workdir, cloud=not options.no_cloud)


if __name__ == "__main__":
    sys.exit(main())
