"""Resource observations become findings: managed resources are systems, the rest is evidence."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.base import CloudResource, Observation, ObservationKind, Scope
from detectors.base import Confidence, Signal
from detectors.cloud import detect_resource
from fingerprints.catalog import Catalog
from inventory_db.identity import identity_key

SUB = Scope("azure", "00000000-0000-0000-0000-000000000001", "prod subscription")
ACCOUNT = Scope("aws", "123456789012", "prod")


def observe(scope: Scope, resource: CloudResource) -> Observation:
    return Observation(scope, ObservationKind.RESOURCE, resource.id, None, resource)


def test_a_managed_ai_resource_is_a_system_of_its_own(catalog: Catalog) -> None:
    # Arrange
    arm_id = (
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ai"
        "/providers/Microsoft.CognitiveServices/accounts/contoso-openai"
    )
    resource = CloudResource(
        type="Microsoft.CognitiveServices/accounts",
        id=arm_id,
        name="contoso-openai",
        area="cognitiveservices:westeurope",
        region="westeurope",
        kind="OpenAI",
        model_ids=("gpt-4o",),
        tags={"owner": "ml-team"},
        created=datetime(2026, 1, 2, tzinfo=UTC),
    )

    # Act
    findings = detect_resource(catalog, observe(SUB, resource))

    # Assert: one Azure OpenAI system per account, keyed by its ARM id, with its model
    own = [f for f in findings if f.signal is Signal.CLOUD_RESOURCE]
    assert [f.product_id for f in own] == ["azure-openai"]
    system = own[0]
    assert system.instance == arm_id and system.instance_name == "contoso-openai"
    assert system.models == ("gpt-4o",)
    assert system.confidence is Confidence.HIGH
    assert system.area == "cognitiveservices:westeurope"
    assert system.attributes["tag:owner"] == "ml-team"
    assert system.attributes["created"] == "2026-01-02T00:00:00+00:00"
    assert identity_key(SUB, system.product_id, system.instance).endswith(":azure-openai:" + arm_id)


def test_the_same_type_of_another_kind_is_not_that_product(catalog: Catalog) -> None:
    resource = CloudResource(
        type="Microsoft.CognitiveServices/accounts", id="/x/speech", kind="SpeechServices"
    )
    assert "azure-openai" not in {
        f.product_id for f in detect_resource(catalog, observe(SUB, resource))
    }


def test_variable_names_in_a_function_are_evidence_of_scope_wide_use(catalog: Catalog) -> None:
    # Arrange: a Lambda is not AI, but its environment names an OpenAI key (the name only)
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:ticket-triage"
    resource = CloudResource(
        type="AWS::Lambda::Function",
        id=arn,
        name="ticket-triage",
        area="lambda:eu-west-1",
        standalone=False,
        env_var_names=("OPENAI_API_KEY", "LOG_LEVEL"),
    )

    # Act
    findings = detect_resource(catalog, observe(ACCOUNT, resource))

    # Assert
    assert [(f.product_id, f.signal) for f in findings] == [("openai", Signal.ENV_VAR)]
    assert findings[0].instance == ""  # the account's OpenAI system, not a system per function
    assert str(findings[0].location) == arn
    assert findings[0].attributes["matched"] == "OPENAI_API_KEY"


def test_model_ids_and_images_name_their_products(catalog: Catalog) -> None:
    resource = CloudResource(
        type="AWS::SageMaker::Endpoint",
        id="arn:aws:sagemaker:us-east-1:123456789012:endpoint/support-llm",
        name="support-llm",
        images=("ghcr.io/huggingface/text-generation-inference:2.4",),
        model_ids=("gpt-4o", "meta-llama/Llama-3.1-8B-Instruct"),
    )
    findings = detect_resource(catalog, observe(ACCOUNT, resource))
    by_product = {f.product_id: f for f in findings}
    assert by_product["aws-sagemaker"].instance.endswith("endpoint/support-llm")
    assert by_product["aws-sagemaker"].models == ("gpt-4o", "meta-llama/Llama-3.1-8B-Instruct")
    assert by_product["openai"].signal is Signal.MODEL_ID
    assert by_product["openai"].models == ("gpt-4o",)  # only the ids that are its own
    assert by_product["openai"].instance == ""
    tgi = [f for f in findings if f.signal is Signal.IMAGE]
    assert tgi and tgi[0].attributes["matched"].endswith("text-generation-inference:2.4")


def test_a_resource_naming_nothing_ai_yields_nothing(catalog: Catalog) -> None:
    resource = CloudResource(
        type="AWS::Lambda::Function",
        id="arn:aws:lambda:eu-west-1:123456789012:function:resize",
        standalone=False,
        env_var_names=("BUCKET", "LOG_LEVEL"),
        model_ids=("resize-v2",),
    )
    assert detect_resource(catalog, observe(ACCOUNT, resource)) == []


def test_a_saas_app_is_matched_by_id_name_domain_or_publisher() -> None:
    # Arrange: a catalogue of two apps, compiled like the bundled one
    from fingerprints.catalog import compile_catalog
    from fingerprints.schema import FingerprintFile

    doc = {
        "id": "notes",
        "vendor": "acme",
        "vendor_name": "Acme",
        "products": [
            {
                "id": "acme-notes",
                "name": "Acme Notes",
                "category": "saas-ai-feature",
                "keywords": ["acmenotes"],  # a catalog needs one keyword; apps add none
                "signals": {
                    "apps": [
                        {
                            "names": ["Acme Notes*"],
                            "publishers": ["Acme AI, Inc."],
                            "ids": ["1111-2222"],
                            "domains": ["acmenotes.ai"],
                        }
                    ]
                },
            },
            {
                "id": "acme-chat",
                "name": "Acme Chat",
                "category": "saas-ai-feature",
                "signals": {"apps": [{"names": ["Acme Chat"], "ids": ["Acme_Chat_SKU"]}]},
            },
        ],
    }
    cat = compile_catalog([FingerprintFile.model_validate(doc)])
    tenant = Scope("m365", "contoso.onmicrosoft.com", "Contoso")

    def products(**fields: object) -> dict[str, tuple[str, Confidence]]:
        res = CloudResource(type="m365:servicePrincipal", id="sp/1", **fields)  # type: ignore[arg-type]
        return {
            f.product_id: (f.attributes["matched"], f.confidence)
            for f in detect_resource(cat, observe(tenant, res))
        }

    # Act / Assert
    assert products(name="Whatever", app_id="1111-2222") == {
        "acme-notes": ("id: 1111-2222", Confidence.HIGH)
    }
    assert products(name="Acme  Notes - Meeting Assistant", app_id="x") == {
        "acme-notes": ("name: Acme  Notes - Meeting Assistant", Confidence.HIGH)
    }
    assert products(name="Recorder", app_id="x", hosts=("app.acmenotes.ai",)) == {
        "acme-notes": ("domain: app.acmenotes.ai", Confidence.MEDIUM)
    }
    # a publisher alone counts only when nothing more specific matched
    assert products(name="Other", publisher="ACME AI Inc", app_id="y") == {
        "acme-notes": ("publisher: ACME AI Inc", Confidence.MEDIUM)
    }
    assert products(name="Acme Chat", publisher="Acme AI, Inc.", app_id="y") == {
        "acme-chat": ("name: Acme Chat", Confidence.HIGH)
    }
    assert products(name="acme_chat_sku", app_id="ACME_CHAT_SKU") == {
        "acme-chat": ("id: ACME_CHAT_SKU", Confidence.HIGH)
    }
    # a name says which app it is: a domain of another product of the vendor adds nothing
    assert products(name="Acme Chat", app_id="z", hosts=("acmenotes.ai",)) == {
        "acme-chat": ("name: Acme Chat", Confidence.HIGH)
    }
    # a cloud resource without app facts is never matched by its name
    assert products(name="Acme Chat") == {}
    assert products(name="Payroll", publisher="Contoso", app_id="z") == {}


def test_a_rule_can_select_on_a_property_other_than_kind(catalog: Catalog) -> None:
    def products(collection_type: str) -> set[str]:
        res = CloudResource(
            type="AWS::OpenSearchServerless::Collection",
            id=f"arn:aws:aoss:eu-west-1:123456789012:collection/{collection_type.lower()}",
            properties={"Type": collection_type},
        )
        return {f.product_id for f in detect_resource(catalog, observe(ACCOUNT, res))}

    assert products("VECTORSEARCH") == {"aws-opensearch-serverless-vector"}
    assert products("TIMESERIES") == set()
