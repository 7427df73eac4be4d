"""The AWS connector: accounts x regions x services, read concurrently, never failing as a whole.

Work runs on one bounded thread pool: first each account is opened (its role assumed, its enabled
regions listed), then every (account, region, service) is read as one task, and each task's
resources and coverage outcome come back to the caller's thread, which alone touches
``coverage`` and yields observations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from connectors.aws import ai_services, bedrock, sagemaker, traces
from connectors.aws.session import (
    GLOBAL_SERVICES,
    SERVICES,
    Account,
    AwsOptions,
    Reader,
    SessionFactory,
    assume,
    client_config,
    describe_error,
)
from connectors.base import (
    CloudResource,
    Coverage,
    Observation,
    ObservationKind,
    Outcome,
    ProgressSink,
    Scope,
)

logger = logging.getLogger(__name__)

Collect = Callable[[Reader, AwsOptions], list[CloudResource]]

COLLECTORS: dict[str, tuple[str, Collect]] = {
    "bedrock": ("bedrock", lambda r, o: bedrock.collect(r)),
    "sagemaker": ("sagemaker", lambda r, o: sagemaker.collect(r, o.training_days)),
    **{
        name: (specs[0].client, lambda r, o, name=name: ai_services.collect(r, name))  # type: ignore[misc]
        for name, specs in ai_services.LISTINGS.items()
    },
    "lambda": ("lambda", lambda r, o: traces.lambdas(r)),
    "ecs": ("ecs", lambda r, o: traces.ecs(r)),
    "ec2": ("ec2", lambda r, o: traces.gpu_instances(r)),
    "cloudtrail": (
        "cloudtrail",
        lambda r, o: traces.cloudtrail(r, o.cloudtrail_days, o.cloudtrail_max_events),
    ),
    "secrets": ("secretsmanager", lambda r, o: traces.secret_names(r)),
    "iam": ("iam", lambda r, o: traces.iam_grants(r)),
    "cost": ("ce", lambda r, o: traces.cost(r, o.cost_days)),
}
"""``--services`` name -> (its main boto3 client, which decides where it is offered; collector)."""

ENABLED = frozenset({"opt-in-not-required", "opted-in"})


@dataclass
class _Opened:
    """An account made ready to read, or why it could not be."""

    scope: Scope
    account: Account | None
    regions: list[str] = field(default_factory=list)
    notes: list[tuple[str, Outcome, str]] = field(default_factory=list)
    """(area, outcome, message) to record."""


@dataclass
class _Done:
    """One (account, region, service) read."""

    scope: Scope
    region: str
    area: str
    outcome: Outcome
    message: str
    resources: list[CloudResource]


class AwsConnector:
    """Every managed AI resource and trace of model use in one or many AWS accounts."""

    name = "aws"

    def __init__(
        self, options: AwsOptions | None = None, session_factory: SessionFactory | None = None
    ) -> None:
        self.options = options or AwsOptions()
        unknown = set(self.options.services) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown AWS services: {', '.join(sorted(unknown))}")
        self.factory: SessionFactory = session_factory or boto3.Session
        self.config: Config = client_config(self.options)

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield resource observations; every area tried is recorded in ``coverage``."""
        opts = self.options
        try:
            base = self.factory(profile_name=opts.profile) if opts.profile else self.factory()
            home = base.region_name or "us-east-1"
            if opts.role_arn:
                base = assume(self.factory, base, opts.role_arn, opts, home)
            caller = base.client("sts", region_name=home, config=self.config).get_caller_identity()
        except (ClientError, BotoCoreError) as err:
            outcome, message = describe_error(err)
            coverage.record(Scope("aws", "*", "aws"), "*", outcome, f"credentials: {message}")
            return
        me = str(caller["Account"])
        partition = str(caller.get("Arn", "arn:aws:")).split(":")[1] or "aws"
        targets = self._targets(base, me, home, coverage)
        regional = [s for s in opts.services if s not in GLOBAL_SERVICES]
        global_ = [s for s in opts.services if s in GLOBAL_SERVICES]
        remaining: dict[str, int] = {}
        failures: dict[str, list[str]] = {}
        with ThreadPoolExecutor(max_workers=max(1, opts.max_workers)) as pool:
            pending: dict[Future[Any], str] = {
                pool.submit(self._open, base, me, partition, home, acct, name): "account"
                for acct, name in targets
            }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    kind = pending.pop(fut)
                    if kind == "account":
                        opened: _Opened = fut.result()
                        for area, outcome, message in opened.notes:
                            coverage.record(opened.scope, area, outcome, message)
                        if opened.account is None:
                            continue
                        plan = [(region, s) for region in opened.regions for s in regional]
                        plan += [("global", s) for s in global_]
                        for region in dict.fromkeys(region for region, _ in plan):
                            task = f"aws {opened.scope.id} {region}"
                            remaining[task] = sum(1 for reg, _ in plan if reg == region)
                            progress.started(task, remaining[task])
                        for region, service in plan:
                            future = pool.submit(self._read, opened, region, service)
                            pending[future] = "area"
                        continue
                    result: _Done = fut.result()
                    coverage.record(result.scope, result.area, result.outcome, result.message)
                    task = f"aws {result.scope.id} {result.region}"
                    if result.outcome in (Outcome.DENIED, Outcome.ERROR):
                        failures.setdefault(task, []).append(f"{result.area} {result.outcome}")
                    progress.advanced(task)
                    remaining[task] -= 1
                    if remaining[task] == 0:
                        progress.finished(task, "; ".join(failures.get(task, [])))
                    for res in result.resources:
                        yield Observation(result.scope, ObservationKind.RESOURCE, res.id, None, res)

    def _targets(self, base: Any, me: str, home: str, coverage: Coverage) -> list[tuple[str, str]]:
        """(account id, name) pairs to scan: the organisation's, the listed, or the caller's."""
        opts = self.options
        if not opts.org:
            return [(a, "") for a in opts.accounts] or [(me, "")]
        scope = Scope("aws", me, "")
        try:
            org = base.client("organizations", region_name=home, config=self.config)
            accounts = [
                (str(a["Id"]), str(a.get("Name", "")))
                for page in org.get_paginator("list_accounts").paginate()
                for a in page.get("Accounts") or []
                if a.get("Status", "ACTIVE") == "ACTIVE"
            ]
        except (ClientError, BotoCoreError) as err:
            outcome, message = describe_error(err)
            coverage.record(scope, "organizations", outcome, f"list_accounts: {message}")
            return [(me, "")]
        coverage.record(scope, "organizations", Outcome.OK)
        if opts.accounts:
            accounts = [a for a in accounts if a[0] in opts.accounts]
        return accounts

    def _open(
        self, base: Any, me: str, partition: str, home: str, account_id: str, name: str
    ) -> _Opened:
        """Assume the role in the account (unless it is the caller's) and list its regions."""
        opts = self.options
        scope = Scope("aws", account_id, name)
        session = base
        if account_id != me:
            role = f"arn:{partition}:iam::{account_id}:role/{opts.role_name}"
            try:
                session = assume(self.factory, base, role, opts, home)
            except (ClientError, BotoCoreError) as err:
                outcome, message = describe_error(err)
                return _Opened(scope, None, notes=[("*", outcome, f"assume {role}: {message}")])
        account = Account(account_id, name, session, partition)
        notes: list[tuple[str, Outcome, str]] = []
        if not name:
            try:
                iam = account.client("iam", home, self.config)
                aliases = iam.list_account_aliases().get("AccountAliases") or []
                name = str(aliases[0]) if aliases else ""
            except (ClientError, BotoCoreError):
                name = ""  # the alias is only a display name
            scope = Scope("aws", account_id, name)
            account.name = name
        regional = [s for s in opts.services if s not in GLOBAL_SERVICES]
        if not regional:
            return _Opened(scope, account, [], notes)
        try:
            ec2 = account.client("ec2", home, self.config)
            listed = ec2.describe_regions(AllRegions=True).get("Regions") or []
            enabled = [
                str(r["RegionName"])
                for r in listed
                if r.get("OptInStatus", "opt-in-not-required") in ENABLED
            ]
        except (ClientError, BotoCoreError) as err:
            outcome, message = describe_error(err)
            if not opts.regions:
                notes.append(("regions", outcome, f"describe_regions: {message}"))
            return _Opened(scope, account, list(opts.regions) or [home], notes)
        if not opts.regions:
            return _Opened(scope, account, enabled, notes)
        regions = [r for r in opts.regions if r in enabled]
        for region in opts.regions:
            if region not in enabled:
                notes.extend(
                    (
                        f"{service}:{region}",
                        Outcome.DENIED,
                        f"region {region} is not enabled for this account (opt-in)",
                    )
                    for service in regional
                )
        return _Opened(scope, account, regions, notes)

    def _read(self, opened: _Opened, region: str, service: str) -> _Done:
        """Read one service in one region of one account; never raises."""
        assert opened.account is not None
        account = opened.account
        reader = Reader(account, region, service, self.config)
        client_name, collect = COLLECTORS[service]
        if region != "global":
            offered = account.session.get_available_regions(client_name, account.partition)
            if offered and region not in offered:
                return _Done(
                    opened.scope,
                    region,
                    reader.area,
                    Outcome.SKIPPED,
                    f"{service} is not offered in {region}",
                    [],
                )
        try:
            resources = collect(reader, self.options)
        except (ClientError, BotoCoreError, KeyError, TypeError, ValueError) as err:
            # a malformed answer ends this area only; what was read before is dropped with it
            logger.warning("aws %s %s %s failed", account.id, region, service, exc_info=True)
            return _Done(
                opened.scope,
                region,
                reader.area,
                Outcome.ERROR,
                f"{type(err).__name__}: {err}",
                [],
            )
        outcome, message = reader.outcome()
        return _Done(opened.scope, region, reader.area, outcome, message, resources)
