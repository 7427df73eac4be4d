"""Amazon SageMaker: endpoints down to their container images, notebooks, Studio domains and user
profiles, recent training jobs and model registry groups.

An endpoint is followed to its endpoint config and models (each described once per region, even
when shared) so that the serving container shows: a TGI, DJL/LMI, vLLM or Triton image is an LLM
server, which the catalog's image rules recognise. Tags come from the Resource Groups Tagging API:
one paginated call per region instead of one per resource.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from connectors.aws.session import Reader, compact, tag_map, when
from connectors.base import CloudResource

MODEL_ENV = ("HF_MODEL_ID", "OPTION_MODEL_ID", "MODEL_ID", "SM_HF_MODEL_ID", "HF_MODEL")
"""Container variables whose *value* names the served model (SageMaker's Hugging Face, DJL/LMI and
JumpStart conventions); every other variable contributes its name only."""


def collect(r: Reader, training_days: int = 30) -> list[CloudResource]:
    """Every SageMaker resource of one account and region."""
    tagged = {
        m["ResourceARN"]: tag_map(m.get("Tags"))
        for m in r.pages(
            "resourcegroupstaggingapi",
            "get_resources",
            "ResourceTagMappingList",
            ResourceTypeFilters=["sagemaker"],
        )
    }
    found: list[CloudResource] = []
    configs: dict[str, dict[str, Any]] = {}
    models: dict[str, dict[str, Any]] = {}
    for summary in r.pages("sagemaker", "list_endpoints", "Endpoints"):
        endpoint = r.call("sagemaker", "describe_endpoint", EndpointName=summary["EndpointName"])
        config_name = (endpoint or {}).get("EndpointConfigName", "")
        if config_name and config_name not in configs:
            configs[config_name] = (
                r.call("sagemaker", "describe_endpoint_config", EndpointConfigName=config_name)
                or {}
            )
        variants = configs.get(config_name, {}).get("ProductionVariants") or []
        images: list[str] = []
        env_names: list[str] = []
        served: list[str] = []
        for variant in variants:
            name = variant.get("ModelName", "")
            if name and name not in models:
                models[name] = r.call("sagemaker", "describe_model", ModelName=name) or {}
            model = models.get(name, {})
            containers = [model.get("PrimaryContainer") or {}, *(model.get("Containers") or [])]
            for container in containers:
                images.append(str(container.get("Image", "")))
                env = container.get("Environment") or {}
                env_names.extend(str(k) for k in env)
                served.extend(str(env[k]) for k in MODEL_ENV if env.get(k))
        arn = summary["EndpointArn"]
        found.append(
            r.resource(
                "AWS::SageMaker::Endpoint",
                arn,
                name=summary["EndpointName"],
                properties={
                    "status": str(summary.get("EndpointStatus", "")),
                    "endpoint_config": config_name,
                    "models": ",".join(v.get("ModelName", "") for v in variants),
                    "instance_types": ",".join(
                        compact([str(v.get("InstanceType", "")) for v in variants])
                    ),
                    "images": ",".join(compact(images)),
                },
                tags=tagged.get(arn, {}),
                created=when(summary.get("CreationTime")),
                model_ids=compact(served),
                images=compact(images),
                env_var_names=compact(env_names),
            )
        )
    for nb in r.pages("sagemaker", "list_notebook_instances", "NotebookInstances"):
        arn = nb["NotebookInstanceArn"]
        found.append(
            r.resource(
                "AWS::SageMaker::NotebookInstance",
                arn,
                name=nb.get("NotebookInstanceName", ""),
                properties={
                    "status": str(nb.get("NotebookInstanceStatus", "")),
                    "instance_type": str(nb.get("InstanceType", "")),
                },
                tags=tagged.get(arn, {}),
                created=when(nb.get("CreationTime")),
            )
        )
    users: dict[str, list[str]] = {}
    domains = r.pages("sagemaker", "list_domains", "Domains")
    if domains:
        for profile in r.pages("sagemaker", "list_user_profiles", "UserProfiles"):
            users.setdefault(profile.get("DomainId", ""), []).append(
                str(profile.get("UserProfileName", ""))
            )
    for d in domains:
        arn = d["DomainArn"]
        profiles = users.get(d.get("DomainId", ""), [])
        found.append(
            r.resource(
                "AWS::SageMaker::Domain",
                arn,
                name=d.get("DomainName", ""),
                properties={
                    "status": str(d.get("Status", "")),
                    "user_profiles": str(len(profiles)),
                },
                tags=tagged.get(arn, {}),
                created=when(d.get("CreationTime")),
                principals=compact(profiles),
            )
        )
    since = r.now - timedelta(days=training_days)
    jobs = r.pages(
        "sagemaker", "list_training_jobs", "TrainingJobSummaries", CreationTimeAfter=since
    )
    found.extend(
        r.resource(
            "AWS::SageMaker::TrainingJob",
            job["TrainingJobArn"],
            name=job.get("TrainingJobName", ""),
            standalone=False,
            properties={"status": str(job.get("TrainingJobStatus", ""))},
            created=when(job.get("CreationTime")),
        )
        for job in jobs
    )
    for group in r.pages("sagemaker", "list_model_package_groups", "ModelPackageGroupSummaryList"):
        arn = group["ModelPackageGroupArn"]
        found.append(
            r.resource(
                "AWS::SageMaker::ModelPackageGroup",
                arn,
                name=group.get("ModelPackageGroupName", ""),
                properties={"status": str(group.get("ModelPackageGroupStatus", ""))},
                tags=tagged.get(arn, {}),
                created=when(group.get("CreationTime")),
            )
        )
    return found
