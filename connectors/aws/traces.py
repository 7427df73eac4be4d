"""Traces of AI use that leave no AI resource behind: function and task environments (variable
*names* only), GPU instances, IAM grants of ``bedrock:InvokeModel*``, Bedrock calls in
CloudTrail, AI spend in Cost Explorer, and secret / parameter *names* that look like AI API keys.

Every resource here is ``standalone=False``: its findings are evidence of the account-wide system
of the product it names. Values are never kept: ``list_functions`` and ``describe_task_definition``
return environment values, which are dropped here before anything leaves the function.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from connectors.aws.session import Reader, compact, model_id, tag_map, when
from connectors.base import CloudResource

ACCELERATED_FAMILIES = (
    "p2", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6",
    "g3", "g4dn", "g4ad", "g5", "g5g", "g6", "g6e", "gr6", "g6f",
    "inf1", "inf2", "trn1", "trn1n", "trn2", "dl1", "dl2q",
)  # fmt: skip
"""EC2 instance families with GPUs or AWS ML accelerators (Inferentia, Trainium, Gaudi)."""

INVOKE_ACTIONS = ("bedrock:invokemodel", "bedrock:invokemodelwithresponsestream")
READ_PREFIXES = ("List", "Get", "Describe", "Search")
"""CloudTrail events named so are reads of Bedrock's control plane (the scanner's own calls
among them), not use of a model."""


def lambdas(r: Reader) -> list[CloudResource]:
    """Lambda functions, with the names of their environment variables and their image."""
    found: list[CloudResource] = []
    for fn in r.pages("lambda", "list_functions", "Functions"):
        names = sorted(((fn.get("Environment") or {}).get("Variables") or {}).keys())
        images: list[str] = []
        if fn.get("PackageType") == "Image":
            got = r.call("lambda", "get_function", FunctionName=fn["FunctionArn"])
            images.append(str(((got or {}).get("Code") or {}).get("ImageUri", "")))
        found.append(
            r.resource(
                "AWS::Lambda::Function",
                fn["FunctionArn"],
                name=fn.get("FunctionName", ""),
                standalone=False,
                properties={"runtime": str(fn.get("Runtime", fn.get("PackageType", "")))},
                created=when(fn.get("LastModified")),
                images=compact(images),
                env_var_names=tuple(names),
            )
        )
    return found


def ecs(r: Reader) -> list[CloudResource]:
    """The latest active revision of every ECS task definition family."""
    found: list[CloudResource] = []
    families = r.pages("ecs", "list_task_definition_families", "families", status="ACTIVE")
    for family in families:
        got = r.call("ecs", "describe_task_definition", taskDefinition=family, include=["TAGS"])
        task = (got or {}).get("taskDefinition")
        if not task:
            continue
        containers = task.get("containerDefinitions") or []
        names = [
            str(var.get("name", ""))
            for c in containers
            for var in [*(c.get("environment") or []), *(c.get("secrets") or [])]
        ]
        found.append(
            r.resource(
                "AWS::ECS::TaskDefinition",
                task["taskDefinitionArn"],
                name=str(family),
                standalone=False,
                properties={"revision": str(task.get("revision", ""))},
                tags=tag_map((got or {}).get("tags")),
                created=when(task.get("registeredAt")),
                images=compact([str(c.get("image", "")) for c in containers]),
                env_var_names=compact(sorted(names)),
            )
        )
    return found


def gpu_instances(r: Reader) -> list[CloudResource]:
    """Running (or starting) EC2 instances of accelerated families."""
    found: list[CloudResource] = []
    reservations = r.pages(
        "ec2",
        "describe_instances",
        "Reservations",
        Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}],
    )
    for reservation in reservations:
        for inst in reservation.get("Instances") or []:
            itype = str(inst.get("InstanceType", ""))
            family = itype.split(".", 1)[0]
            if family not in ACCELERATED_FAMILIES:
                continue
            tags = tag_map(inst.get("Tags"))
            found.append(
                r.resource(
                    "AWS::EC2::Instance",
                    r.arn("ec2", f"instance/{inst['InstanceId']}"),
                    name=tags.get("Name", inst["InstanceId"]),
                    kind="accelerated",
                    standalone=False,
                    properties={"instance_type": itype, "family": family},
                    tags=tags,
                    created=when(inst.get("LaunchTime")),
                )
            )
    return found


def _document(doc: Any) -> dict[str, Any]:
    if isinstance(doc, str):
        try:
            loaded = json.loads(unquote(doc))
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return doc if isinstance(doc, dict) else {}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def invoke_grants(document: Any) -> list[str] | None:
    """Resources an IAM policy document allows ``bedrock:InvokeModel*`` on (None: no grant).

    Only statements naming a ``bedrock:`` action count: ``*`` (administrator) says nothing
    about AI use.
    """
    resources: list[str] = []
    granted = False
    statements = _document(document).get("Statement") or []
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        actions = [a.lower() for a in _as_list(st.get("Action"))]
        if any(
            a.startswith("bedrock:") and fnmatchcase(want, a)
            for a in actions
            for want in INVOKE_ACTIONS
        ):
            granted = True
            resources.extend(_as_list(st.get("Resource")))
    return resources if granted else None


def iam_grants(r: Reader) -> list[CloudResource]:
    """Users, groups and roles allowed to invoke Bedrock models, and which models."""
    details: dict[str, list[Any]] = defaultdict(list)
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        details[key] = []
    try:
        pages = (
            r.client("iam")
            .get_paginator("get_account_authorization_details")
            .paginate(Filter=["User", "Role", "Group", "LocalManagedPolicy"])
        )
        for page in pages:
            for key in details:
                details[key].extend(page.get(key) or [])
    except (ClientError, BotoCoreError) as err:
        r.note_failure("iam", "get_account_authorization_details", err)
        return []
    managed: dict[str, Any] = {}
    for policy in details["Policies"]:
        for version in policy.get("PolicyVersionList") or []:
            if version.get("IsDefaultVersion"):
                managed[policy["Arn"]] = version.get("Document")
    found: list[CloudResource] = []
    kinds = (
        ("UserDetailList", "AWS::IAM::User", "UserName", "UserPolicyList"),
        ("GroupDetailList", "AWS::IAM::Group", "GroupName", "GroupPolicyList"),
        ("RoleDetailList", "AWS::IAM::Role", "RoleName", "RolePolicyList"),
    )
    for key, rtype, name_key, inline_key in kinds:
        for principal in details[key]:
            documents = [p.get("PolicyDocument") for p in principal.get(inline_key) or []]
            documents.extend(
                managed[a["PolicyArn"]]
                for a in principal.get("AttachedManagedPolicies") or []
                if a.get("PolicyArn") in managed
            )
            granted: list[str] = []
            any_grant = False
            for doc in documents:
                got = invoke_grants(doc)
                if got is not None:
                    any_grant = True
                    granted.extend(got)
            if not any_grant:
                continue
            models = compact([model_id(g) for g in granted if "*" not in g and "/" in g])
            found.append(
                r.resource(
                    rtype,
                    principal["Arn"],
                    name=principal.get(name_key, ""),
                    kind="grant:bedrock:InvokeModel",
                    standalone=False,
                    properties={"granted_resources": ",".join(compact(granted))[:256]},
                    tags=tag_map(principal.get("Tags")),
                    created=when(principal.get("CreateDate")),
                    model_ids=models,
                    principals=(principal["Arn"],),
                )
            )
    return found


def cloudtrail(r: Reader, days: int = 7, max_events: int = 5000) -> list[CloudResource]:
    """Bedrock calls in CloudTrail's management events: who invoked which models, per principal."""
    events = r.pages(
        "cloudtrail",
        "lookup_events",
        "Events",
        LookupAttributes=[
            {"AttributeKey": "EventSource", "AttributeValue": "bedrock.amazonaws.com"}
        ],
        StartTime=r.now - timedelta(days=days),
        EndTime=r.now,
        PaginationConfig={"MaxItems": max_events},
    )
    by_principal: dict[str, dict[str, Any]] = {}
    for event in events:
        name = str(event.get("EventName", ""))
        if name.startswith(READ_PREFIXES):
            continue
        detail = _document(event.get("CloudTrailEvent"))
        identity = detail.get("userIdentity") or {}
        principal = _principal(str(identity.get("arn") or event.get("Username") or "unknown"))
        params = detail.get("requestParameters") or {}
        entry = by_principal.setdefault(
            principal, {"events": 0, "names": set(), "models": [], "first": None, "last": None}
        )
        entry["events"] += 1
        entry["names"].add(name)
        if isinstance(params, dict) and params.get("modelId"):
            entry["models"].append(model_id(str(params["modelId"])))
        at = when(event.get("EventTime"))
        if at is not None:
            entry["first"] = at if entry["first"] is None else min(entry["first"], at)
            entry["last"] = at if entry["last"] is None else max(entry["last"], at)
    found: list[CloudResource] = []
    found.extend(
        r.resource(
            "AWS::CloudTrail::Event",
            r.arn("cloudtrail", f"event-source/bedrock.amazonaws.com/principal/{principal}"),
            name=f"Bedrock calls by {principal.rsplit('/', 1)[-1]}",
            kind="bedrock.amazonaws.com",
            standalone=False,
            properties={
                "events": str(entry["events"]),
                "event_names": ",".join(sorted(entry["names"])),
                "last_seen": entry["last"].isoformat() if entry["last"] else "",
                "window_days": str(days),
            },
            created=entry["first"],
            model_ids=compact(entry["models"]),
            principals=(principal,),
        )
        for principal, entry in sorted(by_principal.items())
    )
    return found


