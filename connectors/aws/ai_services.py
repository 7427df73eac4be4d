"""The other AWS AI services with resources of their own: Comprehend, Lex V2, Kendra, Q Business,
Rekognition, Transcribe, Translate, Personalize, Textract.

Each is a table row: the list call, where the ARN (or id) and name are, and whether the resource
is an AI system of its own (a custom model, a bot, an index) or a trace of use (a custom
vocabulary or terminology is configuration for a service the account uses).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.aws.session import Reader, when
from connectors.base import CloudResource


@dataclass(frozen=True, slots=True)
class Listing:
    """One list call and how to read its items."""

    client: str
    operation: str
    key: str
    type: str
    id_field: str
    """The item's ARN, or its id when ``arn_prefix`` builds the ARN."""
    name_field: str
    created_field: str = ""
    status_field: str = ""
    standalone: bool = True
    arn_service: str = ""
    arn_prefix: str = ""
    """``bot/`` -> ``arn:aws:lex:<region>:<account>:bot/<id>``."""


LISTINGS: dict[str, tuple[Listing, ...]] = {
    "comprehend": (
        Listing(
            "comprehend",
            "list_endpoints",
            "EndpointPropertiesList",
            "AWS::Comprehend::Endpoint",
            "EndpointArn",
            "EndpointArn",
            "CreationTime",
            "Status",
        ),
        Listing(
            "comprehend",
            "list_document_classifiers",
            "DocumentClassifierPropertiesList",
            "AWS::Comprehend::DocumentClassifier",
            "DocumentClassifierArn",
            "DocumentClassifierArn",
            "SubmitTime",
            "Status",
        ),
        Listing(
            "comprehend",
            "list_entity_recognizers",
            "EntityRecognizerPropertiesList",
            "AWS::Comprehend::EntityRecognizer",
            "EntityRecognizerArn",
            "EntityRecognizerArn",
            "SubmitTime",
            "Status",
        ),
    ),
    "lex": (
        Listing(
            "lexv2-models",
            "list_bots",
            "botSummaries",
            "AWS::Lex::Bot",
            "botId",
            "botName",
            "lastUpdatedDateTime",
            "botStatus",
            arn_service="lex",
            arn_prefix="bot/",
        ),
    ),
    "kendra": (
        Listing(
            "kendra",
            "list_indices",
            "IndexConfigurationSummaryItems",
            "AWS::Kendra::Index",
            "Id",
            "Name",
            "CreatedAt",
            "Status",
            arn_service="kendra",
            arn_prefix="index/",
        ),
    ),
    "qbusiness": (
        Listing(
            "qbusiness",
            "list_applications",
            "applications",
            "AWS::QBusiness::Application",
            "applicationId",
            "displayName",
            "createdAt",
            "status",
            arn_service="qbusiness",
            arn_prefix="application/",
        ),
    ),
    "rekognition": (
        Listing(
            "rekognition",
            "describe_projects",
            "ProjectDescriptions",
            "AWS::Rekognition::Project",
            "ProjectArn",
            "ProjectArn",
            "CreationTimestamp",
            "Status",
        ),
    ),
    "transcribe": (
        Listing(
            "transcribe",
            "list_language_models",
            "Models",
            "AWS::Transcribe::LanguageModel",
            "ModelName",
            "ModelName",
            "CreateTime",
            "ModelStatus",
            arn_service="transcribe",
            arn_prefix="language-model/",
        ),
        Listing(
            "transcribe",
            "list_vocabularies",
            "Vocabularies",
            "AWS::Transcribe::Vocabulary",
            "VocabularyName",
            "VocabularyName",
            "LastModifiedTime",
            "VocabularyState",
            standalone=False,
            arn_service="transcribe",
            arn_prefix="vocabulary/",
        ),
    ),
    "translate": (
        Listing(
            "translate",
            "list_terminologies",
            "TerminologyPropertiesList",
            "AWS::Translate::Terminology",
            "Arn",
            "Name",
            "CreatedAt",
            standalone=False,
        ),
        Listing(
            "translate",
            "list_parallel_data",
            "ParallelDataPropertiesList",
            "AWS::Translate::ParallelData",
            "Arn",
            "Name",
            "CreatedAt",
            "Status",
            standalone=False,
        ),
    ),
    "personalize": (
        Listing(
            "personalize",
            "list_campaigns",
            "campaigns",
            "AWS::Personalize::Campaign",
            "campaignArn",
            "name",
            "creationDateTime",
            "status",
        ),
    ),
    "textract": (
        Listing(
            "textract",
            "list_adapters",
            "Adapters",
            "AWS::Textract::Adapter",
            "AdapterId",
            "AdapterName",
            "CreationTime",
            arn_service="textract",
            arn_prefix="/adapters/",
        ),
    ),
}
"""Per ``--services`` name, its list calls."""


def collect(r: Reader, service: str) -> list[CloudResource]:
    """Every resource of ``service`` (a key of :data:`LISTINGS`) in one account and region."""
    found: list[CloudResource] = []
    for spec in LISTINGS[service]:
        for item in r.pages(spec.client, spec.operation, spec.key):
            ident = str(item.get(spec.id_field, ""))
            if not ident:
                continue
            arn = r.arn(spec.arn_service, f"{spec.arn_prefix}{ident}") if spec.arn_prefix else ident
            name = str(item.get(spec.name_field, ""))
            status = str(item.get(spec.status_field, "")) if spec.status_field else ""
            found.append(
                r.resource(
                    spec.type,
                    arn,
                    name=name.rsplit("/", 1)[-1],
                    standalone=spec.standalone,
                    properties={"status": status} if status else {},
                    created=when(item.get(spec.created_field)) if spec.created_field else None,
                )
            )
    if service == "rekognition":
        found.extend(
            r.resource(
                "AWS::Rekognition::Collection",
                r.arn("rekognition", f"collection/{collection}"),
                name=str(collection),
            )
            for collection in r.pages("rekognition", "list_collections", "CollectionIds")
        )
    return found
