"""Amazon Bedrock: custom, imported and provisioned models, customisation jobs, agents, knowledge
bases, guardrails, application inference profiles, and whether model invocations are logged.

Invocation logging is a property of the account and region; it is attached to every Bedrock
resource of that region (``invocation_logging``: ``on``/``off``/``unknown``) and, when it is on,
reported as a resource of its own (someone configured Bedrock there).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from connectors.aws.session import Reader, compact, model_id, tag_map, when
from connectors.base import CloudResource


def collect(r: Reader) -> list[CloudResource]:
    """Every Bedrock resource of one account and region."""
    found: list[CloudResource] = []
    logging = r.call("bedrock", "get_model_invocation_logging_configuration")
    config = (logging or {}).get("loggingConfig") or {}
    state = "unknown" if logging is None else ("on" if config else "off")
    common = {"invocation_logging": state}
    if config:
        destinations = [k for k in ("cloudWatchConfig", "s3Config") if config.get(k)]
        found.append(
            r.resource(
                "AWS::Bedrock::ModelInvocationLoggingConfiguration",
                r.arn("bedrock", "model-invocation-logging-configuration"),
                name="model invocation logging",
                standalone=False,
                properties={**common, "destinations": ",".join(destinations)},
            )
        )

    def tags(arn: str) -> dict[str, str]:
        got = r.call("bedrock", "list_tags_for_resource", resourceARN=arn)
        return tag_map((got or {}).get("tags"))

    found.extend(
        r.resource(
            "AWS::Bedrock::CustomModel",
            m["modelArn"],
            name=m.get("modelName", ""),
            properties={
                **common,
                "customization": str(m.get("customizationType", "")),
                "base_model": model_id(str(m.get("baseModelArn", ""))),
            },
            tags=tags(m["modelArn"]),
            created=when(m.get("creationTime")),
            model_ids=compact([model_id(str(m.get("baseModelArn", "")))]),
        )
        for m in r.pages("bedrock", "list_custom_models", "modelSummaries")
    )
    found.extend(
        r.resource(
            "AWS::Bedrock::ImportedModel",
            m["modelArn"],
            name=m.get("modelName", ""),
            properties={**common, "architecture": str(m.get("modelArchitecture", ""))},
            created=when(m.get("creationTime")),
        )
        for m in r.pages("bedrock", "list_imported_models", "modelSummaries")
    )
    for p in r.pages("bedrock", "list_provisioned_model_throughputs", "provisionedModelSummaries"):
        base = model_id(str(p.get("foundationModelArn") or p.get("modelArn", "")))
        found.append(
            r.resource(
                "AWS::Bedrock::ProvisionedModelThroughput",
                p["provisionedModelArn"],
                name=p.get("provisionedModelName", ""),
                properties={
                    **common,
                    "status": str(p.get("status", "")),
                    "model_units": str(p.get("modelUnits", "")),
                },
                created=when(p.get("creationTime")),
                model_ids=compact([base]),
            )
        )
    found.extend(
        r.resource(
            "AWS::Bedrock::ModelCustomizationJob",
            j["jobArn"],
            name=j.get("jobName", ""),
            standalone=False,
            properties={**common, "status": str(j.get("status", ""))},
            created=when(j.get("creationTime")),
            model_ids=compact([model_id(str(j.get("baseModelArn", "")))]),
        )
        for j in r.pages(
            "bedrock", "list_model_customization_jobs", "modelCustomizationJobSummaries"
        )
    )
    found.extend(
        r.resource(
            "AWS::Bedrock::Guardrail",
            g["arn"],
            name=g.get("name", ""),
            standalone=False,
            properties={**common, "status": str(g.get("status", ""))},
            created=when(g.get("createdAt")),
        )
        for g in r.pages("bedrock", "list_guardrails", "guardrails")
    )
    for p in r.pages(
        "bedrock", "list_inference_profiles", "inferenceProfileSummaries", typeEquals="APPLICATION"
    ):
        models = compact([model_id(str(m.get("modelArn", ""))) for m in p.get("models") or []])
        found.append(
            r.resource(
                "AWS::Bedrock::ApplicationInferenceProfile",
                p["inferenceProfileArn"],
                name=p.get("inferenceProfileName", ""),
                properties={**common, "status": str(p.get("status", ""))},
                created=when(p.get("createdAt")),
                model_ids=models,
            )
        )
    found.extend(_agents(r, common))
    found.extend(_knowledge_bases(r, common))
    return found


def _agents(r: Reader, common: dict[str, str]) -> list[CloudResource]:
    found: list[CloudResource] = []
    for summary in r.pages("bedrock-agent", "list_agents", "agentSummaries"):
        got = r.call("bedrock-agent", "get_agent", agentId=summary["agentId"])
        agent = (got or {}).get("agent") or {}
        arn = agent.get("agentArn") or r.arn("bedrock", f"agent/{summary['agentId']}")
        groups = r.pages(
            "bedrock-agent",
            "list_agent_action_groups",
            "actionGroupSummaries",
            agentId=summary["agentId"],
            agentVersion="DRAFT",
        )
        guardrail = (agent.get("guardrailConfiguration") or {}).get("guardrailIdentifier", "")
        model = str(agent.get("foundationModel", ""))
        found.append(
            r.resource(
                "AWS::Bedrock::Agent",
                arn,
                name=summary.get("agentName", ""),
                properties={
                    **common,
                    "status": str(summary.get("agentStatus", "")),
                    "foundation_model": model_id(model),
                    "action_groups": ",".join(g.get("actionGroupName", "") for g in groups),
                    "guardrail": str(guardrail),
                },
                tags=_agent_tags(r, arn),
                created=when(agent.get("createdAt")),
                model_ids=compact([model_id(model)]),
            )
        )
    return found


def _agent_tags(r: Reader, arn: str) -> dict[str, str]:
    got = r.call("bedrock-agent", "list_tags_for_resource", resourceArn=arn)
    return tag_map((got or {}).get("tags"))


def _knowledge_bases(r: Reader, common: dict[str, str]) -> list[CloudResource]:
    found: list[CloudResource] = []
    for summary in r.pages("bedrock-agent", "list_knowledge_bases", "knowledgeBaseSummaries"):
        got = r.call(
            "bedrock-agent", "get_knowledge_base", knowledgeBaseId=summary["knowledgeBaseId"]
        )
        kb = (got or {}).get("knowledgeBase") or {}
        arn = kb.get("knowledgeBaseArn") or r.arn(
            "bedrock", f"knowledge-base/{summary['knowledgeBaseId']}"
        )
        vector = (kb.get("knowledgeBaseConfiguration") or {}).get(
            "vectorKnowledgeBaseConfiguration"
        ) or {}
        store = kb.get("storageConfiguration") or {}
        store_type = str(store.get("type", ""))
        hosts = compact([_store_host(store)])
        found.append(
            r.resource(
                "AWS::Bedrock::KnowledgeBase",
                arn,
                name=summary.get("name", ""),
                properties={
                    **common,
                    "status": str(summary.get("status", "")),
                    "vector_store": store_type,
                    "embedding_model": model_id(str(vector.get("embeddingModelArn", ""))),
                },
                tags=_agent_tags(r, arn),
                created=when(kb.get("createdAt")),
                model_ids=compact([model_id(str(vector.get("embeddingModelArn", "")))]),
                hosts=hosts,
            )
        )
    return found


def _store_host(store: dict[str, Any]) -> str:
    """The host of an external vector store (Pinecone, Redis Enterprise, MongoDB Atlas)."""
    for key in (
        "pineconeConfiguration",
        "redisEnterpriseCloudConfiguration",
        "mongoDbAtlasConfiguration",
    ):
        conf = store.get(key) or {}
        target = conf.get("connectionString") or conf.get("endpoint") or ""
        if target:
            host = urlparse(target if "//" in target else f"https://{target}").hostname
            return host or ""
    return ""
