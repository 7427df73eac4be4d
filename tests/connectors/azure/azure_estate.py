"""The seeded Azure estate the tests scan: three subscriptions, AI resources of every family.

Production (A): an OpenAI account with gpt-4o and text-embedding-3-large deployments, logging on
and a custom content filter; an AIServices (Foundry) account with a Phi-4 deployment and a
Foundry project, public access off and no diagnostic settings; an AI Search service; a function
app whose app setting names show direct OpenAI API use; a plain web app and a storage account
(neither AI). Research (B): an ML workspace with an online endpoint serving a registered model, a
Bot Service bot, a Language account. Sandbox (C): an OpenAI account with gpt-4o-mini; the tests
deny it (403) in a second scan.
"""

from __future__ import annotations

from examples.standins.azure_arm import (
    ArmState,
    account,
    deployment,
    diagnostic,
    project,
    rai_policy,
    tracked,
)

TENANT = "72f988bf-0000-0000-0000-000000000001"
CLIENT_ID = "0d3c7a55-aaaa-bbbb-cccc-000000000042"
CLIENT_SECRET = "Zq8~secret.Value_that-MUST-never-leak42"
SUB_A = "11111111-1111-1111-1111-111111111111"
SUB_B = "22222222-2222-2222-2222-222222222222"
SUB_C = "33333333-3333-3333-3333-333333333333"
NAMES = {SUB_A: "Contoso Production", SUB_B: "Contoso Research", SUB_C: "Contoso Sandbox"}

AOAI = account(SUB_A, "rg-ai", "contoso-aoai", "OpenAI", tags={"owner": "ai-team@contoso.example"})
FOUNDRY = account(SUB_A, "rg-ai", "contoso-foundry", "AIServices", public="Disabled")
FOUNDRY_PROJECT = project(FOUNDRY["id"], "support-agent")
SEARCH = tracked(
    SUB_A,
    "rg-ai",
    "Microsoft.Search/searchServices",
    ("contoso-search",),
    sku={"name": "standard"},
    properties={"publicNetworkAccess": "enabled", "semanticSearch": "free", "replicaCount": 1},
)
TRIAGE_APP = tracked(
    SUB_A,
    "rg-apps",
    "Microsoft.Web/sites",
    ("ticket-triage",),
    kind="functionapp,linux",
    properties={"siteConfig": {"appSettings": None}, "state": "Running"},
)
WEB_APP = tracked(
    SUB_A,
    "rg-apps",
    "Microsoft.Web/sites",
    ("marketing",),
    kind="app",
    properties={"siteConfig": {"appSettings": None}},
)
STORAGE = tracked(
    SUB_A, "rg-apps", "Microsoft.Storage/storageAccounts", ("contosodata",), kind="StorageV2"
)
WORKSPACE = tracked(
    SUB_B,
    "rg-ml",
    "Microsoft.MachineLearningServices/workspaces",
    ("research-ml",),
    kind="Default",
    sku={"name": "Basic", "tier": "Basic"},
    properties={"friendlyName": "Research ML", "publicNetworkAccess": "Enabled"},
)
ENDPOINT = tracked(
    SUB_B,
    "rg-ml",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ("research-ml", "churn-scorer"),
    kind="Managed",
    properties={
        "authMode": "Key",
        "scoringUri": "https://churn-scorer.westeurope.inference.ml.azure.com/score",
        "publicNetworkAccess": "Enabled",
        "provisioningState": "Succeeded",
    },
)
ENDPOINT_DEPLOYMENT = tracked(
    SUB_B,
    "rg-ml",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    ("research-ml", "churn-scorer", "blue"),
    kind="Managed",
    sku={"name": "Default", "capacity": 2},
    properties={
        "model": f"/subscriptions/{SUB_B}/resourceGroups/rg-ml/providers/"
        "Microsoft.MachineLearningServices/workspaces/research-ml/models/churn-model/versions/3",
        "instanceType": "Standard_DS3_v2",
        "endpointComputeType": "Managed",
    },
)
BOT = tracked(
    SUB_B,
    "rg-bots",
    "Microsoft.BotService/botServices",
    ("helpdesk-bot",),
    kind="azurebot",
    sku={"name": "S1"},
    location="global",
    properties={
        "displayName": "Helpdesk",
        "endpoint": "https://helpdesk.azurewebsites.net/api/messages",
        "msaAppType": "SingleTenant",
        "publicNetworkAccess": "Enabled",
    },
)
LANGUAGE = account(SUB_B, "rg-lang", "research-language", "TextAnalytics")
SANDBOX = account(SUB_C, "rg-sandbox", "sandbox-aoai", "OpenAI", location="swedencentral")


def estate() -> ArmState:
    """A fresh copy of the seeded estate (tests may change it)."""
    return ArmState(
        tenant=TENANT,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        subscriptions=dict(NAMES),
        management_groups={"contoso-root": [SUB_A, SUB_B]},
        resources=[
            AOAI,
            FOUNDRY,
            SEARCH,
            TRIAGE_APP,
            WEB_APP,
            STORAGE,
            WORKSPACE,
            ENDPOINT,
            ENDPOINT_DEPLOYMENT,
            BOT,
            LANGUAGE,
            SANDBOX,
        ],
        children={
            (AOAI["id"].lower(), "deployments"): [
                deployment(
                    AOAI["id"],
                    "chat",
                    "gpt-4o",
                    "2024-08-06",
                    sku="GlobalStandard",
                    capacity=50,
                    rai="strict-filter",
                ),
                deployment(AOAI["id"], "embed", "text-embedding-3-large", "1", capacity=120),
            ],
            (AOAI["id"].lower(), "raiPolicies"): [
                rai_policy(AOAI["id"], "Microsoft.DefaultV2", managed=True),
                rai_policy(AOAI["id"], "strict-filter", mode="Asynchronous_filter"),
            ],
            (FOUNDRY["id"].lower(), "deployments"): [
                deployment(
                    FOUNDRY["id"],
                    "phi",
                    "Phi-4",
                    "7",
                    sku="GlobalStandard",
                    capacity=1,
                    fmt="Microsoft",
                ),
            ],
            (FOUNDRY["id"].lower(), "projects"): [FOUNDRY_PROJECT],
            (SANDBOX["id"].lower(), "deployments"): [
                deployment(SANDBOX["id"], "mini", "gpt-4o-mini", "2024-07-18"),
            ],
        },
        diagnostics={AOAI["id"].lower(): [diagnostic(AOAI["id"], "to-central-law", True)]},
        slot_config_names={TRIAGE_APP["id"].lower(): ["OPENAI_API_KEY", "TICKET_QUEUE"]},
    )