def _principal(arn: str) -> str:
    """An assumed-role session's ARN as its role's ARN: one principal however many sessions."""
    if ":assumed-role/" not in arn:
        return arn
    head, _, rest = arn.partition(":assumed-role/")
    partition, account = head.split(":")[1], head.split(":")[4]
    return f"arn:{partition}:iam::{account}:role/{rest.split('/')[0]}"


def cost(r: Reader, days: int = 30) -> list[CloudResource]:
    """Spend per AWS service over the last ``days`` (every service with spend: the catalog
    decides which are AI). Cost Explorer bills each request; one request per account."""
    end = r.now.date()
    start = end - timedelta(days=days)
    got = r.call(
        "ce",
        "get_cost_and_usage",
        TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
        GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
    )
    totals: dict[str, float] = defaultdict(float)
    units: dict[str, str] = {}
    for period in (got or {}).get("ResultsByTime") or []:
        for group in period.get("Groups") or []:
            keys = group.get("Keys") or [""]
            metric = (group.get("Metrics") or {}).get("UnblendedCost") or {}
            try:
                totals[keys[0]] += float(metric.get("Amount", 0))
            except ValueError:
                continue
            units[keys[0]] = str(metric.get("Unit", "USD"))
    return [
        r.resource(
            "AWS::CE::ServiceCost",
            f"arn:{r.account.partition}:ce::{r.account.id}:service-cost/{service}",
            name=f"{service} spend",
            kind=service,
            standalone=False,
            properties={
                "spend": f"{amount:.2f}",
                "currency": units.get(service, "USD"),
                "period": f"{start.isoformat()}..{end.isoformat()}",
            },
        )
        for service, amount in sorted(totals.items())
        if amount > 0
    ]


def secret_names(r: Reader) -> list[CloudResource]:
    """Secrets Manager secrets and SSM parameters, by name (values are never requested)."""
    found: list[CloudResource] = []
    found.extend(
        r.resource(
            "AWS::SecretsManager::Secret",
            secret["ARN"],
            name=secret.get("Name", ""),
            standalone=False,
            tags=tag_map(secret.get("Tags")),
            created=when(secret.get("CreatedDate")),
            env_var_names=(str(secret.get("Name", "")),),
        )
        for secret in r.pages("secretsmanager", "list_secrets", "SecretList")
    )
    for param in r.pages("ssm", "describe_parameters", "Parameters"):
        name = str(param.get("Name", ""))
        arn = param.get("ARN") or r.arn("ssm", f"parameter/{name.lstrip('/')}")
        found.append(
            r.resource(
                "AWS::SSM::Parameter",
                arn,
                name=name,
                standalone=False,
                properties={"type": str(param.get("Type", ""))},
                created=when(param.get("LastModifiedDate")),
                env_var_names=(name,),
            )
        )
    return found
