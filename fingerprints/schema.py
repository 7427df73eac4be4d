"""The fingerprint file format, validated strictly: unknown keys, bad regexes and bad ids fail.

A fingerprint file is outside input (anyone may add one), so it is validated with pydantic and
every error names the file, the key path and the reason.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from fingerprints.categories import Category

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", max_length=64)]
"""Ids and vendor slugs: lowercase, digits and hyphens. Ids are API: never rename one."""

CodeLanguage = Literal["python", "javascript", "java", "go", "csharp", "ruby", "rust", "php"]
"""Languages a code rule names; ``javascript`` rules also apply to TypeScript and TSX, ``java``
rules to Kotlin (both import JVM packages by the same names)."""

Ecosystem = Literal["pypi", "npm", "maven", "go", "nuget", "rubygems", "cargo", "packagist"]
"""Package registries a dependency rule names; conda packages are looked up as ``pypi``.

Names are compared after :func:`normalise_package` (rules and manifests alike): ``pypi`` by
PEP 503; ``npm``, ``nuget`` and ``packagist`` case-insensitively; ``cargo`` case-insensitively
with ``_`` equal to ``-``; ``maven`` (``group:artifact``), ``go`` (a module path) and
``rubygems`` exactly. A ``go`` rule also matches the modules beneath it: the major-version
module ``github.com/openai/openai-go/v3`` is ``github.com/openai/openai-go``."""

_PEP503_SEPARATORS = re.compile(r"[-_.]+")
_MAVEN_COORDINATE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*:[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def normalise_package(ecosystem: str, name: str) -> str:
    """The form in which a package name of ``ecosystem`` is compared (see :data:`Ecosystem`)."""
    name = name.strip()
    if ecosystem in ("npm", "nuget", "packagist"):
        return name.lower()
    if ecosystem == "cargo":
        return name.lower().replace("_", "-")
    if ecosystem in ("maven", "go", "rubygems"):
        return name
    return _PEP503_SEPARATORS.sub("-", name).lower()


_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_ENV_VAR = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallRule(_Strict):
    """A call that names a product: ``AzureOpenAI(...)``, ``boto3.client("bedrock-runtime")``."""

    callee: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_$][A-Za-z0-9_$.]*$")]
    """Matches a call whose dotted callee equals this or ends with ``.`` + this."""
    args: tuple[str, ...] = ()
    """If given, the first positional string argument (or any string keyword value) must be one."""


class KeyRule(_Strict):
    """An API key format: keywords gate it (cheap), the regex confirms it (precise).

    A format with a distinctive prefix stands alone; a weak one (32 hex characters) must name
    ``context`` words that appear on the same line or the two lines before.
    """

    id: Slug
    keywords: tuple[str, ...]
    regex: str
    """ASCII regex; group 1 (or the whole match) is the secret."""
    min_entropy: float = 3.0
    context: tuple[str, ...] = ()

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, pattern: str) -> str:
        if not pattern.isascii():
            raise ValueError(f"key regex {pattern!r} must be ASCII")
        try:
            re.compile(pattern)
        except re.error as err:
            raise ValueError(f"key regex {pattern!r} does not compile: {err}") from err
        return pattern


class IacRule(_Strict):
    """An infrastructure-as-code resource type that declares the product."""

    type: str
    """``aws_bedrockagent_agent`` (Terraform), ``AWS::Bedrock::Agent`` (CloudFormation),
    ``Microsoft.CognitiveServices/accounts`` (ARM/Bicep)."""
    kind: str | None = None
    """For types shared by many products, the ``kind`` property value that selects this one
    (``OpenAI`` for a Cognitive Services account)."""
    property: str = "kind"
    """The property whose value ``kind`` names, when it is not ``kind``: an OpenSearch
    Serverless collection is a vector store when its ``type`` (Terraform) or ``Type``
    (CloudFormation) is ``VECTORSEARCH``."""


class ResourceRule(_Strict):
    """A cloud or SaaS resource type, as the provider's API names it, that is the product.

    Types of ``iac`` rules match live resources too (CloudFormation and ARM types are the
    providers' own names); ``resources`` holds the types that only an API shows.
    """

    type: Annotated[str, StringConstraints(min_length=3, max_length=200)]
    """``AWS::Bedrock::CustomModel``, ``Microsoft.CognitiveServices/accounts``,
    ``aiplatform.googleapis.com/Endpoint``; a trailing ``*`` matches any suffix."""
    kind: str | None = None
    """For types shared by many products, the resource's kind that selects this one."""


class AppRule(_Strict):
    """A SaaS application as tenants' admin APIs list it: an Entra enterprise app, a Google
    OAuth client, a GitHub App, a Slack app, an Okta integration, or a licence SKU.

    Names and publishers compare case-insensitively with runs of spaces and punctuation as one
    space; a name ending in ``*`` matches any name it starts. Ids compare exactly (ignoring case).
    """

    names: tuple[str, ...] = ()
    """Display names (``ChatGPT``, ``Otter.ai*``)."""
    publishers: tuple[str, ...] = ()
    """Publisher, verified publisher or developer names (``OpenAI``)."""
    ids: tuple[str, ...] = ()
    """Public ids: Entra app ids, OAuth client ids, GitHub App slugs, Okta OIN names, Slack app
    ids, licence SKU part numbers and GUIDs."""
    domains: tuple[str, ...] = ()
    """Homepage or redirect-URL domains; a subdomain matches too."""

    @model_validator(mode="after")
    def _not_empty(self) -> AppRule:
        if not (self.names or self.publishers or self.ids or self.domains):
            raise ValueError("an app rule needs names, publishers, ids or domains")
        return self


class Signals(_Strict):
    """The matchers of one product, per kind of evidence."""

    imports: dict[CodeLanguage, tuple[str, ...]] = Field(default_factory=dict)
    """Module names; ``a.b`` matches ``a.b`` and ``a.b.c``. A name imported from a module
    (``from openai import AzureOpenAI``) is matched as ``openai.AzureOpenAI`` first."""
    calls: dict[CodeLanguage, tuple[CallRule, ...]] = Field(default_factory=dict)
    packages: dict[Ecosystem, tuple[str, ...]] = Field(default_factory=dict)
    hosts: tuple[str, ...] = ()
    """API hostnames; ``*.example.com`` matches any subdomain."""
    env_vars: tuple[str, ...] = ()
    model_ids: tuple[str, ...] = ()
    """Regular expressions (ASCII only) that must match a whole model id."""
    keys: tuple[KeyRule, ...] = ()
    """API key formats (category ``api-key`` findings linked to this product's vendor)."""
    images: tuple[str, ...] = ()
    """Container image repositories (``ollama/ollama``, ``vllm/vllm-openai``); any tag/registry."""
    iac: tuple[IacRule, ...] = ()
    """Infrastructure-as-code resource types."""
    resources: tuple[ResourceRule, ...] = ()
    """Cloud and SaaS resource types read from provider APIs (beyond the ``iac`` types)."""
    apps: tuple[AppRule, ...] = ()
    """SaaS applications and licences (category ``saas-ai-feature``)."""
    files: tuple[str, ...] = ()
    """File names or path globs whose presence is the evidence (``.mcp.json``,
    ``claude_desktop_config.json``, ``*.gguf``)."""

    @field_validator("packages")
    @classmethod
    def _package_names_are_well_formed(
        cls, packages: dict[Ecosystem, tuple[str, ...]]
    ) -> dict[Ecosystem, tuple[str, ...]]:
        for ecosystem, names in packages.items():
            for name in names:
                if not name or name != name.strip() or any(c.isspace() for c in name):
                    raise ValueError(f"{ecosystem} package {name!r}: empty or holds whitespace")
                if ecosystem == "maven" and not _MAVEN_COORDINATE.match(name):
                    raise ValueError(f"maven package {name!r} is not 'group:artifact'")
                if ecosystem == "go" and (name.endswith("/") or "@" in name or "://" in name):
                    raise ValueError(f"go package {name!r} is not a module path")
        return packages

    @field_validator("hosts")
    @classmethod
    def _hosts_are_hostnames(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        for host in hosts:
            if not _HOST.match(host):
                raise ValueError(f"{host!r} is not a lowercase hostname (optionally '*.'-prefixed)")
        return hosts

    @field_validator("env_vars")
    @classmethod
    def _env_vars_are_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if not _ENV_VAR.match(name):
                raise ValueError(f"{name!r} is not an upper-case environment variable name")
        return names

    @field_validator("model_ids")
    @classmethod
    def _model_ids_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            if not pattern.isascii():
                raise ValueError(f"model id pattern {pattern!r} must be ASCII")
            if "\\w" in pattern or "\\s" in pattern or "\\d" in pattern:
                raise ValueError(f"model id pattern {pattern!r}: use [0-9] / explicit classes")
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"model id pattern {pattern!r} does not compile: {err}") from err
        return patterns


class SignalKind(StrEnum):
    """Signal kinds an example can exercise; each maps to a key of :class:`Signals`."""

    CODE_IMPORT = "code_import"
    CODE_CALL = "code_call"
    PACKAGE = "package"
    HOST = "host"
    ENV_VAR = "env_var"
    MODEL_ID = "model_id"
    KEY = "key"
    IMAGE = "image"
    IAC = "iac"
    FILE = "file"
    CLOUD_RESOURCE = "cloud_resource"
    SAAS_APP = "saas_app"


SIGNAL_FIELD: dict[SignalKind, str] = {
    SignalKind.CODE_IMPORT: "imports",
    SignalKind.CODE_CALL: "calls",
    SignalKind.PACKAGE: "packages",
    SignalKind.HOST: "hosts",
    SignalKind.ENV_VAR: "env_vars",
    SignalKind.MODEL_ID: "model_ids",
    SignalKind.KEY: "keys",
    SignalKind.IMAGE: "images",
    SignalKind.IAC: "iac",
    SignalKind.FILE: "files",
    SignalKind.CLOUD_RESOURCE: "resources",
    SignalKind.SAAS_APP: "apps",
}


EXAMPLE_FILES = {
    "python": "example.py",
    "javascript": "example.js",
    "typescript": "example.ts",
    "tsx": "example.tsx",
    "java": "Example.java",
    "kotlin": "Example.kt",
    "go": "main.go",
    "csharp": "Program.cs",
    "ruby": "app.rb",
    "rust": "main.rs",
    "php": "index.php",
}
"""The file name an example in a language is scanned as."""


class Example(_Strict):
    """A positive or negative example; the test suite runs every one through the real engine.

    A ``cloud_resource`` or ``saas_app`` example's ``text`` is a YAML mapping of the resource a
    connector would report (``type``, ``kind``, ``name``, ``publisher``, ``app_id``,
    ``properties``, ``model_ids``, ``images``, ``env_var_names``, ``hosts``, ...).
    """

    signal: SignalKind
    text: str
    file: str = ""
    """File name the text is scanned as; derived from ``language``/``signal`` when empty."""
    language: (
        Literal[
            "python",
            "javascript",
            "typescript",
            "tsx",
            "java",
            "kotlin",
            "go",
            "csharp",
            "ruby",
            "rust",
            "php",
        ]
        | None
    ) = None
    expect: Literal["match", "none"] = "match"
    models: tuple[str, ...] = ()
    """Model ids the match must report."""

    def file_name(self) -> str:
        """The name the example is scanned under, which decides the detector that reads it."""
        if self.file:
            return self.file
        if self.language is not None:
            return EXAMPLE_FILES[self.language]
        if self.signal is SignalKind.PACKAGE:
            return "requirements.txt"
        return "settings.yaml"


class Product(_Strict):
    """One product: becomes one AI system per scope where it is found."""

    id: Slug
    name: str
    category: Category
    vendor: Slug | None = None
    """Overrides the file's vendor (e.g. a framework's provider package)."""
    vendor_name: str | None = None
    description: str = ""
    supersedes: tuple[Slug, ...] = ()
    """Products this one replaces when a name-specific import rule of it matches the same import
    (``from openai import AzureOpenAI`` is Azure OpenAI, not also OpenAI)."""
    keywords: tuple[str, ...] = ()
    """Extra prefilter keywords (e.g. the literal start of each model id pattern)."""
    signals: Signals = Field(default_factory=Signals)
    examples: tuple[Example, ...] = ()


class FingerprintFile(_Strict):
    """One YAML file: a vendor or product family and its products."""

    id: Slug
    vendor: Slug
    vendor_name: str
    references: tuple[str, ...] = ()
    products: tuple[Product, ...]

    @model_validator(mode="after")
    def _products_unique(self) -> FingerprintFile:
        seen: set[str] = set()
        for product in self.products:
            if product.id in seen:
                raise ValueError(f"product id {product.id!r} appears twice")
            seen.add(product.id)
        return self
